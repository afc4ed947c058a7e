"""How much drift the contract kit catches: its mutation score over the catalogue of broken tenants.

One healthy fake runs in this process (manual clock, demo fixtures); each mutant of
``tests/contract/mutants.py`` is a proxy in front of it that breaks one confirmed or seen-in-client
claim of the spec. The kit runs as a user runs it (``pytest contract_tests --ccs-base-url PROXY``, a
subprocess) against each, two at a time (each as its own agent), all on the same fake: so the catalogue also shows that
the kit passes run after run against one served fake. A broken tenant counts as caught when the kit
fails *and* reports the broken claim contradicted; a healthy one (a plain proxy, and a slow one that
answers 405/501 to methods the spec does not declare) must pass.

    python benchmarks/kit_mutation_score.py [--jobs 2] [--max-examples 10] [--only NAME,NAME]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.contract.mutants import BY_NAME, CATALOGUE, ProxiedFake, run_many  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=2, help="kit runs at once (default 2, one per core)")
    parser.add_argument("--max-examples", type=int, default=10, help="--ccs-max-examples of each kit run")
    parser.add_argument("--only", default="", help="comma-separated mutant names")
    args = parser.parse_args()
    mutants = [BY_NAME[name] for name in args.only.split(",")] if args.only else CATALOGUE
    fake = ProxiedFake()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        runs = list(zip(mutants, run_many(fake, mutants, Path(folder), args.jobs, args.max_examples)))
    fake.close()
    wall = time.perf_counter() - began
    print(f"{'mutant':34} {'breaks':26} {'kit':5} {'s':>5} {'requests':>8}  verdict")
    for mutant, run in runs:
        verdict = ("passes" if run.caught(mutant) else "FAILED A HEALTHY TENANT") if mutant.healthy else \
            ("caught" if run.caught(mutant) else "SURVIVED")
        print(f"{mutant.name:34} {mutant.claim or '-':26} {run.exit_code:5} {run.seconds:5.1f} {run.requests:8}  "
              f"{verdict}" + ("" if run.caught(mutant) or mutant.healthy else f" (contradicted: {run.contradicted})"))
    broken = [(m, r) for m, r in runs if not m.healthy]
    healthy = [(m, r) for m, r in runs if m.healthy]
    caught = sum(r.caught(m) for m, r in broken)
    survivors = [m.name for m, r in broken if not r.caught(m)]
    print(f"\nmutation score: {caught}/{len(broken)} caught ({caught / max(len(broken), 1):.2f}); "
          f"survivors: {', '.join(survivors) or 'none'}")
    print(f"healthy tenants passing: {sum(r.caught(m) for m, r in healthy)}/{len(healthy)}")
    seconds = [r.seconds for _, r in runs]
    print(f"kit run: median {statistics.median(seconds):.1f} s (min {min(seconds):.1f}, max {max(seconds):.1f}); "
          f"{len(runs)} runs in {wall:.0f} s with {args.jobs} at a time, all against one fake")
    for mutant, run in healthy:
        print(f"{mutant.name}: {run.requests} requests in {run.seconds:.1f} s")
    sys.exit(0 if caught == len(broken) and all(r.caught(m) for m, r in healthy) else 1)


if __name__ == "__main__":
    main()
