"""Change records as history: replaying them, drift, registrations, and stable gap ids.

Inputs are the embedded registry/ read with the pure parsers, with edits
applied as text, so every test starts from the shipped example and changes
one thing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from layerflow.adapters.load import producers_schema
from layerflow.audit import history
from layerflow.audit.analysis import analyse, detect
from layerflow.model import (
    Analysis,
    ChangeRecord,
    ChangeStatus,
    Consumer,
    Inputs,
    Ledger,
    LedgerEntry,
    Location,
    Severity,
)
from layerflow.parse.changes import parse_change
from layerflow.parse.inventory import parse_inventory
from layerflow.parse.ledger import parse_ledger
from layerflow.parse.registry import parse_registry
from layerflow.parse.rules import parse_rules

ROOT = Path(__file__).resolve().parent.parent
EMBEDDED = ROOT / "registry"
CHANGES = "REGISTRY_CHANGES"
BASELINE = "SIGNAL_REGISTRY_PYTHON_BASELINE.md"
COMPLETE = "SIGNAL_REGISTRY_COMPLETE.md"

Edits = Mapping[str, Sequence[tuple[str, str]]]


def _text(name: str, edits: Edits) -> str:
    text = (EMBEDDED / name).read_text(encoding="utf-8")
    for old, new in edits.get(name, ()):
        assert text.count(old) == 1, f"{old!r} should occur once in {name}"
        text = text.replace(old, new)
    return text


def embedded(
    edits: Edits | None = None, extra_changes: Mapping[str, str] | None = None, ledger: Ledger | None = None
) -> Inputs:
    """The shipped example as Inputs, with text edits (file name -> [(old, new)]) and extra change records."""
    edits = edits or {}
    registry = parse_registry([(f"registry/{p.name}", _text(p.name, edits)) for p in sorted(EMBEDDED.glob("*.md"))])
    assert registry.errors == ()
    records: list[ChangeRecord] = []
    texts = {f"{CHANGES}/{p.name}": _text(f"{CHANGES}/{p.name}", edits) for p in (EMBEDDED / CHANGES).glob("*.md")}
    texts |= {f"{CHANGES}/{name}": text for name, text in (extra_changes or {}).items()}
    for name, text in sorted(texts.items()):
        parsed = parse_change(f"registry/{name}", text)
        assert parsed.value is not None, parsed.problems
        records.append(parsed.value)
    rules = parse_rules("registry/auditor_rules.yaml", _text("auditor_rules.yaml", edits))
    inventory = parse_inventory("registry/producers.yaml", _text("producers.yaml", edits), producers_schema())
    assert inventory.value is not None, inventory.problems
    if ledger is None:
        ledger = parse_ledger("registry/gaps.yaml", _text("gaps.yaml", edits)).value
    inputs = Inputs(
        registry=registry.value, changes=tuple(records), rules=rules.value, inventory=inventory.value, ledger=ledger
    )
    assert history.validate_changes(inputs.registry, inputs.changes) == []
    return inputs


def ids(analysis: Analysis) -> dict[str, str]:
    """gap key -> gap id"""
    return {g.key: g.id for g in analysis.gaps}


def outcome(analysis: Analysis, record_id: str) -> tuple[bool, tuple[str, ...], tuple[str, ...]]:
    found = next(c for c in analysis.changes if c.id == record_id)
    return found.reflected, found.drift, found.resolves


GAP_001_KEY = "persistence-contradiction:SIG-100"
GAP_002_KEY = "unregistered-flow:cost-snapshot-job/cost-snapshots-records"
GAP_003_KEY = "unregistered-flow:m10-maintenance-orchestrator/processed-maintenance-tasks"

SIG_100_NOW = (
    "| SIG-100 | GraduationStatus | derived | scheduled_job | `graduation_evaluator.py` | L5 | "
    "capability_lockouts (L6), integration.py (L2) | L6, L2 | /integration/graduation | PostgreSQL |"
)
SIG_100_BEFORE = (
    "| SIG-100 | GraduationStatus | derived | evaluation_job | graduation_engine.py | L4 | integration.py | L2 | "
    "/integration/graduation | In-memory |"
)


# ------------------------------------------------------------------ replay


def test_gap_001_is_resolved_by_rc_001() -> None:
    analysis = analyse(embedded())
    gap = analysis.gap("GAP-001")
    assert gap is not None
    assert (gap.key, gap.kind, gap.priority) == (GAP_001_KEY, "persistence-contradiction", "P1")
    assert (gap.status, gap.resolved_by) == ("resolved", "RC-001")
    assert gap.in_ledger
    assert outcome(analysis, "RC-001") == (True, (), ("GAP-001",))
    assert not any(f.subject == "GAP-001" for f in analysis.findings)  # resolved gaps do not fail the build
    assert {g.id: g.status for g in analysis.gaps} == {"GAP-001": "resolved", "GAP-002": "open", "GAP-003": "open"}


def test_state_0_is_the_registry_before_rc_001() -> None:
    inputs = embedded()
    states = history.states(inputs.registry, inputs.changes)
    assert len(states) == 2  # RC-001 is the only APPLIED record; RC-002 is PROPOSED
    assert states[-1] is inputs.registry
    before = states[0].by_uid()["SIG-100"]
    assert before.persistence is not None
    assert before.persistence.text == "In-memory"
    assert not before.persistence.durable
    assert {k: before.get(k) for k in ("trigger", "producer", "p_layer", "consumer", "c_layer")} == {
        "trigger": "evaluation_job",
        "producer": "graduation_engine.py",
        "p_layer": "L4",
        "consumer": "integration.py",
        "c_layer": "L2",
    }
    assert before.consumers == (Consumer("integration.py", "L2"),)
    assert before.get("l2_api") == "/integration/graduation"  # a field RC-001 does not touch
    now = inputs.registry.by_uid()
    assert [s for s in states[0].signals if s.uid != "SIG-100"] == [s for s in now.values() if s.uid != "SIG-100"]
    assert history.revert(inputs.registry, next(r for r in inputs.changes if r.id == "RC-001")) == states[0]


def test_gap_001_is_detected_in_state_0_and_not_after() -> None:
    inputs = embedded()
    first, last = history.states(inputs.registry, inputs.changes)
    assert GAP_001_KEY in {g.key for g in detect(inputs, first)}
    assert GAP_001_KEY not in {g.key for g in detect(inputs, last)}


def test_rc_001_reverted_in_the_registry_reopens_gap_001() -> None:
    """The registry row put back as it was, and RC-001 no longer applied: GAP-001 is open and blocks."""
    inputs = embedded(
        {
            BASELINE: [(SIG_100_NOW, SIG_100_BEFORE)],
            f"{CHANGES}/REGISTRY_CHANGE_SIG-100.md": [("**Status:** APPLIED", "**Status:** PROPOSED")],
        }
    )
    analysis = analyse(inputs)
    gap = analysis.gap("GAP-001")
    assert gap is not None
    assert (gap.key, gap.status, gap.resolved_by) == (GAP_001_KEY, "open", "")
    assert ("gap.persistence-contradiction", Severity.BLOCKING, "GAP-001") in {
        (f.rule, f.severity, f.subject) for f in analysis.findings
    }
    assert analysis.exit_code == 2
    # the proposal now describes the registry as it should become, not as it is: not reflected, but no drift finding
    assert outcome(analysis, "RC-001")[0] is False
    assert not any(f.rule == "change.drift" for f in analysis.findings)


# ------------------------------------------------------------------- drift

SIG_005 = embedded().registry.by_uid()["SIG-005"]  # as the shipped registry has it today
SIG_005_AT = str(SIG_005.location)


def rc_010(field: str = "Persistence", after: str = "PostgreSQL (heartbeats)") -> str:
    """An APPLIED correction of SIG-005: one field as given, and its consumer as the registry has it."""
    consumer = SIG_005.get("consumer")
    return (
        "# Registry Change: SIG-005 WorkerHeartbeat\n\n**Change ID:** RC-010\n**Date:** 2026-01-08\n"
        "**Status:** APPLIED\n**Severity:** P2 (Coverage)\n\n| Field | Before | After |\n|-------|--------|-------|\n"
        f"| {field} | In-memory | {after} |\n| Consumer | old_reader.py | {consumer} |\n"
    )


def test_applied_record_the_registry_does_not_show_is_drift() -> None:
    assert SIG_005.get("persistence") != "PostgreSQL (heartbeats)"
    analysis = analyse(embedded(extra_changes={"REGISTRY_CHANGE_SIG-005.md": rc_010()}))
    reflected, drift, _ = outcome(analysis, "RC-010")
    assert reflected is False
    assert drift == (  # the consumer row agrees with the registry; only persistence drifts
        f"persistence: the record says 'PostgreSQL (heartbeats)', the registry says "
        f"{SIG_005.get('persistence')!r} ({SIG_005_AT})",
    )
    found = [f for f in analysis.findings if f.rule == "change.drift"]
    assert [(f.severity, f.subject, f.location) for f in found] == [
        (Severity.WARNING, "RC-010", Location("registry/REGISTRY_CHANGES/REGISTRY_CHANGE_SIG-005.md", 1))
    ]
    assert found[0].message.startswith("RC-010 (SIG-005 WorkerHeartbeat) is APPLIED but persistence:")
    assert found[0].signals == ("SIG-005",)


def test_drift_on_a_column_the_registry_lacks() -> None:
    assert SIG_005.get("exposure") is None  # the baseline table has no Exposure column
    analysis = analyse(embedded(extra_changes={"REGISTRY_CHANGE_SIG-005.md": rc_010("Exposure", "internal-only")}))
    _, drift, _ = outcome(analysis, "RC-010")
    assert drift == (f"exposure: the record says 'internal-only', the registry says no such column ({SIG_005_AT})",)


def test_drift_from_a_fenced_corrected_row() -> None:
    record = (
        "# Registry Change: SIG-004 BudgetExceeded\n\n**Change ID:** RC-011\n**Status:** APPLIED\n\n"
        "## Corrected Registry Row\n\n```\n"
        "| SIG-004 | BudgetExceeded | derived | threshold | `budget_guard.py` | L4 | runner.py | L5 | — | Redis |\n"
        "```\n"
    )
    analysis = analyse(embedded(extra_changes={"REGISTRY_CHANGE_SIG-004.md": record}))
    _, drift, _ = outcome(analysis, "RC-011")
    assert len(drift) == 1
    assert drift[0].startswith("persistence: the record says 'Redis', the registry says 'In-memory'")
    assert [f.subject for f in analysis.findings if f.rule == "change.drift"] == ["RC-011"]


def test_applied_record_the_registry_shows_is_not_drift() -> None:
    record = rc_010(after=f"**{SIG_005.get('persistence')}**")  # the same value, written with emphasis
    analysis = analyse(embedded(extra_changes={"REGISTRY_CHANGE_SIG-005.md": record}))
    assert outcome(analysis, "RC-010")[:2] == (True, ())
    assert not any(f.rule == "change.drift" for f in analysis.findings)


def test_proposed_records_are_never_drift() -> None:
    analysis = analyse(embedded())
    reflected, drift, resolves = outcome(analysis, "RC-002")  # proposes SIG-017, which is not registered yet
    assert (reflected, drift, resolves) == (False, ("SIG-017 is not in the registry",), ())
    assert not any(f.rule == "change.drift" for f in analysis.findings)


# ------------------------------------------------------------ registration

SIG_017_ROW = (
    "| SIG-017 | CostSnapshot | raw | scheduled_job | `cost_snapshot_job.py` | L7 | "
    "cost_anomaly_detector.py (SIG-011) | L4 | /cost/snapshots | PostgreSQL |\n"
)
SIG_012_ROW_END = "| budget_guard.py | L4 | /cost/budget | UNKNOWN |\n"
REGISTERED = {
    f"{CHANGES}/REGISTRY_CHANGE_SIG-017.md": [("**Status:** PROPOSED", "**Status:** APPLIED")],
    BASELINE: [(SIG_012_ROW_END, SIG_012_ROW_END + SIG_017_ROW)],
}


def test_applied_registration_is_removed_in_state_0() -> None:
    inputs = embedded(REGISTERED)
    record = next(r for r in inputs.changes if r.id == "RC-002")
    assert record.is_registration
    assert all(c.before is None for c in record.changes)
    states = history.states(inputs.registry, inputs.changes)
    assert len(states) == 3  # RC-001, RC-002
    assert "SIG-017" not in states[0].by_uid()
    assert "SIG-017" not in states[1].by_uid()
    assert "SIG-017" in states[2].by_uid()
    assert len(states[0].signals) == len(inputs.registry.signals) - 1
    assert states[1].by_uid()["SIG-100"].persistence == inputs.registry.by_uid()["SIG-100"].persistence
    assert states[0].by_uid()["SIG-100"].get("persistence") == "In-memory"
    analysis = analyse(inputs)
    assert outcome(analysis, "RC-002")[:2] == (True, ())


def test_registration_named_by_the_inventory_resolves_gap_002() -> None:
    """Once the job's output names SIG-017 and RC-002 registers it, GAP-002 is history: resolved by RC-002."""
    edits = {
        **REGISTERED,
        "producers.yaml": [
            (
                "        persistence: PostgreSQL (cost_snapshots)\n",
                "        persistence: PostgreSQL (cost_snapshots)\n        signals: [SIG-017]\n",
            )
        ],
    }
    inputs = embedded(edits)
    first, _, last = history.states(inputs.registry, inputs.changes)
    assert GAP_002_KEY in {g.key for g in detect(inputs, first)}
    assert GAP_002_KEY not in {g.key for g in detect(inputs, last)}
    analysis = analyse(inputs)
    gap = analysis.gap("GAP-002")
    assert gap is not None
    assert (gap.key, gap.status, gap.resolved_by) == (GAP_002_KEY, "resolved", "RC-002")
    assert outcome(analysis, "RC-002") == (True, (), ("GAP-002",))
    flow = next(f for f in analysis.flows if f.id == "cost-snapshot-job/cost-snapshots-records")
    assert (flow.klass, flow.status) == ("l7_l6", "verified")


