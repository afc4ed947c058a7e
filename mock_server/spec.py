"""The specs (``openapi/*.yaml``): each parsed once per process, and the one way into them.

``Spec.load(path)`` parses a file with libyaml's C loader (PyYAML's Python loader where libyaml is
missing) and keeps it for the process, keyed by the file's resolved path, modification time and size.
The document is shared: read it, compile from it, never write into it. Every ``$ref`` resolves through
one ``referencing`` registry (``Spec.resolve``), and validators are built on that registry, so jsonschema
follows references itself.

For the vendor spec (``openapi/ccs.yaml``) it also compiles one parameter binder per function
(``Spec.operations``): parameter names, required flags, formats, enums and defaults live only there.
Custom formats: ``ccs-datetime`` -> datetime, ``ccs-date`` -> date, ``ccs-flag`` -> bool (true for
``1``/``on``/``true``). Each function's path (``/api/?function=NAME``) has a ``get`` operation
(operationId ``NAME``: its query parameters) and a ``post`` one (``NAMEPost``: the same fields as a form
body); loading refuses a spec where they differ, so the binder of the GET serves both methods.
``Spec.vendor_calls`` ties each operation to the one domain method marked for it, and refuses when
their parameters differ.
"""
from __future__ import annotations

import dataclasses
import inspect
import re
import typing
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from mock_server.domain.clock import parse_date, parse_datetime
from mock_server.domain.errors import InvalidParameter, MissingParameter
from mock_server.resources import spec_path

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
ERROR_BODY = "#/components/schemas/ErrorBody"
TRUTHY_FLAGS = frozenset({"1", "on", "true"})
_CONVERTERS: dict[str, tuple[Callable[[str], Any], str]] = {
    "ccs-datetime": (parse_datetime, "a date and time as YYYY-MM-DD HH:MM:SS"),
    "ccs-date": (parse_date, "a date as YYYY-MM-DD"),
    "ccs-flag": (lambda value: value in TRUTHY_FLAGS, "a flag"),
}


def is_error_body(body: Any) -> bool:
    """The vendor's error envelope (``ErrorBody``): ``success: false`` or ``login: false`` (facts §1.8, §6.7)."""
    return isinstance(body, dict) and (body.get("success") is False or body.get("login") is False)


@dataclass(frozen=True)
class Parameter:
    name: str
    required: bool
    schema: dict
    validator: Draft202012Validator

    def expected(self) -> str:
        fmt = self.schema.get("format")
        if "enum" in self.schema:
            return "one of " + ", ".join(f"'{value}'" for value in self.schema["enum"])
        if fmt in _CONVERTERS:
            return _CONVERTERS[fmt][1]
        return "a non-empty string"

    def convert(self, raw: str | None) -> Any:
        if raw is None:
            raw = self.schema.get("default")
            if raw is None:
                return None
        fmt = self.schema.get("format")
        if fmt not in _CONVERTERS:
            return raw
        try:
            return _CONVERTERS[fmt][0](raw)
        except ValueError:
            raise InvalidParameter(self.name, self.expected()) from None


@dataclass(frozen=True)
class Operation:
    name: str  # the vendor's function name = operationId
    parameters: tuple[Parameter, ...]
    rules: Draft202012Validator | None

    def bind(self, query: Mapping[str, str]) -> dict[str, Any]:
        """Validate a request's parameters against the spec and convert them, one value per parameter.

        Empty values count as absent; unknown parameters are ignored (both assumed, see the spec).
        """
        present = {p.name: query[p.name] for p in self.parameters if query.get(p.name, "") != ""}
        for parameter in self.parameters:
            if parameter.name not in present:
                if parameter.required:
                    raise MissingParameter(parameter.name)
            elif not parameter.validator.is_valid(present[parameter.name]):
                raise InvalidParameter(parameter.name, parameter.expected())
        if self.rules is not None and not self.rules.is_valid(present):
            first_branch = self.rules.schema["anyOf"][0]["required"]
            raise MissingParameter(next(name for name in first_branch if name not in present))
        return {p.name: p.convert(present.get(p.name)) for p in self.parameters}


@dataclass(frozen=True)
class VendorCall:
    """One operation and the domain method that serves it: ``function(backend, tenant, **arguments(params))``."""

    operation: Operation
    function: Callable[..., Any]
    objects: tuple[tuple[str, type, tuple[str, ...]], ...] = ()  # (keyword, dataclass, its fields)

    def arguments(self, params: Mapping[str, str]) -> dict[str, Any]:
        """The validated parameters as the method's keywords; a dataclass keyword gets its fields' values."""
        kwargs = self.operation.bind(params)
        for keyword, cls, fields in self.objects:
            kwargs[keyword] = cls(**{field: kwargs.pop(field) for field in fields})
        return kwargs


