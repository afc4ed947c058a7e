"""Hand-written flows an integration depends on: login, session life, and the cursor walk."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from contract_tests.checks import is_error_body
from contract_tests.target import Target

DATETIME = "%Y-%m-%d %H:%M:%S"
MAX_PAGES = 2000  # a walk longer than this is a cursor that never ends


@pytest.mark.fidelity("login", "getactivecall")
def test_login_gives_a_session_that_works(ccs: Target) -> None:
    body = ccs.body("login", app_token=ccs.app_token, email=ccs.email)
    assert body["login"] is True and body["message"] == "Login Successful!"
    assert body["session"] and body["session"].replace("-", "").replace("_", "").isalnum()
    active = ccs.body("getactivecall", session=body["session"])
    assert isinstance(active.get("MyActiveCalls"), list), active


@pytest.mark.fidelity("login")
def test_each_login_mints_a_new_session(ccs: Target) -> None:
    first, second = ccs.login(), ccs.login()
    assert first != second
    for session in (first, second):
        assert "MyActiveCalls" in ccs.body("getactivecall", session=session)


@pytest.mark.fidelity("login", "transport.http-200-errors")
def test_login_with_unknown_email_is_user_not_found(ccs: Target) -> None:
    body = ccs.body("login", app_token=ccs.app_token, email="nobody-here@invalid.example")
    assert body == {"login": False, "message": "User not found"}


@pytest.mark.fidelity("login", "login.token-before-user", "transport.http-200-errors")
def test_login_with_wrong_token_is_invalid_application_token(ccs: Target) -> None:
    body = ccs.body("login", app_token=ccs.app_token[:-4] + "AAAA", email=ccs.email)
    assert body == {"login": False, "message": "Invalid Application Token"}


@pytest.mark.fidelity("login", "getactivecall", "transport.http-200-errors")
def test_expired_session_says_log_in_again_and_a_new_login_works(ccs: Target) -> None:
    session = ccs.login()
    assert "MyActiveCalls" in ccs.body("getactivecall", session=session)
    if ccs.is_fake:
        lifetime = ccs.control("GET", "settings")["session_lifetime_seconds"]
        ccs.advance(lifetime + 1)
        dead = session
    else:  # a real tenant cannot be aged 24 h here: a key it never issued gets the same answer
        dead = session[:-6] + ("AAAAAA" if not session.endswith("AAAAAA") else "BBBBBB")
    body = ccs.body("getactivecall", session=dead)
    assert body.get("login") is False, f"a dead session must answer login: false (facts §6.2): {body}"
    assert body.get("message") == "Yanlış API anahtarı", body
    fresh = ccs.login()
    assert fresh != session
    assert "MyActiveCalls" in ccs.body("getactivecall", session=fresh)


def _window(ccs: Target, request: pytest.FixtureRequest) -> tuple[str, str]:
    configured = request.config.getoption("--ccs-cdr-window")
    if configured:
        start, finish = (part.strip() for part in configured.split(","))
        return start, finish
    now = datetime.strptime(ccs.control("GET", "clock")["now"], DATETIME) if ccs.is_fake else datetime.now()
    return (now - timedelta(days=2)).strftime(DATETIME), now.strftime(DATETIME)


def walk(ccs: Target, start: str, finish: str, sorting: str) -> list[dict]:
    """Follow the cursor until a page has fewer than 100 records (facts §15.7)."""
    records: list[dict] = []
    cursor = None
    for _ in range(MAX_PAGES):
        params = {"app_token": ccs.app_token, "startdate": start, "finishdate": finish, "sorting": sorting}
        if cursor:
            params["cursor"] = cursor
        page = ccs.body("reportsCDRLogs", **params)
        assert not is_error_body(page), page
        assert isinstance(page.get("cursor"), str), f"every response carries a cursor (facts §15.7): {page.keys()}"
        assert len(page["CallList"]) <= 100
        records.extend(page["CallList"])
        if len(page["CallList"]) < 100:
            return records
        cursor = page["cursor"]
    pytest.fail(f"the cursor walk did not end after {MAX_PAGES} pages")


@pytest.mark.fidelity("reportsCDRLogs", "cdr.window-inclusive", "cdr.cursor-snapshot")
def test_cursor_walk_yields_every_record_once_in_order(ccs: Target, request: pytest.FixtureRequest) -> None:
    start, finish = _window(ccs, request)
    newest_first = walk(ccs, start, finish, "desc")
    oldest_first = walk(ccs, start, finish, "asc")
    ids = [r["callid"] for r in newest_first]
    assert len(ids) == len(set(ids)), "a record came back twice"
    assert sorted(ids) == sorted(r["callid"] for r in oldest_first), "asc and desc walks disagree"
    dates = [r["calldate"] for r in newest_first]
    assert dates == sorted(dates, reverse=True), "desc walk is out of order"
    assert [r["calldate"] for r in oldest_first] == sorted(dates), "asc walk is out of order"
    assert all(start <= d <= finish for d in dates), "a record lies outside the window"
    if ccs.is_fake:
        assert len(ids) > 100, "the fake's demo window should need more than one page"


@pytest.mark.fidelity("reportsCDRLogs", "cdr.key-precedence", "cdr.dates-optional-with-key")
def test_activecallkey_finds_one_call_and_beats_other_filters(ccs: Target, request: pytest.FixtureRequest) -> None:
    start, finish = _window(ccs, request)
    page = ccs.body("reportsCDRLogs", app_token=ccs.app_token, startdate=start, finishdate=finish)
    keyed = [r for r in page["CallList"] if r.get("activecallkey")]
    if not keyed:
        pytest.fail("no record in the window carries an activecallkey to look up")
    record = keyed[0]
    found = ccs.body("reportsCDRLogs", app_token=ccs.app_token, activecallkey=record["activecallkey"],
                     startdate="2001-01-01 00:00:00", finishdate="2001-01-01 00:00:01")
    assert [r["callid"] for r in found["CallList"]] == [record["callid"]]
    missing = ccs.body("reportsCDRLogs", app_token=ccs.app_token, activecallkey=record["activecallkey"][:-4] + "AAAA")
    assert missing["CallList"] == []


@pytest.mark.fidelity("reportsCDRLogs", "transport.parameter-errors", "transport.http-200-errors")
def test_bad_dates_get_an_error_body_not_a_crash(ccs: Target) -> None:
    for startdate in ("2017-08-01%12:00:00", "2017-08-01", "2019-13-45 25:61:61"):
        response = ccs.api("reportsCDRLogs", app_token=ccs.app_token, startdate=startdate,
                           finishdate="2017-08-02 00:00:00")
        assert response.status_code == 200, f"{startdate!r}: HTTP {response.status_code}"
        assert is_error_body(response.json()), f"{startdate!r}: {response.text[:200]}"


INVALID_VALUES = [
    ("reportsCDRLogs", "sorting", "sideways"),
    ("reportsCDRLogs", "include_csat", "yes"),
    ("reportsCDRLogs", "untransferred", "1"),
    ("reportsCDRLogs", "finishdate", "2026-01-01T00:00:00"),
    ("reportsAgentPerf", "startdate", "2026/01/01"),
]


@pytest.mark.parametrize(("function", "name", "value"), INVALID_VALUES)
@pytest.mark.fidelity("transport.parameter-errors", "transport.http-200-errors")
def test_invalid_values_are_refused_in_the_body(ccs: Target, function: str, name: str, value: str) -> None:
    """One bad value in an otherwise valid request gets an error body (assumed: facts are silent)."""
    params = {"app_token": ccs.app_token}
    if function == "reportsCDRLogs":
        params.update(startdate="2026-01-01 00:00:00", finishdate="2026-01-02 00:00:00")
    assert not is_error_body(ccs.body(function, **params)), "the valid base request must succeed"
    body = ccs.body(function, **dict(params, **{name: value}))
    assert is_error_body(body), f"{name}={value!r} was accepted: {str(body)[:200]}"
