"""The team vocabulary of auditor_rules.yaml, applied: each check with a signal that breaks it,
one that keeps it, and one whose column is absent (undecided, never a finding).

Rules and registries are small texts written here and read with the pure
parsers; `analyse` runs on them as the CLI would (parser notes passed along).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import pytest

from layerflow.adapters.load import producers_schema
from layerflow.audit.analysis import analyse
from layerflow.model import (
    Analysis,
    ExpectKind,
    Finding,
    Inputs,
    Inventory,
    Level,
    Location,
    Problem,
    Rate,
    Registry,
    Rules,
    Severity,
)
from layerflow.parse.inventory import parse_inventory
from layerflow.parse.registry import parse_registry
from layerflow.parse.rules import parse_rules
from layerflow.parse.rulevalues import expectation, parse_rate, path_matches

RULES_PATH = "rules.yaml"
HEADERS = {
    "uid": "UID",
    "name": "Signal",
    "p_layer": "P-Layer",
    "consumer": "Consumer",
    "c_layer": "C-Layer",
    "persistence": "Persistence",
    "l2_api": "L2 API",
    "exposure": "Exposure",
    "hops": "Intermediary Hops",
    "trigger": "Trigger",
    "owner": "Owner Team",
}
# An L7 output read only within L7; tests change what they are about.
L7_ONLY = {
    "name": "OpsLock",
    "p_layer": "L7",
    "consumer": "orchestrator.py (L7)",
    "c_layer": "L7",
    "persistence": "PostgreSQL (locks)",
    "l2_api": "—",
    "exposure": "internal-only",
    "hops": "—",
    "trigger": "timer",
    "owner": "ops",
}
L7_TO_L6 = {**L7_ONLY, "name": "OpsSnapshot", "consumer": "detector.py (L6)", "c_layer": "L6"}
L7_TO_BOTH = {**L7_ONLY, "name": "RetryQueue", "consumer": "retry.py (L7), driver.py (L6)", "c_layer": "L7, L6"}


NO_TREE = "no l7_analysis.decision_tree: the built-in questions are used"


def rules(text: str) -> tuple[Rules, tuple[Problem, ...]]:
    """The rules and their problems, leaving out the note every file here without a decision tree gets."""
    parsed = parse_rules(RULES_PATH, textwrap.dedent(text))
    assert parsed.errors == (), parsed.errors
    return parsed.value, tuple(p for p in parsed.problems if p.message != NO_TREE)


def registry(*rows: Mapping[str, str], columns: tuple[str, ...] = tuple(HEADERS)) -> Registry:
    header = "| " + " | ".join(HEADERS[c] for c in columns) + " |"
    lines = ["# Registry", "", "## 1. Ops Signals", "", header, "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(row[c] for c in columns) + " |" for row in rows]
    parsed = parse_registry([("reg.md", "\n".join(lines) + "\n")])
    assert parsed.problems == ()
    return parsed.value


def signal(uid: str, base: Mapping[str, str] = L7_ONLY, **cells: str) -> dict[str, str]:
    return {"uid": uid, **base, **cells}


def audit(rules_text: str, reg: Registry, inventory: Inventory | None = None) -> Analysis:
    parsed, problems = rules(rules_text)
    return analyse(Inputs(registry=reg, rules=parsed, inventory=inventory), problems)


def of(analysis: Analysis, rule: str) -> list[Finding]:
    return [f for f in analysis.findings if f.rule == rule]


def row_line(reg: Registry, uid: str) -> Location:
    return reg.by_uid()[uid].location


# ---------------------------------------------------------- unknown handling

UNKNOWNS = """\
rules:
  unknown_handling:
    expected_rate: "< 30%"
    fields_that_can_be_unknown: [consumer, c_layer, Trigger]