class Spec:
    """One parsed spec: its document, references, validators and ``x-fidelity`` tags; for the vendor spec,
    its parameter binders (``operations``) and the check of the domain methods against them."""

    def __init__(self, path: Path, document: dict):
        self.path = path
        self.document = document
        self.uri = path.as_uri()
        self.registry = Registry().with_resource(self.uri, DRAFT202012.create_resource(document))
        self._resolver = self.registry.resolver(base_uri=self.uri)
        self._validators: dict[tuple[str, ...], Draft202012Validator] = {}

    @classmethod
    def load(cls, path: Path | str) -> Spec:
        """The spec at ``path``, parsed once per process (a changed file is parsed again)."""
        path = Path(path).resolve()
        stat = path.stat()
        return _load(path, stat.st_mtime_ns, stat.st_size)

    @classmethod
    def bundled(cls, name: str = "ccs.yaml") -> Spec:
        """A spec shipped with the package: ``ccs.yaml``, ``control.yaml`` or ``softphone.yaml``."""
        return cls.load(spec_path(name))

    # -- references ---------------------------------------------------------------------------------
    def resolve(self, ref: str) -> Any:
        """The node a ``$ref`` of this document names (``#/components/schemas/ErrorBody``)."""
        return self._resolver.lookup(ref).contents

    def follow(self, ref: str) -> tuple[str, Any]:
        """The node at ``ref`` and where it really stands: a node that is itself a ``$ref`` is followed."""
        return self._through(ref, self.resolve(ref))

    def deref(self, node: Any) -> Any:
        """``node``, or the node it names when it is a ``$ref``."""
        return self._through("", node)[1]

    def _through(self, ref: str, node: Any) -> tuple[str, Any]:
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            node = self.resolve(ref)
        return ref, node

    def locate(self, *keys: str | int) -> tuple[str, Any]:
        """The node reached from the document's root by ``keys``, following every ``$ref`` on the way, and
        the reference to where it stands (``locate("paths", "/api/?function=ping", "get")``)."""
        ref, node = "#", self.document
        for key in keys:
            ref, node = self._through(f"{ref}/{escape(key)}", node[key])
        return ref, node

    def schema(self, *refs: str) -> dict:
        """A schema of the node at ``ref`` (of any of ``refs``) for a validator built on ``registry``: the node
        itself when it holds no reference, else a ``$ref`` to it that the validator resolves."""
        located = [self.follow(ref) for ref in refs]
        if len(located) == 1 and not _has_refs(located[0][1]):
            return located[0][1]
        branches = [{"$ref": self.uri + ref} for ref, _ in located]
        return branches[0] if len(branches) == 1 else {"anyOf": branches}

    def validator(self, *refs: str) -> Draft202012Validator:
        """A validator of ``schema(*refs)``, compiled once per spec."""
        if refs not in self._validators:
            self._validators[refs] = Draft202012Validator(self.schema(*refs), registry=self.registry)
        return self._validators[refs]

    # -- operations -----------------------------------------------------------------------------------
    def http_operations(self) -> Iterator[tuple[str, str, dict]]:
        """(path, method, operation) for every operation under ``paths``."""
        for path_key, item in self.document.get("paths", {}).items():
            for method in HTTP_METHODS:
                if method in item:
                    yield path_key, method, self.locate("paths", path_key, method)[1]

    def operation(self, operation_id: str) -> tuple[str, str, dict]:
        """(path, method, operation) of the operation ``operation_id``."""
        for path_key, method, operation in self.http_operations():
            if operation.get("operationId") == operation_id:
                return path_key, method, operation
        raise KeyError(f"{self.path.name} has no operation {operation_id!r}")

    def response_schema(self, operation_id: str, status: str = "200", media: str = "application/json") -> str:
        """The reference to the schema of an operation's answer."""
        path_key, method, _ = self.operation(operation_id)
        return self.locate("paths", path_key, method, "responses", status, "content", media, "schema")[0]

    def request_body_schema(self, operation_id: str, media: str = "application/json") -> str | None:
        """The reference to the schema of an operation's request body, or None when it takes none."""
        path_key, method, operation = self.operation(operation_id)
        if "requestBody" not in operation or media not in self.locate(
                "paths", path_key, method, "requestBody", "content")[1]:
            return None
        return self.locate("paths", path_key, method, "requestBody", "content", media, "schema")[0]

    def branches(self, ref: str) -> list[str]:
        """The ``anyOf`` branches of the schema at ``ref`` (the success and the error shapes of an answer),
        or the schema itself."""
        ref, node = self.follow(ref)
        return [f"{ref}/anyOf/{index}" for index in range(len(node["anyOf"]))] if "anyOf" in node else [ref]

    def is_error_schema(self, ref: str) -> bool:
        return self.follow(ref)[0] == ERROR_BODY

    # -- fidelity -------------------------------------------------------------------------------------
    def fidelity(self) -> Iterator[tuple[str, dict]]:
        """Every ``x-fidelity`` node of the document with the JSON pointer where it stands."""
        yield from _tags(self.document, "")

    def fidelity_in(self, ref: str) -> Iterator[dict]:
        """Every ``x-fidelity`` tag of the schema at ``ref``, following its references (each once)."""
        seen: set[str] = set()

        def walk(node: Any) -> Iterator[dict]:
            if isinstance(node, dict):
                if "$ref" in node:
                    target, resolved = self.follow(node["$ref"])
                    if target not in seen:
                        seen.add(target)
                        yield from walk(resolved)
                    return
                if "x-fidelity" in node:
                    yield node["x-fidelity"]
                for key, value in node.items():
                    if key != "x-fidelity":
                        yield from walk(value)
            elif isinstance(node, list):
                for value in node:
                    yield from walk(value)

        yield from walk(self.follow(ref)[1])

    # -- the vendor spec: binders, and the domain methods that serve them ----------------------------
    @cached_property
    def operations(self) -> dict[str, Operation]:
        """The vendor functions' parameter binders, by function name (operationId of the GET)."""
        return {operation.name: operation for operation in self._compile()}

    def _compile(self) -> Iterator[Operation]:
        for path_key, item in self.document["paths"].items():
            name = function_name(path_key)
            get = self.locate("paths", path_key, "get")[1]
            if get["operationId"] != name:
                raise ValueError(f"{path_key}: the GET's operationId must be the function's name, {name!r}")
            fields: dict[str, tuple[bool, dict, str]] = {}
            for index in range(len(get.get("parameters", []))):
                ref, parameter = self.locate("paths", path_key, "get", "parameters", index)
                if parameter["in"] == "query":
                    schema_ref, schema = self.follow(f"{ref}/schema")
                    fields[parameter["name"]] = (bool(parameter.get("required")), schema, schema_ref)
            rules = get.get("x-ccs-parameter-rules", {}).get("anyOf")
            if "post" in item:
                self._check_post(path_key, get, fields, rules)
            parameters = tuple(Parameter(field, required, schema, self.validator(ref))
                               for field, (required, schema, ref) in fields.items())
            yield Operation(name, parameters, Draft202012Validator({"anyOf": rules}) if rules else None)

    def _check_post(self, path_key: str, get: dict, fields: dict[str, tuple[bool, dict, str]],
                    rules: list | None) -> None:
        """A POST binds the same parameters as its GET (the same names, required flags, schemas and rules),
        answers the same, and is as faithful as its GET."""
        name = function_name(path_key)
        post = self.locate("paths", path_key, "post")[1]
        if post["operationId"] != f"{name}Post":
            raise ValueError(f"{path_key}: the POST's operationId must be {name + 'Post'!r}")
        if post["responses"] != get["responses"] or post["x-fidelity"]["level"] != get["x-fidelity"]["level"]:
            raise ValueError(f"{path_key}: the POST must answer as its GET and carry its fidelity level")
        form_ref, form = self.locate("paths", path_key, "post", "requestBody", "content",
                                     "application/x-www-form-urlencoded", "schema")
        required = set(form.get("required", []))
        posted = {field: (field in required, self.follow(f"{form_ref}/properties/{escape(field)}")[1])
                  for field in form["properties"]}
        given = {field: (required_, schema) for field, (required_, schema, _) in fields.items()}
        if posted != given or form.get("anyOf") != rules:
            differ = sorted(f for f in set(posted) | set(given) if posted.get(f) != given.get(f))
            raise ValueError(f"{path_key}: the POST's form fields differ from the GET's query parameters: "
                             f"{differ or 'the parameter rules (anyOf)'}")

    def vendor_calls(self, functions: Iterable[tuple[str, Callable]]) -> dict[str, VendorCall]:
        """Tie each operation to the one method marked for it (``domain.vendor_functions``). Raises
        ``SpecMismatch`` naming every disagreement: an operation without a method, a method for no
        operation, two methods for one, or a method whose keywords are not the operation's parameters."""
        problems: list[str] = []
        chosen: dict[str, Callable] = {}
        for operation_id, function in functions:
            if operation_id in chosen:
                problems.append(f"{_label(chosen[operation_id])} and {_label(function)} are both marked "
                                f"@vendor_function({operation_id!r}); an operation has one method")
            elif operation_id not in self.operations:
                problems.append(f"{_label(function)} is marked @vendor_function({operation_id!r}), but the spec "
                                f"has no operation {operation_id!r}")
            else:
                chosen[operation_id] = function
        calls = {}
        for name, operation in self.operations.items():
            if name not in chosen:
                problems.append(f"operation {name!r} has no method: mark the domain method {snake_case(name)!r} "
                                f"@vendor_function({name!r})")
                continue
            found, call = _signature_problems(operation, chosen[name])
            problems += found
            calls[name] = call
        if problems:
            raise SpecMismatch(f"the spec {self.path} and the vendor functions disagree (each operation needs one "
                               "@vendor_function method whose keyword-only parameters are the operation's):\n"
                               + "\n".join(f"  - {problem}" for problem in problems))
        return calls


