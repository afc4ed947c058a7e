"""What a dialled number does: its disposition and how long it rings and talks.

Reserved numbers give one outcome each, deterministically (documented in the README); any other
number draws from the outbound mix, the same mix seeded history uses (``seed._random_call``).
"""
from __future__ import annotations

import re
from typing import Callable

DISPOSITIONS = ("ANSWER", "BUSY", "NOANSWER", "CANCEL", "CONGESTION", "CHANUNAVAIL", "DONTCALL", "TORTURE",
                "INVALIDARGS")  # facts §3.4
FAILS_AT_DIAL = ("CONGESTION", "CHANUNAVAIL", "INVALIDARGS")  # the call ends before anything rings
DIAL_SECONDS = 1  # assumed: dialing before the far end rings
# assumed ring time per unanswered disposition; None: the call's drawn or scripted ring time
RING_SECONDS = {"BUSY": 2, "NOANSWER": 30, "CONGESTION": 0, "CHANUNAVAIL": 0, "INVALIDARGS": 0, "DONTCALL": 5,
                "TORTURE": 5, "CANCEL": None, "ANSWER": None}
RESERVED_NUMBERS = {f"90555000000{i + 1}": d for i, d in enumerate(DISPOSITIONS)}
LONG_CALL_NUMBER, LONG_CALL_SECONDS = "905550000010", 3 * 3600
DROP_PREFIX = "90555001"  # 90555001NNNN: answered, dropped by the far end after NNNN seconds
# (disposition, weight): how outbound calls to other numbers end, live and seeded alike
OUTBOUND_MIX = (("ANSWER", 65), ("NOANSWER", 15), ("BUSY", 10), ("CANCEL", 5), ("CONGESTION", 3),
                ("CHANUNAVAIL", 2))
DRAWN = -1  # a ring or talk time to draw from the tenant's timings
_DIALABLE = re.compile(r"^\+?[0-9]{3,20}$")


def weighted(roll: float, choices: tuple[tuple[str, int], ...]) -> str:
    """The choice whose cumulative weight share covers ``roll`` (in [0, 1))."""
    point = roll * sum(weight for _, weight in choices)
    for value, weight in choices:
        if point < weight:
            return value
        point -= weight
    return choices[-1][0]


def plan_outbound(number: str, draw: Callable[[int], float]) -> tuple[str, int, int]:
    """(disposition, ring seconds, talk seconds) for a dialled number; ``draw(i)`` gives seeded floats.
    ``DRAWN`` durations come from the tenant's timings."""
    digits = re.sub(r"[\s\-()]", "", number)
    if not _DIALABLE.match(digits):
        return "INVALIDARGS", 0, 0  # the vendor still answers success (facts §13.4); the dial fails
    digits = digits.lstrip("+")
    if digits in RESERVED_NUMBERS:
        return RESERVED_NUMBERS[digits], 5, 60
    if digits == LONG_CALL_NUMBER:
        return "ANSWER", 5, LONG_CALL_SECONDS
    if digits.startswith(DROP_PREFIX) and len(digits) == len(DROP_PREFIX) + 4:
        return "ANSWER", 5, int(digits[len(DROP_PREFIX):])
    return weighted(draw(0), OUTBOUND_MIX), DRAWN, DRAWN
