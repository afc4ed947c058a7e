"""The softphone SSO page in a cross-origin iframe of an integrator's page, in Chromium."""
from __future__ import annotations

from urllib.parse import parse_qs

from mock_server.tools.receiver import Receiver
from tests.browser.conftest import check_messages, received, screenshot
from tests.conftest import DEMO, email_of, token_of, wait_until

SOFTPHONE_ORIGIN = "http://softphone.alo-tech.com:{port}"


def embed(page, crm_site, fake, session, **kwargs):
    """Open the CRM page with the softphone iframe; returns the iframe's frame once it has registered."""
    page.goto(crm_site.url + "?src=" + fake.softphone_url(session, **kwargs).replace("&", "%26"))
    received(page, "Registered")
    return page.frame_locator("#phone")


def call_status(fake, session) -> list[str]:
    return [c["status"] for c in fake.api(function="getactivecall", session=session)["MyActiveCalls"]]


def test_incoming_call_reaches_the_embedding_page_on_another_origin(page, crm_site, fake) -> None:
    session = fake.login()
    phone = embed(page, crm_site, fake, session)
    key = fake.ring("905321112233")
    messages = received(page, "IncomingCall")
    check_messages(messages, SOFTPHONE_ORIGIN.format(port=fake.server.port))
    [incoming] = [m["data"] for m in messages if m["data"]["messageType"] == "IncomingCall"]
    assert (incoming["phoneNumber"], incoming["activecallkey"], incoming["direction"]) == ("905321112233", key,
                                                                                           "inbound")
    assert phone.locator("#call-number").inner_text() == "905321112233"
    assert phone.locator("#btn-answer").is_enabled()
    screenshot(page, "softphone-incoming-call")


def test_answering_in_the_softphone_changes_getactivecall(page, crm_site, fake) -> None:
    session = fake.login()
    phone = embed(page, crm_site, fake, session)
    fake.ring()
    phone.locator("#btn-answer:enabled").click()
    assert wait_until(lambda: call_status(fake, session) == ["talking"])
    received(page, "Accept")
    fake.advance(65)  # the timer runs on the fake's clock
    phone.locator("#call-timer", has_text="01:05").wait_for()
    phone.locator("#btn-hold:enabled").click()
    assert wait_until(lambda: call_status(fake, session) == ["hold"])
    phone.locator("#btn-hold", has_text="Unhold").click()
    phone.locator("#btn-mute:enabled").click()
    mute = received(page, "Mute")[-1]["data"]
    assert mute["muted"] is True and call_status(fake, session) == ["talking"]
    check_messages(received(page), SOFTPHONE_ORIGIN.format(port=fake.server.port))
    screenshot(page, "softphone-talking")


def test_hanging_up_in_the_softphone_sends_the_hangup_post_and_the_cdr_appears(page, crm_site, fake) -> None:
    session = fake.login()
    phone = embed(page, crm_site, fake, session)
    with Receiver() as receiver:
        fake.api(function="click2call", session=session, phonenumber="905550000001", hangup_url=receiver.url())
        fake.advance(6)  # dialling 1 s, ringing 5 s: answered
        phone.locator("#call-status", has_text="talking").wait_for()
        fake.advance(20)
        phone.locator("#btn-hangup:enabled").click()
        [post] = receiver.wait_for(1)
    fields = {k: v[0] for k, v in parse_qs(post.body.decode()).items()}
    assert (fields["disposition"], fields["duration"], fields["agent_username"]) == ("ANSWER", "20", email_of(fake.ccs))
    record = fake.api(function="reportsCDRLogs", app_token=token_of(fake.ccs), activecallkey=fields["call_id"])
    [cdr] = record["CallList"]
    assert (cdr["duration"], cdr["localrelease"], cdr["called_num"]) == (20, True, "905550000001")
    phone.locator("#note", has_text="Call ended: ANSWER").wait_for()
    types = [m["data"]["messageType"] for m in received(page, "Hangup")]
    assert types == ["Registered", "Dial", "Ringing", "Accept", "Hangup"]


