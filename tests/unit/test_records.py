"""Typed records: one field list per row, the wire form derived from it, the store's typed CDR filter."""
from __future__ import annotations

from dataclasses import replace

from mock_server.domain.cdr import WIRE_FIELDS, WIRE_FLAGS
from mock_server.storage.records import CDR_COLUMNS, CDR_FIELDS, CdrFilter
from mock_server.storage.store import Store
from tests.conftest import DEMO

# CallList fields in wire order (facts §2.5), then the ones the fake adds (assumed in the spec)
FACTS_CALL_LIST = (
    "callid", "queued", "answered", "assigned", "abandon", "queuedate", "calldate", "talkdate", "hangupdate",
    "waitduration", "duration", "sl", "shortcall", "callerid", "called_num", "queue", "around", "agent", "agentid",
    "hold", "holdduration", "queuekey", "voicemail", "recordingurl", "localrelease", "transferred", "answeredby",
    "callkey", "activecallkey", "uniqueid", "inbound", "click2call", "hangupcause",
)


def test_the_wire_form_derives_from_the_record_field_list() -> None:
    assert WIRE_FIELDS == FACTS_CALL_LIST
    assert set(WIRE_FLAGS) == {"queued", "answered", "assigned", "abandon", "sl", "shortcall", "around", "hold",
                               "voicemail", "localrelease", "transferred", "inbound", "click2call"}
    assert CDR_FIELDS[:2] == ("seq", "tenant") and CDR_COLUMNS == CDR_FIELDS[2:]
    assert Store().all_cdrs() == []


def test_a_record_read_back_is_the_record_written(ccs) -> None:
    first = ccs.store.all_cdrs()[0]
    page = ccs.store.query_cdrs(CdrFilter(first.tenant, seq=first.seq), 5)
    assert page.records == [first] and page.last.calldate == first.calldate


def test_a_keyset_walk_over_the_typed_filter_yields_each_record_once_in_order(ccs) -> None:
    wanted = CdrFilter(DEMO, since="2025-12-29 00:00:00", until="2026-01-05 09:00:00", descending=True)
    seen, after = [], None
    while True:
        page = ccs.store.query_cdrs(replace(wanted, after=after), 100)
        seen += page.records
        if page.last is None:
            break
        after = page.last
    assert len(seen) == len({r.seq for r in seen}) == ccs.store.count_cdrs(DEMO)
    assert [r.calldate for r in seen] == sorted((r.calldate for r in seen), reverse=True)
