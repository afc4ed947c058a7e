"""A single-process fake on a database file keeps its clock across a restart (as ``serve --workers`` does):
a call placed at 10:00 is not left active at 09:00 by a restart. ``POST /_mock/reset`` still rewinds."""
from __future__ import annotations

import json

import pytest
import requests

from tests.served import Served

START = "2026-01-05 09:00:00"


def control(served: Served, method: str, path: str, body: dict | None = None) -> dict:
    answer = requests.request(method, f"{served.url}/_mock/{path}", json=body, timeout=30)
    assert answer.status_code < 400, answer.text
    return answer.json()


def api(served: Served, **params: str) -> dict:
    return requests.get(served.url + "/api/", params=params, timeout=30).json()


def place_call(served: Served) -> str:
    [tenant] = [t for t in control(served, "GET", "tenants")["tenants"] if t["default"]]
    session = api(served, function="login", app_token=tenant["app_tokens"][0]["app_token"],
                  email=tenant["users"][0]["email"])["session"]
    assert api(served, function="click2call", session=session, phonenumber="905550000010")["success"] is True
    return session


@pytest.mark.parametrize("clock", ["manual", "system"])
def test_a_restart_keeps_the_clock_and_the_call_in_progress(tmp_path, clock) -> None:
    args = ("--db", str(tmp_path / "state.sqlite3"), "--clock", clock, "--clock-start", START)
    first = Served(*args)
    try:
        moved = control(first, "POST", "clock", {"advance_seconds": 3600})["now"]
        assert moved >= "2026-01-05 10:00:00"
        session = place_call(first)  # a 3-hour call, placed at 10:00
    finally:
        first.stop()
    second = Served(*args)
    try:
        now = control(second, "GET", "clock")["now"]
        assert now >= moved and now < "2026-01-05 10:10:00"
        [call] = api(second, function="getactivecall", session=session)["MyActiveCalls"]
        assert call["status"] in ("dialing", "ringing", "talking")
        control(second, "POST", "clock", {"advance_seconds": 4 * 3600})
        assert api(second, function="getactivecall", session=session)["MyActiveCalls"] == []
        assert control(second, "POST", "reset")["clock"]["now"] < "2026-01-05 09:10:00"
    finally:
        second.stop()
    third = Served(*args)
    try:
        assert control(third, "GET", "clock")["now"] < "2026-01-05 09:10:00"  # the reset is kept too
    finally:
        third.stop()



def test_a_restart_in_another_clock_mode_carries_on_from_the_kept_time(tmp_path) -> None:
    """An anchor written an hour ago by a manual clock is a time, not a running clock: a system clock
    started on it carries on from that time, without the hour the fake was stopped."""
    from datetime import datetime

    from mock_server.domain.clock import ManualClock
    from mock_server.runtime.clocks import META_KEY, SharedClock
    from mock_server.storage.store import Store
    from mock_server.runtime.clocks import SystemClock

    store = Store(str(tmp_path / "clock.sqlite3"))
    SharedClock(store, ManualClock(datetime(2026, 1, 5, 10, 0))).advance(0)
    state = json.loads(store.get_meta(META_KEY))
    store.set_meta(META_KEY, json.dumps(dict(state, real=state["real"] - 3600)))
    clock = SharedClock(store, SystemClock(datetime(2026, 1, 5, 9, 0), 1.0, 180))
    assert datetime(2026, 1, 5, 10, 0) <= clock.now() < datetime(2026, 1, 5, 10, 5)
