"""The pytest plugin's cost: starting the session fake, and resetting it before each test.

Start: what the first test using ``ccs_mock`` waits for (create_app with the demo fixtures, a live
server on a free port, the tenants read once), over several fresh starts in this process. Reset:
``ccs.reset()`` as the fixture calls it, each after a test-sized change (a login, a call, a clock
move). Baseline, same run: one control-API round trip (``GET /_mock/clock``), the smallest thing a
test does over HTTP. Targets: start under 0.5 s, reset under 10 ms.

    python benchmarks/plugin_cost.py [--starts 5] [--resets 300]
"""
from __future__ import annotations

import argparse
import statistics
import time

import requests

from mock_server.pytest_plugin import CcsMock, _Servers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--resets", type=int, default=300)
    args = parser.parse_args()
    starts = []
    for _ in range(args.starts):
        servers = _Servers()
        began = time.perf_counter()
        servers.get({})
        starts.append(time.perf_counter() - began)
        servers.close()
    servers = _Servers()
    app, server, tenants = servers.get({})
    fake, ccs = CcsMock(app, server, tenants), app.extensions["ccs"]
    resets, round_trips = [], []
    http = requests.Session()
    for i in range(args.resets):
        session = fake.login()
        fake.api("click2call", session=session, phonenumber="905550000001")
        fake.clock.advance(30)
        began = time.perf_counter()
        ccs.reset()
        resets.append(time.perf_counter() - began)
        began = time.perf_counter()
        http.get(server.url + "/_mock/clock", timeout=10)
        round_trips.append(time.perf_counter() - began)
    servers.close()
    start, reset, rtt = statistics.median(starts), statistics.median(resets), statistics.median(round_trips)
    print(f"session fake start: median {start * 1000:.0f} ms over {args.starts} starts "
          f"(min {min(starts) * 1000:.0f}, max {max(starts) * 1000:.0f}); {start / 0.5:.2f}x the 0.5 s target")
    print(f"per-test reset: median {reset * 1000:.2f} ms over {args.resets} (p95 "
          f"{sorted(resets)[int(len(resets) * 0.95)] * 1000:.2f} ms); {reset / 0.010:.2f}x the 10 ms target")
    print(f"baseline, same run: one control-API round trip, median {rtt * 1000:.2f} ms; "
          f"reset = {reset / rtt:.2f}x a round trip")


if __name__ == "__main__":
    main()
