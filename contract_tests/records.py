"""Where the tenant under test has call records, found by asking it (never from the fake's fixtures).

``discover`` probes date windows that widen backwards from today (then all of 2000-2099) until one has
records, reads at most three pages of the newest, and keeps a window of at most ``WINDOW_RECORDS``
records that ended at least ``SETTLE`` before the newest one (calls still in progress may still add
records to the last hour; older windows stay put while the kit runs). The kit steers generated
``reportsCDRLogs`` cases and its flows into that window, so record schemas are checked on every run.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from contract_tests.conformance import is_error_body
from contract_tests.target import Target

DATETIME = "%Y-%m-%d %H:%M:%S"
PAGE = 100  # records per page (facts §2.5, CONFIRMED)
WINDOW_RECORDS = 250  # enough for three pages; a walk of the window costs three requests
PROBE_SPANS = (timedelta(days=1), timedelta(days=7), timedelta(days=31), timedelta(days=366))
ALL_TIME = ("2000-01-01 00:00:00", "2099-12-31 23:59:59")
SETTLE = timedelta(hours=1)
MAX_PAGES = 1000  # a walk longer than this is a cursor that never ends


@dataclass
class RecordMap:
    """A window with records (``None`` when the tenant has none), and the records seen while probing."""

    window: tuple[str, str] | None
    records: list[dict] = field(default_factory=list)  # newest first, inside ``window``
    probes: int = 0

    def pick(self, field_name: str, salt: Any) -> Any:
        """A value of ``field_name`` from the records, chosen by ``salt`` (deterministic), or None."""
        values = [r[field_name] for r in self.records if isinstance(r.get(field_name), str) and r[field_name]]
        if not values:
            return None
        digest = hashlib.sha256(repr(salt).encode()).digest()
        return values[int.from_bytes(digest[:4], "big") % len(values)]

    def split_point(self) -> str | None:
        """A second inside the window such that neither it nor the next second holds a record, near the
        middle: a split there does not depend on whether window bounds are inclusive."""
        dates = sorted({r["calldate"] for r in self.records})
        middle = len(dates) // 2
        for offset in range(len(dates)):
            for index in (middle + offset, middle - offset):
                if 0 <= index < len(dates) - 1:
                    low, high = _parse(dates[index]), _parse(dates[index + 1])
                    if (high - low).total_seconds() >= 3:
                        return (low + timedelta(seconds=1)).strftime(DATETIME)
        return None


def _parse(text: str) -> datetime:
    return datetime.strptime(text[:19], DATETIME)


def walk(ccs: Target, sorting: str | None, start: str, finish: str, pages: int = MAX_PAGES,
         **filters: str) -> tuple[list[dict], list[int], str]:
    """Follow the cursor until a page has fewer than 100 records (facts §15.7), or for ``pages`` pages:
    (records, page sizes, last cursor). Every page goes through the spec check; the envelope, the page
    size and records repeated across pages are claims."""
    records: list[dict] = []
    sizes: list[int] = []
    cursor = None
    base = {"app_token": ccs.app_token, "startdate": start, "finishdate": finish, **filters}
    if sorting:
        base["sorting"] = sorting
    for _ in range(pages):
        page = ccs.api("reportsCDRLogs", **base, **({"cursor": cursor} if cursor else {}))
        ccs.claims.check("cdr.envelope", isinstance(page.get("CallList"), list) and isinstance(page.get("cursor"), str),
                         f"a page must carry CallList and a string cursor: {str(page)[:300]}")
        ccs.claims.check("cdr.page-size", len(page["CallList"]) <= PAGE,
                         f"a page held {len(page['CallList'])} records")
        seen = {r.get("callid") for r in records}
        again = [r.get("callid") for r in page["CallList"] if r.get("callid") in seen]
        ccs.claims.check("cdr.cursor-walk", not again,
                         f"page {len(sizes) + 1} repeats records of earlier pages: {again[:3]}")
        records.extend(page["CallList"])
        sizes.append(len(page["CallList"]))
        cursor = page["cursor"]
        if len(page["CallList"]) < PAGE or len(sizes) == pages < MAX_PAGES:
            return records, sizes, cursor
    raise AssertionError(f"[cdr.end-condition, confirmed] the cursor walk did not end after {MAX_PAGES} pages")


def nothing_follows(ccs: Target, start: str, finish: str, sizes: list[int], cursor: str) -> None:
    """After a walk's last, short page, its cursor gives no more records (facts §15.7)."""
    more = ccs.api("reportsCDRLogs", app_token=ccs.app_token, startdate=start, finishdate=finish, sorting="desc",
                   cursor=cursor)
    extra = more.get("CallList") or [] if not is_error_body(more) else []
    ccs.claims.check("cdr.end-condition", not extra,
                     f"after the last page ({sizes[-1]} records) its cursor gave {len(extra)} more records")


def discover(ccs: Target, today: datetime, configured: str | None = None) -> RecordMap:
    """Find a window of the tenant's records (see the module docstring); ``configured`` = 'START,FINISH'."""
    if configured:
        start, finish = (part.strip() for part in configured.split(","))
        records, _, _ = walk(ccs, "desc", start, finish)
        return RecordMap((start, finish) if records else None, records, 0)
    probes = 0
    windows = [((today - span).strftime(DATETIME), (today + timedelta(days=1)).strftime(DATETIME))
               for span in PROBE_SPANS] + [ALL_TIME]
    for start, finish in windows:
        newest, sizes, cursor = walk(ccs, "desc", start, finish, pages=3)
        probes += len(sizes)
        if not newest:
            continue
        if sizes[-1] < PAGE:  # the walk ended on a short page: check that it really is the end
            probes += 1
            nothing_follows(ccs, start, finish, sizes, cursor)
        return _settled(newest, probes)
    return RecordMap(None, [], probes)


def _settled(newest: list[dict], probes: int) -> RecordMap:
    dated = [r for r in newest if isinstance(r, dict) and isinstance(r.get("calldate"), str)]
    if not dated:
        return RecordMap(None, [], probes)
    latest = max(_parse(r["calldate"]) for r in dated)
    settled = [r for r in dated if _parse(r["calldate"]) <= latest - SETTLE] or dated
    kept = sorted(settled, key=lambda r: r["calldate"], reverse=True)[:WINDOW_RECORDS]
    window = (kept[-1]["calldate"][:19], kept[0]["calldate"][:19])
    # Keep every probed record that falls inside the window (ties at its oldest second included).
    inside = [r for r in dated if window[0] <= r["calldate"][:19] <= window[1]]
    return RecordMap(window, inside, probes)
