"""Where the bundled spec and fixtures live: inside the installed package, or the source tree."""
from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(folder: str) -> Path:
    for candidate in (_PACKAGE / folder, _PACKAGE.parent / folder):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find the bundled '{folder}' folder next to {_PACKAGE}")


def spec_path(name: str = "ccs.yaml") -> Path:
    return _find("openapi") / name


def fixture_path(name_or_path: str) -> Path:
    """A bundled fixture by name (``demo``) or any YAML file by path."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return path
    bundled = _find("fixtures") / f"{name_or_path}.yaml"
    if bundled.exists():
        return bundled
    raise FileNotFoundError(f"no fixture file '{name_or_path}' (give a bundled name such as 'demo' or a .yaml path)")