class SpecMismatch(RuntimeError):
    """The spec and the domain methods that serve it disagree (start-up stops)."""


@lru_cache(maxsize=32)  # the bundled specs, and a few edited copies at a time (tests)
def _load(path: Path, mtime_ns: int, size: int) -> Spec:
    return Spec(path, yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER))


def _signature_problems(operation: Operation, function: Callable) -> tuple[list[str], VendorCall]:
    """How a method's signature differs from its operation: it takes its instance and the tenant, then
    keyword-only parameters named as the spec's (a dataclass-typed one stands for its fields), without a
    default for a required one and with the spec's default for an optional one."""
    label, name = _label(function), operation.name
    problems, defaults, objects = _keywords(function)
    if function.__name__ != snake_case(name):
        problems.append(f"{label} serves {name!r}; name it {snake_case(name)!r} (one name through every layer)")
    in_spec = [p.name for p in operation.parameters]
    only_spec = [p for p in in_spec if p not in defaults]
    only_code = [p for p in defaults if p not in in_spec]
    if only_spec or only_code:
        problems.append(f"operation {name!r} and {label} differ: parameters only in the spec {only_spec}, "
                        f"only in {label} {only_code}")
    for parameter in operation.parameters:
        default = defaults.get(parameter.name, dataclasses.MISSING)
        if default is dataclasses.MISSING:
            continue
        if parameter.required:
            problems.append(f"{parameter.name!r} of {name!r} is required in the spec, but {label} gives it a "
                            "default")
        elif default != parameter.convert(None):
            problems.append(f"{label} defaults {parameter.name!r} to {default!r}; the spec's default is "
                            f"{parameter.convert(None)!r}")
    return problems, VendorCall(operation, function, tuple(objects))