# --------------------------------------------------------------- gap ids

UNRELATED_ROW = "| SIG-009 | QueueDepth | raw | timer | `queue.py` | L5 | scheduler.py | L5 | — | Redis (queue) |\n"
FIRST_ROW = "| SIG-001 | RunStarted |"


def _unrelated(edits: Edits | None = None) -> Edits:
    """An unrelated signal as the first row of the first table: every row below moves down a line."""
    table_head = "|-----|--------|-------|---------|----------|---------|----------|---------|--------|-------------|\n"
    base = dict(edits or {})
    base[BASELINE] = [*base.get(BASELINE, ()), (table_head + FIRST_ROW, table_head + UNRELATED_ROW + FIRST_ROW)]
    return base


def test_gap_ids_do_not_move_when_an_unrelated_signal_is_added() -> None:
    for ledger in (None, Ledger()):  # with the shipped ledger, and with none at all
        before = analyse(embedded(ledger=ledger))
        after = analyse(embedded(_unrelated(), ledger=ledger))
        assert len(after.inputs.registry.signals) == len(before.inputs.registry.signals) + 1
        assert ids(after) == ids(before)
        assert ids(before) == {GAP_001_KEY: "GAP-001", GAP_002_KEY: "GAP-002", GAP_003_KEY: "GAP-003"}
        was = {g.id: g.location for g in before.gaps}["GAP-001"]
        now = {g.id: g.location for g in after.gaps}["GAP-001"]
        assert now == replace(was, line=was.line + 1)  # the claim moved down a line and kept its id


