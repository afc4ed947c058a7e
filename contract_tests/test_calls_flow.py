"""A call placed with click2call ends in one form POST to hangup_url, and its CDR is found by call_id.

On a fake the call is scripted to be short and the clock moved by seconds only (the fake stays usable
for the next run); on a real tenant (only with --ccs-allow-calls) someone must answer or the call
must fail by itself, and the tenant must be able to reach --ccs-callback-url.
"""
from __future__ import annotations

import uuid

import pytest

from contract_tests.conformance import is_error_body
from contract_tests.target import Target
from mock_server.tools.receiver import Receiver

ANSWERING_NUMBER = "905550000001"  # the fake's reserved number for ANSWER
SCRIPTED = {"disposition": "ANSWER", "ring_seconds": 1, "talk_seconds": 2}


@pytest.mark.places_calls
@pytest.mark.fidelity("click2call", "click2call.success", "reportsCDRLogs", "hangup.form", "hangup.call-id-finds-cdr",
                      "hangup.tenant-format")
def test_placed_call_posts_its_result_and_is_findable(ccs: Target, request: pytest.FixtureRequest) -> None:
    options = request.config.getoption
    with Receiver(port=options("--ccs-callback-port")) as receiver:
        hangup_url = options("--ccs-callback-url") or receiver.url("/ccs/hangup")
        transaction = f"contract-{uuid.uuid4()}"
        number = options("--ccs-phone-number") or (ANSWERING_NUMBER if ccs.is_fake else None)
        assert number, "pass --ccs-phone-number to place a call on a real tenant"
        session = ccs.session()
        if ccs.is_fake:
            agent = ccs.email
            ccs.control("POST", "calls/next", json=dict(SCRIPTED, agent=agent))
        body = ccs.api("click2call", session=session, phonenumber=number, transactionid=transaction,
                       hangup_url=hangup_url)
        ccs.claims.check("click2call.success", body == {"success": True} or (body.get("success") is True
                                                                           and not is_error_body(body)),
                         f"click2call must answer success (facts §15.6): {body}")
        if ccs.is_fake and ccs.control("GET", "clock")["mode"] == "manual":
            ccs.control("POST", "clock", json={"advance_seconds": 10})  # dial 1 s, ring 1 s, talk 2 s
        (post,) = receiver.wait_for(1, timeout=30 if ccs.is_fake else options("--ccs-call-timeout"))

    ccs.claims.check("hangup.form", post.method == "POST" and post.headers.get("content-type", "").startswith(
        "application/x-www-form-urlencoded"), f"the hangup POST is a form POST (facts §3.2), not {post.method} "
                                              f"{post.headers.get('content-type')!r}")
    ccs.claims.findings(*ccs.spec.form_check(post.form))
    ccs.claims.check("hangup.form", post.form.get("transaction_id") == transaction,
                     f"transaction_id must be the one click2call sent: {post.form}")
    ccs.claims.check("hangup.tenant-format", "." in post.form.get("tenant", ""),
                     f"tenant is assumed to be the full host: {post.form.get('tenant')!r}")
    found = ccs.api("reportsCDRLogs", app_token=ccs.app_token, activecallkey=post.form["call_id"])
    ccs.claims.check("hangup.call-id-finds-cdr", len(found.get("CallList", [])) == 1 and
                     found["CallList"][0]["calldate"] == post.form["call_date"],
                     f"the CDR must be found by the POST's call_id (facts §15.6): {str(found)[:300]}")


@pytest.mark.places_calls
@pytest.mark.fidelity("click2call", "click2call.success", "click2call.invalid-number", "hangup.form")
def test_an_undialable_number_still_answers_success(ccs: Target, request: pytest.FixtureRequest) -> None:
    """click2call is asynchronous: a bad number is reported by the hangup POST, never by the answer."""
    with Receiver(port=request.config.getoption("--ccs-callback-port")) as receiver:
        hangup_url = request.config.getoption("--ccs-callback-url") or receiver.url("/ccs/undialable")
        body = ccs.api("click2call", session=ccs.session(), phonenumber="not-a-number", hangup_url=hangup_url)
        ccs.claims.check("click2call.success", body.get("success") is True,
                         f"click2call answers success whatever becomes of the call (facts §13.4): {body}")
        if ccs.is_fake and ccs.control("GET", "clock")["mode"] == "manual":
            ccs.control("POST", "clock", json={"advance_seconds": 5})
        (post,) = receiver.wait_for(1, timeout=30 if ccs.is_fake else request.config.getoption("--ccs-call-timeout"))
    ccs.claims.findings(*ccs.spec.form_check(post.form))
    ccs.claims.check("click2call.invalid-number", post.form.get("disposition") != "ANSWER",
                     f"an undialable number cannot be answered: {post.form}")
