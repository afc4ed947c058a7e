"""``reportsCDRLogs``: windows, order, pages, the cursor and the key lookup, on the tenant's own records.

The window comes from ``records.discover`` (probed on the tenant, at most 250 records, settled), so
these tests hold for any tenant, any data volume and any clock, run after run. A tenant with no records
at all still answers the envelope and end-condition checks; the record checks are then reported as
not exercised.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from contract_tests.conformance import is_error_body
from contract_tests.records import DATETIME, PAGE, RecordMap, nothing_follows, walk
from contract_tests.target import Target

WALK_CLAIMS = ("reportsCDRLogs", "cdr.envelope", "cdr.page-size", "cdr.cursor-walk")


def _window(records: RecordMap) -> tuple[str, str]:
    """The probed window, or (no records anywhere) the last day: the envelope checks still hold."""
    if records.window:
        return records.window
    now = datetime.now()
    return (now - timedelta(days=1)).strftime(DATETIME), now.strftime(DATETIME)


@pytest.mark.fidelity(*WALK_CLAIMS, "cdr.default-order", "cdr.window", "cdr.record-fields")
def test_walks_are_ordered_inside_the_window_and_agree(ccs: Target, records: RecordMap) -> None:
    start, finish = _window(records)
    newest_first, sizes, _ = walk(ccs, "desc", start, finish)
    oldest_first, _, _ = walk(ccs, "asc", start, finish)
    if not newest_first:
        ccs.claims.not_exercised("cdr.record-fields", "the tenant has no call records")
    ids = [r["callid"] for r in newest_first]
    ccs.claims.check("cdr.cursor-walk", len(ids) == len(set(ids)),
                     f"a desc walk of {len(ids)} records over {len(sizes)} pages returned a record twice")
    ccs.claims.check("cdr.cursor-walk", sorted(ids) == sorted(r["callid"] for r in oldest_first),
                     f"asc and desc walks of one window disagree ({len(ids)} vs {len(oldest_first)} records)")
    dates = [r["calldate"] for r in newest_first]
    ccs.claims.check("cdr.default-order", dates == sorted(dates, reverse=True), "sorting=desc is not newest first")
    ccs.claims.check("cdr.default-order", [r["calldate"] for r in oldest_first] == sorted(dates),
                     "sorting=asc is not oldest first")
    outside = [d for d in dates if not start <= d[:19] <= finish]
    ccs.claims.check("cdr.window", not outside, f"records outside [{start}, {finish}]: {outside[:3]}")
    if records.window:
        ccs.claims.check("cdr.cursor-walk", len(ids) >= len(records.records),
                         f"the walk found {len(ids)} records where probing had seen {len(records.records)}")


@pytest.mark.fidelity(*WALK_CLAIMS, "cdr.default-order")
def test_without_sorting_the_newest_come_first(ccs: Target, records: RecordMap) -> None:
    start, finish = _window(records)
    default = ccs.api("reportsCDRLogs", app_token=ccs.app_token, startdate=start, finishdate=finish)
    desc = ccs.api("reportsCDRLogs", app_token=ccs.app_token, startdate=start, finishdate=finish, sorting="desc")
    ccs.claims.check("cdr.default-order", [r["callid"] for r in default["CallList"]] ==
                     [r["callid"] for r in desc["CallList"]],
                     "the first page without `sorting` differs from sorting=desc (the documented default)")


@pytest.mark.fidelity(*WALK_CLAIMS, "cdr.window")
def test_a_window_split_in_two_gives_exactly_the_records_of_the_whole(ccs: Target, records: RecordMap) -> None:
    start, finish = _window(records)
    split = records.split_point()
    if split is None:
        ccs.claims.not_exercised("cdr.cursor-walk", "no gap of 3 s between the window's records to split at")
        return
    whole, _, _ = walk(ccs, "desc", start, finish)
    after = (datetime.strptime(split, DATETIME) + timedelta(seconds=1)).strftime(DATETIME)
    older, _, _ = walk(ccs, "desc", start, split)
    newer, _, _ = walk(ccs, "desc", after, finish)
    ccs.claims.check("cdr.cursor-walk", [r["callid"] for r in newer + older] == [r["callid"] for r in whole],
                     f"[{start}, {split}] + [{after}, {finish}] gave {len(older)} + {len(newer)} records, "
                     f"the whole window {len(whole)}, or another order")


@pytest.mark.fidelity(*WALK_CLAIMS, "cdr.end-condition")
def test_a_page_under_100_is_the_last(ccs: Target, records: RecordMap) -> None:
    start, finish = _window(records)
    found, sizes, cursor = walk(ccs, "desc", start, finish)
    ccs.claims.check("cdr.end-condition", all(size == PAGE for size in sizes[:-1]),
                     f"a page short of {PAGE} came before the end: page sizes {sizes}")
    nothing_follows(ccs, start, finish, sizes, cursor)


@pytest.mark.fidelity(*WALK_CLAIMS, "cdr.window-inclusive")
def test_a_window_of_one_second_holds_the_records_of_that_second(ccs: Target, records: RecordMap) -> None:
    if not records.records:
        ccs.claims.not_exercised("cdr.window-inclusive", "the tenant has no call records")
        return
    second = records.records[len(records.records) // 2]["calldate"][:19]
    page = ccs.api("reportsCDRLogs", app_token=ccs.app_token, startdate=second, finishdate=second)
    expected = {r["callid"] for r in records.records if r["calldate"][:19] == second}
    ccs.claims.check("cdr.window-inclusive", expected <= {r["callid"] for r in page.get("CallList", [])},
                     f"the window [{second}, {second}] left out records of that second")


@pytest.mark.fidelity("reportsCDRLogs", "cdr.activecallkey", "cdr.extra-fields", "cdr.dates-optional-with-key")
def test_activecallkey_gives_that_one_record_or_none(ccs: Target, records: RecordMap) -> None:
    key = records.pick("activecallkey", "kit")
    if key is None:
        ccs.claims.not_exercised("cdr.activecallkey", "no record of the tenant carries an activecallkey")
        return
    record = next(r for r in records.records if r.get("activecallkey") == key)
    found = ccs.api("reportsCDRLogs", app_token=ccs.app_token, activecallkey=key, startdate="2001-01-01 00:00:00",
                    finishdate="2001-01-01 00:00:01", agent_username="nobody@invalid.example", sorting="asc")
    ccs.claims.check("cdr.activecallkey", [r["callid"] for r in found.get("CallList", [])] == [record["callid"]],
                     f"activecallkey must give that one record whatever the other filters: {str(found)[:300]}")
    without_dates = ccs.api("reportsCDRLogs", app_token=ccs.app_token, activecallkey=key)
    ccs.claims.check("cdr.dates-optional-with-key", [r["callid"] for r in without_dates.get("CallList", [])]
                     == [record["callid"]], f"activecallkey without dates: {str(without_dates)[:300]}")
    missing = ccs.api("reportsCDRLogs", app_token=ccs.app_token, activecallkey=key[:-6] + "AAAAAA",
                      startdate="2001-01-01 00:00:00", finishdate="2001-01-01 00:00:01")
    ccs.claims.check("cdr.activecallkey", missing.get("CallList") == [],
                     f"an activecallkey that matches nothing gives an empty CallList: {str(missing)[:300]}")


BAD_DATES = ("2017-08-01%12:00:00", "2017-08-01", "2019-13-45 25:61:61", "yesterday")


@pytest.mark.fidelity("reportsCDRLogs", "transport.parameter-errors", "transport.http-200-errors")
@pytest.mark.parametrize("startdate", BAD_DATES)
def test_bad_dates_get_an_error_body_not_a_crash(ccs: Target, startdate: str) -> None:
    """Real clients send these (facts §7, §13.12); the reply is unknown, a crash is not acceptable."""
    body = ccs.api("reportsCDRLogs", app_token=ccs.app_token, startdate=startdate, finishdate="2017-08-02 00:00:00")
    ccs.claims.check("transport.parameter-errors", is_error_body(body), f"{startdate!r} was accepted: {str(body)[:200]}")


INVALID_VALUES = [
    ("reportsCDRLogs", "sorting", "sideways"),
    ("reportsCDRLogs", "include_csat", "yes"),
    ("reportsCDRLogs", "untransferred", "1"),
    ("reportsCDRLogs", "finishdate", "2026-01-01T00:00:00"),
    ("reportsCDRLogs", "cursor", "not-a-cursor-of-this-query"),
    ("reportsAgentPerf", "startdate", "2026/01/01"),
]


@pytest.mark.parametrize(("function", "name", "value"), INVALID_VALUES)
@pytest.mark.fidelity("transport.parameter-errors", "transport.http-200-errors", "cdr.cursor-errors")
def test_invalid_values_are_refused_in_the_body(ccs: Target, records: RecordMap, function: str, name: str,
                                                value: str) -> None:
    """One bad value in an otherwise valid request gets an error body (assumed: facts are silent)."""
    params = {"app_token": ccs.app_token}
    if function == "reportsCDRLogs":
        params["startdate"], params["finishdate"] = _window(records)
    base = ccs.api(function, **params)
    assert not is_error_body(base), f"the valid base request must succeed: {base}"
    body = ccs.api(function, **dict(params, **{name: value}))
    claim = "cdr.cursor-errors" if name == "cursor" else "transport.parameter-errors"
    ccs.claims.check(claim, is_error_body(body), f"{name}={value!r} was accepted: {str(body)[:200]}")


@pytest.mark.fidelity("reportsCDRLogs", "transport.empty-is-absent")
def test_an_empty_parameter_counts_as_absent(ccs: Target, records: RecordMap) -> None:
    start, finish = _window(records)
    body = ccs.api("reportsCDRLogs", app_token=ccs.app_token, startdate=start, finishdate=finish, cursor="", agent="")
    ccs.claims.check("transport.empty-is-absent", not is_error_body(body), f"cursor= and agent= were refused: {body}")


@pytest.mark.fidelity("reportsCDRLogs", "cdr.key-precedence")
def test_callkey_wins_over_uniqueid(ccs: Target, records: RecordMap) -> None:
    keyed = [r for r in records.records if r.get("callkey") and r.get("uniqueid")]
    if len(keyed) < 2:
        ccs.claims.not_exercised("cdr.key-precedence", "fewer than two records carry callkey and uniqueid")
        return
    first, second = keyed[0], next((r for r in keyed[1:] if r["uniqueid"] != keyed[0]["uniqueid"]), keyed[1])
    body = ccs.api("reportsCDRLogs", app_token=ccs.app_token, callkey=first["callkey"], uniqueid=second["uniqueid"])
    ccs.claims.check("cdr.key-precedence", [r["callid"] for r in body.get("CallList", [])] == [first["callid"]],
                     f"callkey {first['callid']} with the uniqueid of {second['callid']}: {str(body)[:300]}")
