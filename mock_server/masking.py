"""Secrets never reach logs or the journal in clear: app tokens, session keys and the control token are masked.

Parameter names are compared in any letter case (``APP_TOKEN=`` is as secret as ``app_token=``) and, in
raw query strings, after percent-decoding (``app%5Ftoken=``), since that is how the fake reads them.
"""
from __future__ import annotations

import hashlib
import re
from typing import Any, Mapping
from urllib.parse import unquote_plus

from mock_server.domain.ids import decode_key

SECRET_PARAMETERS = frozenset({"app_token", "session", "session_token"})
LOG_SECRET_PARAMETERS = SECRET_PARAMETERS | {"token"}  # the access log also sees the control token (`?token=`)
_QUERY_PAIR = re.compile(r"(^|[?&;])([^=&;?\s]*)=([^&;\s]*)")


def mask(value: str) -> str:
    """A short fingerprint that tells two secrets apart and reveals neither.

    (A prefix would not do: every key of a tenant starts and ends with the same bytes.)
    """
    return "***" + hashlib.sha256(value.encode()).hexdigest()[:8]


def is_secret(name: str, secrets: frozenset[str] = SECRET_PARAMETERS) -> bool:
    """Whether a parameter name (in any letter case) carries a secret."""
    return name.strip().lower() in secrets


def mask_params(params: Mapping[str, str]) -> dict[str, str]:
    return {key: mask(value) if is_secret(key) else value for key, value in params.items()}


def mask_query(text: str) -> str:
    """Mask secrets (and the control token) inside a raw request line or query string."""

    def masked(match: re.Match) -> str:
        if not is_secret(unquote_plus(match.group(2)), LOG_SECRET_PARAMETERS):
            return match.group(0)
        return f"{match.group(1)}{match.group(2)}={mask(match.group(3))}"

    return _QUERY_PAIR.sub(masked, text)


_DATASTORE_KEY = re.compile(r"ahR[A-Za-z0-9_-]{20,}")
SECRET_KINDS = frozenset({"Session", "TenantApplications"})  # session keys and app tokens (facts §10.3)


def mask_secret_keys(value: Any) -> Any:
    """Mask app tokens and session keys wherever they appear in text or a JSON-like value; call keys and
    other datastore keys stay, since a recording must still find its calls."""
    if isinstance(value, str):
        return _DATASTORE_KEY.sub(_mask_if_secret, value)
    if isinstance(value, dict):
        return {k: mask_secret_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_secret_keys(v) for v in value]
    return value


def _mask_if_secret(match: re.Match) -> str:
    key = decode_key(match.group(0))
    return mask(match.group(0)) if key is None or key.kind in SECRET_KINDS else match.group(0)
