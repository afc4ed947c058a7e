"""One ``ccs-mock serve`` for the session (manual clock, a SQLite file), shared by the tests of this folder that
run the kit in a subprocess or put ``ccs-mock proxy`` in front of a tenant, and the broken tenants of
``mutants.py`` as proxies in front of that same fake. Under pytest-xdist each worker that runs such a test has
its own (a session fixture lives in one process); its tests use it one at a time.
"""
from __future__ import annotations

import pytest

from tests.contract.mutants import ProxiedFake
from tests.served import Served


@pytest.fixture(scope="session")
def served_fake(tmp_path_factory) -> Served:
    served = Served("--db", str(tmp_path_factory.mktemp("served-fake") / "fake.sqlite3"))
    yield served
    served.stop()


@pytest.fixture(scope="session")
def proxied_fake(served_fake: Served) -> ProxiedFake:
    """Mutant proxies in front of the served fake."""
    fake = ProxiedFake(upstream=served_fake)
    yield fake
    fake.close()
