"""Deliberately broken fakes: each is the real fake with one bug, to prove the contract kit catches it.

Each builder returns a WSGI app; ``EXPECTED`` names the contract tests that must fail on it.
"""
from __future__ import annotations

import json
from typing import Callable
from urllib.parse import parse_qsl, urlencode

from flask import Flask, Response, request

from mock_server import create_app


def _rewrite_json(app: Flask, function: str, change: Callable[[dict], dict | None]) -> Flask:
    @app.after_request
    def rewrite(response: Response) -> Response:
        if request.path.startswith("/api") and request.args.get("function") == function and response.is_json:
            body = change(response.get_json())
            if body is not None:
                response.set_data(json.dumps(body))
        return response
    return app


def repeating_cursor() -> Flask:
    """The cursor is ignored: every page is the first page again."""
    app = create_app()
    inner = app.wsgi_app

    def drop_cursor(environ, start_response):
        query = [(k, v) for k, v in parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True) if k != "cursor"]
        environ["QUERY_STRING"] = urlencode(query)
        return inner(environ, start_response)
    app.wsgi_app = drop_cursor
    return app


def missing_cursor_field() -> Flask:
    """reportsCDRLogs forgets the `cursor` field."""
    return _rewrite_json(create_app(), "reportsCDRLogs",
                         lambda body: {k: v for k, v in body.items() if k != "cursor"} if "CallList" in body else None)


def server_error_on_bad_dates() -> Flask:
    """A malformed date crashes with a 500 instead of an error body."""
    app = create_app()

    @app.after_request
    def crash(response: Response) -> Response:
        if b"Invalid value for parameter 'startdate'" in response.get_data() or \
                b"Invalid value for parameter 'finishdate'" in response.get_data():
            return Response("Internal Server Error", status=500, mimetype="text/plain")
        return response
    return app


def errors_as_http_400() -> Flask:
    """Error bodies come with HTTP 400 instead of the vendor's 200."""
    return create_app(error_http_status=400)


def login_key_renamed() -> Flask:
    """login answers `session_token` instead of `session` (what D-V17 shows, not what clients read)."""
    def rename(body: dict) -> dict | None:
        if body.get("login") is True:
            body["session_token"] = body.pop("session")
            return body
        return None
    return _rewrite_json(create_app(), "login", rename)


def sessions_never_expire() -> Flask:
    """Session lifetime so long that nothing ever expires."""
    return create_app(session_lifetime_seconds=10 ** 9)


def accepts_invalid_sorting() -> Flask:
    """An invalid `sorting` value is silently treated as desc instead of being refused."""
    app = create_app()
    inner = app.wsgi_app

    def fix_sorting(environ, start_response):
        query = [(k, v if k != "sorting" or v in ("asc", "desc") else "desc")
                 for k, v in parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)]
        environ["QUERY_STRING"] = urlencode(query)
        return inner(environ, start_response)
    app.wsgi_app = fix_sorting
    return app


# broken tenant -> contract tests that must fail on it
EXPECTED: dict[Callable[[], Flask], set[str]] = {
    repeating_cursor: {"test_cursor_walk_yields_every_record_once_in_order"},
    missing_cursor_field: {"test_cursor_walk_yields_every_record_once_in_order", "test_operation_follows_the_spec"},
    server_error_on_bad_dates: {"test_bad_dates_get_an_error_body_not_a_crash", "test_operation_follows_the_spec"},
    errors_as_http_400: {"test_login_with_unknown_email_is_user_not_found", "test_operation_follows_the_spec"},
    login_key_renamed: {"test_login_gives_a_session_that_works", "test_operation_follows_the_spec"},
    sessions_never_expire: {"test_expired_session_says_log_in_again_and_a_new_login_works"},
    accepts_invalid_sorting: {"test_invalid_values_are_refused_in_the_body"},
}


def _rewrite_outbox(make_change: Callable[[Flask], Callable[[str, str], tuple[str, str]]]) -> Flask:
    """A fake whose hangup POSTs are altered on their way into the outbox: ``make_change(app)`` returns
    ``(content_type, payload) -> (content_type, payload)``."""
    app = create_app()
    store = app.extensions["ccs"].store
    enqueue, change = store.enqueue, make_change(app)

    def altered(delivery_id, tenant, kind, method, url, content_type, payload, created_at):
        if kind == "hangup":
            content_type, payload = change(content_type, payload)
        enqueue(delivery_id, tenant, kind, method, url, content_type, payload, created_at)
    store.enqueue = altered
    return app


def hangup_post_as_json() -> Flask:
    """The hangup POST is sent as JSON instead of a form."""
    return _rewrite_outbox(lambda app: lambda _, payload: ("application/json", json.dumps(dict(parse_qsl(payload)))))


def hangup_post_missing_field() -> Flask:
    """The hangup POST forgets `tenant`."""
    return _rewrite_outbox(lambda app: lambda ct, payload: (
        ct, urlencode([(k, v) for k, v in parse_qsl(payload) if k != "tenant"])))


def hangup_call_id_not_findable() -> Flask:
    """The hangup POST's call_id is the CDR's callkey, which reportsCDRLogs does not take as activecallkey."""
    def make_change(app: Flask):
        keys = app.extensions["ccs"].backend.reports.keys

        def swap(ct: str, payload: str) -> tuple[str, str]:
            fields = dict(parse_qsl(payload))
            seq = keys.seq_of("activecallkey", fields["tenant"], fields["call_id"])
            return ct, urlencode(dict(fields, call_id=keys.key("callkey", fields["tenant"], seq)))
        return swap
    return _rewrite_outbox(make_change)


EXPECTED.update({
    hangup_post_as_json: {"test_placed_call_posts_its_result_and_is_findable"},
    hangup_post_missing_field: {"test_placed_call_posts_its_result_and_is_findable"},
    hangup_call_id_not_findable: {"test_placed_call_posts_its_result_and_is_findable"},
})
