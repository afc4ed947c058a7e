"""Determinism of seeded data, fixture errors, and settings layering."""
from __future__ import annotations

from pathlib import Path

import pytest

from mock_server import Settings
from mock_server.seed import FixtureError, Fixtures
from tests.unit.conftest import domain


def dump(**settings) -> str:
    return domain(**settings).store.dump()


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    assert dump() == dump()
    assert dump(seed=7) != dump()


def test_settings_layering_defaults_env_explicit() -> None:
    assert Settings.load(env={}).session_lifetime_seconds == 86400
    env = {"CCS_MOCK_SESSION_LIFETIME_SECONDS": "60", "CCS_MOCK_LOGIN_SESSION_TOKEN_ALIAS": "true",
           "CCS_MOCK_ALLOWED_CALLBACK_HOSTS": "127.0.0.1, crm.test"}
    loaded = Settings.load(env=env)
    assert loaded.session_lifetime_seconds == 60 and loaded.login_session_token_alias is True
    assert loaded.allowed_callback_hosts == ("127.0.0.1", "crm.test")
    assert Settings.load(env=env, session_lifetime_seconds=5).session_lifetime_seconds == 5


def test_session_token_alias_is_opt_in() -> None:
    ccs = domain(login_session_token_alias=True)
    tenant = ccs.backend.tenants.list()[0]
    body = ccs.backend.login(tenant, app_token=ccs.store.list_app_tokens(tenant.host)[0]["token"],
                             email=ccs.store.list_users(tenant.host)[0]["email"])
    assert body["session_token"] == body["session"]


@pytest.mark.parametrize(("text", "message"), [
    ("tenants: []", "no tenants"),
    ("tenants: [{name: x, domain: example.com, users: [{email: a@b.c, name: A}]}]", "needs domain"),
    ("tenants: [{name: x, domain: alo-tech.com}]", "has no users"),
])
def test_bad_fixtures_say_what_to_fix(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(text)
    with pytest.raises(FixtureError, match=message):
        Fixtures.load(path)


def test_file_database_keeps_state_across_restarts(tmp_path: Path) -> None:
    db = str(tmp_path / "state.sqlite3")
    first = domain(db=db)
    tenant = first.backend.tenants.list()[0]
    session = first.backend.login(tenant, app_token=first.store.list_app_tokens(tenant.host)[0]["token"],
                                  email=first.store.list_users(tenant.host)[0]["email"])["session"]
    first.store.close()
    second = domain(db=db)
    assert second.backend.getactivecall(tenant, session=session) == {"MyActiveCalls": []}


def test_seeding_over_worker_processes_gives_the_same_data() -> None:
    from mock_server.domain.clock import parse_datetime
    from mock_server.domain.ids import IdGenerator
    from mock_server.seed import CHUNK, seed_store
    from mock_server.storage.store import Store

    data = {"seed": 3, "tenants": [{"name": "big", "domain": "alo-tech.com", "did": "1",
                                    "users": [{"email": "a@b.example", "name": "A"}],
                                    "calls": {"days": 1, "per_day": 2 * CHUNK + 7}}]}
    dumps = []
    for workers in (1, 2):
        store = Store()
        seed_store(store, Fixtures(Path("f.yaml"), data), IdGenerator(3, store.allocate),
                   parse_datetime("2026-01-05 09:00:00"), workers=workers)
        assert store.count_cdrs() == 2 * CHUNK + 7
        dumps.append(store.dump())
    assert dumps[0] == dumps[1]
