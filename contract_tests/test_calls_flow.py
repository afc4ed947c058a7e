"""A call placed with click2call ends in one form POST to hangup_url, and its CDR is found by call_id.

On a fake the clock is advanced through the control API; on a real tenant (only with
--ccs-allow-calls) someone must answer or the call must fail by itself, and the tenant must
be able to reach --ccs-callback-url.
"""
from __future__ import annotations

import uuid

import pytest
import yaml
from jsonschema import Draft202012Validator

from contract_tests.target import Target
from mock_server.receiver import Receiver
from mock_server.resources import spec_path
from mock_server.spec import resolve_refs

ANSWERING_NUMBER = "905550000001"  # the fake's reserved number for ANSWER


def hangup_schema() -> Draft202012Validator:
    document = yaml.safe_load(spec_path().read_text(encoding="utf-8"))
    return Draft202012Validator(resolve_refs(document["components"]["schemas"]["HangupPost"], document))


@pytest.mark.places_calls
@pytest.mark.fidelity("click2call", "reportsCDRLogs", "hangup.tenant-format", "hangup.caller-id")
def test_placed_call_posts_its_result_and_is_findable(ccs: Target, request: pytest.FixtureRequest) -> None:
    options = request.config.getoption
    with Receiver(port=options("--ccs-callback-port")) as receiver:
        hangup_url = options("--ccs-callback-url") or receiver.url("/ccs/hangup")
        transaction = f"contract-{uuid.uuid4()}"
        number = options("--ccs-phone-number") or (ANSWERING_NUMBER if ccs.is_fake else None)
        assert number, "pass --ccs-phone-number to place a call on a real tenant"
        body = ccs.body("click2call", session=ccs.session(), phonenumber=number, transactionid=transaction,
                        hangup_url=hangup_url)
        assert body.get("success") is True, f"click2call must answer success (facts §15.6): {body}"
        if ccs.is_fake:
            ccs.advance(600)
        (post,) = receiver.wait_for(1, timeout=30 if ccs.is_fake else options("--ccs-call-timeout"))

    assert post.method == "POST"
    assert post.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"), \
        f"the hangup POST is form-urlencoded (facts §3.2), not {post.headers.get('content-type')!r}"
    problems = [error.message for error in hangup_schema().iter_errors(post.form)]
    assert not problems, f"hangup POST does not match the spec's HangupPost: {problems}; body {post.form}"
    assert post.form["transaction_id"] == transaction
    found = ccs.body("reportsCDRLogs", app_token=ccs.app_token, activecallkey=post.form["call_id"])
    assert len(found["CallList"]) == 1, f"the CDR must be found by the POST's call_id (facts §15.6): {found}"
    assert found["CallList"][0]["calldate"] == post.form["call_date"]
