"""The import contracts of ``.importlinter`` (domain, storage, where Flask and Werkzeug may be imported, the
layers) hold for the whole package, indirect imports included: ``lint-imports``, run in the suite beside the AST
check of ``test_layering.py``."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.unit.test_layering import offences

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / ".importlinter"
LINT_IMPORTS = "from importlinter.cli import lint_imports_command; lint_imports_command()"  # the lint-imports command


def lint(config: Path, cwd: Path, *contracts: str) -> subprocess.CompletedProcess:
    """``lint-imports --config CONFIG`` in ``cwd``, where it finds the root package, writing no cache; in a
    subprocess, as it configures logging for its whole process."""
    return subprocess.run([sys.executable, "-c", LINT_IMPORTS, "--config", str(config), "--no-cache",
                           *(f"--contract={name}" for name in contracts)], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_the_import_contracts_hold() -> None:
    done = lint(CONTRACTS, ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 kept, 0 broken" in done.stdout


def probe_package(folder: Path) -> Path:
    """A package ``layering_probe`` with every module ``.importlinter`` names (empty, but for the imports its
    ``ignore_imports`` expect), and the contracts rewritten for it; returns the rewritten config."""
    text = CONTRACTS.read_text().replace("mock_server", "layering_probe")
    for name in set(re.findall(r"layering_probe(?:\.\w+)*", text)):
        parts = name.split(".")
        for depth in range(1, len(parts) + 1):
            folder.joinpath(*parts[:depth]).mkdir(exist_ok=True)
            folder.joinpath(*parts[:depth], "__init__.py").touch()
    for importer, imported in re.findall(r"(layering_probe\.[\w.]+) -> (\w+)", text):
        init = folder.joinpath(*importer.split("."), "__init__.py")
        init.write_text(init.read_text() + f"import {imported}\n")
    (folder / "contracts.ini").write_text(text)
    return folder / "contracts.ini"


def test_the_domain_contract_catches_an_indirect_import(tmp_path) -> None:
    """The domain imports the store, which imports Flask: no line of the domain names Flask (so the AST check
    passes it), yet the domain contract breaks and shows the chain."""
    config = probe_package(tmp_path)
    domain, storage = tmp_path / "layering_probe" / "domain", tmp_path / "layering_probe" / "storage"
    (domain / "cdr.py").write_text("from layering_probe.storage import store\n")
    (storage / "store.py").write_text("import sqlite3\n")
    done = lint(config, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr  # the probe itself keeps every contract
    (storage / "store.py").write_text("import sqlite3\nimport flask\n")
    assert offences(domain / "cdr.py") == []
    done = lint(config, tmp_path, "domain")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "layering_probe.domain is not allowed to import flask" in done.stdout
    assert "layering_probe.domain.cdr -> layering_probe.storage.store" in done.stdout
    assert "layering_probe.storage.store -> flask" in done.stdout
