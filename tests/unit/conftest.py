"""The domain without Flask: each test gets a fresh composition (seeded store, manual clock, backend)."""
from __future__ import annotations

import pytest

from mock_server.app import CcsContext, build_context
from mock_server.settings import Settings


def domain(**settings) -> CcsContext:
    """A fresh fake's context (``mock_server.app.build_context``, which imports no Flask); ``settings`` are
    Settings fields."""
    return build_context(Settings.load(**settings))


@pytest.fixture
def ccs() -> CcsContext:
    return domain()
