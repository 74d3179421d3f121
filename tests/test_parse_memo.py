"""adapters/parse_memo.py: a load gives back the last load's parse of an unchanged text, and only that."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from layerflow.adapters import application
from layerflow.adapters.application import load_and_analyse
from layerflow.adapters.load import Sources
from layerflow.adapters.parse_memo import ParseMemo
from layerflow.audit.classify import FlowMemo, classify_all
from layerflow.parse.registry import SignalRows, parse_registry
from layerflow.parse.rules import parse_rules

ROOT = Path(__file__).resolve().parent.parent


def test_an_unchanged_text_is_not_parsed_again_and_a_changed_one_is() -> None:
    calls: list[str] = []

    def parse(path: str, text: str) -> tuple[str, str]:
        calls.append(text)
        return (path, text)

    memo = ParseMemo()
    memo.start()
    first = memo.parsed("rules", parse, "a.yaml", "x: 1")
    memo.start()
    assert memo.parsed("rules", parse, "a.yaml", "x: 1") is first
    assert memo.parsed("inventory", parse, "a.yaml", "x: 1") == ("a.yaml", "x: 1")  # another kind: parsed
    memo.start()
    assert memo.parsed("rules", parse, "a.yaml", "x: 2") == ("a.yaml", "x: 2")
    assert calls == ["x: 1", "x: 1", "x: 2"]


def test_a_load_forgets_what_it_did_not_ask_for() -> None:
    memo = ParseMemo()
    memo.start()
    memo.parsed("rules", lambda p, t: [t], "a.yaml", "x")
    memo.start()  # a load of another project: a.yaml is not asked for
    memo.parsed("rules", lambda p, t: [t], "b.yaml", "y")
    memo.start()
    again = memo.parsed("rules", lambda p, t: ["parsed again"], "a.yaml", "x")
    assert again == ["parsed again"]


def test_loads_with_an_edit_between_are_what_a_fresh_load_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The embedded project with its code and ops evidence, loaded, edited (a registry row, a Python file,
    a unit), loaded again: the analysis equals one made with the memo emptied."""
    work = tmp_path / "registry"
    shutil.copytree(ROOT / "registry", work)
    code, ops = work / "example", work / "example/scripts/ops/systemd"
    sources = Sources(base=str(work), code=(str(code),), ops=(str(ops),))
    first, _ = load_and_analyse(sources, again=True)
    assert first is not None
    registry = work / "SIGNAL_REGISTRY_PYTHON_BASELINE.md"
    text = registry.read_text(encoding="utf-8")
    assert "| SIG-003 | StepTrace |" in text
    registry.write_text(text.replace("| SIG-003 | StepTrace |", "| SIG-003 | StepRecord |", 1), encoding="utf-8")
    complete = work / "SIGNAL_REGISTRY_COMPLETE.md"  # SIG-015 is in an L7 flow; SIG-003 in none
    text = complete.read_text(encoding="utf-8")
    assert "| SIG-015 | CostSimCanaryReport |" in text
    complete.write_text(text.replace("| SIG-015 | CostSimCanaryReport |", "| SIG-015 | CostSimCanaryDigest |"), "utf-8")
    python = sorted(code.rglob("*.py"))[0]
    python.write_text(python.read_text(encoding="utf-8") + "\nEDITED = 1\n", encoding="utf-8")
    unit = sorted(p for p in ops.iterdir() if p.is_file())[0]
    unit.write_text(unit.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    memoised, problems = load_and_analyse(sources, again=True)
    monkeypatch.setattr(application, "_MEMO", ParseMemo())
    monkeypatch.setattr(application, "_ROWS", SignalRows())
    monkeypatch.setattr(application, "_FLOWS", FlowMemo())
    fresh, fresh_problems = load_and_analyse(sources)
    assert memoised == fresh
    assert problems == fresh_problems
    assert memoised != first
    assert next(s for s in memoised.inputs.registry.signals if s.uid == "SIG-003").name == "StepRecord"
    # Flows of untouched signals are the last analysis's objects; SIG-015's, and only those, were made again.
    last = {f.id: f for f in first.flows}
    remade = {f.id for f in memoised.flows if f is not last.get(f.id)}
    assert remade == {f.id for f in memoised.flows if "SIG-015" in f.signals}
    assert remade
    evidence = memoised.inputs.evidence
    assert evidence is not None and evidence.code is not None
    assert evidence.code.texts[str(python)].endswith("EDITED = 1\n")


# parse/registry.py SignalRows: a registry row's signal given back while the row and its table are unchanged.

_HEAD = "| UID | Signal | Producer | P-Layer | Consumer | C-Layer |\n|---|---|---|---|---|---|\n"
_ROWS_TEXT = (
    "# Registry\n\n### 2.1 Cost Signals\n\n" + _HEAD + "| SIG-1 | Spend | a.py | L7 | x.py, y.py | L6, L2, L4 |\n"
    "| SIG-2 | Budget | b.py | L7 | c.py (L6) | L6 |\n"
    "| SIG-1 | Spend | a.py | L7 | x.py, y.py | L6, L2, L4 |\n"
    "\n### 2.2 Risk Signals\n\n" + _HEAD + "| SIG-3 | Limit | r.py | L5 | NONE | — |\n"
)


def _parse(text: str, rows: SignalRows | None = None) -> tuple[object, tuple[object, ...]]:
    parsed = parse_registry([("registry.md", text)], rows)
    return parsed.value, parsed.problems


def test_rows_kept_from_the_last_parse_make_what_a_fresh_parse_makes() -> None:
    """Each edit below, parsed with the memo of the text before it, equals a parse without one: a changed
    cell, a row moved down a line, a table's columns swapped, a second definition made first, a domain
    renamed. The ambiguity warning of SIG-1 (three layers, two consumers) comes back with its kept row."""
    rows = SignalRows()
    texts = [
        _ROWS_TEXT,
        _ROWS_TEXT.replace("| Budget |", "| Allowance |"),
        _ROWS_TEXT.replace("# Registry\n", "# Registry\n\n"),  # every row one line further down
        _ROWS_TEXT.replace("| UID | Signal |", "| Signal | UID |", 1),  # the first table reads its cells otherwise
        _ROWS_TEXT.replace("| SIG-1 | Spend | a.py | L7 | x.py, y.py | L6, L2, L4 |\n| SIG-2", "| SIG-2", 1),
        _ROWS_TEXT.replace("Risk Signals", "Exposure Signals"),
        _ROWS_TEXT,
    ]
    for text in texts:
        kept = _parse(text, rows)
        assert kept == _parse(text), text
    warned = [p for p in kept[1] if "cannot pair" in str(p)]
    assert len(warned) == 1 and "SIG-1" in str(warned[0])


def test_an_unchanged_row_gives_back_the_same_signal_and_an_edited_row_a_new_one() -> None:
    rows = SignalRows()
    first = parse_registry([("registry.md", _ROWS_TEXT)], rows).value.by_uid()
    edited = _ROWS_TEXT.replace("| Budget |", "| Allowance |")
    second = parse_registry([("registry.md", edited)], rows).value.by_uid()
    assert second["SIG-3"] is first["SIG-3"]
    assert second["SIG-2"] is not first["SIG-2"] and second["SIG-2"].name == "Allowance"
    assert second["SIG-1"] == first["SIG-1"] and second["SIG-1"] is not first["SIG-1"]  # merged from two rows
    third = parse_registry([("other.md", edited)], rows).value.by_uid()  # another file: nothing kept
    assert third["SIG-3"] is not first["SIG-3"] and third["SIG-3"].location.path == "other.md"


def test_flows_are_made_again_when_the_rules_or_a_signal_they_read_change() -> None:
    registry = parse_registry([("registry.md", _ROWS_TEXT)]).value
    rules_text = (ROOT / "registry" / "auditor_rules.yaml").read_text(encoding="utf-8")
    rules = parse_rules("auditor_rules.yaml", rules_text).value
    memo = FlowMemo()
    first = classify_all(registry, None, rules, memo=memo)
    assert [f.signals for f in first] == [("SIG-1",), ("SIG-2",)]  # the L7 rows, no inventory
    again = classify_all(registry, None, rules, memo=memo)
    assert all(a is b for a, b in zip(first, again, strict=True))
    reread = parse_rules("auditor_rules.yaml", rules_text).value  # equal rules, another object: not trusted
    third = classify_all(registry, None, reread, memo=memo)
    assert third == first and all(a is not b for a, b in zip(first, third, strict=True))
    edited = parse_registry([("registry.md", _ROWS_TEXT.replace("| c.py (L6) | L6 |", "| NONE | — |"))]).value
    fourth = classify_all(edited, None, reread, memo=memo)
    assert fourth[0] is not third[0] and fourth[0] == third[0]  # SIG-1: a new Signal object, the same flow
    assert fourth[1] != third[1] and fourth[1] == classify_all(edited, None, reread)[1]