def _keywords(function: Callable) -> tuple[list[str], dict[str, Any], list[tuple[str, type, tuple[str, ...]]]]:
    """A method's problems of form, the spec parameters it takes with their defaults (``MISSING``: none), and
    its dataclass keywords with their fields."""
    label, problems = _label(function), []
    signature = list(inspect.signature(function).parameters.values())
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if [p.kind in positional for p in signature[:2]] != [True, True]:
        problems.append(f"{label} must take its instance and the tenant first, by position")
    try:
        hints = typing.get_type_hints(function)
    except (NameError, TypeError) as error:
        hints = {}
        problems.append(f"{label}'s annotations do not resolve: {error}")
    defaults: dict[str, Any] = {}
    objects = []
    for parameter in signature[2:]:
        if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            problems.append(f"{label} takes {parameter.name!r} {parameter.kind.description}; every parameter "
                            "after the tenant is keyword-only (after `*`)")
        hint = hints.get(parameter.name)
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            fields = [f for f in dataclasses.fields(hint) if f.init]
            objects.append((parameter.name, hint, tuple(f.name for f in fields)))
            defaults.update({f.name: f.default for f in fields})
        else:
            default = parameter.default
            defaults[parameter.name] = dataclasses.MISSING if default is inspect.Parameter.empty else default
    return problems, defaults, objects


def _label(function: Callable) -> str:
    return getattr(function, "__qualname__", repr(function))


def snake_case(operation_id: str) -> str:
    """``reportsCDRLogs`` -> ``reports_cdr_logs``: the domain method's name for an operation."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", operation_id).lower()


def function_name(path_key: str) -> str:
    """``/api/?function=NAME`` -> ``NAME``."""
    return path_key.split("function=", 1)[1]


def escape(key: str | int) -> str:
    """One JSON pointer segment."""
    return str(key).replace("~", "~0").replace("/", "~1")


def _tags(node: Any, pointer: str) -> Iterator[tuple[str, dict]]:
    if isinstance(node, dict):
        if "x-fidelity" in node:
            yield pointer, node["x-fidelity"]
        for key, value in node.items():
            if key != "x-fidelity":
                yield from _tags(value, f"{pointer}/{escape(key)}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _tags(value, f"{pointer}/{index}")


def _has_refs(node: Any) -> bool:
    if isinstance(node, dict):
        return "$ref" in node or any(_has_refs(value) for value in node.values())
    if isinstance(node, list):
        return any(_has_refs(value) for value in node)
    return False
