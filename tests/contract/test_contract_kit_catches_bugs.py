"""The contract kit, run as a user runs it (``pytest contract_tests --ccs-base-url ...``, a subprocess), catches
a representative subset of the broken tenants of ``mutants.py``, each for the claim it breaks and by the kit tests
that name that claim, all in front of the session's served fake; and passes run after run against one served fake
on the system clock. ``test_check.py`` shows the rest: ``login_session_renamed`` caught through ``ccs-mock check``,
and the whole kit passing twice in a row on the session's served fake, the second time through the slow healthy
front end (``healthy_slow``). The whole kit against the whole catalogue runs in
``benchmarks/kit_mutation_score.py``."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.contract.mutants import BY_NAME, CATALOGUE, ProxiedFake, kit_selection, run_kit, run_many
from tests.served import Served

SUBSET = ["dead_session_accepted", "unknown_function_html_404", "cdr_pages_overlap", "cdr_default_ascending",
          "cdr_duration_as_string", "cdr_pages_of_99", "hangup_as_json"]


def test_the_catalogue_breaks_each_claim_it_names_once_at_least() -> None:
    from contract_tests.conformance import kit_spec

    spec = kit_spec()
    for mutant in CATALOGUE:
        assert mutant.healthy or spec.level(mutant.claim) in ("confirmed", "seen-in-client"), mutant.name
    assert len([m for m in CATALOGUE if not m.healthy]) >= 30


def test_each_broken_mutant_has_kit_tests_that_name_its_claim() -> None:
    for mutant in CATALOGUE:
        if mutant.healthy:
            assert kit_selection(mutant) == [], mutant.name
        else:
            option, names, *ignored = kit_selection(mutant)
            assert option == "-k" and names.startswith("test_"), mutant.name
            assert all(path.startswith("--ignore=") and path.endswith(".py") for path in ignored), mutant.name
            assert len(ignored) < 4, "at least one of the kit's four modules is run"


@pytest.mark.slow
def test_kit_catches_the_subset(proxied_fake: ProxiedFake, tmp_path: Path) -> None:
    runs = run_many(proxied_fake, [BY_NAME[name] for name in SUBSET], tmp_path, jobs=2, max_examples=5, focused=True)
    wrong = {run.mutant: (run.exit_code, run.contradicted, run.output[-1500:]) for run in runs
             if not run.caught(BY_NAME[run.mutant])}
    assert not wrong, wrong
    assert all(run.requests > 0 for run in runs)


@pytest.mark.slow
def test_kit_passes_again_and_again_against_one_served_fake_on_the_system_clock(tmp_path: Path) -> None:
    served = Served("--db", str(tmp_path / "shared.sqlite3"), "--clock", "system")
    try:
        runs = [run_kit(served.url, served.app_token, served.agents[0], tmp_path, f"run{index}", max_examples=5)
                for index in range(2)]
    finally:
        served.stop()
    assert [run.exit_code for run in runs] == [0, 0], [run.output for run in runs]
    assert all(run.requests > 100 for run in runs)
