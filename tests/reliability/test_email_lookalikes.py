"""E-mails match with ASCII case folding only: a Unicode look-alike is another address, not the agent's."""
from __future__ import annotations

AGENT = "mehmet.kaya@demo.example"
KELVIN = AGENT.replace("k", "\u212a")  # U+212A KELVIN SIGN; str.lower() turns it into "k"


def test_a_kelvin_sign_does_not_log_in_as_the_agent_with_a_k(ccs_mock) -> None:
    answer = ccs_mock.api("login", app_token=ccs_mock.app_token, email=KELVIN)
    assert answer == {"login": False, "message": "User not found"}
    assert ccs_mock.control("GET", "sessions")["sessions"] == []


def test_ascii_upper_case_still_logs_in(ccs_mock) -> None:
    answer = ccs_mock.api("login", app_token=ccs_mock.app_token, email=AGENT.upper())
    assert answer["login"] is True
    [session] = ccs_mock.control("GET", "sessions")["sessions"]
    assert session["email"] == AGENT


def test_expiring_by_a_look_alike_ends_nothing(ccs_mock) -> None:
    ccs_mock.login(AGENT)
    assert ccs_mock.control("POST", "sessions/expire", {"email": KELVIN}) == {"expired": 0}
    assert ccs_mock.control("POST", "sessions/expire", {"email": AGENT.upper()}) == {"expired": 1}