RC_003 = """\
# Registry Change: SIG-015 CostSimCanaryReport

**Change ID:** RC-003
**Date:** 2026-01-10
**Status:** APPLIED
**Severity:** P1 (Semantic Integrity)

| Field | Before | After |
|-------|--------|-------|
| Verified Path | YES | NO |
"""
SIG_015_VERIFIED = "| indirect | ✅ YES | /costsim/canary |"
NEW_JOB = """\
  - id: zz-new-job
    name: ZZ New Job
    outputs:
      - name: new rows
        kind: record
        persistence: PostgreSQL
        consumers: ["reader.py (L6)"]

internal:
"""
Q2_KEY = "q2-failure:costsim-canary-runner/canaryreport-cb-state:not_implemented"
NEW_KEY = "unregistered-flow:zz-new-job/new-rows"
LATER = {
    COMPLETE: [(SIG_015_VERIFIED, "| indirect | ❌ NO | /costsim/canary |")],
    "producers.yaml": [("internal:\n", NEW_JOB)],
}


def _later(ledger: Ledger | None) -> Analysis:
    """Two gaps no ledger knows: NEW_KEY from state 0 on, Q2_KEY only once RC-003 applies (the last state).

    Q2_KEY sorts before NEW_KEY, so numbering by key would give them the other order.
    """
    analysis = analyse(embedded(LATER, {"REGISTRY_CHANGE_SIG-015.md": RC_003}, ledger=ledger))
    assert Q2_KEY < NEW_KEY
    assert outcome(analysis, "RC-003") == (True, (), ())
    return analysis


