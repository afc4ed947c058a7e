"""The README's fidelity tables, generated from the specs' ``x-fidelity`` tags, and the table of what the
contract kit checks (claim -> kit tests), generated from the kit's ``fidelity`` markers."""
from __future__ import annotations

import importlib
import pkgutil

from mock_server.spec import Spec

LEVELS = ("confirmed", "seen-in-client", "assumed")
DOCUMENTS = (("The vendor API (`openapi/ccs.yaml`)", "ccs.yaml"),
             ("The softphone page and its messages (`openapi/softphone.yaml`)", "softphone.yaml"))


def fidelity_rows(spec: Spec) -> list[tuple[str, str, str, str]]:
    """(where, level, claim, source) for every operation, parameter, field and assumption."""
    rows = []
    for pointer, tag in spec.fidelity():
        where = _describe(pointer)
        rows.append((where, tag["level"], tag.get("claim", ""), tag.get("source", "")))
        for item in tag.get("claims", []):
            rows.append((f"{where}: `{item['id']}`", item["level"], item["claim"], item["source"]))
    return rows


def _describe(pointer: str) -> str:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    if not parts:
        return "whole API"
    if parts[0] == "paths":
        name = parts[1].split("function=")[-1]
        rest = parts[3:]
        if "function=" in parts[1] and parts[2:3] == ["post"]:
            return f"`{name}` (POST)"
        if rest[:1] == ["parameters"]:
            return f"`{name}` parameter #{int(rest[1]) + 1}"
        if rest[:1] == ["callbacks"]:
            return f"`{name}` hangup POST"
        return f"`{name}`"
    if parts[0] == "webhooks":
        return f"webhook `{parts[1]}`"
    if parts[:2] == ["components", "parameters"]:
        return f"parameter `{parts[2]}`"
    if parts[:2] == ["components", "schemas"]:
        return f"`{parts[2]}`" + (f".`{parts[4]}`" if len(parts) > 4 else "")
    return "/".join(parts)


def fidelity_tables() -> str:
    """One table per bundled document, each under its title."""
    return "\n\n".join(f"#### {title}\n\n" + fidelity_table(Spec.bundled(name))
                       for title, name in DOCUMENTS)


def fidelity_table(spec: Spec) -> str:
    rows = fidelity_rows(spec)
    counts = {level: sum(1 for row in rows if row[1] == level) for level in LEVELS}
    lines = [f"{counts['confirmed']} confirmed, {counts['seen-in-client']} seen in client, "
             f"{counts['assumed']} assumed.", "",
             "| what | fidelity | claim | source |", "|---|---|---|---|"]
    for where, level, claim, source in rows:
        lines.append(f"| {where} | {level} | {claim.replace('|', '/')} | {source.replace('|', '/')} |")
    return "\n".join(lines)


def kit_tests() -> dict[str, list[str]]:
    """Claim or operation id -> the contract kit's tests that name it (needs the kit's dependencies)."""
    import contract_tests

    named: dict[str, list[str]] = {}
    for module_info in pkgutil.iter_modules(contract_tests.__path__):
        if not module_info.name.startswith("test_"):
            continue
        module = importlib.import_module(f"contract_tests.{module_info.name}")
        for name, function in sorted(vars(module).items()):
            if not name.startswith("test_") or not callable(function):
                continue
            for mark in getattr(function, "pytestmark", []):
                if mark.name == "fidelity":
                    for ident in mark.args:
                        named.setdefault(str(ident), []).append(f"{module_info.name}::{name}")
    return named


def kit_table() -> str:
    """Every claim of the vendor spec, with the kit tests that check it."""
    spec = Spec.bundled()
    tests = kit_tests()
    claims = [item for _, tag in spec.fidelity() for item in tag.get("claims", [])]
    covered = sum(1 for item in claims if item["id"] in tests)
    lines = [f"{covered} of {len(claims)} claims have a kit test (every confirmed and seen-in-client one).", "",
             "| claim | fidelity | source | kit tests |", "|---|---|---|---|"]
    for item in sorted(claims, key=lambda i: (LEVELS.index(i["level"]), i["id"])):
        names = ", ".join(f"`{t}`" for t in tests.get(item["id"], [])) or "not checked"
        lines.append(f"| `{item['id']}` | {item['level']} | {item['source'].replace('|', '/')} | {names} |")
    return "\n".join(lines)
