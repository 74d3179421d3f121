"""adapters/parse_memo.py: a load gives back the last load's parse of an unchanged text, and only that."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from layerflow.adapters import application
from layerflow.adapters.application import load_and_analyse
from layerflow.adapters.load import Sources
from layerflow.adapters.parse_memo import ParseMemo

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
    first, _ = load_and_analyse(sources)
    assert first is not None
    registry = work / "SIGNAL_REGISTRY_PYTHON_BASELINE.md"
    text = registry.read_text(encoding="utf-8")
    assert "| SIG-003 | StepTrace |" in text
    registry.write_text(text.replace("| SIG-003 | StepTrace |", "| SIG-003 | StepRecord |", 1), encoding="utf-8")
    python = sorted(code.rglob("*.py"))[0]
    python.write_text(python.read_text(encoding="utf-8") + "\nEDITED = 1\n", encoding="utf-8")
    unit = sorted(p for p in ops.iterdir() if p.is_file())[0]
    unit.write_text(unit.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    memoised, problems = load_and_analyse(sources)
    monkeypatch.setattr(application, "_MEMO", ParseMemo())
    fresh, fresh_problems = load_and_analyse(sources)
    assert memoised == fresh
    assert problems == fresh_problems
    assert memoised != first
    assert next(s for s in memoised.inputs.registry.signals if s.uid == "SIG-003").name == "StepRecord"
    evidence = memoised.inputs.evidence
    assert evidence is not None and evidence.code is not None
    assert evidence.code.texts[str(python)].endswith("EDITED = 1\n")