"""


def test_unknown_outside_the_listed_fields_is_a_warning_per_signal_and_field() -> None:
    reg = registry(
        signal("SIG-001", persistence="UNKNOWN", owner="UNKNOWN"),
        signal("SIG-002", trigger="UNKNOWN"),  # listed (as "Trigger"): allowed
        signal("SIG-003"),
    )
    analysis = audit(UNKNOWNS, reg)
    found = of(analysis, "unknown.not-allowed")
    assert [(f.subject, f.severity, f.location) for f in found] == [
        ("SIG-001", Severity.WARNING, row_line(reg, "SIG-001")),
        ("SIG-001", Severity.WARNING, row_line(reg, "SIG-001")),
    ]
    assert sorted(f.message for f in found) == [
        "SIG-001 OpsLock: owner_team is UNKNOWN, but the rules allow UNKNOWN only in consumer, c_layer, trigger "
        "(rules.yaml:4)",
        "SIG-001 OpsLock: persistence is UNKNOWN, but the rules allow UNKNOWN only in consumer, c_layer, trigger "
        "(rules.yaml:4)",
    ]
    assert analysis.exit_code == 1


def test_a_column_the_table_lacks_is_not_unknown() -> None:
    columns = tuple(c for c in HEADERS if c != "persistence")
    analysis = audit(UNKNOWNS, registry(signal("SIG-001"), columns=columns))
    assert of(analysis, "unknown.not-allowed") == []
    assert all(share.field != "persistence" for share in analysis.unknowns)


def test_allowed_false_forbids_unknown_everywhere() -> None:
    text = "rules:\n  unknown_handling:\n    allowed: false\n"
    analysis = audit(text, registry(signal("SIG-001", consumer="UNKNOWN"), signal("SIG-002")))
    assert [f.subject for f in of(analysis, "unknown.not-allowed")] == ["SIG-001"]
    assert "allow UNKNOWN in no field" in of(analysis, "unknown.not-allowed")[0].message


def test_without_a_field_list_unknown_is_not_restricted() -> None:
    analysis = audit(
        'rules:\n  unknown_handling:\n    expected_rate: "< 10%"\n', registry(signal("SIG-001", owner="UNKNOWN"))
    )
    assert of(analysis, "unknown.not-allowed") == []
    (share,) = analysis.unknowns
    assert (share.field, share.permitted, share.exceeded) == ("owner_team", None, True)


def test_unknown_share_per_field_against_the_expected_rate() -> None:
    runtime = {**L7_ONLY, "p_layer": "L5"}  # no L7 flows: the share alone decides the findings
    reg = registry(
        signal("SIG-001", runtime, consumer="UNKNOWN", c_layer="UNKNOWN"),
        signal("SIG-002", runtime, c_layer="UNKNOWN"),
        signal("SIG-003", runtime),
        signal("SIG-004", runtime),
    )
    analysis = audit(UNKNOWNS, reg)
    shares = {s.field: s for s in analysis.unknowns}
    assert list(shares) == ["consumer", "c_layer", "trigger"]  # the listed fields, in the rules' order
    assert (shares["c_layer"].signals, shares["c_layer"].total, shares["c_layer"].percent) == (
        ("SIG-001", "SIG-002"),
        4,
        50.0,
    )
    assert (shares["consumer"].exceeded, shares["c_layer"].exceeded, shares["trigger"].exceeded) == (False, True, False)
    (rate,) = of(analysis, "unknown.rate")
    assert (rate.severity, rate.subject, rate.location) == (Severity.INFO, "c_layer", Location(RULES_PATH, 3))
    assert rate.message == (
        "c_layer: 2 of 4 signals (50%) say UNKNOWN, above the expected rate '< 30%' (rules.yaml:3): "
        "SIG-001 OpsLock, SIG-002 OpsLock"
    )
    assert analysis.exit_code == 0  # a rate is a note


def test_an_unparseable_rate_is_kept_and_compared_with_nothing() -> None:
    text = UNKNOWNS.replace('"< 30%"', '"rare"')
    parsed, _ = rules(text)
    assert (parsed.unknown_handling.expected_rate, parsed.unknown_handling.rate) == ("rare", None)
    analysis = audit(text, registry(signal("SIG-001", consumer="UNKNOWN")))
    assert of(analysis, "unknown.rate") == []
    assert analysis.unknowns[0].exceeded is None


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("10-20% at scale", Rate(20.0, True)),
        ("< 10%", Rate(10.0, False)),
        ("≤ 5%", Rate(5.0, True)),
        ("at most 2.5 %", Rate(2.5, True)),
        ("about 5%", Rate(5.0, True)),
        ("> 5%", None),
        ("rare", None),
        ("0.1", None),
    ],
)
def test_expected_rates_as_teams_write_them(text: str, rate: Rate | None) -> None:
    assert parse_rate(text) == rate


def test_a_rate_ceiling_is_exclusive_only_for_less_than() -> None:
    assert Rate(10.0, False).exceeded_by(10.0) and not Rate(10.0, True).exceeded_by(10.0)
    assert Rate(20.0, True).exceeded_by(20.1)


def test_a_listed_field_that_is_no_field_is_a_note_with_a_hint() -> None:
    _, problems = rules("rules:\n  unknown_handling:\n    fields_that_can_be_unknown: [consumr]\n")
    (problem,) = problems
    assert problem.level is Level.NOTE
    assert "'consumr'" in problem.message and "did you mean 'consumer'?" in problem.message


# ------------------------------------------------------- layer constraints

CONSTRAINTS = """\
rules:
  layer_constraints:
    l7_as_consumer:
      allowed: false
      note: "Ops jobs must not read runtime signals"
      l1_exposure: false
    l8_as_consumer:
      allowed: false
      note: "Monitoring goes through metrics"
