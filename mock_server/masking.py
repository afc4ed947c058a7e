"""Secrets never reach logs or the journal in clear: app tokens and session keys are masked."""
from __future__ import annotations

import hashlib
import re
from typing import Mapping

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