def test_api_and_clock_changes_reach_the_page_without_a_reload(page, crm_site, fake) -> None:
    session = fake.login()
    phone = embed(page, crm_site, fake, session)
    page.evaluate("window.reloads = performance.getEntriesByType('navigation').length")
    fake.api(function="click2call", session=session, phonenumber="905550000001")
    phone.locator("#call-status", has_text="dialing").wait_for()
    fake.api(function="click2hang", session=session)  # the vendor API hangs up: the page hears it
    phone.locator("#call-status", has_text="idle").wait_for()
    fake.ring(talk_seconds=30, ring_seconds=3)
    phone.locator("#call-status", has_text="ringing").wait_for()
    fake.advance(3)  # nobody answers: the call's `answered` ending picks it up
    phone.locator("#call-status", has_text="talking").wait_for()
    fake.advance(30)  # the clock ends the call
    phone.locator("#call-status", has_text="idle").wait_for()
    types = [m["data"]["messageType"] for m in received(page, "Hangup")]
    assert types == ["Registered", "Dial", "Hangup", "IncomingCall", "AutoAnswer", "Accept", "Hangup"]
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1


def test_dial_pad_and_status_buttons(page, crm_site, fake) -> None:
    session = fake.login()
    phone = embed(page, crm_site, fake, session)
    phone.locator("#availability").select_option("lunch")
    assert received(page, "AgentStatus")[-1]["data"]["status"] == "lunch"
    phone.locator("#availability").select_option("available")
    for key in "905550000003":
        phone.locator(f"[data-key='{key}']").click()
    phone.locator("#btn-dial").click()
    dial = received(page, "Dial")[-1]["data"]
    assert dial["phoneNumber"] == "905550000003"
    assert call_status(fake, session) == ["dialing"]
    check_messages(received(page), SOFTPHONE_ORIGIN.format(port=fake.server.port))


def test_expired_session_shows_no_softphone(page, crm_site, fake) -> None:
    session = fake.login()
    fake.expire_sessions(session=session)
    page.goto(crm_site.url + "?src=" + fake.softphone_url(session, host="softphone.callcenterstudio.com")
              .replace("&", "%26"))
    failed = received(page, "RegistrationFailed")[-1]["data"]
    assert "Yanl\u0131\u015f API anahtar\u0131" in failed["reason"]
    phone = page.frame_locator("#phone")
    phone.locator("#signin").wait_for()
    assert phone.locator("#softphone").count() == 0
    screenshot(page, "softphone-signed-out")


def test_session_ending_while_open_unregisters_the_softphone(page, crm_site, fake) -> None:
    session = fake.login()
    phone = embed(page, crm_site, fake, session)
    fake.expire_sessions(email=email_of(fake.ccs))
    gone = received(page, "Unregistered")[-1]["data"]
    assert gone["agent"] == email_of(fake.ccs)
    phone.locator("#status-badge", has_text="signed out").wait_for()
    assert phone.locator("#btn-dial").is_disabled()
    check_messages(received(page), SOFTPHONE_ORIGIN.format(port=fake.server.port))


def test_masked_tenant_posts_masked_numbers(page, crm_site, fake) -> None:
    session = fake.login(tenant="acme.alo-tech.com")
    embed(page, crm_site, fake, session, tenant="acme")  # the bare tenant name is accepted too
    key = fake.ring("905321112233", tenant="acme.alo-tech.com")
    incoming = received(page, "IncomingCall")[-1]["data"]
    assert (incoming["phoneNumber"], incoming["activecallkey"]) == ("905*******33", key)
    assert DEMO not in incoming["agent"]


def test_session_dying_before_the_stream_opens_still_unregisters(page, crm_site, fake) -> None:
    session = fake.login()
    page.route("**/generic/sso/events*", lambda route: (fake.expire_sessions(session=session),
                                                         route.continue_()))
    page.goto(crm_site.url + "?src=" + fake.softphone_url(session).replace("&", "%26"))
    gone = received(page, "Unregistered")[-1]["data"]
    assert "refused" in gone["reason"]
    page.frame_locator("#phone").locator("#status-badge", has_text="signed out").wait_for()
    check_messages(received(page), SOFTPHONE_ORIGIN.format(port=fake.server.port))
