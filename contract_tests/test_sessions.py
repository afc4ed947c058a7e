"""Login, sessions, ping and the transport rules every function shares.

Every answer goes through ``Target.api``, which checks it against the spec; the assertions here are
the facts the spec's claims name (``@pytest.mark.fidelity``). Nothing here depends on the tenant's data,
dates or clock, and nothing here changes what another client of the tenant sees.
"""
from __future__ import annotations

import uuid

import pytest

from contract_tests.conformance import is_error_body
from contract_tests.target import Target, answer_of

DEAD_SESSION = {"login": False, "message": "Yanlış API anahtarı"}


def unknown_variant(key: str) -> str:
    """A key of the same shape that the tenant never issued."""
    return key[:-6] + ("AAAAAA" if not key.endswith("AAAAAA") else "BBBBBB")


@pytest.mark.fidelity("login", "login.bodies", "getactivecall")
def test_login_answers_the_guides_success_body(ccs: Target) -> None:
    body = ccs.api("login", app_token=ccs.app_token, email=ccs.email)
    ccs.claims.check("login.bodies", body.get("login") is True and body.get("message") == "Login Successful!"
                     and isinstance(body.get("language"), str) and isinstance(body.get("session"), str),
                     f"the guide's success body is login, session, message 'Login Successful!', language: {body}")
    active = ccs.api("getactivecall", session=body["session"])
    assert not is_error_body(active), f"a fresh session must work: {active}"


@pytest.mark.fidelity("login", "login.bodies", "transport.http-200-errors")
def test_login_with_unknown_email_is_user_not_found(ccs: Target) -> None:
    body = ccs.api("login", app_token=ccs.app_token, email=f"nobody-{uuid.uuid4().hex[:8]}@invalid.example")
    ccs.claims.check("login.bodies", body == {"login": False, "message": "User not found"},
                     f"an unknown e-mail gets exactly the guide's body: {body}")


@pytest.mark.fidelity("login", "login.bodies", "login.token-before-user", "transport.http-200-errors")
def test_login_with_wrong_token_is_invalid_application_token(ccs: Target) -> None:
    body = ccs.api("login", app_token=unknown_variant(ccs.app_token), email=ccs.email)
    ccs.claims.check("login.bodies", body == {"login": False, "message": "Invalid Application Token"},
                     f"a bad app_token gets exactly the guide's body: {body}")


@pytest.mark.fidelity("login", "login.new-session", "getactivecall")
def test_each_login_mints_a_new_session_and_both_work(ccs: Target) -> None:
    first, second = ccs.login(), ccs.login()
    ccs.claims.check("login.new-session", first != second, "two logins returned the same session key")
    for session in (first, second):
        body = ccs.api("getactivecall", session=session)
        ccs.claims.check("login.new-session", not is_error_body(body),
                         f"an earlier session must keep working after a new login: {body}")


@pytest.mark.fidelity("login", "getactivecall", "session.relogin-signal", "transport.http-200-errors")
def test_dead_session_says_log_in_again_and_a_new_login_works(ccs: Target) -> None:
    session = ccs.login()
    assert not is_error_body(ccs.api("getactivecall", session=session))
    if ccs.is_fake:  # ends this one session only: other users of a shared fake keep theirs, the clock stays
        assert ccs.control("POST", "sessions/expire", json={"session": session})["expired"] == 1
        dead = session
    else:  # a real tenant cannot be aged 24 h here: a key it never issued gets the same answer
        dead = unknown_variant(session)
    body = ccs.api("getactivecall", session=dead)
    ccs.claims.check("session.relogin-signal", body.get("login") is False and body.get("message") == DEAD_SESSION["message"],
                     f"a dead session must answer login: false and 'Yanlış API anahtarı' (facts §6.1, §6.2): {body}")
    fresh = ccs.login()
    ccs.claims.check("session.relogin-signal", not is_error_body(ccs.api("getactivecall", session=fresh)),
                     "the session of a new login must work")


