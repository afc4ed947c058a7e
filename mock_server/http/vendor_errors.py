"""The one table from domain errors to the vendor's wire answer.

HTTP status is 200 for every logical error (facts §1.9, assumed; ``error_http_status``
changes it). Bodies are the guide's where it gives them (login, facts §15.1), the
"log in again" body for dead sessions (facts §6.7), and ``{"success": false, "message"}``
elsewhere (assumed). ``UnknownTenant`` and ``RequestTooLarge`` are the fake's own transport
errors: the real service fails there before the API (DNS, front end).
"""
from __future__ import annotations

from typing import Any

from mock_server.domain import errors


class RequestTooLarge(errors.VendorError):
    """A query string over the configured limit."""


class InternalError(errors.VendorError):
    """A bug in the fake, answered like any other error body (the log has the trace under the same id)."""


# error class -> (status; None = the configured error status, body builder)
ERROR_TABLE: dict[type[errors.VendorError], tuple[int | None, Any]] = {
    errors.InvalidAppToken: (None, lambda e: {"login": False, "message": "Invalid Application Token"}),
    errors.UserNotFound: (None, lambda e: {"login": False, "message": "User not found"}),
    errors.InvalidSession: (None, lambda e: {"login": False, "success": False, "message": "Yanlış API anahtarı"}),
    errors.UnknownFunction: (None, lambda e: {"success": False, "message": e.message}),
    errors.MissingParameter: (None, lambda e: {"success": False, "message": e.message}),
    errors.InvalidParameter: (None, lambda e: {"success": False, "message": e.message}),
    errors.InvalidCursor: (None, lambda e: {"success": False, "message": e.message}),
    errors.NoActiveCall: (None, lambda e: {"success": False, "message": e.message}),
    errors.CallStateError: (None, lambda e: {"success": False, "message": e.message}),
    errors.InvalidHangupUrl: (None, lambda e: {"success": False, "message": e.message}),
    errors.CallNotFound: (None, lambda e: {"success": False, "message": e.message}),
    errors.UnknownTenant: (404, lambda e: {"success": False, "message": e.message}),
    RequestTooLarge: (414, lambda e: {"success": False, "message": e.message}),
    InternalError: (None, lambda e: {"success": False, "message": e.message}),
}


def render(error: errors.VendorError, error_http_status: int) -> tuple[int, dict[str, Any]]:
    for cls in type(error).__mro__:
        if cls in ERROR_TABLE:
            status, build = ERROR_TABLE[cls]
            return (status or error_http_status), build(error)
    return error_http_status, {"success": False, "message": error.message}
