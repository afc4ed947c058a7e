"""A local fake of a Call Center Studio / Alotech tenant.

``create_app`` and ``Settings`` load on first use, so importing a light module of the
package (as seeding worker processes do) does not pull in Flask.
"""
from __future__ import annotations

from typing import Any

__all__ = ["create_app", "Settings"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from mock_server.app import create_app
        return create_app
    if name == "Settings":
        from mock_server.settings import Settings
        return Settings
    raise AttributeError(f"module 'mock_server' has no attribute {name!r}")
