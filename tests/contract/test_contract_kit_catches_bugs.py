"""The contract kit, run as a user runs it (``pytest contract_tests --ccs-base-url ...``), catches a
representative subset of the broken tenants of ``mutants.py`` (each for the claim it breaks), passes
the healthy ones, and passes run after run against one served fake.
The whole catalogue runs in ``benchmarks/kit_mutation_score.py``."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.contract.mutants import BY_NAME, CATALOGUE, ProxiedFake, run_kit, run_many
from tests.served import Served

SUBSET = ["healthy_slow", "login_session_renamed", "dead_session_accepted", "unknown_function_html_404",
          "cdr_pages_overlap", "cdr_default_ascending", "cdr_duration_as_string", "cdr_pages_of_99",
          "hangup_as_json"]


def test_the_catalogue_breaks_each_claim_it_names_once_at_least() -> None:
    from contract_tests.conformance import kit_spec

    spec = kit_spec()
    for mutant in CATALOGUE:
        assert mutant.healthy or spec.level(mutant.claim) in ("confirmed", "seen-in-client"), mutant.name
    assert len([m for m in CATALOGUE if not m.healthy]) >= 30


def test_kit_catches_the_subset_and_passes_a_slow_healthy_tenant(tmp_path: Path) -> None:
    fake = ProxiedFake()
    try:
        runs = run_many(fake, [BY_NAME[name] for name in SUBSET], tmp_path, jobs=2, max_examples=5)
    finally:
        fake.close()
    wrong = {run.mutant: (run.exit_code, run.contradicted, run.output[-1500:]) for run in runs
             if not run.caught(BY_NAME[run.mutant])}
    assert not wrong, wrong


@pytest.mark.parametrize("clock", ["manual", "system"])
def test_kit_passes_again_and_again_against_one_served_fake(tmp_path: Path, clock: str) -> None:
    served = Served("--db", str(tmp_path / "shared.sqlite3"), "--clock", clock)
    try:
        token = [line.split()[1] for line in served.lines if line.strip().startswith("app_token:")][0]
        email = [line.split()[1].rstrip(",") for line in served.lines if line.strip().startswith("agents:")][0]
        runs = [run_kit(served.url, token, email, tmp_path, f"run{index}", max_examples=5) for index in range(2)]
    finally:
        served.stop()
    assert [run.exit_code for run in runs] == [0, 0], [run.output for run in runs]
    assert all(run.requests > 100 for run in runs)