"""


@pytest.mark.parametrize("layer", ["L7", "L8"])
def test_a_consumer_in_a_layer_the_rules_forbid_is_a_warning_quoting_the_note(layer: str) -> None:
    reg = registry(
        signal("SIG-001", p_layer="L5", consumer=f"reader.py ({layer})", c_layer=layer),
        signal("SIG-002", p_layer="L5", consumer="runner.py (L6)", c_layer="L6"),
        signal("SIG-003", p_layer="L5", consumer="reader.py", c_layer="UNKNOWN"),
    )
    analysis = audit(CONSTRAINTS, reg)
    rule = f"layer-constraint.{layer.lower()}-as-consumer"
    (found,) = of(analysis, rule)
    note = {"L7": "Ops jobs must not read runtime signals", "L8": "Monitoring goes through metrics"}[layer]
    line = {"L7": 3, "L8": 7}[layer]
    assert (found.severity, found.subject, found.location) == (Severity.WARNING, "SIG-001", row_line(reg, "SIG-001"))
    assert found.message == (
        f"SIG-001 OpsLock: consumed in {layer} by reader.py, but rules.layer_constraints.{layer.lower()}_as_consumer "
        f"says allowed: false (rules.yaml:{line}): {note!r}"
    )


def test_without_a_consumer_layer_column_nothing_is_said() -> None:
    columns = tuple(c for c in HEADERS if c != "c_layer")
    reg = registry(signal("SIG-001", p_layer="L5", consumer="reader.py"), columns=columns)
    assert of(audit(CONSTRAINTS, reg), "layer-constraint.l7-as-consumer") == []


def test_allowed_true_or_unsaid_is_no_finding_and_the_constraint_is_kept() -> None:
    text = (
        "rules:\n  layer_constraints:\n    l7_as_consumer:\n      allowed: true\n      l1_exposure: dashboards only\n"
    )
    parsed, _ = rules(text)
    constraint = parsed.constraint("L7")
    assert constraint is not None and (constraint.allowed, constraint.l1_exposure) == (True, "dashboards only")
    reg = registry(signal("SIG-001", p_layer="L5"))
    assert not [f for f in audit(text, reg).findings if f.rule.startswith("layer-constraint.")]


# --------------------------------------------------------------- l2 boundary

# Read in L7 and through L2: only L7 once L2 is a boundary, L7 and L2 when it is a consumer.
BOUNDARY_ROW = {"consumer": "job.py (L7), integration.py (L2)", "c_layer": "L7, L2", "l2_api": "/ops"}


@pytest.mark.parametrize(
    ("value", "boundary", "why"),
    [
        ("true", True, ""),
        ("false", False, ""),
        ("\n      description: L2 exposes, it does not consume", True, "L2 exposes, it does not consume"),
        ("\n      description: read by the API gateway\n      value: false", False, "read by the API gateway"),
        ("\n      description: no longer\n      enabled: false", False, "no longer"),
    ],
    ids=["true", "false", "mapping", "mapping-value-false", "mapping-enabled-false"],
)
def test_l2_is_boundary_in_either_shape(value: str, boundary: bool, why: str) -> None:
    text = f"rules:\n  layer_constraints:\n    l2_is_boundary: {value}\n"
    parsed, problems = rules(text)
    assert (parsed.l2_is_boundary, parsed.l2_boundary_note, problems) == (boundary, why, ())
    analysis = audit(text, registry(signal("SIG-001", **BOUNDARY_ROW)))
    assert analysis.flows[0].klass == ("l7_l7" if boundary else "unclassified")


# ------------------------------------------------------------ orphan words

ORPHANS = """\
rules:
  orphan_detection:
    definition: "A signal without any consumer"
    action: "Flag for review"
    l7_only_exception: "L7-only outputs may have L7 consumers only"
