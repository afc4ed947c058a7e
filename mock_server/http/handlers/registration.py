"""The decorator that ties a handler to its spec operation."""
from __future__ import annotations

from typing import Callable


def vendor_function(operation_id: str) -> Callable[[Callable], Callable]:
    """Mark a handler as serving the spec operation ``operation_id``."""
    def mark(fn: Callable) -> Callable:
        fn.operation_id = operation_id  # type: ignore[attr-defined]
        return fn
    return mark
