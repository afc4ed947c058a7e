"""The softphone in Chromium: how fast an inbound call reaches the embedding page, and how heavy the page is.

Latency: an inbound call is started with ``POST /_mock/calls/inbound`` (no IVR, so it rings at once);
the clock starts when the request is sent and stops when the CRM page on another origin receives the
softphone's ``IncomingCall`` message (``Date.now()`` in the page, the same system clock). The call is
then hung up through the API and the next one starts, N times. Baseline, same run: the round trip of
that same control request, i.e. what the fastest possible notification would cost.

Page weight: bytes transferred (headers + bodies, as Chromium counts them) for a first, uncached load
of the softphone page, next to the demo CRM page and the dashboard for scale. The event stream is
long-lived and not counted.

    python benchmarks/softphone.py [--calls 50]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from mock_server.pytest_plugin import _Servers  # noqa: E402
from tests.browser.conftest import CHROMIUM_FLAGS, CrmSite, Fake, chromium_path  # noqa: E402
from tests.conftest import email_of  # noqa: E402


def latency(browser, fake: Fake, crm: CrmSite, calls: int) -> tuple[list[float], list[float]]:
    session = fake.login()
    page = browser.new_page()
    page.goto(crm.url + "?src=" + fake.softphone_url(session).replace("&", "%26"))
    page.wait_for_function("window.received.some(m => m.data.messageType === 'Registered')")
    agent = email_of(fake.ccs)
    delays, round_trips = [], []
    for i in range(calls):
        sent = time.time()
        answer = requests.post(fake.url + "/_mock/calls/inbound", json={
            "caller": f"90532{i:07d}", "ending": "answered", "agent": agent, "ivr_seconds": 0, "ring_seconds": 60})
        round_trips.append((time.time() - sent) * 1000)
        key = answer.json()["activecallkey"]
        arrived = page.wait_for_function(
            "k => (window.received.find(m => m.data.messageType === 'IncomingCall' && m.data.activecallkey === k)"
            " || {}).at", arg=key).json_value()
        delays.append(arrived - sent * 1000)
        fake.api(function="click2hang", session=session)
        page.wait_for_function("k => window.received.some(m => m.data.messageType === 'Hangup' && "
                               "m.data.activecallkey === k)", arg=key)
    page.close()
    return delays, round_trips


def weight(browser, url: str) -> tuple[int, list[tuple[str, int]]]:
    context = browser.new_context()  # empty cache
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda r: finished.append(r))
    if "/generic/sso/" in url:
        page.goto(url)  # its event stream never idles
    else:
        page.goto(url, wait_until="networkidle")  # the sandbox pages' first data requests count too
    rows = []
    for request in finished:
        sizes = request.sizes()
        rows.append((request.url.split("?")[0], sizes["responseHeadersSize"] + sizes["responseBodySize"]))
    context.close()
    return sum(size for _, size in rows), rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=50)
    args = parser.parse_args()
    servers, crm = _Servers(), CrmSite()
    fake = Fake(*servers.get({}))
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
            delays, round_trips = latency(browser, fake, crm, args.calls)
            delays.sort()
            median, rtt = statistics.median(delays), statistics.median(round_trips)
            print(f"IncomingCall latency over {args.calls} calls (API request sent -> message in the CRM page):")
            print(f"  median {median:.1f} ms, p90 {delays[int(len(delays) * 0.9) - 1]:.1f} ms, "
                  f"min {delays[0]:.1f} ms, max {delays[-1]:.1f} ms")
            print(f"  baseline, same run: the control request's own round trip, median {rtt:.1f} ms")
            print(f"  ratio latency / round trip: {median / rtt:.2f}x")
            session = fake.login(fake.tenant().users[1])
            print("\nFirst-load weight (bytes transferred: headers + bodies):")
            for name, url in (("softphone", fake.softphone_url(session)), ("demo CRM", fake.url + "/_mock/demo"),
                              ("dashboard", fake.url + "/_mock/")):
                total, rows = weight(browser, url)
                parts = ", ".join(f"{u.rsplit('/', 1)[-1] or 'page'} {size}" for u, size in rows)
                print(f"  {name:10} {total:7d} bytes in {len(rows)} requests ({parts})")
            browser.close()
    finally:
        crm.stop()
        servers.close()


if __name__ == "__main__":
    main()
