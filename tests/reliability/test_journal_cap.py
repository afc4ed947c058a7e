"""The journal keeps the newest ``journal_max_rows`` requests (oldest dropped as new ones arrive), and its
function filter reads an index."""
from __future__ import annotations

import sqlite3

import pytest
import requests

from mock_server.settings import Settings
from mock_server.storage.records import JournalEntry
from mock_server.storage.store import Store
from tests.served import Served


@pytest.mark.ccs_mock(journal_max_rows=5)
def test_the_cap_holds_and_keeps_the_newest_requests(ccs_mock) -> None:
    for n in range(12):
        if n % 3 == 0:
            ccs_mock.api("login", app_token=ccs_mock.app_token, email=f"nobody{n}@demo.example")
        else:
            ccs_mock.api("ping", app_token=f"token-{n}")
    kept = ccs_mock.control("GET", "journal?limit=100")["requests"]
    assert [entry["seq"] for entry in kept] == [8, 9, 10, 11, 12]
    assert [entry["function"] for entry in kept] == ["ping", "ping", "login", "ping", "ping"]
    logins = ccs_mock.control("GET", "journal?function=login")["requests"]
    assert [entry["params"]["email"] for entry in logins] == ["nobody9@demo.example"]
    ccs_mock.assert_called("login", email="nobody9@demo.example")
    ccs_mock.assert_not_called("login", email="nobody6@demo.example")  # dropped with the oldest


def test_store_keeps_the_newest_rows_and_zero_keeps_all() -> None:
    store = Store()
    for n in range(1, 21):
        store.append_journal(JournalEntry("2026-01-05 09:00:00", None, "GET", "/api/", "ping" if n % 2 else "login",
                                          {"n": str(n)}, 200, "ok"), keep=6)
    assert [entry.params["n"] for entry in store.list_journal(100)] == [str(n) for n in range(15, 21)]
    assert [entry.params["n"] for entry in store.list_journal(100, "login")] == ["16", "18", "20"]
    for n in range(21, 31):
        store.append_journal(JournalEntry("2026-01-05 09:00:00", None, "GET", "/api/", "ping", {"n": str(n)}, 200,
                                          "ok"), keep=0)
    assert len(store.list_journal(100)) == 16


def test_the_function_filter_reads_an_index(tmp_path) -> None:
    path = tmp_path / "journal.sqlite3"
    Store(str(path)).close()
    with sqlite3.connect(path) as db:
        plan = " ".join(row[-1] for row in db.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM journal WHERE function = ? ORDER BY seq DESC LIMIT ?", ("login", 10)))
    assert "USING INDEX journal_by_function" in plan and "TEMP B-TREE" not in plan


def test_the_default_cap_and_its_environment_variable() -> None:
    assert Settings().journal_max_rows == 10_000
    assert Settings.load(env={"CCS_MOCK_JOURNAL_MAX_ROWS": "0"}).journal_max_rows == 0
    with pytest.raises(ValueError, match="journal_max_rows"):
        Settings(journal_max_rows=-1)


def test_serve_takes_the_cap_as_a_flag() -> None:
    served = Served("--db", ":memory:", "--journal-max-rows", "3")
    try:
        assert requests.get(served.url + "/_mock/settings", timeout=30).json()["journal_max_rows"] == 3
    finally:
        served.stop()
