"""The demo CRM page and the dashboard, clicked through in Chromium."""
from __future__ import annotations

import json
import logging
import re

import pytest

from mock_server import create_app
from mock_server.cli import page_links
from mock_server.runtime.server import LiveServer
from tests.browser.conftest import screenshot
from tests.conftest import ACME, DEMO


def sign_in(page, fake, tenant: str | None = None):
    page.goto(fake.url + "/_mock/demo" + (f"?tenant={tenant}" if tenant else ""))
    page.locator("#agent option").first.wait_for(state="attached")
    page.click("#btn-signin")
    phone = page.frame_locator("#softphone")
    phone.locator("#agent-name").wait_for()
    page.locator("#messages div", has_text=re.compile(r"\sRegistered$")).first.wait_for()  # its stream is open
    return phone


def contact_with(fake, host: str, index: int) -> dict:
    return fake.control("GET", f"contacts?tenant={host}")["contacts"][index]


@pytest.mark.parametrize("host, how", [(DEMO, "found by number"), (ACME, "found by activecallkey")])
def test_demo_pops_the_callers_contact_card(page, fake, host, how) -> None:
    phone = sign_in(page, fake, host)
    contact = contact_with(fake, host, 7)
    page.select_option("#inbound-caller", contact["phone"])
    page.click("#btn-inbound")
    card = page.locator("#popped-card")
    card.wait_for()
    assert card.get_attribute("data-contact-id") == contact["id"]
    assert contact["name"] in card.inner_text() and how in card.inner_text()
    phone.locator("#btn-answer:enabled").wait_for()
    journal = fake.control("GET", "journal?function=login")["requests"]
    assert [entry["tenant"] for entry in journal] == [host]  # signed in through the vendor's login API
    if host == DEMO:
        page.evaluate("window.scrollTo(0, 0)")
        screenshot(page, "demo-contact-card", full_page=False)


def test_demo_click_to_call_shows_the_hangup_post_and_the_cdr(page, fake) -> None:
    sign_in(page, fake)
    fake.script_next_call("ANSWER", ring_seconds=2, talk_seconds=45)
    contact = contact_with(fake, DEMO, 2)
    page.click(f"#contacts button[data-phone='{contact['phone']}']")
    page.frame_locator("#softphone").locator("#call-status", has_text="dialing").wait_for()
    fake.advance(60)
    page.locator("#calls .badge.ANSWER").wait_for()  # the hangup POST arrived at the demo's sink
    cdr = page.locator("#calls .cdr")
    cdr.wait_for()
    assert "ANSWER" in cdr.inner_text() and "45 s" in cdr.inner_text()
    [delivery] = fake.control("GET", "deliveries")["deliveries"]
    assert delivery["status"] == "delivered" and "/_mock/sink/demo-demo" in delivery["url"]
    page.locator("#calls").scroll_into_view_if_needed()
    screenshot(page, "demo-after-call", full_page=False)


def test_demo_logs_in_again_when_the_session_dies(page, fake) -> None:
    sign_in(page, fake)
    fake.expire_sessions(email="ayse.yilmaz@demo.example")
    page.frame_locator("#softphone").locator("#agent-name").wait_for()
    page.locator("#messages div", has_text="Unregistered").wait_for()
    registered = page.locator("#messages div", has_text=re.compile(r"\sRegistered$"))  # not "Unregistered"
    registered.nth(1).wait_for()  # a new session, a new softphone
    assert len(fake.control("GET", "journal?function=login")["requests"]) == 2
    assert page.frame_locator("#softphone").locator("#btn-dial").is_enabled()


def test_dashboard_pages_through_cdrs_with_the_real_cursor(page, fake) -> None:
    page.goto(fake.url + "/_mock/")
    page.locator("#tenant option").first.wait_for(state="attached")
    page.locator("#cdr-start").fill("2025-12-29 00:00:00")
    page.locator("#cdr-finish").fill("2026-01-05 23:59:59")
    page.click("#btn-cdr")
    page.locator("#cdr-page", has_text="page 1: 100 records").wait_for()
    first = page.locator("#cdrs tbody tr td:first-child").all_inner_texts()
    page.click("#btn-cdr-next")
    page.locator("#cdr-page", has_text="page 2: 100 records").wait_for()
    second = page.locator("#cdrs tbody tr td:first-child").all_inner_texts()
    assert len(first) == len(second) == 100
    assert first == sorted(first, reverse=True) and second == sorted(second, reverse=True)
    assert first[-1] >= second[0]
    cursors = [e for e in fake.control("GET", "journal?function=reportsCDRLogs")["requests"]]
    assert len(cursors) == 2 and "cursor" in cursors[1]["params"] and "cursor" not in cursors[0]["params"]
    screenshot(page, "dashboard")


