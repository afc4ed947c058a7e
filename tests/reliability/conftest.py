"""Every test in this folder is part of the ``reliability`` suite (``pytest -m reliability`` runs it alone)."""
from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.reliability)


def pytest_terminal_summary(terminalreporter, config) -> None:
    """The fuzz counts per spec (requests sent, 5xx answers), for the record."""
    from tests.reliability.test_fuzz import COUNTS_KEY

    counts = config.stash.get(COUNTS_KEY, None)
    if counts:
        terminalreporter.section("reliability fuzz")
        for spec in sorted({key.split()[0] for key in counts}):
            terminalreporter.write_line(f"{spec}: {counts[spec + ' requests']} requests, {counts[spec + ' 5xx']} 5xx")
