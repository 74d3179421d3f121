"""The gap ledger (registry/gaps.yaml): stable GAP ids for gap keys."""

from __future__ import annotations

import re

from layerflow.errors import Parsed, error
from layerflow.model import Ledger, LedgerEntry, Location, Problem
from layerflow.parse.yamlsrc import load_yaml

_ID = re.compile(r"^GAP-\d+$")


def parse_ledger(path: str, text: str) -> Parsed[Ledger]:
    loaded = load_yaml(path, text)
    if loaded.errors or loaded.value is None:
        return Parsed(Ledger(), loaded.problems)
    root = loaded.value
    gaps = root.get("gaps")
    if not root.is_map or gaps is None or not gaps.is_list:
        return Parsed(Ledger(), (error(path, root.line, "expected 'gaps:' with a list of {id, key, title}"),))
    problems: list[Problem] = []
    entries: list[LedgerEntry] = []
    ids: dict[str, int] = {}
    keys: dict[str, int] = {}
    for node in gaps.entries():
        gap_id = node.get("id")
        key = node.get("key")
        if not node.is_map or gap_id is None or key is None:
            problems.append(error(path, node.line, "each ledger entry needs 'id' and 'key'"))
            continue
        if not _ID.match(gap_id.text()):
            problems.append(error(path, gap_id.line, f"gap id {gap_id.text()!r} is not GAP-<digits>"))
            continue
        for seen, value, what in ((ids, gap_id.text(), "id"), (keys, key.text(), "key")):
            if value in seen:
                problems.append(error(path, node.line, f"{what} {value!r} is already used on line {seen[value]}"))
            seen.setdefault(value, node.line)
        title = node.get("title")
        entries.append(LedgerEntry(gap_id.text(), key.text(), title.text() if title else "", Location(path, node.line)))
    return Parsed(Ledger(tuple(entries)), loaded.problems + tuple(problems))