def test_dashboard_buttons_drive_the_control_api(page, fake) -> None:
    session = fake.login()
    page.goto(fake.url + "/_mock/")
    page.locator("#sessions button").wait_for()
    page.click("[data-advance='60']")
    page.locator("#clock", has_text="2026-01-05 09:01:00").wait_for()
    page.select_option("#in-agent", "ayse.yilmaz@demo.example")
    page.click("#btn-inbound")
    page.locator("#calls .badge.ringing").wait_for()
    assert fake.api(function="getactivecall", session=session)["MyActiveCalls"][0]["status"] == "ringing"
    page.click("#btn-next")
    page.locator("#toast", has_text="Next call of anyone: ANSWER").wait_for()
    page.click("#sessions button")
    page.locator("#toast", has_text="Expired 1").wait_for()
    assert fake.api(function="getactivecall", session=session)["login"] is False
    page.click("#btn-reset")
    page.locator("#clock", has_text="2026-01-05 09:00:00").wait_for()


@pytest.mark.parametrize("path", ["/_mock/", "/_mock/demo"])
@pytest.mark.parametrize("width, height", [(1280, 800), (390, 800)])
def test_pages_fit_the_window(page, fake, path, width, height) -> None:
    page.set_viewport_size({"width": width, "height": height})
    page.goto(fake.url + path)
    page.locator(".card").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if width < 500:
        screenshot(page, "narrow" + path.replace("/", "-").rstrip("-"), full_page=False)


def test_api_docs_are_served_locally_and_can_try_the_api(page, fake) -> None:
    page.goto(fake.url + "/_mock/docs")
    login = page.locator("#op-login")
    login.locator("summary").click()
    assert "confirmed" in login.locator("summary").inner_text()
    login.get_by_label("app_token").fill(fake.ccs.store.list_app_tokens(DEMO)[0]["token"])
    login.get_by_label("email").fill("ayse.yilmaz@demo.example")
    login.get_by_role("button", name="Send to this fake").click()
    login.locator("pre", has_text='"login": true').wait_for()
    assert fake.control("GET", "journal?function=login")["requests"][0]["tenant"] == DEMO
    login.scroll_into_view_if_needed()
    screenshot(page, "api-docs", full_page=False)
    posted = page.locator("#op-loginPost")
    posted.locator("summary").click()
    posted.get_by_label("form fields (JSON)").fill(json.dumps({"app_token": fake.ccs.store.list_app_tokens(DEMO)[0]["token"],
                                                               "email": "ayse.yilmaz@demo.example"}))
    posted.get_by_role("button", name="Send to this fake").click()
    posted.locator("pre", has_text='"login": true').wait_for()
    assert [e["method"] for e in fake.control("GET", "journal?function=login")["requests"]] == ["GET", "POST"]
    page.select_option("#document", "softphone")
    page.locator("#schema-IncomingCall").wait_for()
    page.select_option("#document", "control")
    page.locator("#op-startInboundCall").wait_for()


def test_the_banners_link_brings_the_control_token_without_sending_it(page, caplog) -> None:
    """`serve` with a control token prints links with the token in the fragment: the pages work, and neither
    a request nor the access log ever carries the token."""
    token = "br0wser-c0ntrol-t0ken"
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url))
    with caplog.at_level(logging.INFO, logger="ccs_mock.http"), LiveServer(create_app(control_token=token)) as server:
        page.goto(page_links(server.url, token)["dashboard"])
        page.locator("#tenant option").first.wait_for(state="attached")  # the tenants came from the control API
        assert page.url == server.url + "/_mock/", "the address bar forgets the token"
        assert page.evaluate("sessionStorage.getItem('ccs-mock-token')") == token
        page.click("[data-advance='60']")
        page.locator("#clock", has_text="09:01:00").wait_for()
        page.goto(server.url + "/_mock/demo")  # the tab keeps it for the other pages
        page.locator("#agent option").first.wait_for(state="attached")
    assert [url for url in sent if "/_mock/tenants" in url] and not [url for url in sent if token in url]
    logged = "\n".join(record.getMessage() for record in caplog.records if record.name == "ccs_mock.http")
    assert "/_mock/tenants" in logged and "/_mock/clock" in logged and token not in logged
