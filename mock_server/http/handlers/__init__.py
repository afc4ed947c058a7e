"""Vendor function handlers: one module per area, one short function per function.

A handler receives the backend, the tenant and the spec-validated parameters, calls the
domain method of the same name and returns its body. ``registry()`` maps operationIds to
handlers; the app refuses to start when it and the spec disagree.
"""
from __future__ import annotations

from types import ModuleType
from typing import Callable

from mock_server.http.handlers import auth, calls, reports
from mock_server.http.handlers.registration import vendor_function

MODULES: tuple[ModuleType, ...] = (auth, calls, reports)
__all__ = ["MODULES", "registry", "vendor_function"]


def registry(modules: tuple[ModuleType, ...] = MODULES) -> dict[str, Callable]:
    found: dict[str, Callable] = {}
    for module in modules:
        for value in vars(module).values():
            name = getattr(value, "operation_id", None)
            if name:
                if name in found:
                    raise RuntimeError(f"two handlers claim operation '{name}'")
                found[name] = value
    return found