def test_new_gap_ids_follow_the_ledger_in_order_of_first_appearance() -> None:
    analysis = _later(None)
    assert ids(analysis) == {
        GAP_001_KEY: "GAP-001",
        GAP_002_KEY: "GAP-002",
        GAP_003_KEY: "GAP-003",
        NEW_KEY: "GAP-004",
        Q2_KEY: "GAP-005",
    }
    assert [g.id for g in analysis.gaps if not g.in_ledger] == ["GAP-004", "GAP-005"]
    assert {g.id: g.priority for g in analysis.gaps}["GAP-005"] == "P1"


def test_new_gap_ids_start_after_the_highest_ledger_id() -> None:
    sparse = Ledger(
        (
            LedgerEntry("GAP-001", GAP_001_KEY, "", Location("gaps.yaml", 1)),
            LedgerEntry("GAP-007", "retired:something-long-gone", "", Location("gaps.yaml", 4)),
        )
    )
    analysis = _later(sparse)
    assert ids(analysis) == {
        GAP_001_KEY: "GAP-001",
        GAP_002_KEY: "GAP-008",
        GAP_003_KEY: "GAP-009",
        NEW_KEY: "GAP-010",
        Q2_KEY: "GAP-011",
    }
    assert [g.id for g in analysis.gaps] == ["GAP-001", "GAP-008", "GAP-009", "GAP-010", "GAP-011"]


def test_without_a_ledger_ids_are_numbered_from_one_by_first_appearance() -> None:
    analysis = _later(Ledger())
    assert ids(analysis) == {
        GAP_001_KEY: "GAP-001",
        GAP_002_KEY: "GAP-002",
        GAP_003_KEY: "GAP-003",
        NEW_KEY: "GAP-004",
        Q2_KEY: "GAP-005",
    }
    assert not any(g.in_ledger for g in analysis.gaps)


def test_record_order_is_by_number_not_file_name() -> None:
    inputs = embedded(LATER, {"REGISTRY_CHANGE_SIG-015.md": RC_003})
    applied = history.applied_in_order(inputs.changes)
    assert [r.id for r in applied] == ["RC-001", "RC-003"]
    assert all(r.status is ChangeStatus.APPLIED for r in applied)
    states = history.states(inputs.registry, inputs.changes)
    assert [s.by_uid()["SIG-015"].get("verified_path") for s in states] == ["YES", "YES", "NO"]
    assert [s.by_uid()["SIG-100"].get("persistence") for s in states] == ["In-memory", "PostgreSQL", "PostgreSQL"]
