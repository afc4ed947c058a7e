"""The pytest plugin, as an integrator's test suite meets it (pytester runs pytest on example test files)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(pytester: pytest.Pytester, source: str, *args: str, conftest: str | None = None) -> pytest.RunResult:
    if conftest:
        pytester.makeconftest(conftest)
    pytester.makepyfile(test_crm=source)
    return pytester.runpytest("-p", "no:cacheprovider", *args)


def test_each_test_gets_the_seeded_tenant_back(pytester: pytest.Pytester) -> None:
    result = run(pytester, '''
def test_a_changes_things(ccs_mock):
    session = ccs_mock.login()
    assert ccs_mock.api("click2call", session=session, phonenumber="905550000001") == {"success": True}
    ccs_mock.clock.advance(30)
    assert ccs_mock.active_calls()

def test_b_sees_none_of_it(ccs_mock):
    assert ccs_mock.journal == []
    assert ccs_mock.active_calls() == []
    assert ccs_mock.clock.now == "2026-01-05 09:00:00"
''')
    result.assert_outcomes(passed=2)


def test_fixture_object_gives_urls_tenants_and_credentials(pytester: pytest.Pytester) -> None:
    result = run(pytester, '''
import requests

def test_credentials(ccs_mock):
    assert ccs_mock.url.startswith("http://127.0.0.1:")
    assert [t.host for t in ccs_mock.tenants] == ["demo.callcenterstudio.com", "acme.alo-tech.com"]
    acme = ccs_mock.tenant("acme")
    assert acme.masked_numbers and acme.users[0] == "ali.celik@acme.example"
    answer = requests.get(ccs_mock.api_url, params={"function": "login", "app_token": ccs_mock.app_token,
                                                    "email": ccs_mock.email}).json()
    assert answer["login"] is True
    assert ccs_mock.softphone_url(answer["session"]).startswith(ccs_mock.url + "/generic/sso/?tenant=demo.")
''')
    result.assert_outcomes(passed=1)


def test_marker_chooses_seed_and_settings_per_test(pytester: pytest.Pytester) -> None:
    result = run(pytester, '''
import pytest

DEFAULT_TOKEN = []

def test_default(ccs_mock):
    DEFAULT_TOKEN.append(ccs_mock.app_token)

@pytest.mark.ccs_mock(seed=7, session_lifetime_seconds=60)
def test_short_sessions_and_another_seed(ccs_mock):
    assert ccs_mock.app_token != DEFAULT_TOKEN[0]
    session = ccs_mock.login()
    ccs_mock.clock.advance(61)
    assert ccs_mock.api("getactivecall", session=session)["login"] is False
''')
    result.assert_outcomes(passed=2)


def test_settings_fixture_can_be_overridden_in_a_conftest(pytester: pytest.Pytester) -> None:
    result = run(pytester, '''
def test_one_session_per_agent(ccs_mock):
    first = ccs_mock.login()
    ccs_mock.login()
    assert ccs_mock.api("getactivecall", session=first)["login"] is False
''', conftest='''
import pytest

@pytest.fixture
def ccs_mock_settings():
    return {"max_sessions_per_user": 1}
''')
    result.assert_outcomes(passed=1)


def test_assert_called_lists_similar_requests_on_a_miss(pytester: pytest.Pytester) -> None:
    result = run(pytester, '''
def test_expects_a_call(ccs_mock):
    session = ccs_mock.login()
    ccs_mock.api("click2call", session=session, phonenumber="905551112233")
    ccs_mock.assert_called("login", times=1, email=ccs_mock.email)
    ccs_mock.assert_called("click2call", phonenumber="905559999999")
''')
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*expected at least one request(s) with function=click2call, phonenumber=905559999999;"
                                 " matched 0.*", "*Requests received (2), closest first:*",
                                 "*GET click2call(*phonenumber=905551112233*) -> ok*"])
    assert "ahRz" not in result.stdout.str(), "app tokens and sessions stay masked in the explanation"


def test_assert_not_called(pytester: pytest.Pytester) -> None:
    result = run(pytester, '''
def test_no_calls(ccs_mock):
    ccs_mock.assert_not_called("click2call")
    ccs_mock.api("click2call", session=ccs_mock.login(), phonenumber="905550000001")
    ccs_mock.assert_not_called("click2call")
''')
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*expected no click2call request, got 1:*"])


def test_callback_sink_receives_the_hangup_post(pytester: pytest.Pytester) -> None:
    result = run(pytester, '''
def test_hangup(ccs_mock, ccs_callback_sink):
    session = ccs_mock.login()
    ccs_mock.script_next_call("BUSY")
    ccs_mock.api("click2call", session=session, phonenumber="905321112233", hangup_url=ccs_callback_sink.url())
    ccs_mock.clock.advance(10)
    [post] = ccs_callback_sink.wait_for(1, timeout=10)
    assert post.form["disposition"] == "BUSY"

def test_inbound_notification(ccs_mock, ccs_callback_sink):
    ccs_mock.control("PUT", "notifications", {"url": ccs_callback_sink.url("/ivr")})
    key = ccs_mock.start_inbound_call("905321112233", ending="no_queue")
    ccs_mock.clock.advance(60)
    [get] = ccs_callback_sink.wait_for(1, timeout=10)
    assert get.method == "GET" and get.query["callkey"] == key
''')
    result.assert_outcomes(passed=2)


@pytest.mark.slow  # a pytest subprocess
def test_plugin_is_active_from_the_entry_point_alone(pytester: pytest.Pytester) -> None:
    """No conftest and no -p: installing the package is enough (a fresh interpreter)."""
    pytester.makepyfile(test_crm='''
def test_fixture(ccs_mock, ccs_callback_sink):
    assert ccs_mock.login()
''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def readme_examples() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"<!-- example: (\S+) -->\n```python\n(.*?)```", text, re.S)


def test_readme_has_plugin_examples() -> None:
    assert len(readme_examples()) >= 2


@pytest.mark.parametrize("name, source", readme_examples())
def test_readme_plugin_examples_pass(pytester: pytest.Pytester, name: str, source: str) -> None:
    pytester.makepyfile(**{name.removesuffix(".py"): source})
    result = pytester.runpytest("-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 1 and not outcomes.get("failed") and not outcomes.get("errors"), \
        result.stdout.str()
