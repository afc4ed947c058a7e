"""The demo CRM sends a live session only to a softphone origin the server allows, and listens only to the
softphone it loaded. Chromium against the plugin's live fake; the attacker's softphone is a second server
on 127.0.0.2 that records every request it gets."""
from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
import requests

from mock_server import create_app
from mock_server.runtime.server import LiveServer
from mock_server.settings import Settings
from tests.browser.conftest import PageSite
from tests.conftest import DEMO, wait_until

pytestmark = pytest.mark.reliability  # part of the reliability suite; here for the browser suite's one Chromium

# What a hostile softphone page would do: tell the CRM a call is ringing, to pop a card of its choosing.
ATTACKER_PAGE = b"""<!doctype html><meta charset="utf-8"><title>not a softphone</title><script>
parent.postMessage({messageType: "IncomingCall", time: "2026-01-05 09:00:00", phoneNumber: "905550000001",
                    activecallkey: "forged", direction: "inbound", queue: "Forged", status: "ringing"}, "*");
</script>"""


@pytest.fixture
def attacker():
    """The attacker's softphone: a server on 127.0.0.2, an origin that is nothing of the fake's."""
    server = PageSite(ATTACKER_PAGE, "127.0.0.2")
    yield server
    server.stop()


def sign_in(page, url: str) -> None:
    page.goto(url)
    page.locator("#agent option").first.wait_for(state="attached")
    page.click("#btn-signin")
    page.locator("#signed-in-as", has_text="Signed in as").wait_for()


def registered(page):
    return page.locator("#messages div", has_text=re.compile(r"\sRegistered$"))


def test_a_softphone_origin_the_server_does_not_allow_gets_nothing(page, fake, attacker) -> None:
    asked = []
    page.on("request", lambda r: asked.append(r.url) if urlsplit(r.url).hostname == "127.0.0.2" else None)
    page.goto(f"{fake.url}/_mock/demo?softphone={attacker.origin}")
    refused = page.locator("#softphone-refused")
    refused.wait_for()
    assert f"Refused to load the softphone from {attacker.origin}" in refused.inner_text()
    sign_in(page, f"{fake.url}/_mock/demo?softphone={attacker.origin}")
    assert fake.control("GET", "journal?function=login")["requests"]  # signed in: the page holds a live session
    assert page.locator("#softphone").get_attribute("src") is None
    assert "session was not sent" in refused.inner_text()
    assert attacker.received == [] and asked == []


@pytest.mark.parametrize("softphone", [None, "http://softphone.alo-tech.com:{port}",
                                       "http://softphone.callcenterstudio.com:{port}/"])
def test_the_fakes_own_softphone_origins_still_work(page, fake, softphone) -> None:
    query = "" if softphone is None else "?softphone=" + softphone.format(port=fake.server.port)
    sign_in(page, fake.url + "/_mock/demo" + query)
    registered(page).first.wait_for()
    expected = f"http://localhost:{fake.server.port}" if softphone is None else softphone.format(
        port=fake.server.port).rstrip("/")
    assert page.locator("#softphone").get_attribute("src").startswith(expected + "/generic/sso/?")
    assert page.locator("#softphone-refused").is_hidden()


def test_the_page_is_told_its_origins_and_its_policy_frames_nothing_else(fake) -> None:
    answer = requests.get(fake.url + "/_mock/demo", timeout=30)
    port = fake.server.port
    own = [f"http://localhost:{port}", f"http://127.0.0.1:{port}", f"http://softphone.alo-tech.com:{port}",
           f"http://softphone.callcenterstudio.com:{port}"]
    rendered = re.search(r'<script id="softphone-origins" type="application/json">(.*?)</script>', answer.text)
    assert json.loads(rendered.group(1)) == own
    assert f"frame-src {' '.join(own)};" in answer.headers["Content-Security-Policy"]


