"""ARCHITECTURE.md's rule: the domain imports no web stack, no spec loader, no wall clock, no global randomness."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "mock_server" / "domain"
FORBIDDEN_MODULES = {"flask", "werkzeug", "requests", "mock_server.spec", "mock_server.app", "random", "uuid",
                     "time", "mock_server.runtime.clocks"}
FORBIDDEN_CALLS = {"now", "utcnow", "today", "time", "uuid4", "random"}


def offences(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [f"imports {a.name}" for a in node.names if a.name.split(".")[0] in FORBIDDEN_MODULES
                      or a.name in FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module in FORBIDDEN_MODULES or node.module.split(".")[0] in FORBIDDEN_MODULES:
                found.append(f"imports from {node.module}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in FORBIDDEN_CALLS and isinstance(node.func.value, ast.Name) \
                    and node.func.value.id in {"datetime", "date", "time", "uuid", "random"}:
                found.append(f"calls {node.func.value.id}.{node.func.attr}()")
    return [f"{path.name}:{text}" for text in found]


def test_domain_keeps_its_layering_rule() -> None:
    files = sorted(DOMAIN.glob("*.py"))
    assert len(files) >= 8
    assert [o for f in files for o in offences(f)] == []


def test_the_rule_checker_catches_an_offence(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import flask\nfrom datetime import datetime\nx = datetime.now()\nimport random\n")
    assert offences(bad) == ["bad.py:imports flask", "bad.py:imports random", "bad.py:calls datetime.now()"]


def test_unit_tests_need_no_web_stack() -> None:
    """tests/unit tests the domain without Flask: importing every module of it, and building a fake's domain
    the way its fixture does, loads neither Flask nor Werkzeug."""
    unit = Path(__file__).resolve().parent
    modules = ["tests.conftest", "tests.unit.conftest", *(f"tests.unit.{p.stem}" for p in sorted(unit.glob("test_*.py")))]
    code = "".join(f"import {name}\n" for name in modules) + (
        "import sys\ntests.unit.conftest.domain()\n"
        "print(sorted(name for name in ('flask', 'werkzeug') if name in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=unit.parents[1])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
