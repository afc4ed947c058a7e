"""The ``ccs-mock`` command as a user runs it, in subprocesses: ``serve`` (with ``--tls``, ``--workers``),
``credentials``, ``hosts``, ``fidelity``, ``check`` without the kit's dependencies."""
