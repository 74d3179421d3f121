"""Every finding and gap names its signals: in the model, in JSON and SARIF, in text lines and page titles.

A reader, a CI log and a JSON consumer all need the UID. Registries are built
as text for each case (the helpers of test_fail_conditions) and audited with the
pure core; the renderers are the ones the CLI and the site use.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from layerflow.audit.analysis import analyse
from layerflow.model import Analysis, Finding, Gap, Inputs, Registry
from layerflow.model.labels import flow_label, signal_label, signals_label, subject_label
from layerflow.parse.registry import parse_registry
from layerflow.render.machine import to_json_data, to_sarif
from layerflow.render.site import build_site
from layerflow.render.text import to_text
from tests.test_fail_conditions import RULES, _declared, audit, inventory, registry, registry_text, row
from tests.test_history import embedded, rc_010


def one_finding(analysis: Analysis, rule: str) -> Finding:
    found = [f for f in analysis.findings if f.rule == rule]
    assert len(found) == 1, [f.rule for f in analysis.findings]
    return found[0]


def one_gap(analysis: Analysis) -> Gap:
    assert len(analysis.gaps) == 1, [g.key for g in analysis.gaps]
    return analysis.gaps[0]


# ------------------------------------------------------------- the cases

HEALTH_DIGEST = row("SIG-901", name="HealthDigest", producer="`health_digest.py`", persistence="In-memory")
SWEEP_MARKER = row("SIG-902", name="SweepMarker", producer="`sweep_job.py`", consumer="—", c_layer="—")


def q2_failure() -> Analysis:
    return audit(registry(HEALTH_DIGEST))


def orphan() -> Analysis:
    return audit(registry(SWEEP_MARKER))


def gate_match() -> Analysis:
    return audit(registry(row("SIG-001", hops="UNKNOWN")), rules=RULES)


def contradiction() -> Analysis:
    return audit(registry(row("SIG-001", persistence="In-memory")), _declared("PostgreSQL (ops_things)"))


def unregistered() -> Analysis:
    outputs = "- {name: snapshot rows, kind: record, persistence: PostgreSQL, consumers: ['detector.py (L4)']}\n"
    return audit(Registry(signals=()), inventory(outputs))


def conflict() -> Analysis:
    first = registry_text(row("SIG-001"))
    second = registry_text(row("SIG-001", persistence="Redis"))
    parsed = parse_registry([("a.md", first), ("b.md", second)])
    assert parsed.problems == ()
    return audit(parsed.value)


def drift() -> Analysis:
    return analyse(embedded(extra_changes={"REGISTRY_CHANGE_SIG-005.md": rc_010()}))


# ------------------------------------------------------------- the model


def test_q2_failure_gap_and_findings_name_the_signal() -> None:
    analysis = q2_failure()
    gap = one_gap(analysis)
    assert gap.key == "q2-failure:health-digest-py/sig-901:persistence_missing"  # keys stay: the ledger maps them
    assert gap.title == "L7→L6 flow without durable persistence: SIG-901 HealthDigest"
    assert gap.signals == ("SIG-901",)
    check = one_finding(analysis, "q2_l7_to_l6.persistence_missing")
    assert check.signals == ("SIG-901",)
    assert check.message.startswith("health_digest.py: SIG-901 HealthDigest: persistence is 'In-memory'")
    assert one_finding(analysis, "gap.q2-failure").signals == ("SIG-901",)


def test_orphan_names_its_signal_not_only_its_flow() -> None:
    analysis = orphan()
    check = one_finding(analysis, "q1_l7_only.orphan")
    assert check.subject == "sweep-job-py/sig-902"  # the subject stays the flow (SARIF fingerprints use it)
    assert check.signals == ("SIG-902",)
    assert check.message.startswith("sweep_job.py: SIG-902 SweepMarker: no consumer")
    gap = one_gap(analysis)
    assert (gap.key, gap.signals) == ("orphan:sweep-job-py/sig-902", ("SIG-902",))
    assert gap.title == "SIG-902 SweepMarker has no consumer (orphaned operational output)"


def test_gate_finding_names_the_matched_signal() -> None:
    finding = one_finding(gate_match(), "gate.UNKNOWN_FIELDS")
    assert finding.signals == ("SIG-001",)
    assert finding.message == "UNKNOWN_FIELDS: SIG-001 OpsThing matches 'any field=UNKNOWN'"


def test_undecided_gate_names_every_undecided_signal() -> None:
    columns = ("uid", "name", "producer", "p_layer", "consumer", "c_layer", "persistence", "exposure", "hops")
    rows = [row(f"SIG-{n:03d}", name=f"Thing{n}") for n in range(1, 8)]
    analysis = audit(registry(*rows, columns=columns), rules=RULES)
    undecided = [f for f in analysis.findings if f.rule == "gate.undecided" and f.subject == "L7_TO_L6_UNVERIFIED"]
    assert len(undecided) == 1
    assert undecided[0].signals == tuple(f"SIG-{n:03d}" for n in range(1, 8))  # all of them, not the first five
    assert "(SIG-001 Thing1, SIG-002 Thing2, SIG-003 Thing3, SIG-004 Thing4, SIG-005 Thing5 …)" in undecided[0].message


def test_persistence_contradiction_names_its_signal() -> None:
    analysis = contradiction()
    gap = one_gap(analysis)
    assert (gap.key, gap.signals) == ("persistence-contradiction:SIG-001", ("SIG-001",))
    assert gap.title == "Registry said SIG-001 OpsThing persistence = 'In-memory' but Ops Job writes PostgreSQL"
    assert one_finding(analysis, "gap.persistence-contradiction").signals == ("SIG-001",)


def test_unregistered_flow_has_no_signal_to_name() -> None:
    """An unregistered flow is one no registered signal carries: its `signals` is empty, on purpose."""
    analysis = unregistered()
    gap = one_gap(analysis)
    assert (gap.kind, gap.signals) == ("unregistered-flow", ())
    assert one_finding(analysis, "gap.unregistered-flow").signals == ()


def test_inventory_naming_an_undefined_signal_names_it_but_its_gap_does_not() -> None:
    analysis = audit(Registry(signals=()), _declared("PostgreSQL"))  # the output names SIG-001; no registry row
    assert one_finding(analysis, "inventory.unknown-signal").signals == ("SIG-001",)
    gap = one_gap(analysis)
    assert (gap.kind, gap.signals) == ("unregistered-flow", ())  # a gap names only signals one can look up


def test_conflict_names_its_signal() -> None:
    finding = one_finding(conflict(), "registry.conflict")
    assert finding.signals == ("SIG-001",)
    assert finding.message.startswith("SIG-001 OpsThing persistence: 'PostgreSQL (ops_things)' at a.md:7")


def test_drift_names_its_signal() -> None:
    finding = one_finding(drift(), "change.drift")
    assert finding.signals == ("SIG-005",)
    assert finding.message.startswith("RC-010 (SIG-005 WorkerHeartbeat) is APPLIED but persistence:")


def test_input_warning_about_a_row_names_its_signal() -> None:
    parsed = parse_registry([("reg.md", "| UID | Signal | Producer |\n|---|---|---|\n| SIG-001 | OpsThing |\n")])
    analysis = analyse(Inputs(registry=parsed.value), parsed.problems)
    finding = one_finding(analysis, "input")
    assert finding.signals == ("SIG-001",)
    assert finding.message.startswith("SIG-001: row has 2 cells but the header has 3")


def test_inventory_output_is_named_with_its_signals() -> None:
    inv = inventory("- {name: ops things, kind: record, signals: [SIG-001], consumers: ['runtime.py (L6)']}\n")
    analysis = audit(registry(row("SIG-001", persistence="In-memory")), inv)
    gap = one_gap(analysis)
    assert gap.title == "L7→L6 flow without durable persistence: ops things (SIG-001 OpsThing)"
    assert gap.signals == ("SIG-001",)


# ------------------------------------------------------------- the labels


def test_labels() -> None:
    signals = registry(row("SIG-001"), row("SIG-002", name="Other")).by_uid()
    assert signal_label("SIG-001", signals) == "SIG-001 OpsThing"
    assert signal_label("SIG-404", signals) == "SIG-404"  # not in the registry: the UID alone
    assert signals_label(["SIG-002", "SIG-001", "SIG-002"], signals) == "SIG-002 Other, SIG-001 OpsThing"
    assert subject_label("SIG-001", ("SIG-001",), signals) == "SIG-001 OpsThing"
    assert subject_label("Ops Job", ("SIG-002",), signals) == "Ops Job (SIG-002 Other)"
    assert subject_label("Ops Job", (), signals) == "Ops Job"
    (flow,) = audit(registry(row("SIG-001"))).flows
    assert flow_label(flow, signals) == "SIG-001 OpsThing"  # a registry row's flow is its signal


# ------------------------------------------------------------- JSON, SARIF, text

CASES = {
    "q2-failure": (q2_failure, "q2_l7_to_l6.persistence_missing", ["SIG-901"]),
    "orphan": (orphan, "q1_l7_only.orphan", ["SIG-902"]),
    "gate": (gate_match, "gate.UNKNOWN_FIELDS", ["SIG-001"]),
    "contradiction": (contradiction, "gap.persistence-contradiction", ["SIG-001"]),
    "unregistered": (unregistered, "gap.unregistered-flow", []),  # no registered signal: empty, on purpose
    "conflict": (conflict, "registry.conflict", ["SIG-001"]),
    "drift": (drift, "change.drift", ["SIG-005"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_json_findings_and_gaps_carry_signals(case: str) -> None:
    make, rule, expected = CASES[case]
    analysis = make()
    data = json.loads(json.dumps(to_json_data(analysis)))
    assert all(isinstance(f["signals"], list) for f in data["findings"])
    assert all(isinstance(g["signals"], list) for g in data["gaps"])
    (finding,) = [f for f in data["findings"] if f["rule"] == rule]
    assert finding["signals"] == expected
    for gap, model in zip(data["gaps"], analysis.gaps, strict=True):
        assert gap["signals"] == list(model.signals)


@pytest.mark.parametrize("case", list(CASES))
def test_sarif_results_carry_signals(case: str) -> None:
    make, rule, expected = CASES[case]
    sarif: dict[str, Any] = json.loads(to_sarif(make()))
    (run,) = sarif["runs"]
    assert run["invocations"] == [{"executionSuccessful": True}]
    (result,) = [r for r in run["results"] if r["ruleId"] == rule]
    assert result["properties"]["signals"] == expected


def test_text_lines_name_uid_and_name() -> None:
    text = to_text(q2_failure())
    lines = [line for line in text.splitlines() if "[q2_l7_to_l6.persistence_missing]" in line or "[gap." in line]
    assert len(lines) == 2
    assert all("SIG-901 HealthDigest" in line for line in lines), lines
    assert "SIG-902 SweepMarker has no consumer" in to_text(orphan())


def test_gap_page_titles_name_the_signal() -> None:
    site = build_site(q2_failure(), lambda markdown: markdown)
    assert site.titles["gaps/gap-001.md"] == "GAP-001: health_digest.py (SIG-901 HealthDigest)"
    front, _, body = site.pages["gaps/gap-001.md"].partition("---\n\n")  # the front matter: the search boost
    assert front.startswith("---\nsearch:") and body.startswith(
        "# GAP-001: health\\_digest.py (SIG-901 HealthDigest)\n"
    )
    assert "L7→L6 flow without durable persistence: SIG-901 HealthDigest" in site.pages["gaps/gap-001.md"]
    assert "[SIG-901](../signals/sig-901.md)" in site.pages["gaps/index.md"]
    contradicted = build_site(contradiction(), lambda markdown: markdown)
    assert contradicted.titles["gaps/gap-001.md"] == "GAP-001: SIG-001 OpsThing"