@pytest.mark.fidelity("ping", "ping.token-check", "ping.body")
def test_ping_tells_a_valid_token_from_an_invalid_one(ccs: Target) -> None:
    good = ccs.api("ping", app_token=ccs.app_token)
    bad = ccs.api("ping", app_token=unknown_variant(ccs.app_token))
    ccs.claims.check("ping.token-check", not is_error_body(good) and is_error_body(bad),
                     f"ping with the valid token: {good}; with an invalid one: {bad}")


@pytest.mark.fidelity("transport.json", "transport.errors-json", "transport.unknown-function",
                      "transport.http-200-errors")
def test_unknown_function_gets_a_json_error_body(ccs: Target) -> None:
    for name in ("ccsKitNoSuchFunction", ""):
        response = ccs.get(name, app_token=ccs.app_token)
        answer = (response.status_code, response.headers.get("Content-Type", ""), response.text)
        ok_json = response.text.strip().startswith("{")
        ccs.claims.check("transport.json", ok_json,
                         f"function={name!r} answered HTTP {answer[0]} {answer[1]!r}: {answer[2][:200]!r}")
        body = response.json()
        ccs.claims.check("transport.errors-json", is_error_body(body) and isinstance(body.get("message"), str),
                         f"function={name!r} must be refused with an error body: {body}")
        ccs.claims.check("transport.http-200-errors", response.status_code == 200,
                         f"function={name!r} answered HTTP {response.status_code}")
        ccs.claims.check("transport.unknown-function",
                         body.get("message", "").startswith(("Unknown function", "Missing required parameter")),
                         f"function={name!r}: {body}")


@pytest.mark.fidelity("ping", "transport.api-without-slash")
def test_api_without_the_trailing_slash_answers_the_same(ccs: Target) -> None:
    response = ccs.http.get(f"{ccs.base_url}/api", params={"function": "ping", "app_token": ccs.app_token},
                            allow_redirects=False)
    with_slash = ccs.api("ping", app_token=ccs.app_token)
    ccs.claims.check("transport.api-without-slash", response.status_code == 200 and response.text.strip().startswith("{")
                     and response.json() == with_slash, f"/api?function=ping answered HTTP {response.status_code}: "
                                                        f"{response.text[:200]!r}")


@pytest.mark.fidelity("ping", "transport.post", "transport.post-query")
def test_post_answers_as_get(ccs: Target) -> None:
    """The same ping with a good and a bad token, by GET and by POST (form fields; query string)."""
    url = f"{ccs.base_url}/api/"
    for token in (ccs.app_token, unknown_variant(ccs.app_token)):
        by_get = ccs.api("ping", app_token=token)
        form = answer_of(ccs.http.post(url, params={"function": "ping"}, data={"app_token": token}))
        ccs.claims.findings(*ccs.spec.answer_check("ping", form))
        ccs.claims.check("transport.post", form.body == by_get,
                         f"POST ping (form fields) answered HTTP {form.status} {form.text[:200]!r}; GET: {by_get}")
        query = answer_of(ccs.http.post(url, params={"function": "ping", "app_token": token}))
        ccs.claims.check("transport.post-query", query.body == by_get,
                         f"POST ping (query string) answered HTTP {query.status} {query.text[:200]!r}; GET: {by_get}")
    both = answer_of(ccs.http.post(url, params={"function": "ping", "app_token": ccs.app_token},
                                   data={"app_token": unknown_variant(ccs.app_token)}))
    ccs.claims.check("transport.post-query", not is_error_body(both.body),
                     f"a good token in the query and a bad one in the form: {both.text[:200]!r}")


@pytest.mark.fidelity("login", "login.email-case")
def test_login_matches_the_email_in_any_case(ccs: Target) -> None:
    body = ccs.api("login", app_token=ccs.app_token, email=ccs.email.upper())
    ccs.claims.check("login.email-case", body.get("login") is True, f"login with {ccs.email.upper()!r}: {body}")
