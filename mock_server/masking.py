"""Secrets never reach logs or the journal in clear: app tokens and session keys are masked."""
from __future__ import annotations

import hashlib
import re
from typing import Any, Mapping

from mock_server.domain.ids import decode_key

SECRET_PARAMETERS = frozenset({"app_token", "session", "session_token"})
_SECRET_IN_QUERY = re.compile(r"((?:^|[?&])(?:app_token|session|session_token)=)([^&\s]*)")


def mask(value: str) -> str:
    """A short fingerprint that tells two secrets apart and reveals neither.

    (A prefix would not do: every key of a tenant starts and ends with the same bytes.)
    """
    return "***" + hashlib.sha256(value.encode()).hexdigest()[:8]


def mask_params(params: Mapping[str, str]) -> dict[str, str]:
    return {key: mask(value) if key in SECRET_PARAMETERS else value for key, value in params.items()}


def mask_query(text: str) -> str:
    """Mask secrets inside a raw request line or query string."""
    return _SECRET_IN_QUERY.sub(lambda m: m.group(1) + mask(m.group(2)), text)


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
