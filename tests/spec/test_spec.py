"""The specs are valid OpenAPI 3.1, lint clean with Spectral, and agree with the handlers and the README."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from mock_server.app import check_handlers
from mock_server.fidelity import fidelity_tables, kit_table, kit_tests
from mock_server.handlers import registry
from mock_server.resources import spec_path
from mock_server.spec import Spec

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["ccs.yaml", "control.yaml", "softphone.yaml"])
def test_spec_is_valid_openapi(name: str) -> None:
    validate(yaml.safe_load(spec_path(name).read_text()))


def spectral_command() -> list[str]:
    local = ROOT / ".ci" / "node" / "node_modules" / ".bin" / "spectral"
    if local.exists():
        return [str(local)]
    if shutil.which("spectral"):
        return ["spectral"]
    if shutil.which("npx"):
        return ["npx", "--yes", "@stoplight/spectral-cli@6"]
    pytest.fail("Spectral needs Node.js and npm: `./scripts/test` installs them and Spectral")


@pytest.mark.parametrize("name", ["ccs.yaml", "control.yaml", "softphone.yaml"])
def test_spec_passes_spectral_oas_ruleset(name: str) -> None:
    result = subprocess.run([*spectral_command(), "lint", str(ROOT / "openapi" / name), "--ruleset",
                             str(ROOT / ".spectral.yaml"), "--fail-severity", "error"],
                            capture_output=True, text=True, timeout=300, cwd=ROOT, env=dict(os.environ))
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_operation_has_a_handler_and_fidelity() -> None:
    spec = Spec(spec_path())
    check_handlers(spec, registry())
    for item in spec.document["paths"].values():
        for operation in item.values():
            assert operation["x-fidelity"]["level"] in ("confirmed", "seen-in-client", "assumed")
            assert operation["x-fidelity"]["source"]


def test_app_refuses_to_start_when_spec_and_handlers_disagree() -> None:
    spec = Spec(spec_path())
    handlers = registry()
    handlers.pop("recordinginfo")
    handlers["reportsEverything"] = print
    with pytest.raises(RuntimeError, match="recordinginfo.*reportsEverything"):
        check_handlers(spec, handlers)


@pytest.mark.parametrize("change, message", [
    (lambda post: post["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]["properties"]
     .pop("cursor"), r"form fields differ from the GET's query parameters: \['cursor'\]"),
    (lambda post: post["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]["required"]
     .append("cursor"), r"\['cursor'\]"),
    (lambda post: post["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"].pop("anyOf"),
     r"the parameter rules"),
    (lambda post: post.update(operationId="reportsCDRLogs2"), r"operationId must be 'reportsCDRLogsPost'"),
    (lambda post: post["x-fidelity"].update(level="assumed"), r"carry its fidelity level"),
])
def test_a_post_must_bind_what_its_get_binds(tmp_path: Path, change, message) -> None:
    document = yaml.safe_load(spec_path().read_text())
    change(document["paths"]["/api/?function=reportsCDRLogs"]["post"])
    (tmp_path / "ccs.yaml").write_text(yaml.safe_dump(document))
    with pytest.raises(ValueError, match=message):
        Spec(tmp_path / "ccs.yaml")


def test_readme_fidelity_table_is_generated_from_the_spec() -> None:
    readme = (ROOT / "README.md").read_text()
    start, end = "<!-- fidelity:start -->\n", "\n<!-- fidelity:end -->"
    table = readme[readme.index(start) + len(start):readme.index(end)]
    assert table == fidelity_tables(), "run `ccs-mock fidelity` and paste it into the README"


def test_readme_kit_table_is_generated_from_the_kit() -> None:
    readme = (ROOT / "README.md").read_text()
    start, end = "<!-- kit:start -->\n", "\n<!-- kit:end -->"
    table = readme[readme.index(start) + len(start):readme.index(end)]
    assert table == kit_table(), "run `ccs-mock fidelity --kit` and paste it into the README"


def test_every_confirmed_and_seen_in_client_claim_has_a_kit_test() -> None:
    tested = kit_tests()
    untested = [item["id"] for _, tag in Spec(spec_path(), compile_operations=False).fidelity()
                for item in tag.get("claims", []) if item["level"] != "assumed" and item["id"] not in tested]
    assert not untested, f"claims a client can observe that no kit test names: {untested}"
