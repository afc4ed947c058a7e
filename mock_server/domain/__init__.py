"""Pure-Python model of a Call Center Studio tenant.

Nothing in this package imports Flask, Werkzeug, requests or the spec loader,
reads the wall clock or uses global randomness: time comes from a ``Clock``,
ids from ``ids.IdGenerator``. ``tests/unit/test_layering.py`` enforces it.
"""
