"""Domain errors. Each maps to exactly one vendor error body in ``mock_server.http.vendor_errors``."""
from __future__ import annotations


class VendorError(Exception):
    """Base class: something the real service answers with an error body."""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


class InvalidAppToken(VendorError):
    """Unknown, revoked, or another tenant's app_token."""


class UserNotFound(VendorError):
    """login with an e-mail that is not a user of the tenant."""


class InvalidSession(VendorError):
    """Unknown, expired, evicted, or another tenant's session key."""


class UnknownFunction(VendorError):
    """``function=`` names nothing the API offers (or is missing)."""


class MissingParameter(VendorError):
    def __init__(self, name: str):
        super().__init__(f"Missing required parameter: {name}")
        self.name = name


class InvalidParameter(VendorError):
    def __init__(self, name: str, expected: str):
        super().__init__(f"Invalid value for parameter '{name}': expected {expected}")
        self.name = name


class InvalidCursor(VendorError):
    """A cursor that was not issued by this tenant for this query."""


class NoActiveCall(VendorError):
    """Call control with nothing to control."""


class CallStateError(VendorError):
    """Call control that the call's state does not allow (hold while ringing, a second call...)."""


class InvalidHangupUrl(VendorError):
    """A hangup_url (or notification URL) the fake may not call: bad scheme, or a host off the allow-list."""


class CallNotFound(VendorError):
    """A key that names no call of this tenant."""


class UnknownTenant(VendorError):
    """A Host header that names no tenant of the fake."""
