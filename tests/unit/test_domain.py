"""Domain behaviour with a manual clock: sessions, tokens, CDR queries, cursors, ids."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from mock_server.domain import errors
from mock_server.domain.cdr import CdrQuery, cdr_row
from mock_server.domain.clock import ClockError, ManualClock, format_datetime, parse_datetime
from mock_server.domain.ids import DatastoreKey, decode_key, encode_key
from mock_server.seed import _random_call
from tests.conftest import ACME, DEMO, email_of, token_of
from tests.unit.conftest import domain

WINDOW = (datetime(2025, 12, 29), datetime(2026, 1, 5, 9))
PLAIN = {"include_call_history": False, "include_csat": False, "include_call_tags": False}  # records without extras


def tenant(ccs, host=DEMO):
    return ccs.backend.tenants.get(host)


def walk(ccs, query: CdrQuery, host=DEMO):
    rows, cursor = [], None
    while True:
        page = ccs.backend.reports.reports_cdr_logs(tenant(ccs, host), query, cursor, **PLAIN)
        rows += page["CallList"]
        if len(page["CallList"]) < 100:
            return rows, page["cursor"]
        cursor = page["cursor"]


# -- keys ------------------------------------------------------------------------------------------
def test_datastore_key_matches_a_real_session_key_byte_for_byte() -> None:
    real = "ahRzfm11c3RlcmktaGl6bWV0bGVyaXIUCxIHU2Vzc2lvbhiAgICAgICACgyiARlkZW1vLmNhbGxjZW50ZXJzdHVkaW8uY29t"
    key = DatastoreKey("s~musteri-hizmetleri", "Session", 5629499534213120, "demo.callcenterstudio.com")
    assert encode_key(key) == real
    assert decode_key(real) == key


@pytest.mark.parametrize("junk", ["", "garbage", "ahRz", "%%%", "a" * 500])
def test_decode_key_rejects_junk(junk: str) -> None:
    assert decode_key(junk) is None


def test_fast_key_encoder_equals_key(ccs) -> None:
    ids = ccs.backend.ids
    encode = ids.key_encoder("CallLog", DEMO)
    assert [encode(n) for n in (1, 2, 99999)] == [ids.key("CallLog", DEMO, n) for n in (1, 2, 99999)]


# -- clock -------------------------------------------------------------------------------------------
def test_manual_clock_moves_only_forward() -> None:
    clock = ManualClock(datetime(2026, 1, 5, 9))
    assert clock.advance(90) == datetime(2026, 1, 5, 9, 1, 30)
    with pytest.raises(ClockError):
        clock.advance(-1)
    with pytest.raises(ClockError):
        clock.set(datetime(2026, 1, 5))
    assert clock.reset() == datetime(2026, 1, 5, 9)


# -- sessions and tokens ---------------------------------------------------------------------------
def test_login_mints_a_new_session_each_time(ccs) -> None:
    t = tenant(ccs)
    first, second = (ccs.backend.login(t, app_token=token_of(ccs), email=email_of(ccs))["session"] for _ in range(2))
    assert first != second
    assert decode_key(first).kind == "Session" and decode_key(first).namespace == DEMO


def test_login_is_case_insensitive_on_email(ccs) -> None:
    body = ccs.backend.login(tenant(ccs), app_token=token_of(ccs), email=email_of(ccs).upper())
    assert body["login"] is True


def test_session_expires_after_its_lifetime(ccs) -> None:
    t = tenant(ccs)
    session = ccs.backend.login(t, app_token=token_of(ccs), email=email_of(ccs))["session"]
    ccs.clock.advance(24 * 3600 - 1)
    assert ccs.backend.getactivecall(t, session=session) == {"MyActiveCalls": []}
    ccs.clock.advance(1)
    with pytest.raises(errors.InvalidSession):
        ccs.backend.getactivecall(t, session=session)


def test_session_cap_evicts_the_oldest() -> None:
    ccs = domain(max_sessions_per_user=2)
    t = tenant(ccs)
    sessions = [ccs.backend.login(t, app_token=token_of(ccs), email=email_of(ccs))["session"] for _ in range(3)]
    with pytest.raises(errors.InvalidSession):
        ccs.backend.getactivecall(t, session=sessions[0])
    for live in sessions[1:]:
        assert ccs.backend.getactivecall(t, session=live) == {"MyActiveCalls": []}
    other = ccs.backend.login(t, app_token=token_of(ccs), email=email_of(ccs, index=1))["session"]
    assert ccs.backend.getactivecall(t, session=sessions[1]) == {"MyActiveCalls": []}, \
        "another user's login evicts nothing"
    assert ccs.backend.getactivecall(t, session=other) == {"MyActiveCalls": []}


def test_dead_session_changes_nothing(ccs) -> None:
    t = tenant(ccs)
    session = ccs.backend.login(t, app_token=token_of(ccs), email=email_of(ccs))["session"]
    ccs.backend.sessions.expire(t, session=session)
    before = ccs.backend.sessions.live(t)
    with pytest.raises(errors.InvalidSession):
        ccs.backend.click2call(t, session=session, phonenumber="905321112233")
    assert ccs.backend.sessions.live(t) == before


def test_tokens_and_sessions_do_not_cross_tenants(ccs) -> None:
    demo, acme = tenant(ccs), tenant(ccs, ACME)
    with pytest.raises(errors.InvalidAppToken):
        ccs.backend.ping(acme, app_token=token_of(ccs, DEMO))
    session = ccs.backend.login(demo, app_token=token_of(ccs), email=email_of(ccs))["session"]
    with pytest.raises(errors.InvalidSession):
        ccs.backend.getactivecall(acme, session=session)
    with pytest.raises(errors.UserNotFound):
        ccs.backend.login(acme, app_token=token_of(ccs, ACME), email=email_of(ccs, DEMO))


def test_revoked_token_stops_working_and_reissued_one_works(ccs) -> None:
    t = tenant(ccs)
    old = token_of(ccs)
    new = ccs.backend.tenants.reissue_app_token(t, old)
    with pytest.raises(errors.InvalidAppToken):
        ccs.backend.login(t, app_token=old, email=email_of(ccs))
    assert ccs.backend.login(t, app_token=new, email=email_of(ccs))["login"] is True
    assert ccs.backend.tenants.revoke_app_token(t, new) is True
    with pytest.raises(errors.InvalidAppToken):
        ccs.backend.ping(t, app_token=new)


# -- CDR -------------------------------------------------------------------------------------------
def test_seeded_records_are_coherent(ccs) -> None:
    rows, _ = walk(ccs, CdrQuery(*WINDOW))
    assert len(rows) > 500
    for r in rows:
        start = parse_datetime(r["queuedate"] or r["calldate"])
        assert parse_datetime(r["hangupdate"]) == start + timedelta(seconds=r["waitduration"] + (r["duration"] or 0))
        if r["answered"]:
            assert r["talkdate"] and r["duration"] is not None and r["answeredby"] == r["agent"]
            assert r["holdduration"] <= r["duration"] and r["hangupcause"] == "ANSWER"
        else:
            assert r["talkdate"] is None and r["duration"] is None and r["recordingurl"] == ""
            assert r["holdduration"] == 0 and not r["transferred"]
        assert r["abandon"] == (r["queued"] and not r["answered"])
        assert r["hold"] == (r["holdduration"] > 0)
        assert r["inbound"] != r["click2call"]


def test_cdr_keys_point_to_real_agents_and_queues(ccs) -> None:
    users = {u["userkey"] for u in ccs.store.list_users(DEMO)}
    queues = {q["queuekey"] for q in ccs.store.list_queues(DEMO)}
    rows, _ = walk(ccs, CdrQuery(*WINDOW))
    assert {r["agentid"] for r in rows} - {""} <= users
    assert {r["queuekey"] for r in rows} - {""} <= queues


def test_walk_is_complete_unique_and_ordered(ccs) -> None:
    rows, _ = walk(ccs, CdrQuery(*WINDOW))
    asc, _ = walk(ccs, CdrQuery(*WINDOW, sorting="asc"))
    assert len(rows) == ccs.store.count_cdrs(DEMO)
    assert [r["callid"] for r in rows] == [r["callid"] for r in reversed(asc)]
    assert len({r["callid"] for r in rows}) == len(rows)


def test_walk_ignores_calls_added_after_it_began(ccs) -> None:
    t = tenant(ccs)
    query = CdrQuery(*WINDOW, sorting="asc")
    first = ccs.backend.reports.reports_cdr_logs(t, query, None, **PLAIN)
    add_calls(ccs, t, [datetime(2025, 12, 29, 0, 0, 1), datetime(2026, 1, 5, 8, 59)])
    rows, cursor = list(first["CallList"]), first["cursor"]
    while True:
        page = ccs.backend.reports.reports_cdr_logs(t, query, cursor, **PLAIN)
        rows += page["CallList"]
        cursor = page["cursor"]
        if len(page["CallList"]) < 100:
            break
    assert len(rows) == ccs.store.count_cdrs(DEMO) - 2
    assert len({r["callid"] for r in rows}) == len(rows)
    fresh, _ = walk(ccs, query)
    assert len(fresh) == ccs.store.count_cdrs(DEMO), "a new walk sees the new calls"


def add_calls(ccs, t, dates):
    users = [(u["email"], u["userkey"]) for u in ccs.store.list_users(DEMO)]
    queues = [(q["name"], q["queuekey"]) for q in ccs.store.list_queues(DEMO)]
    import random
    rng = random.Random(1)
    rows = []
    for when in dates:
        seq = ccs.store.allocate("CallLog")
        call = _random_call(rng, when, True, users, queues, ["905321112233"], ["905321112233"])
        rows.append(cdr_row(seq, t, call))
    ccs.store.insert_cdrs(rows)
    return rows


def test_tampered_or_foreign_cursor_is_refused(ccs) -> None:
    t = tenant(ccs)
    page = ccs.backend.reports.reports_cdr_logs(t, CdrQuery(*WINDOW), None, **PLAIN)
    cursor = page["cursor"]
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    for bad in (tampered, "not-a-cursor", "A" * 40):
        with pytest.raises(errors.InvalidCursor):
            ccs.backend.reports.reports_cdr_logs(t, CdrQuery(*WINDOW), bad, **PLAIN)
    other_query = CdrQuery(WINDOW[0], WINDOW[1] - timedelta(hours=1))
    with pytest.raises(errors.InvalidCursor, match="different query"):
        ccs.backend.reports.reports_cdr_logs(t, other_query, cursor, **PLAIN)
    with pytest.raises(errors.InvalidCursor):
        ccs.backend.reports.reports_cdr_logs(tenant(ccs, ACME), CdrQuery(*WINDOW), cursor, **PLAIN)


def test_key_filter_precedence(ccs) -> None:
    rows, _ = walk(ccs, CdrQuery(*WINDOW))
    a, b = rows[0], rows[1]
    reports, t = ccs.backend.reports, tenant(ccs)

    def callids(**filters):
        return [r["callid"] for r in reports.reports_cdr_logs(t, CdrQuery(**filters), None, **PLAIN)["CallList"]]
    assert callids(activecallkey=a["activecallkey"], callkey=b["callkey"]) == [a["callid"]]
    assert callids(callkey=b["callkey"], uniqueid="nothing") == [b["callid"]]
    assert callids(activecallkey=a["activecallkey"], startdate=datetime(2001, 1, 1), finishdate=datetime(2001, 1, 2),
                   agent="nobody") == [a["callid"]]
    assert callids(activecallkey="missing") == []
    with pytest.raises(errors.MissingParameter):
        callids(startdate=datetime(2001, 1, 1))


def test_filters_narrow_the_window(ccs) -> None:
    user = ccs.store.list_users(DEMO)[0]
    queue = ccs.store.list_queues(DEMO)[0]
    by_agent, _ = walk(ccs, CdrQuery(*WINDOW, agent=user["userkey"]))
    by_name, _ = walk(ccs, CdrQuery(*WINDOW, agent_username=user["email"]))
    assert by_agent and by_agent == by_name and all(r["agentid"] == user["userkey"] for r in by_agent)
    by_queue, _ = walk(ccs, CdrQuery(*WINDOW, queue=queue["queuekey"]))
    assert by_queue and all(r["queuekey"] == queue["queuekey"] for r in by_queue)
    untransferred, _ = walk(ccs, CdrQuery(*WINDOW, untransferred=True))
    everything, _ = walk(ccs, CdrQuery(*WINDOW))
    assert 0 < len(untransferred) < len(everything) and not any(r["transferred"] for r in untransferred)
    with_csat, _ = walk(ccs, CdrQuery(*WINDOW, csat_only=True))
    assert with_csat and len(with_csat) < len(everything)


def test_include_flags_add_fields(ccs) -> None:
    t = tenant(ccs)
    plain = ccs.backend.reports.reports_cdr_logs(t, CdrQuery(*WINDOW), None, **PLAIN)["CallList"][0]
    rich = ccs.backend.reports.reports_cdr_logs(t, CdrQuery(*WINDOW), None, include_call_history=True,
                                                include_csat=True, include_call_tags=True)["CallList"][0]
    assert not {"call_history", "csat", "call_tags"} & set(plain)
    assert rich["call_history"][0] == {"event": "start", "date": rich["calldate"]}
    assert "csat" in rich and isinstance(rich["call_tags"], list)


def test_agent_perf_adds_up(ccs) -> None:
    t = tenant(ccs)
    report = ccs.backend.reports.reports_agent_perf(t, WINDOW[0].date(), WINDOW[1].date(), None, None, None, None)
    rows = report["AgentPerfList"]
    assert len(rows) == len(ccs.store.list_users(DEMO))
    for row in rows:
        assert row["total_calls"] == row["answered_calls"] + row["missed_calls"]
        assert row["total_calls"] == row["inbound_calls"] + row["outbound_calls"]
    only = ccs.backend.reports.reports_agent_perf(t, None, None, None, None, None, "Sales")["AgentPerfList"]
    assert {r["team"] for r in only} == {"Sales"}


def test_recordinginfo(ccs) -> None:
    rows, _ = walk(ccs, CdrQuery(*WINDOW))
    answered = next(r for r in rows if r["answered"])
    missed = next(r for r in rows if not r["answered"])
    t = tenant(ccs)
    assert ccs.backend.reports.recordinginfo(t, answered["callkey"])["recordingurl"] == answered["recordingurl"]
    for key in (missed["callkey"], "nothing"):
        with pytest.raises(errors.CallNotFound):
            ccs.backend.reports.recordinginfo(t, key)


def test_format_datetime_is_the_vendor_format() -> None:
    assert format_datetime(datetime(2026, 1, 5, 9, 3, 7)) == "2026-01-05 09:03:07"


def test_call_keys_are_derived_from_seq_and_refuse_foreign_keys(ccs) -> None:
    keys = ccs.backend.reports.keys
    key = keys.key("activecallkey", DEMO, 42)
    assert keys.seq_of("activecallkey", DEMO, key) == 42
    assert keys.seq_of("callkey", DEMO, key) is None, "a key of the other kind"
    assert keys.seq_of("activecallkey", ACME, key) is None, "another tenant's key"
    forged = encode_key(DatastoreKey(decode_key(key).app, "ActiveCall", 42, DEMO))
    assert keys.seq_of("activecallkey", DEMO, forged) is None, "right counter, id the fake never minted"
