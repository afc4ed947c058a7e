"""What ``create_app()`` costs: the first call in a process (it parses the specs) and later ones (mean of 5).

    python benchmarks/create_app_cost.py                       this tree
    python benchmarks/create_app_cost.py --against DIR PYTHON   beside another checkout (e.g. an older commit in
                                                                a git worktree with its own venv), alternated in
                                                                one run, 3 rounds, medians and ratios
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

PROBE = """
import time
from mock_server import create_app
t = time.perf_counter(); create_app(); first = time.perf_counter() - t
later = []
for _ in range(5):
    t = time.perf_counter(); create_app(); later.append(time.perf_counter() - t)
print(first, sum(later) / len(later))
"""


def measure(python: str, folder: Path) -> tuple[float, float]:
    out = subprocess.run([python, "-c", PROBE], cwd=folder, capture_output=True, text=True, check=True).stdout
    first, later = (float(value) for value in out.split())
    return first, later


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--against", nargs=2, metavar=("DIR", "PYTHON"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    trees = {"this tree": (sys.executable, Path(__file__).resolve().parents[1])}
    if args.against:
        trees["baseline"] = (args.against[1], Path(args.against[0]))
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
    for _ in range(args.rounds):
        for name, (python, folder) in trees.items():
            results[name].append(measure(python, folder))
    medians = {name: (statistics.median(f for f, _ in runs), statistics.median(l for _, l in runs))
               for name, runs in results.items()}
    for name, (first, later) in medians.items():
        print(f"{name}: first call {first * 1000:.0f} ms, later calls {later * 1000:.0f} ms (medians of {args.rounds})")
    if args.against:
        (f1, l1), (f0, l0) = medians["this tree"], medians["baseline"]
        print(f"ratio this/baseline: first call {f1 / f0:.2f}, later calls {l1 / l0:.2f}")


if __name__ == "__main__":
    main()
