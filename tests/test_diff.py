"""`layerflow diff` and `check --new-since` on a git history built here, from the embedded registry.

The history (worked out by hand from registry/ and its rules):

1. "init": registry/ as shipped.
2. "edit": SIG-206 FailureCatalogMatch's persistence goes from
   `R2 + PostgreSQL (failure_matches)` to `In-memory`, and change record
   RC-003 (APPLIED, Field | Before | After) says so. SIG-206 is L7 with an L6
   consumer (failure_catalog.py, SIG-207) and the inventory's Failure
   Aggregation Job writes PostgreSQL + R2 for it, so this opens the P1 gap
   persistence-contradiction:SIG-206 (a blocking gap finding) and the blocking
   gate L7_TO_L6_NO_PERSISTENCE matches SIG-206 ("persistence=In-memory").
   Nothing else changes: the record is reflected, no drift.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from layerflow.adapters.cli import main

RECORD = """# Registry Change: SIG-206 FailureCatalogMatch

**Change ID:** RC-003
**Date:** 2026-02-01
**Status:** APPLIED
**Severity:** P2 (Semantic Integrity)

## Correction

| Field | Before | After |
|-------|--------|-------|
| Persistence | R2 + PostgreSQL (failure_matches) | In-memory |
"""
BEFORE = "| L6 | R2 + PostgreSQL (failure_matches) | indirect |"
AFTER = "| L6 | In-memory | indirect |"
NEW_BLOCKING = {"gap.persistence-contradiction", "gate.L7_TO_L6_NO_PERSISTENCE"}


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)


@pytest.fixture
def repo(tmp_path: Path, root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(root / "registry", tmp_path / "registry", ignore=shutil.ignore_patterns("example"))
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "init")
    complete = tmp_path / "registry" / "SIGNAL_REGISTRY_COMPLETE.md"
    text = complete.read_text(encoding="utf-8")
    assert text.count(BEFORE) == 1
    complete.write_text(text.replace(BEFORE, AFTER), encoding="utf-8")
    (tmp_path / "registry" / "REGISTRY_CHANGES" / "REGISTRY_CHANGE_SIG-206.md").write_text(RECORD, encoding="utf-8")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "edit")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _diff(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["diff", *args])
    return code, capsys.readouterr().out


def test_json_shows_the_field_change_the_gap_and_the_record(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _diff(capsys, "HEAD~1", "HEAD", "--format", "json")
    data = json.loads(out)
    assert code == 2 and data["exit_code"] == 2
    assert data["signals"] == {
        "added": [],
        "removed": [],
        "changed": [
            {
                "uid": "SIG-206",
                "name": "FailureCatalogMatch",
                "fields": [
                    {"field": "persistence", "before": "R2 + PostgreSQL (failure_matches)", "after": "In-memory"}
                ],
            }
        ],
    }
    assert [(g["key"], g["priority"], g["status"]) for g in data["gaps"]["opened"]] == [
        ("persistence-contradiction:SIG-206", "P1", "open")
    ]
    assert data["gaps"]["resolved"] == []
    assert {f["rule"] for f in data["findings"]["new"]} == NEW_BLOCKING
    assert {f["severity"] for f in data["findings"]["new"]} == {"blocking"}
    assert data["findings"]["fixed"] == []
    assert [(c["id"], c["signal"], c["status"]) for c in data["changes"]["added"]] == [("RC-003", "SIG-206", "APPLIED")]
    assert data["flows"]["reclassified"] == []


def test_the_other_way_round_resolves_and_fixes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _diff(capsys, "HEAD", "HEAD~1", "--format", "json")
    data = json.loads(out)
    assert code == 0  # it only takes findings away
    assert [g["key"] for g in data["gaps"]["resolved"]] == ["persistence-contradiction:SIG-206"]
    assert {f["rule"] for f in data["findings"]["fixed"]} == NEW_BLOCKING
    assert data["signals"]["changed"][0]["fields"][0]["after"] == "R2 + PostgreSQL (failure_matches)"


def test_markdown_reads_as_a_pr_comment(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _diff(capsys, "HEAD~1", "HEAD", "--format", "markdown")
    assert code == 2
    lines = out.splitlines()
    assert lines[0] == "### layerflow: registry diff HEAD~1 → HEAD"
    assert lines[2].startswith("**This change adds blocking findings.**")
    assert [h for h in lines if h.startswith("#### ")] == [
        "#### Signals changed",
        "#### Gaps",
        "#### Findings",
        "#### Change records added",
    ]
    assert "| SIG-206 FailureCatalogMatch | persistence | R2 + PostgreSQL (failure\\_matches) | In-memory |" in lines
    tables: list[list[str]] = []
    for previous, line in zip(["", *lines], lines, strict=False):
        if line.startswith("|"):
            if not previous.startswith("|"):
                tables.append([])
            tables[-1].append(line)
    assert len(tables) == 4
    for rows in tables:  # every row has its header's columns: no pipe in a value breaks out of its cell
        assert rows[1].startswith("|---")
        assert {len(re.findall(r"(?<!\\)\|", row)) for row in rows} == {len(re.findall(r"\|", rows[0]))}


def test_text_and_exit_codes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _diff(capsys, "HEAD~1", "HEAD")
    assert code == 2
    assert "  signal changed: SIG-206 persistence: R2 + PostgreSQL (failure_matches) -> In-memory" in out
    assert "  change record added: RC-003 (APPLIED) SIG-206: FailureCatalogMatch" in out
    assert _diff(capsys, "HEAD", "HEAD")[0] == 0


def test_head_defaults_to_the_working_tree_and_directories_work(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    complete = repo / "registry" / "SIGNAL_REGISTRY_COMPLETE.md"
    complete.write_text(complete.read_text(encoding="utf-8").replace(AFTER, BEFORE), encoding="utf-8")
    code, out = _diff(capsys, "HEAD", "--format", "json")
    data = json.loads(out)
    assert data["head"] == "the working tree"
    # RC-003 still says APPLIED with In-memory after: the row reverted under it is drift, a new warning.
    assert code == 1
    assert [f["rule"] for f in data["findings"]["new"]] == ["change.drift"]
    assert [g["key"] for g in data["gaps"]["resolved"]] == ["persistence-contradiction:SIG-206"]

    before, after = repo.parent / "before", repo.parent / "after"
    shutil.copytree(repo / "registry", after / "registry")
    shutil.copytree(repo / "registry", before / "registry")
    (before / "registry" / "REGISTRY_CHANGES" / "REGISTRY_CHANGE_SIG-206.md").unlink()
    code, out = _diff(capsys, str(before), str(after), "--format", "json")
    assert [c["id"] for c in json.loads(out)["changes"]["added"]] == ["RC-003"]


def test_a_side_that_is_neither_is_invalid_input(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "no-such-rev"]) == 3
    assert "neither a directory nor a git revision" in capsys.readouterr().err


def test_check_new_since_judges_only_what_is_new(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--new-since", "HEAD~1", "--format", "json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert {f["rule"] for f in data["findings"]} == NEW_BLOCKING
    assert data["known"] and data["baseline"] == "--new-since HEAD~1"
    assert main(["check", "--new-since", "HEAD"]) == 0
    assert "0 new" in capsys.readouterr().out.splitlines()[-1]
    assert main(["check", "--new-since", "nope"]) == 3
