"""Real-browser tests: Playwright for Python driving Debian's Chromium against a live fake on loopback.

The softphone and tenant host names resolve to 127.0.0.1 inside the browser (``--host-resolver-rules``),
so the iframe is loaded from ``softphone.alo-tech.com`` on another origin than the embedding page,
as in production. Screenshots go to ``artifacts/screenshots/``.
"""
from __future__ import annotations

import ipaddress
import os
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from mock_server.pytest_plugin import CcsMock
from mock_server.spec import Spec
from tests.conftest import DEMO, email_of

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
LOCAL_NAMES = ("softphone.alo-tech.com", "softphone.callcenterstudio.com", "*.alo-tech.com", "*.callcenterstudio.com",
               "rebind.attacker.test")  # the last: a DNS-rebinding attacker's name, now resolving to the fake
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync",
                  "--host-resolver-rules=" + ", ".join(f"MAP {name} 127.0.0.1" for name in LOCAL_NAMES)]
MESSAGE_SCHEMA = Spec.bundled("softphone.yaml").validator("#/components/schemas/SoftphoneMessage")

# A CRM page of the integrator's: embeds the softphone and keeps every message it receives, with its origin.
EMBED_PAGE = """<!doctype html><meta charset="utf-8"><title>CRM</title>
<iframe id="phone" style="width:400px;height:640px" allow="microphone"></iframe>
<ol id="log"></ol>
<script>
window.received = [];
window.addEventListener("message", function (e) {
  window.received.push({origin: e.origin, data: e.data, at: Date.now()});
  var li = document.createElement("li"); li.textContent = e.data.messageType; document.getElementById("log").appendChild(li);
});
document.getElementById("phone").src = new URLSearchParams(location.search).get("src");
</script>"""


def chromium_path() -> str:
    path = os.environ.get("CCS_MOCK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("Browser tests need Debian's Chromium: `./scripts/install-test-deps` installs it (or set CCS_MOCK_CHROMIUM)")
    return path


class Fake(CcsMock):
    """The plugin's fixture object (a session-wide fake, reset for each test), plus browser-test shortcuts."""

    @property
    def ccs(self):
        return self.app.extensions["ccs"]

    def softphone_url(self, session: str, tenant: str = DEMO, host: str = "softphone.alo-tech.com") -> str:
        """The SSO page under a softphone host name (mapped to 127.0.0.1 in the browser)."""
        return f"http://{host}:{self.server.port}/generic/sso/?tenant={tenant}&session={session}"

    def ring(self, caller: str = "905321112233", tenant: str = DEMO, index: int = 0, **timings: int) -> str:
        """An inbound call that rings the agent at once; returns its activecallkey."""
        return self.start_inbound_call(caller, agent=email_of(self.ccs, tenant, index), tenant=tenant,
                                       **{"ivr_seconds": 0, "ring_seconds": 60, **timings})

    def advance(self, seconds: int) -> str:
        return self.clock.advance(seconds)


@pytest.fixture
def fake(ccs_mock) -> Fake:
    return Fake(ccs_mock.app, ccs_mock.server, ccs_mock.tenants)


class PageSite:
    """One HTML page on a loopback address and port of its own: another origin than the fake. It records the
    path of every request it gets. The integrator's CRM (``EMBED_PAGE``) by default."""

    def __init__(self, html: str | bytes = EMBED_PAGE, host: str = "127.0.0.1", path: str = "/crm"):
        body = html.encode() if isinstance(html, str) else html
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                received.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer((host, 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.origin = f"http://{host}:{self._server.server_port}"
        self.url = self.origin + path

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def crm_site():
    site = PageSite()
    yield site
    site.stop()


@pytest.fixture
def page(browser):
    """A fresh browser context at 1280x800; fails the test if the page asks anything outside loopback."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    outside, errors = [], []
    page.on("request", lambda r: outside.append(r.url) if not _local(r.url) else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert not outside, f"requests left the machine: {outside}"
    assert not errors, f"JavaScript errors: {errors}"


def _local(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return urlsplit(url).scheme in ("data", "about") or host == "localhost" or _loopback(host) or host.endswith(
        (".alo-tech.com", ".callcenterstudio.com"))


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def received(page, message_type: str | None = None, timeout: float = 10_000) -> list[dict]:
    """Messages the embedding page got so far, waiting until one of ``message_type`` is among them."""
    if message_type is not None:
        page.wait_for_function("t => window.received.some(m => m.data.messageType === t)", arg=message_type,
                               timeout=timeout)
    return page.evaluate("window.received")


def check_messages(messages: list[dict], origin: str) -> None:
    """Every message came from the softphone's origin and matches the protocol's JSON Schema."""
    for item in messages:
        assert item["origin"] == origin
        problems = [e.message for e in MESSAGE_SCHEMA.iter_errors(item["data"])]
        assert not problems, (item["data"], problems)


def screenshot(page, name: str, full_page: bool = True) -> Path:
    """Save a PNG. Pages with a cross-origin iframe use the viewport: a full-page capture resizes the
    viewport and Chromium paints the out-of-process iframe blank while it does."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
