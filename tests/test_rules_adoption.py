"""Adopting layerflow with a team's own auditor_rules.yaml: every shape of FORMATS §3 analyses.

The team's files are tests/fixtures/team_rules/ (written in the shapes other teams
use, not ours): a clean registry with rules in team vocabulary. Each case copies
them, changes one thing, runs `layerflow check --format json` in process and
reads the findings: shapes and unknown keys are notes and never change the exit
code; only an impossible file is exit 3 with a located error.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from layerflow.adapters.cli import main

TEAM = Path(__file__).resolve().parent / "fixtures" / "team_rules"
RULES = "team/auditor_rules.yaml"
VERIFICATION = (TEAM / "auditor_rules.yaml").read_text(encoding="utf-8").split("\nverification:\n")[1].split("\n\n")[0]
VERIFICATION = "verification:\n" + VERIFICATION + "\n"


@dataclass(frozen=True)
class Run:
    code: int
    findings: list[dict[str, Any]]
    err: str

    def of(self, rule: str) -> list[dict[str, Any]]:
        return [f for f in self.findings if f["rule"] == rule]

    def above_info(self) -> list[dict[str, Any]]:
        return [f for f in self.findings if f["severity"] != "info"]


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "team"
    shutil.copytree(TEAM, target)
    monkeypatch.chdir(tmp_path)
    return target / "auditor_rules.yaml"


def edit(rules: Path, old: str, new: str) -> None:
    text = rules.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once"
    rules.write_text(text.replace(old, new), encoding="utf-8")


def line_of(rules: Path, needle: str) -> int:
    hits = [n for n, text in enumerate(rules.read_text(encoding="utf-8").split("\n"), 1) if needle in text]
    assert len(hits) == 1, (needle, hits)
    return hits[0]


def check(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    code = main(["check", "--base", "team", "--format", "json", *args])
    captured = capsys.readouterr()
    findings = json.loads(captured.out)["findings"] if captured.out else []
    return Run(code, findings, captured.err)


def invalid(capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["check", "--base", "team"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.err.splitlines()


# ---------------------------------------------------------- the team's file


def test_the_team_file_analyses_cleanly_with_notes_only(team: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(capsys)
    assert run.code == 0, run.findings
    assert run.above_info() == []
    assert run.of("rules.unknown-key") == [] and run.of("rules.note") == []  # every key is team vocabulary
    assert {f["rule"] for f in run.findings} == {"gate.not-machine-checkable", "unknown.rate"}
    assert run.err == ""


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (  # a sentence instead of the mapping
            '  signal_definition:\n    description: "A signal is an artifact one component produces and another '
            'consumes to decide something."\n    not_signals:\n      - debug logs\n      - local variables\n',
            "  signal_definition: A signal is what one component produces and another consumes.\n",
        ),
        (  # `true` instead of the mapping with a description
            '    l2_is_boundary:\n      description: "L2 exposes signals; it does not consume them"\n',
            "    l2_is_boundary: true\n",
        ),
        (  # Q3 with criteria as well
            '      valid: "Valid if consumer listed for both"\n',
            '      criteria: ["consumers in L7 and L6"]\n      valid: "Valid if consumer listed for both"\n',
        ),
        (  # verification as a list, with a name key, a bash command and a note only
            VERIFICATION,
            "verification:\n  - name: count\n    bash: grep -c SIG- SIGNAL_REGISTRY.md\n    expected: 4\n"
            "  - note: the platform team reviews it\n",
        ),
        (  # this project's own older keys, read as aliases
            "    fields_that_can_be_unknown:\n",
            "    allowed_fields:\n",
        ),
    ],
    ids=["definition-as-sentence", "boundary-as-true", "q3-with-criteria", "verification-list", "older-keys"],
)
def test_each_shape_analyses_with_exit_0(team: Path, capsys: pytest.CaptureFixture[str], old: str, new: str) -> None:
    edit(team, old, new)
    run = check(capsys)
    assert run.code == 0, run.findings
    assert run.above_info() == []


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        (
            '    l7_as_consumer:\n      allowed: true\n      note: "Ops may read runtime state for scheduling only"\n'
            "      l1_exposure: false\n",
            "    l7_as_consumer: Ops may read runtime state for scheduling only\n",
            "l7_as_consumer is text, not a mapping: read as its note",
        ),
        (
            '    l2_is_boundary:\n      description: "L2 exposes signals; it does not consume them"\n',
            "    l2_is_boundary: L2 exposes signals\n",
            "l2_is_boundary is text: read as its description, and as true",
        ),
        (
            '      criteria: ["consumer layer is L7"]\n',
            "      criteria: consumer layer is L7\n",
            "criteria is text, not a list: read as one item",
        ),
        (
            "        consumer_layer: L7\n",
            "        consumer_layer: the ops layer\n",
            "consumer_layer: 'the ops layer' is not a value layerflow can check",
        ),
        (
            "    allowed: true\n    must_be_explicit",
            "    allowed: sometimes\n    must_be_explicit",
            "not true or false",
        ),
        (
            '      action: "Block the merge"\n',
            '      action: "Block the merge"\n    - rule: NO_CHECK_YET\n      action: later\n',
            "gate NO_CHECK_YET has no check",
        ),
    ],
    ids=["constraint-as-text", "boundary-as-text", "criteria-as-text", "prose-expectation", "odd-flag", "no-check"],
)
def test_other_shapes_are_one_note_each_and_never_the_exit_code(
    team: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, words: str
) -> None:
    edit(team, old, new)
    run = check(capsys)
    assert run.code == 0, run.findings
    assert run.above_info() == []
    notes = run.of("rules.note")
    assert len(notes) == 1, notes
    assert words in notes[0]["message"]
    assert notes[0]["location"]["path"] == RULES


def test_an_unparseable_expected_rate_is_shown_not_compared(team: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(team, 'expected_rate: "10-20% at scale"', 'expected_rate: "rare, and falling"')
    run = check(capsys)
    assert run.code == 0
    assert run.of("unknown.rate") == [] and run.of("rules.note") == []


# -------------------------------------------------------- misspelt keys


@pytest.mark.parametrize(
    ("old", "new", "key", "hint"),
    [
        ("l7_analysis:\n", "l7_analysys:\n", "l7_analysys", "l7_analysis"),
        ("  decision_tree:\n", "  decision_tre:\n", "l7_analysis.decision_tre", "decision_tree"),
        (
            '      question: "Required by L6?"',
            '      questoin: "Required by L6?"',
            "l7_analysis.decision_tree.q2_l7_to_l6.questoin",
            "question",
        ),
        (
            "        severity: blocking\n",
            "        severty: blocking\n",
            "l7_analysis.decision_tree.q2_l7_to_l6.if_yes.severty",
            "severity",
        ),
        (
            "        consumer_layer: L6\n",
            "        consumer_layr: L6\n",
            "l7_analysis.decision_tree.q2_l7_to_l6.if_yes.consumer_layr",
            "consumer_layer",
        ),
        (
            "    examples: [rows",
            "    exampels: [rows",
            "l7_analysis.l7_output_definition.exampels",
            "examples",
        ),
        ("  columns:\n", "  colums:\n", "schema.colums", "columns"),
        ("    not_signals:\n", "    not_signal:\n", "rules.signal_definition.not_signal", "not_signals"),
        ("    l7_as_consumer:\n", "    l7_as_consumr:\n", "rules.layer_constraints.l7_as_consumr", "l7_as_consumer"),
        (
            '      allowed: true\n      note: "Monitoring',
            '      alowed: true\n      note: "Monitoring',
            "rules.layer_constraints.l8_as_consumer.alowed",
            "allowed",
        ),
        (
            '      description: "L2 exposes',
            '      descripton: "L2 exposes',
            "rules.layer_constraints.l2_is_boundary.descripton",
            "description",
        ),
        (
            "    fields_that_can_be_unknown:\n",
            "    fields_that_can_be_unknwn:\n",
            "rules.unknown_handling.fields_that_can_be_unknwn",
            "fields_that_can_be_unknown",
        ),
        (
            "    expected_rate:",
            "    expected_rat:",
            "rules.unknown_handling.expected_rat",
            "expected_rate",
        ),
        ("    definition:", "    definiton:", "rules.orphan_detection.definiton", "definition"),
        (
            "    l7_only_exception:",
            "    l7_only_excepton:",
            "rules.orphan_detection.l7_only_excepton",
            "l7_only_exception",
        ),
        ('      action: "Block the merge"', '      acton: "Block the merge"', "ci_gates.blocking[0].acton", "action"),
        ("  exit_codes:\n", "  exit_code:\n", "auditor_interface.exit_code", "exit_codes"),
    ],
)
def test_a_misspelt_key_is_one_info_finding_with_a_hint(
    team: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, key: str, hint: str
) -> None:
    edit(team, old, new)
    misspelt = new.strip().split(":")[0]
    run = check(capsys)
    assert run.code == 0, run.findings
    assert run.above_info() == []
    (unknown,) = run.of("rules.unknown-key")
    assert unknown["subject"] == key
    assert unknown["message"] == f"unknown key {key!r} kept as is, not read; did you mean {hint!r}?"
    assert unknown["location"] == {"path": RULES, "line": line_of(team, new.strip().split("\n")[0])}
    # reported once: no note says the same again ("has no question", "no decision tree", ...)
    others = [f for f in run.findings if f is not unknown and misspelt in f["message"]]
    assert others == [] and run.of("rules.note") == []


def test_unknown_keys_are_one_info_finding_each(team: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(team, "schema:\n", "owner: platform-team\nreviewed: 2026-01-10\nschema:\n  owner_team: ops\n")
    run = check(capsys)
    assert run.code == 0
    assert sorted(f["subject"] for f in run.of("rules.unknown-key")) == ["owner", "reviewed", "schema.owner_team"]
    assert run.above_info() == []


# ------------------------------------------------------ impossible: exit 3


@pytest.mark.parametrize(
    ("old", "new", "at", "words"),
    [
        ("  frozen: false\n", "  frozen: false: yes\n", "frozen: false: yes", "invalid YAML"),
        (
            '  version: "2.3"\n',
            "  version: !!python/object/apply:os.system ['echo pwned']\n",
            "version: !!python",
            "unsupported YAML tag",
        ),
        (
            "  decision_tree:\n",
            "  decision_tree: [q1_l7_only, q2_l7_to_l6]\n  unused_tree:\n",
            "decision_tree: [",
            "l7_analysis.decision_tree must be a mapping of nodes",
        ),
        (
            'check: "p_layer=L7 AND c_layer contains L6 AND verified_path!=YES"',
            'check: "p_layer=L7 AND (c_layer contains"',
            "(c_layer contains",
            "gate L7_TO_L6_UNVERIFIED: check 'p_layer=L7 AND (c_layer contains' is not a valid expression",
        ),
    ],
    ids=["bad-yaml", "tag", "tree-not-a-mapping", "bad-gate-expression"],
)
def test_an_impossible_rules_file_is_exit_3_with_a_located_error(
    team: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, at: str, words: str
) -> None:
    edit(team, old, new)
    code, lines = invalid(capsys)
    assert code == 3
    located = f"{RULES}:{line_of(team, at)}: "
    assert any(line.startswith(located) and words in line for line in lines), lines
    assert lines[-1].endswith("nothing was analysed")
