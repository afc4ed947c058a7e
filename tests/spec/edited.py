"""Edited copies of the bundled vendor spec, for tests of what loading and start-up refuse."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Callable

import yaml

from mock_server.spec import Spec

DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def edited_spec(folder: Path, change: Callable[[dict], object], name: str = "ccs.yaml") -> Path:
    """A copy of the bundled spec ``name`` in ``folder``, after ``change`` edited its document (a deep copy:
    the loaded spec is shared and never written into)."""
    document = copy.deepcopy(Spec.bundled(name).document)
    change(document)
    path = folder / name
    path.write_text(yaml.dump(document, Dumper=DUMPER, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
