"""``@vendor_function("reportsCDRLogs")``: marks the one domain method that serves a spec operation.

A pure marker: the method stays a plain method. Its keyword-only parameters are named exactly as the
operation's parameters in ``openapi/ccs.yaml`` (a parameter typed as a dataclass, such as ``CdrQuery``,
takes the spec parameters that are its fields). At start-up ``mock_server.spec.Spec.vendor_calls``
compares the two and refuses to start when they differ.
"""
from __future__ import annotations

import inspect
from typing import Callable, TypeVar

MARK = "vendor_operation"
Method = TypeVar("Method", bound=Callable)


def vendor_function(operation_id: str) -> Callable[[Method], Method]:
    """Mark a method as the one that serves the spec operation ``operation_id``."""
    def mark(method: Method) -> Method:
        setattr(method, MARK, operation_id)
        return method
    return mark


def marked(cls: type) -> list[tuple[str, Callable]]:
    """(operation id, method) for every marked method of ``cls``, duplicates included (the start-up check
    reports them). A method is called as ``method(instance, tenant, **parameters)``."""
    return [(getattr(function, MARK), function)
            for _, function in inspect.getmembers(cls, inspect.isfunction) if hasattr(function, MARK)]
