"""The vendor spec, loaded once and compiled into one parameter binder per function.

Parameter names, required flags, formats, enums and defaults live only in
``openapi/ccs.yaml``; this module turns them into ``Operation.bind(query) -> kwargs``.
Custom formats: ``ccs-datetime`` -> datetime, ``ccs-date`` -> date, ``ccs-flag`` -> bool
(true for ``1``/``on``/``true``).

Each function's path (``/api/?function=NAME``) has a ``get`` operation (operationId ``NAME``: its query
parameters) and a ``post`` one (``NAMEPost``: the same fields as a form body). Both bind the same
parameters; loading refuses a spec where they differ, so the binder of the GET serves both methods.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import yaml
from jsonschema import Draft202012Validator

from mock_server.domain.clock import parse_date, parse_datetime
from mock_server.domain.errors import InvalidParameter, MissingParameter

TRUTHY_FLAGS = frozenset({"1", "on", "true"})
_CONVERTERS: dict[str, tuple[Callable[[str], Any], str]] = {
    "ccs-datetime": (parse_datetime, "a date and time as YYYY-MM-DD HH:MM:SS"),
    "ccs-date": (parse_date, "a date as YYYY-MM-DD"),
    "ccs-flag": (lambda value: value in TRUTHY_FLAGS, "a flag"),
}


def resolve_refs(node: Any, root: dict) -> Any:
    """Inline every local ``$ref`` (the spec has no recursive schemas)."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = root
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            merged = dict(resolve_refs(target, root))
            merged.update({k: resolve_refs(v, root) for k, v in node.items() if k != "$ref"})
            return merged
        return {key: resolve_refs(value, root) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve_refs(item, root) for item in node]
    return node


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
        """Validate a request's parameters against the spec and convert them to handler kwargs.

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


class Spec:
    """The loaded vendor spec: its document, and its operations by function name."""

    def __init__(self, path: Path, compile_operations: bool = True):
        self.path = path
        self.document: dict = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.operations: dict[str, Operation] = {op.name: op for op in self._compile()} if compile_operations else {}

    def _compile(self) -> Iterator[Operation]:
        for path_key, item in self.document["paths"].items():
            name = function_name(path_key)
            get = resolve_refs(item["get"], self.document)
            if get["operationId"] != name:
                raise ValueError(f"{path_key}: the GET's operationId must be the function's name, {name!r}")
            fields = {p["name"]: (bool(p.get("required")), p["schema"])
                      for p in get.get("parameters", []) if p["in"] == "query"}
            rules = get.get("x-ccs-parameter-rules", {}).get("anyOf")
            if "post" in item:
                _check_post(path_key, resolve_refs(item["post"], self.document), get, fields, rules)
            parameters = tuple(Parameter(field, required, schema, Draft202012Validator(_without_format(schema)))
                               for field, (required, schema) in fields.items())
            yield Operation(name, parameters, Draft202012Validator({"anyOf": rules}) if rules else None)

    def fidelity(self) -> Iterator[tuple[str, dict]]:
        """Every ``x-fidelity`` node with the JSON pointer where it stands."""
        yield from fidelity_tags(self.document)


def function_name(path_key: str) -> str:
    """``/api/?function=NAME`` -> ``NAME``."""
    return path_key.split("function=", 1)[1]


def form_schema(operation: dict) -> dict:
    """The form body of a (resolved) POST operation."""
    return operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]


def _check_post(path_key: str, post: dict, get: dict, fields: dict[str, tuple[bool, dict]],
                rules: list | None) -> None:
    """A POST binds the same parameters as its GET (the same names, required flags, schemas and rules),
    answers the same, and is as faithful as its GET."""
    name = function_name(path_key)
    if post["operationId"] != f"{name}Post":
        raise ValueError(f"{path_key}: the POST's operationId must be {name + 'Post'!r}")
    if post["responses"] != get["responses"] or post["x-fidelity"]["level"] != get["x-fidelity"]["level"]:
        raise ValueError(f"{path_key}: the POST must answer as its GET and carry its fidelity level")
    form = form_schema(post)
    required = set(form.get("required", []))
    posted = {field: (field in required, schema) for field, schema in form["properties"].items()}
    if posted != fields or form.get("anyOf") != rules:
        differ = sorted(f for f in set(posted) | set(fields) if posted.get(f) != fields.get(f))
        raise ValueError(f"{path_key}: the POST's form fields differ from the GET's query parameters: "
                         f"{differ or 'the parameter rules (anyOf)'}")


def fidelity_tags(node: Any, pointer: str = "") -> Iterator[tuple[str, dict]]:
    """Every ``x-fidelity`` tag inside ``node`` (a document or a resolved schema), with its JSON pointer."""
    if isinstance(node, dict):
        if "x-fidelity" in node:
            yield pointer, node["x-fidelity"]
        for key, value in node.items():
            if key != "x-fidelity":
                yield from fidelity_tags(value, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from fidelity_tags(value, f"{pointer}/{index}")


def _without_format(schema: dict) -> dict:
    """Formats are converted (and their errors reported) by ``Parameter.convert``."""
    schema = copy.deepcopy(schema)
    schema.pop("format", None)
    return schema
