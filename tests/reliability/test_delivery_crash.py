"""Nothing is lost: a fake killed with SIGKILL in the middle of a delivery sends that callback again after a
restart, with the same delivery id and a higher attempt number, and sends every other callback once."""
from __future__ import annotations

import pytest

from tests.reliability.crash import crash_run

CALLS = 5


@pytest.mark.parametrize("workers", [1, 2], ids=["single-process", "two-workers"])
def test_a_callback_in_flight_at_a_kill_is_resent_with_its_id_and_a_higher_attempt(tmp_path, workers,
                                                                                    record_property) -> None:
    run = crash_run(tmp_path, calls=CALLS, workers=workers)
    print(run.line())
    record_property("crash_run", run.line())
    assert (run.sent, run.unique, run.lost) == (CALLS, CALLS, 0), run.line()  # nothing lost
    assert run.attempts[run.crashed] == [1, 2], run.attempts  # the resend: same id, higher attempt
    assert run.duplicates == 1, run.attempts  # and nothing else was sent twice
    assert all(numbers == [1] for delivery_id, numbers in run.attempts.items() if delivery_id != run.crashed)
    log = {d["delivery_id"]: [a["outcome"] for a in d["attempt_log"]] for d in run.deliveries}
    assert log.pop(run.crashed) == ["interrupted", "delivered"]
    assert set(map(tuple, log.values())) == {("delivered",)}
    assert all(d["status"] == "delivered" for d in run.deliveries)
