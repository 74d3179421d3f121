"""Every fail condition of the decision tree and every CI gate, on registries built for the purpose.

Registries and inventories are written as text here and read with the pure
parsers; the rules are the shipped registry/auditor_rules.yaml. Decision-tree
tests run with the gates and the UNKNOWN policy removed, so their exit codes come
from the tree alone; the gate tests use the rules file as shipped.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import pytest

from layerflow.adapters.load import producers_schema
from layerflow.audit.analysis import analyse
from layerflow.model import (
    Analysis,
    FlowKind,
    GateLevel,
    Inputs,
    Inventory,
    Ledger,
    Location,
    Registry,
    Rules,
    Severity,
    UnknownPolicy,
)
from layerflow.model.summary import summarize
from layerflow.parse.changes import parse_change
from layerflow.parse.inventory import parse_inventory
from layerflow.parse.ledger import parse_ledger
from layerflow.parse.registry import parse_registry
from layerflow.parse.rules import parse_rules

ROOT = Path(__file__).resolve().parent.parent
EMBEDDED = ROOT / "registry"


def _rules() -> Rules:
    parsed = parse_rules("auditor_rules.yaml", (EMBEDDED / "auditor_rules.yaml").read_text(encoding="utf-8"))
    assert parsed.errors == ()
    return parsed.value


RULES = _rules()
TREE = replace(RULES, gates=(), unknown_handling=UnknownPolicy())  # the decision tree alone

COLUMNS = {
    "uid": "UID",
    "name": "Signal",
    "producer": "Producer",
    "p_layer": "P-Layer",
    "consumer": "Consumer",
    "c_layer": "C-Layer",
    "persistence": "Persistence",
    "exposure": "Exposure",
    "verified": "Verified Path",
    "hops": "Intermediary Hops",
}

# A healthy L7→L6 signal; each test changes what it is about.
L7_TO_L6 = {
    "name": "OpsThing",
    "producer": "`ops_job.py`",
    "p_layer": "L7",
    "consumer": "runtime.py",
    "c_layer": "L6",
    "persistence": "PostgreSQL (ops_things)",
    "exposure": "indirect",
    "verified": "✅ YES",
    "hops": "—",
}


def row(uid: str, **cells: str) -> dict[str, str]:
    return {"uid": uid, **L7_TO_L6, **cells}


def registry_text(*rows: Mapping[str, str], columns: tuple[str, ...] = tuple(COLUMNS)) -> str:
    header = "| " + " | ".join(COLUMNS[c] for c in columns) + " |"
    lines = ["# Test Registry", "", "## 1. Ops Signals", "", header, "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(r[c] for c in columns) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def registry(*rows: Mapping[str, str], columns: tuple[str, ...] = tuple(COLUMNS)) -> Registry:
    parsed = parse_registry([("reg.md", registry_text(*rows, columns=columns))])
    assert parsed.problems == ()
    return parsed.value


def inventory(outputs: str, internal: str = "") -> Inventory:
    """One producer `ops-job` with the given outputs (YAML list items)."""
    text = "producers:\n  - id: ops-job\n    name: Ops Job\n    outputs:\n" + textwrap.indent(
        textwrap.dedent(outputs), "      "
    )
    if internal:
        text += "internal:\n" + textwrap.indent(textwrap.dedent(internal), "  ")
    parsed = parse_inventory("producers.yaml", text, producers_schema())
    assert parsed.problems == ()
    assert parsed.value is not None
    return parsed.value


def audit(reg: Registry, inv: Inventory | None = None, rules: Rules = TREE) -> Analysis:
    return analyse(Inputs(registry=reg, rules=rules, inventory=inv))


def findings(analysis: Analysis, rule: str) -> list[tuple[Severity, str]]:
    return [(f.severity, f.subject) for f in analysis.findings if f.rule == rule]


def rules_fired(analysis: Analysis) -> set[str]:
    return {f.rule for f in analysis.findings}


def failed(analysis: Analysis, flow_id: str) -> set[str]:
    flow = next(f for f in analysis.flows if f.id == flow_id)
    return {c.name for c in flow.checks if not c.passed}


def gaps(analysis: Analysis) -> dict[str, tuple[str, str, str]]:
    """key -> (kind, priority, status)"""
    return {g.key: (g.kind, g.priority, g.status) for g in analysis.gaps}


FLOW = "ops-job-py/sig-001"  # the flow of row("SIG-001") when there is no inventory


# ------------------------------------------------------------- baseline


def test_a_healthy_l7_to_l6_signal_passes_everything() -> None:
    analysis = audit(registry(row("SIG-001")), rules=RULES)
    (flow,) = analysis.flows
    assert (flow.id, flow.klass, flow.status) == (FLOW, "l7_l6", "verified")
    assert [(d.node, d.answer) for d in flow.decision] == [
        ("q1_l7_only", False),
        ("q2_l7_to_l6", True),
        ("q3_l7_to_both", False),
    ]
    assert all(c.passed for c in flow.checks)
    assert analysis.gaps == ()
    assert {f.severity for f in analysis.findings} <= {Severity.INFO}  # only the two prose gates' notes
    assert analysis.exit_code == 0


# --------------------------------------------------------------- Q1: L7→L7


def test_orphan_l7_output_is_a_warning_and_a_p3_gap() -> None:
    inv = inventory(
        """\
        - name: stale_state.json
          kind: file
          persistence: File (/var/lib/ops/stale_state.json)
        - name: used_state.json
          kind: file
          persistence: File
          consumers: ["next run (L7)"]
        """
    )
    analysis = audit(Registry(signals=()), inv)
    orphan, used = analysis.flows
    assert (orphan.klass, orphan.status, orphan.category) == ("l7_l7", "orphan", "other")
    assert (used.klass, used.status) == ("l7_l7", "valid")
    assert failed(analysis, "ops-job/stale-state-json") == {"orphan"}
    assert orphan.checks[0].condition == "No consumer = orphaned operational signal"  # the rules' words
    assert findings(analysis, "q1_l7_only.orphan") == [(Severity.WARNING, "ops-job/stale-state-json")]
    assert gaps(analysis) == {"orphan:ops-job/stale-state-json": ("orphan", "P3", "open")}
    assert findings(analysis, "gap.orphan") == [(Severity.WARNING, "GAP-001")]
    assert analysis.exit_code == 1


def test_orphan_from_a_registry_row() -> None:
    analysis = audit(registry(row("SIG-001", consumer="—", c_layer="—")))
    assert failed(analysis, FLOW) == {"orphan"}
    assert gaps(analysis) == {f"orphan:{FLOW}": ("orphan", "P3", "open")}
    assert analysis.exit_code == 1


def test_internal_artifacts_are_l7_only_by_default() -> None:
    inv = inventory(
        "- {name: out, kind: record, persistence: PostgreSQL, consumers: ['svc.py (L6)'], signals: [SIG-001]}\n",
        internal="""\
        - {name: job_lock, category: lock, job: ops-job, producer: ops_job.py, consumers: [ops_job.py]}
        - {name: dead_marker, category: marker, job: ops-job, producer: ops_job.py}
        """,
    )
    analysis = audit(registry(row("SIG-001", consumer="svc.py")), inv)
    by_id = {f.id: (f.klass, f.category, f.status) for f in analysis.flows}
    assert by_id == {
        "ops-job/out": ("l7_l6", "", "verified"),
        "ops-job/lock-job-lock": ("l7_l7", "lock", "valid"),
        "ops-job/marker-dead-marker": ("l7_l7", "marker", "orphan"),
    }
    assert gaps(analysis) == {"orphan:ops-job/marker-dead-marker": ("orphan", "P3", "open")}


# --------------------------------------------------------------- Q2: L7→L6


def test_l6_layer_without_a_named_consumer_is_blocking_and_p1() -> None:
    analysis = audit(registry(row("SIG-001", consumer="—", c_layer="L6")))
    (flow,) = analysis.flows
    assert (flow.klass, flow.status) == ("l7_l6", "failing")
    assert failed(analysis, FLOW) == {"consumer_missing"}
    check = next(c for c in flow.checks if c.name == "consumer_missing")
    assert check.condition == "Consumer missing, persistence = no → REAL BUG"
    assert findings(analysis, "q2_l7_to_l6.consumer_missing") == [(Severity.BLOCKING, FLOW)]
    assert gaps(analysis) == {f"q2-failure:{FLOW}:consumer_missing": ("q2-failure", "P1", "open")}
    assert findings(analysis, "gap.q2-failure") == [(Severity.BLOCKING, "GAP-001")]
    assert analysis.exit_code == 2


def test_unknown_consumer_on_l6_is_also_missing() -> None:
    analysis = audit(registry(row("SIG-001", consumer="UNKNOWN", c_layer="L6")))
    assert failed(analysis, FLOW) == {"consumer_missing"}
    assert analysis.exit_code == 2


@pytest.mark.parametrize("verified", ["NO", "⚠️ PARTIAL", "**PARTIAL**", "no"])
def test_unverified_path_is_not_implemented_and_blocking(verified: str) -> None:
    analysis = audit(registry(row("SIG-001", verified=verified)))
    assert failed(analysis, FLOW) == {"not_implemented"}
    check = next(c for c in analysis.flows[0].checks if c.name == "not_implemented")
    assert check.condition == "Consumer declared but not implemented"
    assert "SIG-001" in check.message
    assert findings(analysis, "q2_l7_to_l6.not_implemented") == [(Severity.BLOCKING, FLOW)]
    assert gaps(analysis) == {f"q2-failure:{FLOW}:not_implemented": ("q2-failure", "P1", "open")}
    assert analysis.exit_code == 2


@pytest.mark.parametrize("verified", ["✅ YES", "UNKNOWN", "—"])
def test_verified_yes_unknown_or_empty_is_not_a_not_implemented_failure(verified: str) -> None:
    analysis = audit(registry(row("SIG-001", verified=verified)))
    assert failed(analysis, FLOW) == set()
    assert analysis.exit_code == 0


def test_absent_verified_path_column_is_not_no() -> None:
    columns = tuple(c for c in COLUMNS if c != "verified")
    reg = registry(row("SIG-001"), columns=columns)
    assert reg.signals[0].get("verified_path") is None  # absent, not NONE
    analysis = audit(reg)
    assert failed(analysis, FLOW) == set()
    assert not any(f.rule.endswith("not_implemented") for f in analysis.findings)
    assert analysis.gaps == ()
    assert analysis.exit_code == 0


@pytest.mark.parametrize("persistence", ["—", "None", "N/A", "In-memory", "in memory", "RAM"])
def test_no_durable_persistence_on_l7_to_l6_is_blocking(persistence: str) -> None:
    analysis = audit(registry(row("SIG-001", persistence=persistence)))
    assert failed(analysis, FLOW) == {"persistence_missing"}
    assert findings(analysis, "q2_l7_to_l6.persistence_missing") == [(Severity.BLOCKING, FLOW)]
    assert gaps(analysis) == {f"q2-failure:{FLOW}:persistence_missing": ("q2-failure", "P1", "open")}
    assert analysis.exit_code == 2


def test_unknown_persistence_is_not_none() -> None:
    analysis = audit(registry(row("SIG-001", persistence="UNKNOWN")))
    assert failed(analysis, FLOW) == set()
    assert analysis.exit_code == 0


def test_durable_store_next_to_memory_is_enough() -> None:
    analysis = audit(registry(row("SIG-001", persistence="In-memory + Redis (cache)")))
    assert failed(analysis, FLOW) == set()


def test_l5_and_l4_consumers_count_as_l6() -> None:
    for layer in ("L5", "L4"):
        analysis = audit(registry(row("SIG-001", consumer=f"worker.py ({layer})", c_layer=layer)))
        assert analysis.flows[0].klass == "l7_l6"


# --------------------------------------------------------------- Q3: both


HOPS = "L7→L5→L4"


def test_dual_flow_with_everything_is_verified() -> None:
    analysis = audit(
        registry(row("SIG-001", consumer="ops_report.py (L7), runtime.py (L6)", c_layer="L7, L6", hops=HOPS))
    )
    (flow,) = analysis.flows
    assert (flow.klass, flow.status) == ("l7_both", "verified")
    assert [d.answer for d in flow.decision] == [False, True, True]
    assert {c.name: c.passed for c in flow.checks} == {
        "persistence": True,
        "dual_consumers": True,
        "explicit_hops": True,
    }
    assert analysis.exit_code == 0


@pytest.mark.parametrize(
    ("cells", "failing"),
    [
        ({"persistence": "In-memory"}, "persistence"),
        ({"persistence": "UNKNOWN"}, "persistence"),  # Q3 needs persistence shown, UNKNOWN does not show it
        ({"hops": "—"}, "explicit_hops"),
        ({"consumer": "runtime.py (L6)"}, "dual_consumers"),  # C-Layer says L7 too, but no L7 consumer is named
    ],
    ids=["in-memory", "unknown", "no-hops", "one-side"],
)
def test_dual_flow_missing_a_requirement_is_a_warning_and_p3(cells: dict[str, str], failing: str) -> None:
    base = {"consumer": "ops_report.py (L7), runtime.py (L6)", "c_layer": "L7, L6", "hops": HOPS}
    analysis = audit(registry(row("SIG-001", **{**base, **cells})))
    (flow,) = analysis.flows
    assert (flow.klass, flow.status) == ("l7_both", "failing")
    assert failed(analysis, FLOW) == {failing}
    assert next(c for c in flow.checks if c.name == failing).condition == "Latent reliability issue"
    assert findings(analysis, f"q3_l7_to_both.{failing}") == [(Severity.WARNING, FLOW)]
    assert gaps(analysis) == {f"q3-failure:{FLOW}:{failing}": ("q3-failure", "P3", "open")}
    assert analysis.exit_code == 1


def test_inventory_hops_count_for_q3() -> None:
    inv = inventory(
        """\
        - name: shared_state
          kind: record
          persistence: PostgreSQL
          signals: [SIG-001]
          consumers: ["ops_report.py (L7)", "runtime.py (L6)"]
          hops: [L7, L5, L4]
        """
    )
    analysis = audit(registry(row("SIG-001", consumer="—", c_layer="—")), inv)
    (flow,) = analysis.flows
    assert (flow.klass, flow.status) == ("l7_both", "verified")


# ----------------------------------------------------- L8, L2 and the rest


def test_l7_to_l8_metrics() -> None:
    reg = registry(
        row(
            "SIG-001",
            consumer="Grafana, Alertmanager",
            c_layer="L8",
            persistence="Prometheus",
            exposure="internal-only",
        ),
        row("SIG-002", name="Unwatched", consumer="—", c_layer="L8", persistence="Prometheus"),
    )
    analysis = audit(reg)
    watched, unwatched = analysis.flows
    assert (watched.klass, watched.status) == ("l7_l8", "valid")
    assert (unwatched.klass, unwatched.status) == ("l7_l8", "failing")
    assert failed(analysis, "ops-job-py/sig-002") == {"consumer_named"}
    assert findings(analysis, "q1_l7_only.consumer_named") == [(Severity.WARNING, "ops-job-py/sig-002")]
    assert analysis.gaps == ()
    assert summarize(analysis).l7_l8 == 2
    assert analysis.exit_code == 1


def test_l2_only_consumer_is_a_boundary_not_an_l7_consumer() -> None:
    analysis = audit(registry(row("SIG-001", consumer="integration.py (L2)", c_layer="L2")))
    (flow,) = analysis.flows
    assert flow.klass == "unclassified"
    assert [(d.node, d.answer) for d in flow.decision] == [("q1_l7_only", False), ("q2_l7_to_l6", False)]
    assert failed(analysis, FLOW) == {"boundary_only"}
    assert findings(analysis, "q1_l7_only.boundary_only") == [(Severity.WARNING, FLOW)]
    assert summarize(analysis).unclassified == 1
    assert summarize(analysis).l7_l7 == 0
    assert analysis.exit_code == 1


def test_l2_from_the_layer_cell_alone_is_a_boundary_too() -> None:
    analysis = audit(registry(row("SIG-001", consumer="integration.py", c_layer="L2")))
    assert analysis.flows[0].klass == "unclassified"


def test_l2_is_a_consumer_when_the_rules_say_it_is_not_a_boundary() -> None:
    rules = replace(TREE, l2_is_boundary=False)
    analysis = audit(registry(row("SIG-001", consumer="integration.py (L2)", c_layer="L2")), rules=rules)
    assert analysis.flows[0].klass == "unclassified"  # L2 is no runtime layer either way
    assert analysis.flows[0].consumer_layers == ("L2",)


def test_l2_next_to_l6_is_ignored() -> None:
    analysis = audit(registry(row("SIG-001", consumer="runtime.py (L6), integration.py (L2)", c_layer="L6, L2")))
    assert analysis.flows[0].klass == "l7_l6"
    assert analysis.exit_code == 0


# --------------------------------------------------------------- inventory


@pytest.mark.parametrize(("flow", "priority"), [("direct", "P2"), ("deferred", "P3")])
def test_unregistered_inventory_flow(flow: str, priority: str) -> None:
    inv = inventory(
        f"""\
        - name: snapshot rows
          kind: record
          persistence: PostgreSQL (snapshots)
          flow: {flow}
          consumers: ["detector.py (L4)"]
        """
    )
    analysis = audit(Registry(signals=()), inv)
    (only,) = analysis.flows
    assert (only.klass, only.status, only.flow_kind) == ("l7_l6", "unregistered", FlowKind(flow))
    assert gaps(analysis) == {"unregistered-flow:ops-job/snapshot-rows": ("unregistered-flow", priority, "open")}
    (gap,) = analysis.gaps
    assert gap.title.endswith("(deferred)") is (flow == "deferred")
    assert dict(gap.proposal)["p_layer"] == "L7"
    assert dict(gap.proposal)["persistence"] == "PostgreSQL (snapshots)"
    assert findings(analysis, "gap.unregistered-flow") == [(Severity.WARNING, "GAP-001")]
    assert analysis.exit_code == 1
    summary = summarize(analysis)
    assert (summary.l7_l6, summary.l7_l6_deferred) == ((1, 0) if flow == "direct" else (0, 1))


def _declared(persistence: str) -> Inventory:
    return inventory(
        f"""\
        - name: ops things
          kind: record
          persistence: {persistence}
          signals: [SIG-001]
          consumers: ["runtime.py (L6)"]
        """
    )


def test_persistence_contradiction_between_inventory_and_registry_is_p1() -> None:
    analysis = audit(registry(row("SIG-001", persistence="In-memory")), _declared("PostgreSQL (ops_things)"))
    assert gaps(analysis) == {"persistence-contradiction:SIG-001": ("persistence-contradiction", "P1", "open")}
    (gap,) = analysis.gaps
    assert gap.location == Location("reg.md", 7)  # the registry row that makes the claim
    assert "'In-memory'" in gap.title
    assert "PostgreSQL" in gap.title
    assert findings(analysis, "gap.persistence-contradiction") == [(Severity.BLOCKING, "GAP-001")]
    # the flow itself persists (the inventory says so): only the contradiction blocks
    assert failed(analysis, "ops-job/ops-things") == set()
    assert analysis.exit_code == 2


@pytest.mark.parametrize("claim", ["PostgreSQL", "postgres (ops_things)", "R2 + PostgreSQL", "UNKNOWN"])
def test_no_contradiction_when_the_registry_covers_the_stores(claim: str) -> None:
    analysis = audit(registry(row("SIG-001", persistence=claim)), _declared("PostgreSQL (ops_things)"))
    assert "persistence-contradiction:SIG-001" not in gaps(analysis)


def test_inventory_naming_an_unknown_signal_is_reported() -> None:
    analysis = audit(Registry(signals=()), _declared("PostgreSQL"))
    assert findings(analysis, "inventory.unknown-signal") == [(Severity.WARNING, "ops-job/ops-things")]


def test_without_inventory_the_l7_rows_are_the_outputs() -> None:
    reg = registry(
        row("SIG-001"),
        row("SIG-002", name="Metric", consumer="Grafana", c_layer="L8", persistence="Prometheus"),
        row("SIG-003", name="Runtime", producer="`worker.py`", p_layer="L5"),
        row("SIG-004", name="Undeclared", p_layer="—"),
    )
    analysis = audit(reg)
    assert [(f.id, f.signals, f.klass, f.location) for f in analysis.flows] == [
        (FLOW, ("SIG-001",), "l7_l6", Location("reg.md", 7)),
        ("ops-job-py/sig-002", ("SIG-002",), "l7_l8", Location("reg.md", 8)),
    ]
    assert analysis.flows[0].output == "OpsThing"


def test_with_inventory_covered_rows_are_not_counted_twice() -> None:
    inv = _declared("PostgreSQL (ops_things)")
    analysis = audit(registry(row("SIG-001"), row("SIG-002", name="Other")), inv)
    assert [f.id for f in analysis.flows] == ["ops-job/ops-things", "ops-job-py/sig-002"]


# ------------------------------------------------------------------- gates

# Each gate of the shipped rules file: a row built to trip it, and one built not to.
GATE_CASES: dict[str, tuple[dict[str, str], dict[str, str]] | None] = {
    "L7_TO_L6_UNVERIFIED": ({"verified": "⚠️ PARTIAL"}, {"verified": "✅ YES"}),
    "L7_TO_L6_NO_PERSISTENCE": ({"persistence": "In-memory"}, {"persistence": "Redis"}),
    "ORPHANED_SIGNAL": (
        {"consumer": "—", "c_layer": "—", "exposure": "direct"},
        {"consumer": "—", "c_layer": "—", "exposure": "internal-only"},
    ),
    "UNKNOWN_FIELDS": ({"hops": "UNKNOWN"}, {"hops": "—"}),
    "L8_CONSUMES_RUNTIME": (
        {"p_layer": "L5", "consumer": "Grafana", "c_layer": "L8"},
        {"p_layer": "L7", "consumer": "Grafana", "c_layer": "L8"},
    ),
    "UNREGISTERED_DB_WRITER": None,  # prose: needs the code base
    "NEW_L7_JOB": None,  # prose: needs the ops sources
}


def test_every_shipped_gate_has_a_case() -> None:
    assert {g.rule for g in RULES.gates} == set(GATE_CASES)


@pytest.mark.parametrize("rule", [r for r, case in GATE_CASES.items() if case is not None])
def test_gate_fires_on_the_signal_built_to_trip_it(rule: str) -> None:
    case = GATE_CASES[rule]
    assert case is not None
    trip, clear = case
    reg = registry(row("SIG-001", **trip), row("SIG-002", **clear))
    analysis = audit(reg, rules=RULES)
    outcome = next(g for g in analysis.gates if g.rule == rule)
    assert outcome.machine_checkable
    assert outcome.matched == (("SIG-001", Location("reg.md", 7)),)
    assert outcome.undecided == ()
    gate = next(g for g in RULES.gates if g.rule == rule)
    expected = Severity.BLOCKING if gate.level is GateLevel.BLOCKING else Severity.WARNING
    assert findings(analysis, f"gate.{rule}") == [(expected, "SIG-001")]
    # and with the clear row alone, the gate is quiet
    quiet = audit(registry(row("SIG-002", **clear)), rules=RULES)
    assert next(g for g in quiet.gates if g.rule == rule).matched == ()
    assert findings(quiet, f"gate.{rule}") == []


@pytest.mark.parametrize("rule", [r for r, case in GATE_CASES.items() if case is None])
def test_prose_gate_is_reported_as_not_machine_checkable(rule: str) -> None:
    analysis = audit(registry(row("SIG-001")), rules=RULES)
    outcome = next(g for g in analysis.gates if g.rule == rule)
    assert not outcome.machine_checkable
    assert outcome.reason.startswith("no comparison")
    assert (outcome.matched, outcome.undecided) == ((), ())
    assert findings(analysis, "gate.not-machine-checkable").count((Severity.INFO, rule)) == 1


def test_blocking_gate_alone_sets_exit_2_and_warning_gate_alone_exit_1() -> None:
    blocking = audit(registry(row("SIG-001", verified="NO")), rules=replace(RULES, decision_tree=()))
    assert blocking.exit_code == 2
    warning = audit(registry(row("SIG-001", p_layer="L5", consumer="Grafana", c_layer="L8")), rules=RULES)
    assert rules_fired(warning) >= {"gate.L8_CONSUMES_RUNTIME"}
    assert warning.exit_code == 1


def test_gate_on_an_absent_column_is_undecided_not_matched() -> None:
    columns = tuple(c for c in COLUMNS if c != "verified")
    reg = registry(row("SIG-001"), row("SIG-002", p_layer="L5"), columns=columns)
    analysis = audit(reg, rules=RULES)
    outcome = next(g for g in analysis.gates if g.rule == "L7_TO_L6_UNVERIFIED")
    assert outcome.matched == ()
    assert outcome.undecided == (("SIG-001", Location("reg.md", 7)),)  # SIG-002 is decided: p_layer is not L7
    undecided = [f for f in analysis.findings if f.rule == "gate.undecided" and f.subject == "L7_TO_L6_UNVERIFIED"]
    assert len(undecided) == 1
    assert undecided[0].severity is Severity.INFO
    assert "SIG-001" in undecided[0].message
    assert "gate.L7_TO_L6_UNVERIFIED" not in rules_fired(analysis)
    assert analysis.exit_code == 0


def test_orphan_gate_without_exposure_or_api_column_is_undecided() -> None:
    columns = tuple(c for c in COLUMNS if c != "exposure")
    analysis = audit(registry(row("SIG-001", consumer="—", c_layer="—"), columns=columns), rules=RULES)
    outcome = next(g for g in analysis.gates if g.rule == "ORPHANED_SIGNAL")
    assert (outcome.matched, [u for u, _ in outcome.undecided]) == ((), ["SIG-001"])


# ------------------------------------------- nothing is tied to the shipped data


def _embedded_inputs(edit: tuple[str, str] | None = None, *, with_inventory: bool = True) -> Inputs:
    files = []
    for path in sorted(EMBEDDED.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if edit is not None and edit[0] in text:
            text = text.replace(edit[0], edit[1], 1)
        files.append((f"registry/{path.name}", text))
    reg = parse_registry(files)
    assert reg.errors == ()
    changes = []
    for path in sorted((EMBEDDED / "REGISTRY_CHANGES").glob("*.md")):
        parsed = parse_change(f"registry/REGISTRY_CHANGES/{path.name}", path.read_text(encoding="utf-8"))
        assert parsed.value is not None
        changes.append(parsed.value)
    inv = parse_inventory("registry/producers.yaml", (EMBEDDED / "producers.yaml").read_text(), producers_schema())
    ledger = parse_ledger("registry/gaps.yaml", (EMBEDDED / "gaps.yaml").read_text())
    return Inputs(
        registry=reg.value,
        changes=tuple(changes),
        rules=RULES,
        inventory=inv.value if with_inventory else None,
        ledger=ledger.value if with_inventory else Ledger(),
    )


SIG_015_PERSISTENCE = "| L6 | PostgreSQL (costsim_canary_reports) |"


def test_editing_a_persistence_cell_changes_the_gaps() -> None:
    before = analyse(_embedded_inputs())
    after = analyse(_embedded_inputs((SIG_015_PERSISTENCE, "| L6 | In-memory |")))
    new = set(gaps(after)) - set(gaps(before))
    assert new == {"persistence-contradiction:SIG-015"}
    assert set(gaps(before)) <= set(gaps(after))
    assert summarize(after).gaps_open == summarize(before).gaps_open + 1
    assert (before.exit_code, after.exit_code) == (1, 2)
    assert rules_fired(after) - rules_fired(before) >= {"gap.persistence-contradiction", "gate.L7_TO_L6_NO_PERSISTENCE"}


def test_editing_a_persistence_cell_changes_the_counts_without_inventory() -> None:
    before = analyse(_embedded_inputs(with_inventory=False))
    after = analyse(_embedded_inputs((SIG_015_PERSISTENCE, "| L6 | — |"), with_inventory=False))
    b, a = summarize(before), summarize(after)
    assert a.l7_l6 == b.l7_l6
    assert a.l7_l6_verified == b.l7_l6_verified - 1
    assert set(gaps(after)) - set(gaps(before)) == {"q2-failure:canary-runner-py/sig-015:persistence_missing"}


def test_editing_a_consumer_layer_moves_a_flow_between_classes() -> None:
    row_015 = "| costsim.py | L6 | PostgreSQL (costsim_canary_reports) |"
    before = summarize(analyse(_embedded_inputs(with_inventory=False)))
    after = summarize(analyse(_embedded_inputs((row_015, "| ops_report.py | L7 | PostgreSQL |"), with_inventory=False)))
    assert (after.l7_l6, after.l7_l7) == (before.l7_l6 - 1, before.l7_l7 + 1)
