"""The spec is the only parameter list: each operation is served by the one domain method marked for it,
whose keywords are the operation's parameters; any disagreement stops start-up with a message that names
the spec file, the operation and the method."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest

from mock_server import create_app
from mock_server.domain.backend import Backend
from mock_server.domain.cdr import CdrQuery
from mock_server.domain.clock import parse_datetime
from mock_server.domain.vendor_functions import marked
from mock_server.spec import Spec, SpecMismatch, snake_case
from tests.conftest import DEMO, token_of
from tests.spec.edited import edited_spec

OPERATIONS = sorted(Spec.bundled().operations)
FORMAT = {"name": "format", "in": "query", "required": False, "description": "A new optional parameter.",
          "schema": {"type": "string"}}


def path_of(name: str) -> str:
    return f"/api/?function={name}"


def add_parameter(document: dict, name: str, parameter: dict) -> None:
    """``parameter`` on the function's GET, and as a field of its POST's form (a POST binds what its GET binds)."""
    item = document["paths"][path_of(name)]
    item["get"].setdefault("parameters", []).append(parameter)
    form = item["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    form["properties"][parameter["name"]] = parameter["schema"]


@pytest.mark.parametrize("name", OPERATIONS)
def test_an_optional_parameter_added_to_the_spec_stops_start_up_naming_both_sides(tmp_path: Path, name: str) -> None:
    """Never an app that starts and answers 500 (``got an unexpected keyword argument``) when called."""
    path = edited_spec(tmp_path, lambda document: add_parameter(document, name, FORMAT))
    with pytest.raises(SpecMismatch) as stopped:
        create_app(spec_file=path)
    message = str(stopped.value)
    assert str(path) in message
    assert (f"operation {name!r} and Backend.{snake_case(name)} differ: parameters only in the spec ['format'], "
            f"only in Backend.{snake_case(name)} []") in message


def test_a_parameter_the_method_takes_reaches_it_from_the_spec(tmp_path: Path) -> None:
    """The other way to agree: the method takes the new parameter, and routing hands it over."""
    spec = Spec.load(edited_spec(tmp_path, lambda document: add_parameter(document, "recordinginfo", FORMAT)))
    received = {}

    def recordinginfo(backend, tenant, *, app_token: str, callkey: str, format: str | None = None):
        received.update(app_token=app_token, callkey=callkey, format=format)
        return {"success": True}

    functions = [(name, recordinginfo if name == "recordinginfo" else method) for name, method in marked(Backend)]
    call = spec.vendor_calls(functions)["recordinginfo"]
    assert call.function(None, None, **call.arguments({"app_token": "t", "callkey": "k", "format": "mp3"})) == \
        {"success": True}
    assert received == {"app_token": "t", "callkey": "k", "format": "mp3"}


def test_an_operation_without_a_method_stops_start_up(tmp_path: Path) -> None:
    def add_operation(document: dict) -> None:
        item = copy.deepcopy(document["paths"][path_of("ping")])
        item["get"]["operationId"], item["post"]["operationId"] = "reportsEverything", "reportsEverythingPost"
        document["paths"][path_of("reportsEverything")] = item

    path = edited_spec(tmp_path, add_operation)
    with pytest.raises(SpecMismatch, match=r"operation 'reportsEverything' has no method: mark the domain method "
                                           r"'reports_everything' @vendor_function\('reportsEverything'\)"):
        create_app(spec_file=path)


def test_a_method_for_no_operation_stops_start_up(tmp_path: Path) -> None:
    path = edited_spec(tmp_path, lambda document: document["paths"].pop(path_of("recordinginfo")))
    with pytest.raises(SpecMismatch) as stopped:
        create_app(spec_file=path)
    assert str(path) in str(stopped.value)
    assert ("Backend.recordinginfo is marked @vendor_function('recordinginfo'), but the spec has no operation "
            "'recordinginfo'") in str(stopped.value)


def test_two_methods_for_one_operation_stop_start_up() -> None:
    with pytest.raises(SpecMismatch, match=r"Backend\.ping and Backend\.login are both marked "
                                           r"@vendor_function\('ping'\)"):
        Spec.bundled().vendor_calls(marked(Backend) + [("ping", Backend.login)])


def methods_with(name: str, method) -> list:
    return [(operation, method if operation == name else function) for operation, function in marked(Backend)]


def ping(backend, tenant, app_token):  # by position
    raise AssertionError("never called")


def ping_defaulted(backend, tenant, *, app_token="x"):
    raise AssertionError("never called")


def reports_agent_perf(backend, tenant, *, app_token, startdate=None, finishdate=None, agent=None, email=None,
                       agentcustomid=None, team="Sales"):
    raise AssertionError("never called")


def reports_cdr_logs(backend, tenant, *, app_token, query: CdrQuery, cursor=None, include_call_history=False,
                     include_csat=False):  # include_call_tags forgotten
    raise AssertionError("never called")


@pytest.mark.parametrize("name, method, problem", [
    ("ping", ping, "ping takes 'app_token' positional or keyword; every parameter after the tenant is keyword-only"),
    ("ping", ping_defaulted, "'app_token' of 'ping' is required in the spec, but ping_defaulted gives it a default"),
    ("ping", ping_defaulted, "ping_defaulted serves 'ping'; name it 'ping' (one name through every layer)"),
    ("reportsAgentPerf", reports_agent_perf,
     "reports_agent_perf defaults 'team' to 'Sales'; the spec's default is None"),
    ("reportsCDRLogs", reports_cdr_logs, "operation 'reportsCDRLogs' and reports_cdr_logs differ: parameters only "
                                         "in the spec ['include_call_tags'], only in reports_cdr_logs []"),
])
def test_a_method_whose_keywords_are_not_the_operations_parameters_stops_start_up(name, method, problem) -> None:
    with pytest.raises(SpecMismatch) as stopped:
        Spec.bundled().vendor_calls(methods_with(name, method))
    assert problem in str(stopped.value)


def test_a_dataclass_keyword_gets_the_spec_parameters_that_are_its_fields() -> None:
    fake = create_app().extensions["ccs"]
    call = fake.functions["reportsCDRLogs"]
    arguments = call.arguments({"app_token": "t", "startdate": "2026-01-01 00:00:00",
                                "finishdate": "2026-01-02 00:00:00", "sorting": "asc", "include_csat": "true"})
    assert arguments["query"] == CdrQuery(parse_datetime("2026-01-01 00:00:00"), parse_datetime("2026-01-02 00:00:00"),
                                          sorting="asc")
    assert (arguments["cursor"], arguments["include_csat"], arguments["include_call_history"]) == (None, True, False)
    body = call.function(fake.backend, fake.backend.tenants.get(DEMO), **dict(arguments, app_token=token_of(fake)))
    assert set(body) == {"CallList", "cursor"}


def test_serve_with_an_edited_spec_stops_with_the_message_and_no_traceback(tmp_path: Path, monkeypatch) -> None:
    """``ccs-mock serve`` on a source tree whose spec gained a parameter: exit 1 and the mismatch, not a traceback."""
    from click.testing import CliRunner

    from mock_server import app as composition
    from mock_server.cli import main

    path = edited_spec(tmp_path, lambda document: add_parameter(document, "recordinginfo", FORMAT))
    monkeypatch.setattr(composition, "spec_path", lambda: path)
    result = CliRunner().invoke(main, ["serve", "--port", "0"])
    assert result.exit_code == 1
    assert "operation 'recordinginfo' and Backend.recordinginfo differ" in result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, SpecMismatch)
