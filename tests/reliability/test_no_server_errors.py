"""No input answers a 5xx: integers and dates the control API takes are bounded, the clock has a limit,
and a bug still answers in the API's own error shape with an id that is in the log next to the trace."""
from __future__ import annotations

import dataclasses
import logging
import re

import pytest
import requests

from mock_server import create_app
from mock_server.runtime.server import LiveServer

LIMIT = "9000-01-01 00:00:00"


def post_clock(ccs_mock, body: dict) -> requests.Response:
    return requests.post(ccs_mock.url + "/_mock/clock", json=body, timeout=30)


def test_a_sink_read_after_an_id_sqlite_cannot_hold_is_refused(ccs_mock) -> None:
    for after in ("-99999999999999999999", "99999999999999999999", "-1"):
        answer = requests.get(ccs_mock.url + "/_mock/sinks/x", params={"after": after}, timeout=30)
        assert answer.status_code == 400, (after, answer.text)
        assert answer.json()["error"] == "invalid_request" and "after" in answer.json()["message"]
    assert ccs_mock.control("GET", f"sinks/x?after={2**63 - 1}") == {"name": "x", "requests": []}


@pytest.mark.parametrize("body", [{"now": "9999-12-31 23:59:58"}, {"now": "9000-01-01 00:00:01"}])
def test_the_clock_refuses_to_pass_its_limit_and_nothing_changes(ccs_mock, body) -> None:
    answer = post_clock(ccs_mock, body)
    assert answer.status_code == 400 and answer.json()["error"] == "clock_limit"
    assert LIMIT in answer.json()["message"]
    assert ccs_mock.clock.now == "2026-01-05 09:00:00"
    assert ccs_mock.api("login", app_token=ccs_mock.app_token, email=ccs_mock.email)["login"] is True
    assert ccs_mock.clock.advance(60) == "2026-01-05 09:01:00"


def test_everything_still_works_at_the_limit(ccs_mock) -> None:
    assert ccs_mock.clock.set(LIMIT) == LIMIT
    session = ccs_mock.login()
    [listed] = ccs_mock.control("GET", "sessions")["sessions"]
    assert listed["expires_at"] == "9000-01-02 00:00:00"
    assert ccs_mock.api("click2call", session=session, phonenumber="905550000010")["success"] is True
    key = ccs_mock.start_inbound_call("905321112233", agent=ccs_mock.tenant().users[1], talk_seconds=86400,
                                      ring_seconds=3600, ivr_seconds=3600)
    assert {call["key"] for call in ccs_mock.active_calls()} >= {key}
    answer = post_clock(ccs_mock, {"advance_seconds": 1})
    assert answer.status_code == 400 and answer.json()["error"] == "clock_limit"
    for function, params in (("reportsCDRLogs", {"startdate": "8999-12-31 00:00:00",
                                                 "finishdate": "9999-12-31 23:59:59"}),
                             ("reportsAgentPerf", {"startdate": "9999-12-31", "finishdate": "9999-12-31"}),
                             ("reportsAgentPerf", {})):
        body = ccs_mock.api(function, app_token=ccs_mock.app_token, **params)
        assert "success" not in body, body
    assert ccs_mock.api("getactivecall", session=session)["MyActiveCalls"]


@pytest.mark.parametrize("raw", ['{"advance_seconds": NaN}', '{"advance_seconds": Infinity}',
                                 '{"advance_seconds": 1e400}', '{"advance_seconds": 31622401}'])
def test_clock_moves_that_are_not_finite_numbers_in_range_are_refused(ccs_mock, raw) -> None:
    answer = requests.post(ccs_mock.url + "/_mock/clock", data=raw, headers={"Content-Type": "application/json"},
                           timeout=30)
    assert answer.status_code == 400, answer.text
    assert ccs_mock.clock.now == "2026-01-05 09:00:00"


def test_a_session_id_sqlite_cannot_hold_is_refused(ccs_mock) -> None:
    answer = requests.post(ccs_mock.url + "/_mock/sessions/expire", json={"id": 2**64}, timeout=30)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_request"


@pytest.fixture
def broken_fake(monkeypatch):
    """A fake with a bug: ``ping`` raises (the table of vendor functions is the fake's own extension point),
    and a control route that raises."""
    app = create_app()
    functions = app.extensions["ccs"].functions

    def ping(backend, tenant, **kwargs):
        raise RuntimeError("a bug in a vendor function")

    def broken_control_route():
        raise KeyError("a bug in a control route")

    monkeypatch.setitem(functions, "ping", dataclasses.replace(functions["ping"], function=ping))
    app.add_url_rule("/_mock/broken", "broken", broken_control_route)
    with LiveServer(app) as server:
        yield server