"""


def test_orphan_findings_and_gaps_carry_the_rules_words() -> None:
    reg = registry(signal("SIG-001", consumer="—", c_layer="—"))
    analysis = audit(ORPHANS, reg)
    (finding,) = of(analysis, "q1_l7_only.orphan")
    words = (
        "Orphan detection (rules.yaml:2): A signal without any consumer",
        "Action: Flag for review",
        "Exception (l7_only_exception): L7-only outputs may have L7 consumers only",
    )
    assert finding.message.endswith(". " + " ".join(words))
    (gap,) = analysis.gaps
    assert gap.kind == "orphan" and gap.detail[-3:] == words


def test_orphan_detection_as_one_sentence_is_its_definition() -> None:
    parsed, problems = rules("rules:\n  orphan_detection: A signal nobody reads\n")
    assert parsed.orphan_detection.definition == "A signal nobody reads"
    assert [p.level for p in problems] == [Level.NOTE]


# ------------------------------------------------------------ expectations

TREE = """\
l7_analysis:
  decision_tree:
    q1_l7_only:
      question: Only L7?
      criteria: [consumer layer is L7]
      if_yes:
        exposure: internal-only
        l2_api: NONE
    q2_l7_to_l6:
      question: L6?
      criteria: [read by L6]
      if_yes:
        consumer_layer: L6
    q3_l7_to_both:
      question: Both?
      requirements: [Persistence]
      intermediary_hops: explicit
