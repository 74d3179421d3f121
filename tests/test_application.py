"""The one use case: files are read once, parsed, validated and analysed; the plugin reads nothing again."""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import Any

import pytest

from layerflow.adapters import site_files
from layerflow.adapters.application import load, load_and_analyse
from layerflow.adapters.load import Sources, read_files

EXAMPLE_CODE = "registry/example"


def test_the_code_files_are_read_once_and_their_texts_handed_on(monkeypatch: pytest.MonkeyPatch) -> None:
    analysis, _ = load_and_analyse(Sources(code=(EXAMPLE_CODE,)))
    assert analysis is not None and analysis.inputs.evidence is not None
    code = analysis.inputs.evidence.code
    assert code is not None and code.files
    for evidence in code.files:
        assert code.texts[evidence.path] == Path(evidence.path).read_text(encoding="utf-8")

    def no_reading(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"read again: {args}")

    monkeypatch.setattr(builtins, "open", no_reading)
    monkeypatch.setattr(Path, "read_text", no_reading)
    monkeypatch.setattr(Path, "read_bytes", no_reading)
    pages = site_files.source_texts(analysis)  # what the plugin and `generate` hand the renderer
    assert pages, "the example's producers write: they get source pages"
    assert all(pages[path] == code.texts[path] for path in pages)


def test_reading_and_parsing_are_apart(tmp_path: Path) -> None:
    """read_files only reads: a file that is not a registry still comes back as text, and only parsing says so."""
    (tmp_path / "notes.md").write_text("# Notes\n\nNo table here.\n", encoding="utf-8")
    files = read_files(Sources(base=str(tmp_path), base_given=True))
    assert [t.text for t in files.registry] == ["# Notes\n\nNo table here.\n"]
    assert not files.problems
    loaded = load(Sources(base=str(tmp_path), base_given=True))
    assert [p.message.split(";")[0] for p in loaded.errors] == ["no signal table found"]
