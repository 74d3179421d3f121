"""Golden files for each stage over the embedded registry: parse, classify, render."""

from __future__ import annotations

import dataclasses
import json
from enum import Enum
from pathlib import Path
from typing import Any

import pytest

from layerflow.adapters.application import load
from layerflow.adapters.cli import main
from layerflow.adapters.load import Sources
from layerflow.audit.analysis import analyse
from layerflow.render.report import render_report
from tests.goldens import compare_check_json


def plain(value: Any) -> Any:
    """Model values as JSON-able data, deterministic."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value) if not f.name.startswith("_")}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


@pytest.fixture
def loaded(root: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(root)
    return load(Sources())


def test_parse_stage(loaded, golden) -> None:  # type: ignore[no-untyped-def]
    assert not loaded.errors
    golden("stages/registry.json", plain(loaded.inputs.registry))
    golden("stages/changes.json", plain(loaded.inputs.changes))
    golden("stages/inventory.json", plain(loaded.inputs.inventory))


def test_classify_stage(loaded, golden) -> None:  # type: ignore[no-untyped-def]
    analysis = analyse(loaded.inputs, loaded.problems)
    golden("stages/flows.json", plain(analysis.flows))
    golden("stages/gaps.json", plain(analysis.gaps))


def test_report_stage(loaded, golden) -> None:  # type: ignore[no-untyped-def]
    golden("stages/report.md", render_report(analyse(loaded.inputs, loaded.problems)))


@pytest.mark.parametrize("fmt", ["json", "sarif", "text"])
def test_cli_outputs(fmt: str, root: Path, monkeypatch: pytest.MonkeyPatch, capsys, golden) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(root)
    assert main(["check", "--format", fmt]) == 1
    out = capsys.readouterr().out
    if fmt == "json":
        compare_check_json("cli/check", out)  # a golden file per stage: the head, signals, flows, findings...
    else:
        golden(f"cli/check.{fmt}", out)


def test_sarif_is_valid_sarif_shape(root: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(root)
    main(["check", "--format", "sarif"])
    sarif = json.loads(capsys.readouterr().out)
    run = sarif["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in {"error", "warning", "note"}
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]


def test_observe_exits_zero(root: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(root)
    assert main(["check", "--observe"]) == 0
    assert "observe mode" in capsys.readouterr().out


def test_same_inputs_same_bytes(root: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(root)
    main(["report"])
    first = capsys.readouterr().out
    main(["report"])
    assert capsys.readouterr().out == first


def test_published_schema_is_the_one_the_parser_uses(root: Path) -> None:
    """docs/schemas/ publishes the inventory format on the site; it must not drift from the package's copy."""
    package = (root / "gen/layerflow/schemas/producers.schema.json").read_bytes()
    assert (root / "docs/schemas/producers.schema.json").read_bytes() == package