def test_only_the_softphone_frame_the_page_loaded_is_listened_to(page, fake) -> None:
    """A second softphone frame on the very origin the demo uses (same agent, same events) is not the one
    the page loaded: nothing it posts counts, before the sign-in or after."""
    session = fake.login()  # the demo's first agent
    page.goto(fake.url + "/_mock/demo")
    page.locator("#agent option").first.wait_for(state="attached")
    page.evaluate("""src => {
        window.seen = [];
        window.addEventListener("message", e => window.seen.push(e.data.messageType));
        const frame = document.createElement("iframe");
        frame.src = src;
        document.body.appendChild(frame);
    }""", fake.softphone_url(session, host="localhost"))
    page.wait_for_function("() => window.seen.includes('Registered')")  # a function: the page forbids eval
    assert registered(page).count() == 0  # nothing loaded yet: nothing is listened to
    page.click("#btn-signin")
    registered(page).first.wait_for()
    fake.ring()
    page.wait_for_function("() => window.seen.filter(type => type === 'IncomingCall').length === 2")  # both frames
    assert page.locator("#messages div", has_text="IncomingCall").count() == 1
    assert registered(page).count() == 1


def test_an_origin_named_in_the_setting_is_used(page, attacker) -> None:
    """``softphone_origins`` (CCS_MOCK_SOFTPHONE_ORIGINS) adds origins, spelled any way a URL may spell them."""
    app = create_app(softphone_origins=(attacker.origin.upper() + "/",))
    with LiveServer(app) as server:
        sign_in(page, f"{server.url}/_mock/demo?softphone={attacker.origin}")
        [path] = wait_until(lambda: attacker.received)
        assert path.startswith(f"/generic/sso/?tenant={DEMO}&session=")
        assert page.locator("#softphone-refused").is_hidden()


@pytest.mark.parametrize("origin", ["ftp://127.0.0.2", "http://127.0.0.2/softphone", "http://user@127.0.0.2",
                                    "127.0.0.2:8080", "http://127.0.0.2:99999", "http://a b"])
def test_a_setting_that_names_no_origin_is_refused_at_start(origin) -> None:
    with pytest.raises(ValueError, match="softphone_origins"):
        create_app(softphone_origins=(origin,))


def test_the_setting_comes_from_the_environment_too() -> None:
    settings = Settings.load(env={"CCS_MOCK_SOFTPHONE_ORIGINS": "https://crm.example:8443, http://127.0.0.2:9000"})
    assert settings.softphone_origins == ("https://crm.example:8443", "http://127.0.0.2:9000")


@pytest.fixture
def csp_free_page(browser):
    """A page whose Content-Security-Policy is not enforced: the demo's policy already refuses a foreign
    frame, so only this way can a test show that the page ignores one's messages by itself too."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    yield context.new_page()
    context.close()


def test_messages_from_a_foreign_origin_frame_are_ignored(csp_free_page, fake, attacker) -> None:
    page = csp_free_page
    sign_in(page, fake.url + "/_mock/demo")
    registered(page).first.wait_for()
    page.evaluate("""origin => {
        window.foreign = [];
        window.addEventListener("message", e => { if (e.origin === origin) window.foreign.push(e.data); });
        const frame = document.createElement("iframe");
        frame.src = origin + "/softphone";
        document.body.appendChild(frame);
    }""", attacker.origin)
    # Listeners run in the order they were added: once the test's has seen the message, the page's has too.
    page.wait_for_function("() => window.foreign.length > 0")
    assert attacker.received == ["/softphone"]
    assert page.locator("#messages div", has_text="IncomingCall").count() == 0
    assert page.locator("#popped-card").count() == 0
    assert registered(page).count() == 1


def test_the_demos_policy_refuses_a_foreign_frame(page, fake, attacker) -> None:
    page.goto(fake.url + "/_mock/demo")
    page.locator("#agent option").first.wait_for(state="attached")
    page.evaluate("""origin => {
        window.violations = [];
        document.addEventListener("securitypolicyviolation",
                                  e => window.violations.push(e.violatedDirective + " " + e.blockedURI));
        const frame = document.createElement("iframe");
        frame.src = origin + "/softphone";
        document.body.appendChild(frame);
    }""", attacker.origin)
    page.wait_for_function("() => window.violations.length > 0")
    assert page.evaluate("window.violations") == [f"frame-src {attacker.origin}"]  # cross-origin: the origin only
    assert attacker.received == []