def incident_in_log(caplog, incident: str) -> logging.LogRecord:
    [record] = [r for r in caplog.records if incident in r.getMessage()]
    assert record.levelno == logging.ERROR and record.exc_info is not None
    return record


def test_a_bug_in_a_vendor_function_answers_the_vendors_error_body_with_an_id_in_the_log(broken_fake, caplog) -> None:
    caplog.set_level(logging.ERROR, logger="ccs_mock")
    answer = requests.get(broken_fake.url + "/api/", params={"function": "ping", "app_token": "x"}, timeout=30)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
    body = answer.json()
    assert set(body) == {"success", "message"} and body["success"] is False
    incident = re.fullmatch(r"Internal error \(id ([0-9a-f]{12})\); see the fake's log", body["message"]).group(1)
    record = incident_in_log(caplog, incident)
    assert "a bug in a vendor function" in str(record.exc_info[1])
    [entry] = requests.get(broken_fake.url + "/_mock/journal", timeout=30).json()["requests"]
    assert entry["function"] == "ping" and incident in entry["outcome"]


def test_a_bug_in_the_control_api_answers_its_error_shape_with_an_id_in_the_log(broken_fake, caplog) -> None:
    caplog.set_level(logging.ERROR, logger="ccs_mock")
    answer = requests.get(broken_fake.url + "/_mock/broken", timeout=30)
    assert answer.status_code == 500
    body = answer.json()
    assert set(body) == {"error", "message"} and body["error"] == "internal"
    incident = re.search(r"id ([0-9a-f]{12})", body["message"]).group(1)
    assert "a bug in a control route" in str(incident_in_log(caplog, incident).exc_info[1])


def test_unknown_control_paths_answer_the_control_error_shape(ccs_mock) -> None:
    answer = requests.get(ccs_mock.url + "/_mock/nothing-here", timeout=30)
    assert answer.status_code == 404 and answer.json()["error"] == "not_found"
    assert requests.delete(ccs_mock.url + "/_mock/clock", timeout=30).json()["error"] == "method_not_allowed"


@pytest.mark.parametrize("after", ["99999999999999999999", "-99999999999999999999"])
def test_a_softphone_stream_resumed_after_an_id_sqlite_cannot_hold_still_streams(ccs_mock, after) -> None:
    session = ccs_mock.login()
    params = {"tenant": ccs_mock.tenant().host, "session": session, "after": after}
    with requests.get(ccs_mock.url + "/generic/sso/events", params=params, stream=True, timeout=30) as answer:
        assert answer.status_code == 200
        lines = answer.iter_lines(decode_unicode=True)
        assert next(line for line in lines if line.startswith("event:")) == "event: clock"


@pytest.mark.parametrize("setting", [{"session_lifetime_seconds": 10**12}, {"talk_seconds_max": -1},
                                     {"clock_speed": float("nan")}, {"clock_speed": 1e300}])
def test_settings_that_would_push_times_out_of_range_are_refused_at_start(setting) -> None:
    with pytest.raises(ValueError, match=next(iter(setting))):
        create_app(**setting)


def test_a_clock_start_past_the_limit_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="may not pass 9000-01-01"):
        create_app(clock_start="9999-12-31 23:59:58")


@pytest.mark.parametrize("url", ["http://[::1/hangup", "http://127.0.0.1:99999/hangup"])
def test_a_callback_url_that_does_not_parse_is_refused_like_any_bad_url(ccs_mock, url) -> None:
    session = ccs_mock.login()
    answer = ccs_mock.api("click2call", session=session, phonenumber="905550000001", hangup_url=url)
    assert answer["success"] is False and answer["message"].startswith("hangup_url "), answer
    assert "Internal error" not in answer["message"]
    assert ccs_mock.active_calls() == []
    refused = requests.put(ccs_mock.url + "/_mock/notifications", json={"url": url}, timeout=30)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_request"


def test_json_strings_that_are_not_unicode_text_are_refused(ccs_mock) -> None:
    """A lone surrogate escape is valid JSON text but no string SQLite can store."""
    lone = '{"tenant": "\\ud800"}'
    answer = requests.post(ccs_mock.url + "/_mock/app_tokens", data=lone, timeout=30,
                           headers={"Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_json"
    session = ccs_mock.login()
    body = '{"tenant": "%s", "session": "%s", "number": "9055500\\udc00"}' % (ccs_mock.tenant().host, session)
    dialled = requests.post(ccs_mock.url + "/generic/sso/actions/dial", data=body, timeout=30,
                            headers={"Content-Type": "application/json"})
    assert dialled.status_code == 200 and "Internal error" not in dialled.json()["message"]
    assert ccs_mock.active_calls() == []
