"""The embedded registry reproduces the seed's hand-written analysis, computed, not typed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from layerflow.adapters.cli import main


@pytest.fixture
def report_json(root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    monkeypatch.chdir(root)
    code = main(["check", "--format", "json"])
    data: dict[str, object] = json.loads(capsys.readouterr().out)
    data["_exit"] = code
    return data


def test_counts_match_the_seed(report_json: dict) -> None:
    summary = report_json["summary"]
    assert summary["l7_producers"] == 8
    assert summary["flows"]["l7_l6"] == 5
    assert summary["flows"]["l7_l6_verified"] == 4
    assert summary["flows"]["l7_l6_deferred"] == 1
    assert summary["flows"]["l7_l7"] == 21
    assert summary["flows"]["l7_l7_by_category"] == {"lock": 5, "marker": 3, "checkpoint": 3, "service": 5, "table": 5}
    assert summary["flows"]["l7_l8"] == 1
    assert summary["flows"]["l7_both"] == 0
    assert summary["gaps"] == {"total": 3, "open": 2, "resolved": 1}


def test_gaps_match_the_seed(report_json: dict) -> None:
    gaps = {g["id"]: g for g in report_json["gaps"]}
    assert gaps["GAP-001"]["priority"] == "P1"
    assert gaps["GAP-001"]["status"] == "resolved"
    assert gaps["GAP-001"]["resolved_by"] == "RC-001"
    assert gaps["GAP-001"]["subject"] == "SIG-100"
    assert (gaps["GAP-002"]["priority"], gaps["GAP-002"]["status"], gaps["GAP-002"]["subject"]) == (
        "P2",
        "open",
        "Cost Snapshot Job",
    )
    assert (gaps["GAP-003"]["priority"], gaps["GAP-003"]["status"], gaps["GAP-003"]["subject"]) == (
        "P3",
        "open",
        "M10 Maintenance Orchestrator",
    )


def test_exit_code_is_warnings_only(report_json: dict) -> None:
    assert report_json["_exit"] == 1
    assert report_json["summary"]["exit_code"] == 1
    assert not [f for f in report_json["findings"] if f["severity"] == "blocking"]


def test_unverified_direct_flow_is_the_cost_snapshot(report_json: dict) -> None:
    direct = [f for f in report_json["flows"] if f["class"] == "l7_l6" and f["flow"] == "direct"]
    unverified = [f["producer"] for f in direct if f["status"] != "verified"]
    assert unverified == ["Cost Snapshot Job"]
    deferred = [f["producer"] for f in report_json["flows"] if f["flow"] == "deferred"]
    assert deferred == ["M10 Maintenance Orchestrator"]


def test_rc001_is_reflected_and_resolves_gap001(report_json: dict) -> None:
    changes = {c["id"]: c for c in report_json["changes"]}
    assert changes["RC-001"]["reflected"] is True
    assert changes["RC-001"]["resolves"] == ["GAP-001"]
    assert changes["RC-002"]["status"] == "PROPOSED"


def test_decision_path_is_recorded(report_json: dict) -> None:
    graduation = next(f for f in report_json["flows"] if f["producer"] == "Graduation Evaluator")
    assert [(d["node"], d["answer"]) for d in graduation["decision"]] == [
        ("q1_l7_only", False),
        ("q2_l7_to_l6", True),
        ("q3_l7_to_both", False),
    ]
    assert graduation["decision"][1]["question"] == "Output required by L6?"