"""


def test_exposure_expectation_quotes_the_rule() -> None:
    reg = registry(signal("SIG-001", exposure="direct"), signal("SIG-002"))
    analysis = audit(TREE, reg)
    (found,) = of(analysis, "q1_l7_only.expect.exposure")
    assert (found.severity, found.subject, found.location) == (Severity.WARNING, "SIG-001", row_line(reg, "SIG-001"))
    assert found.message == (
        "SIG-001 OpsLock: q1_l7_only expects exposure 'internal-only' (rules.yaml:7), the registry says 'direct'"
    )


def test_exposure_is_derived_from_the_l2_api_when_the_table_has_no_exposure_column() -> None:
    columns = tuple(c for c in HEADERS if c != "exposure")
    reg = registry(signal("SIG-001", l2_api="/ops/locks"), signal("SIG-002"), columns=columns)
    analysis = audit(TREE, reg)
    (found,) = of(analysis, "q1_l7_only.expect.exposure")
    assert found.subject == "SIG-001"
    assert found.message.endswith("the registry says 'direct' (from its L2 API '/ops/locks')")


def test_a_derived_exposure_only_contradicts_internal_only() -> None:
    """An API cell tells exposed from internal-only, not direct from indirect (northwind's SIG-301)."""
    tree = TREE.replace("exposure: internal-only", "exposure: indirect")
    assert "exposure: indirect" in tree
    columns = tuple(c for c in HEADERS if c != "exposure")
    reg = registry(signal("SIG-001", l2_api="/ops/locks"), columns=columns)
    assert of(audit(tree, reg), "q1_l7_only.expect.exposure") == []
    with_column = registry(signal("SIG-001", exposure="direct", l2_api="/ops/locks"))
    assert [f.subject for f in of(audit(tree, with_column), "q1_l7_only.expect.exposure")] == ["SIG-001"]


@pytest.mark.parametrize("absent", ["exposure", "l2_api"])
def test_an_absent_or_unknown_column_decides_nothing(absent: str) -> None:
    both_absent = tuple(c for c in HEADERS if c not in ("exposure", "l2_api"))
    analysis = audit(TREE, registry(signal("SIG-001"), columns=both_absent))
    assert of(analysis, "q1_l7_only.expect.exposure") == of(analysis, "q1_l7_only.expect.l2_api") == []
    unknown = audit(TREE, registry(signal("SIG-001", **{absent: "UNKNOWN"})))
    assert of(unknown, f"q1_l7_only.expect.{absent}") == []


def test_l2_api_none_expects_no_api() -> None:
    reg = registry(signal("SIG-001", l2_api="/ops/locks"), signal("SIG-002", l2_api="N/A"))
    (found,) = of(audit(TREE, reg), "q1_l7_only.expect.l2_api")
    assert found.subject == "SIG-001"
    assert found.message.endswith("expects l2_api 'NONE' (rules.yaml:8), the registry says '/ops/locks'")


def test_consumer_layer_expectation_on_the_q2_branch() -> None:
    reg = registry(
        signal("SIG-001", L7_TO_L6, consumer="engine.py (L4)", c_layer="L4"),
        signal("SIG-002", L7_TO_L6),
        signal("SIG-003", L7_TO_L6, consumer="engine.py (L4), driver.py (L6)", c_layer="L4, L6"),
    )
    (found,) = of(audit(TREE, reg), "q2_l7_to_l6.expect.consumer_layer")
    assert found.subject == "SIG-001"
    assert found.message.endswith("q2_l7_to_l6 expects consumer_layer 'L6' (rules.yaml:13), the registry says 'L4'")


def test_consumer_layer_absent_from_the_registry_is_undecided() -> None:
    """The inventory says the flow reaches L6; the registry row has no consumer layer to compare."""
    columns = tuple(c for c in HEADERS if c != "c_layer")
    reg = registry(signal("SIG-001", L7_TO_L6, consumer="detector.py"), columns=columns)
    inventory = parse_inventory(
        "producers.yaml",
        "producers:\n  - id: ops-job\n    name: Ops Job\n    outputs:\n      - name: snapshots\n        kind: table\n"
        "        signals: [SIG-001]\n        consumers:\n          - {name: engine.py, layer: L4}\n",
        producers_schema(),
    ).value
    analysis = audit(TREE, reg, inventory)
    assert analysis.flows[0].klass == "l7_l6"
    assert of(analysis, "q2_l7_to_l6.expect.consumer_layer") == []


def test_intermediary_hops_expectation_on_the_q3_branch() -> None:
    reg = registry(signal("SIG-001", L7_TO_BOTH), signal("SIG-002", L7_TO_BOTH, hops="L7→L5→L6"))
    analysis = audit(TREE, reg)
    (found,) = of(analysis, "q3_l7_to_both.expect.intermediary_hops")
    assert found.subject == "SIG-001"
    assert found.message.endswith("expects intermediary_hops 'explicit' (rules.yaml:17), the registry says none")
    columns = tuple(c for c in HEADERS if c != "hops")
    assert of(audit(TREE, registry(signal("SIG-001", L7_TO_BOTH), columns=columns)), found.rule) == []


def test_a_hop_path_expectation_matches_the_layers_of_the_cell() -> None:
    text = TREE.replace("intermediary_hops: explicit", "intermediary_hops: L7→*→L6")
    reg = registry(
        signal("SIG-001", L7_TO_BOTH, hops="L7→L5→L4→L6"),
        signal("SIG-002", L7_TO_BOTH, hops="L7 -> L5"),
    )
    (found,) = of(audit(text, reg), "q3_l7_to_both.expect.intermediary_hops")
    assert found.subject == "SIG-002" and found.message.endswith("the registry says 'L7 -> L5'")


def test_expectations_apply_only_to_the_branch_taken_and_to_registered_signals() -> None:
    reg = registry(signal("SIG-001", L7_TO_L6, exposure="direct", l2_api="/ops"))  # took Q2, not Q1
    assert not [f for f in audit(TREE, reg).findings if ".expect." in f.rule]
    inventory = parse_inventory(
        "producers.yaml",
        "producers:\n  - id: ops-job\n    name: Ops Job\n    outputs:\n      - name: lock\n        kind: lock\n"
        "        signals: []\n        consumers:\n          - {name: other_job.py, layer: L7}\n",
        producers_schema(),
    ).value
    analysis = audit(TREE, registry(signal("SIG-009", p_layer="L5")), inventory)
    assert analysis.flows[0].klass == "l7_l7" and not [f for f in analysis.findings if ".expect." in f.rule]


@pytest.mark.parametrize(
    ("key", "text", "kind", "values"),
    [
        ("exposure", "internal-only", ExpectKind.EQUALS, ("internal-only",)),
        ("exposure", "Internal Only or indirect", ExpectKind.EQUALS, ("internal-only", "indirect")),
        ("l2_api", "NONE", ExpectKind.NONE, ()),
        ("l2_api", "required", ExpectKind.SOME, ()),
        ("consumer_layer", "L7", ExpectKind.LAYERS, ("L7",)),
        ("consumer_layer", "L6 or L5", ExpectKind.LAYERS, ("L6", "L5")),
        ("consumer_layer", "L7 and L6", ExpectKind.ALL_LAYERS, ("L7", "L6")),
        ("consumer_layer", "L7 only", ExpectKind.PROSE, ()),
        ("intermediary_hops", "explicit", ExpectKind.SOME, ()),
        ("intermediary_hops", "required", ExpectKind.SOME, ()),
        ("intermediary_hops", "direct", ExpectKind.NONE, ()),
        ("intermediary_hops", "L7→L5→L4", ExpectKind.PATH, ("L7", "L5", "L4")),
        ("intermediary_hops", "must be listed", ExpectKind.PROSE, ()),
    ],
)
def test_expectation_values_as_teams_write_them(key: str, text: str, kind: ExpectKind, values: tuple[str, ...]) -> None:
    stated = expectation(key, text, Location(RULES_PATH, 1))
    assert (stated.kind, stated.values) == (kind, values)


def test_a_path_pattern_star_stands_for_any_run_of_layers() -> None:
    assert path_matches(("L7", "*", "L4"), ("L7", "L4"))
    assert path_matches(("L7", "*", "L4"), ("L7", "L5", "L6", "L4"))
    assert not path_matches(("L7", "L5"), ("L7", "L5", "L4"))


# ------------------------------------------------------------ verification


def test_verification_entries_keep_free_keys_and_are_never_run() -> None:
    parsed, problems = rules(
        """\
        verification:
          count:
            python: "len(signals)"
            expected: 4
            threshold: 5
          rows:
            sql: SELECT count(*) FROM signals
          review:
            note: quarterly
        """
    )
    assert problems == ()
    assert [(v.name, v.language, v.command, v.expected, v.note, v.other) for v in parsed.verification] == [
        ("count", "python", "len(signals)", "4", "", (("threshold", "5"),)),
        ("rows", "sql", "SELECT count(*) FROM signals", "", "", ()),
        ("review", "", "", "", "quarterly", ()),
    ]


# ------------------------------------------------------- older keys, aliases


def test_this_projects_older_keys_are_read_as_aliases() -> None:
    parsed, problems = rules(
        """\
        rules:
          layer_constraints:
            l7_l8_consume_ops_only: true
            l2_is_boundary: true
          unknown_handling:
            allowed_fields: [trigger, consumer]
            expected_rate: "< 10%"
          orphan_detection:
            check: "consumer=NONE AND exposure!=internal-only"
            action: "flag for review"
        """
    )
    assert problems == () and parsed.unknown_keys == ()
    assert [(c.layer, c.allowed) for c in parsed.consumer_constraints] == [("L7", True), ("L8", True)]
    assert parsed.unknown_handling.fields == ("trigger", "consumer")
    assert (parsed.orphan_detection.check, parsed.orphan_detection.action) == (
        "consumer=NONE AND exposure!=internal-only",
        "flag for review",
    )


def test_a_malformed_orphan_check_is_a_note_since_nothing_evaluates_it() -> None:
    _, problems = rules("rules:\n  orphan_detection:\n    check: consumer==\n")
    (problem,) = problems
    assert problem.level is Level.NOTE and "is not a valid expression" in problem.message
