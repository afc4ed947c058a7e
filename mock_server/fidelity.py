"""The README's fidelity tables, generated from the specs' ``x-fidelity`` tags."""
from __future__ import annotations

from mock_server.resources import spec_path
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
        for item in tag.get("assumptions", []):
            rows.append((f"{where}: `{item['id']}`", item["level"], item["claim"], item["source"]))
    return rows


def _describe(pointer: str) -> str:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    if not parts:
        return "whole API"
    if parts[0] == "paths":
        name = parts[1].split("function=")[-1]
        rest = parts[3:]
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
    return "\n\n".join(f"#### {title}\n\n" + fidelity_table(Spec(spec_path(name), compile_operations=False))
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
