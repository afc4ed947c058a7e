"""Crash runs: ``kill -9`` the fake while a hangup POST is in flight, restart it on the same file, count.

Each run starts ``ccs-mock serve --db FILE`` (or ``--workers 2``), places C calls whose hangup POSTs go to a
local receiver that holds the first one unanswered, kills the server and its processes with SIGKILL once
that POST is in the receiver's hands, starts it again on the same file and waits until every callback has
arrived (tests/reliability/crash.py). Per run: callbacks sent, requests received, unique delivery ids,
duplicates (resends a receiver must drop by X-CCS-Mock-Delivery-Id) and callbacks lost.

    python benchmarks/crash_delivery.py [--runs 3] [--worker-runs 1] [--calls 5]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reliability.crash import crash_run  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3, help="single-process runs")
    parser.add_argument("--worker-runs", type=int, default=1, help="runs with --workers 2")
    parser.add_argument("--calls", type=int, default=5, help="callbacks per run (the first is in flight at the kill)")
    args = parser.parse_args()
    plan = [1] * args.runs + [2] * args.worker_runs
    totals = [0, 0, 0, 0, 0]
    with tempfile.TemporaryDirectory(prefix="ccs-crash-") as folder:
        for number, workers in enumerate(plan, 1):
            kind = "--workers 2" if workers > 1 else "single process"
            run = crash_run(Path(folder) / f"run-{number}", args.calls, workers, label=f"run {number} ({kind})")
            print(f"{run.line()}; the callback in flight at the kill arrived with attempts {run.attempts[run.crashed]}")
            for index, value in enumerate((run.sent, run.received, run.unique, run.duplicates, run.lost)):
                totals[index] += value
    print(f"all {len(plan)} runs: sent {totals[0]}, received {totals[1]}, unique ids {totals[2]}, "
          f"duplicates {totals[3]}, lost {totals[4]}")


if __name__ == "__main__":
    main()
