"""Gate checks evaluated with three-valued logic, including every gate of the shipped rules."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from layerflow.audit.gates import FieldValue, GateResult, MappingFields, evaluate, run_gate
from layerflow.model import Gate, GateLevel, Location, Rules
from layerflow.parse.expr import CANONICAL_FIELDS, And, Compare, Expr, ExprError, Not, Or, Prose, parse_check
from layerflow.parse.rules import expression_fields, parse_rules

# Three atoms over one subject: uid is "x" (true), name is "y" (false), class is absent (unknown).
SUBJECT = MappingFields({"uid": "x", "name": "y"})
ATOMS: dict[bool | None, Expr] = {
    True: Compare("uid", "=", "x"),
    False: Compare("name", "=", "x"),
    None: Compare("class", "=", "x"),
}
TRUTHS: tuple[bool | None, ...] = (True, False, None)

KLEENE_AND = {
    (True, True): True,
    (True, False): False,
    (True, None): None,
    (False, True): False,
    (False, False): False,
    (False, None): False,
    (None, True): None,
    (None, False): False,
    (None, None): None,
}
KLEENE_OR = {
    (True, True): True,
    (True, False): True,
    (True, None): True,
    (False, True): True,
    (False, False): False,
    (False, None): None,
    (None, True): True,
    (None, False): None,
    (None, None): None,
}


def check(text: str) -> Expr:
    parsed = parse_check(text, CANONICAL_FIELDS)
    assert not isinstance(parsed, (Prose, ExprError)), parsed
    return parsed


def fields(**values: FieldValue) -> MappingFields:
    return MappingFields(values)


# ---------------------------------------------------------------- truth tables


def test_atoms_have_the_truth_values_they_stand_for() -> None:
    for truth, atom in ATOMS.items():
        assert evaluate(atom, SUBJECT) is truth


@pytest.mark.parametrize(("left", "right"), [(a, b) for a in TRUTHS for b in TRUTHS])
def test_and_and_or_follow_kleene(left: bool | None, right: bool | None) -> None:
    assert evaluate(And((ATOMS[left], ATOMS[right])), SUBJECT) is KLEENE_AND[left, right]
    assert evaluate(Or((ATOMS[left], ATOMS[right])), SUBJECT) is KLEENE_OR[left, right]


@pytest.mark.parametrize(("value", "negated"), [(True, False), (False, True), (None, None)])
def test_not_keeps_unknown_unknown(value: bool | None, negated: bool | None) -> None:
    assert evaluate(Not(ATOMS[value]), SUBJECT) is negated


def test_an_absent_column_makes_not_equal_unknown_too() -> None:
    assert evaluate(check("class!=x"), SUBJECT) is None
    assert evaluate(check("class contains x"), SUBJECT) is None


# ------------------------------------------------------------------ comparisons


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("consumer=NONE", {"consumer": ""}, True),
        ("consumer=NONE", {"consumer": ()}, True),
        ("consumer=none", {"consumer": ()}, True),
        ("consumer=N/A", {"consumer": ""}, True),
        ('consumer=""', {"consumer": ""}, True),
        ("consumer=NONE", {"consumer": ("capability_lockouts",)}, False),
        ("consumer=NONE", {"consumer": "UNKNOWN"}, False),
        ("consumer!=NONE", {"consumer": ("a", "b")}, True),
        ("c_layer=L2", {"c_layer": ("L6", "L2")}, True),
        ("c_layer=L4", {"c_layer": ("L6", "L2")}, False),
        ("c_layer!=L4", {"c_layer": ("L6", "L2")}, True),
        ("c_layer contains L6", {"c_layer": ("L6", "L2")}, True),
        ("c_layer contains l6", {"c_layer": ("L6", "L2")}, True),
        ("c_layer contains L", {"c_layer": ("L6", "L2")}, False),  # element membership, not substring
        ("c_layer contains L6", {"c_layer": "L6, L2"}, True),  # substring on plain text
        ("persistence contains postgres", {"persistence": "R2 + PostgreSQL"}, True),
        ("persistence=in-memory", {"persistence": "In-memory"}, True),
        ("verified_path!=YES", {"verified_path": "yes"}, False),
        ("verified_path!=YES", {"verified_path": "PARTIAL"}, True),
    ],
)
def test_comparisons(text: str, values: Mapping[str, FieldValue], expected: bool) -> None:
    assert evaluate(check(text), MappingFields(values)) is expected


def test_any_field_looks_at_every_present_value() -> None:
    unknown = check("any field=UNKNOWN")
    assert evaluate(unknown, fields(uid="SIG-1", trigger="UNKNOWN")) is True
    assert evaluate(unknown, fields(uid="SIG-1", consumer=("a", "unknown"))) is True
    assert evaluate(unknown, fields(uid="SIG-1", trigger="cron")) is False
    assert evaluate(unknown, fields()) is False  # no fields at all: nothing is UNKNOWN


# ---------------------------------------------------------------------- run_gate


def test_run_gate_splits_matched_from_undecided() -> None:
    gate = Gate("G", "p_layer=L7 AND verified_path!=YES", "fix", GateLevel.BLOCKING, Location("rules.yaml", 3))
    subjects = [
        ("SIG-1", Location("reg.md", 10), fields(p_layer="L7", verified_path="NO")),
        ("SIG-2", Location("reg.md", 11), fields(p_layer="L7", verified_path="YES")),
        ("SIG-3", Location("reg.md", 12), fields(p_layer="L7")),  # no Verified Path column
        ("SIG-4", Location("reg.md", 13), fields(p_layer="L5")),  # false whatever the missing column says
    ]
    result = run_gate(gate, check(gate.check), subjects)
    assert result == GateResult(gate, (("SIG-1", Location("reg.md", 10)),), (("SIG-3", Location("reg.md", 12)),))
    assert not result.passed
    assert run_gate(gate, check(gate.check), subjects[1:2]).passed


# ------------------------------------------------- the shipped rules' gates


@pytest.fixture
def rules(root: Path) -> Rules:
    text = (root / "registry" / "auditor_rules.yaml").read_text(encoding="utf-8")
    parsed = parse_rules("registry/auditor_rules.yaml", text)
    assert parsed.problems == ()
    return parsed.value


def _gate_check(rules: Rules, rule: str) -> Expr | Prose | ExprError:
    gate = next(g for g in rules.gates if g.rule == rule)
    return parse_check(gate.check, expression_fields(rules.columns))


L7_TO_L6 = {"p_layer": "L7", "c_layer": ("L6",), "verified_path": "YES", "persistence": "PostgreSQL"}

# rule -> (subjects that must match, subjects that must not)
GATE_CASES: dict[str, tuple[list[dict[str, FieldValue]], list[dict[str, FieldValue]]]] = {
    "L7_TO_L6_UNVERIFIED": (
        [{**L7_TO_L6, "verified_path": "NO"}, {**L7_TO_L6, "verified_path": "PARTIAL", "c_layer": ("L6", "L2")}],
        [L7_TO_L6, {**L7_TO_L6, "p_layer": "L5", "verified_path": "NO"}, {**L7_TO_L6, "c_layer": ("L8",)}],
    ),
    "L7_TO_L6_NO_PERSISTENCE": (
        [{**L7_TO_L6, "persistence": ""}, {**L7_TO_L6, "persistence": "In-memory"}],
        [L7_TO_L6, {**L7_TO_L6, "persistence": "R2 + PostgreSQL"}, {**L7_TO_L6, "p_layer": "L4", "persistence": ""}],
    ),
    "ORPHANED_SIGNAL": (
        [{"consumer": (), "exposure": "direct"}, {"consumer": "", "exposure": "indirect"}],
        [{"consumer": (), "exposure": "internal-only"}, {"consumer": ("grafana",), "exposure": "direct"}],
    ),
    "UNKNOWN_FIELDS": (
        [{"uid": "SIG-1", "trigger": "UNKNOWN"}, {"uid": "SIG-2", "c_layer": ("UNKNOWN",)}],
        [{"uid": "SIG-3", "trigger": "cron", "consumer": ("x",)}],
    ),
    "L8_CONSUMES_RUNTIME": (
        [{"p_layer": "L4", "c_layer": ("L8",)}, {"p_layer": "L6", "c_layer": ("L6", "L8")}],
        [
            {"p_layer": "L7", "c_layer": ("L8",)},
            {"p_layer": "L8", "c_layer": ("L8",)},
            {"p_layer": "L4", "c_layer": ("L6",)},
        ],
    ),
}


@pytest.mark.parametrize("rule", sorted(GATE_CASES))
def test_each_expression_gate_matches_what_it_should(rules: Rules, rule: str) -> None:
    expr = _gate_check(rules, rule)
    assert not isinstance(expr, (Prose, ExprError)), expr
    should, should_not = GATE_CASES[rule]
    for values in should:
        assert evaluate(expr, MappingFields(values)) is True, values
    for values in should_not:
        assert evaluate(expr, MappingFields(values)) is False, values


@pytest.mark.parametrize("rule", ["L7_TO_L6_UNVERIFIED", "L7_TO_L6_NO_PERSISTENCE", "L8_CONSUMES_RUNTIME"])
def test_a_table_without_the_columns_leaves_layer_gates_undecided(rules: Rules, rule: str) -> None:
    expr = _gate_check(rules, rule)
    assert not isinstance(expr, (Prose, ExprError))
    gate = next(g for g in rules.gates if g.rule == rule)
    result = run_gate(gate, expr, [("SIG-9", Location("reg.md", 9), fields(p_layer="L6"))])
    if rule == "L8_CONSUMES_RUNTIME":
        assert result.undecided == (("SIG-9", Location("reg.md", 9)),)  # c_layer missing, p_layer alone cannot decide
    else:
        assert result.undecided == ()  # p_layer=L6 already settles an L7 gate as false
    assert result.matched == ()
    unknown_layer = run_gate(gate, expr, [("SIG-8", Location("reg.md", 8), fields(c_layer=("L6", "L8")))])
    assert unknown_layer.undecided == (("SIG-8", Location("reg.md", 8)),)


@pytest.mark.parametrize("rule", ["UNREGISTERED_DB_WRITER", "NEW_L7_JOB"])
def test_gates_that_need_the_code_base_are_prose(rules: Rules, rule: str) -> None:
    assert isinstance(_gate_check(rules, rule), Prose)


def test_every_shipped_gate_is_covered_here(rules: Rules) -> None:
    prose = {"UNREGISTERED_DB_WRITER", "NEW_L7_JOB"}
    assert {g.rule for g in rules.gates} == set(GATE_CASES) | prose


@pytest.mark.parametrize("written", ["", "—", "–", "-", "N/A", "na", "None", "nil"])
def test_none_means_what_the_registry_parser_means(written: str) -> None:
    # A gate's `=NONE` and a cell's "none" share one list, so no cell is none to one and not to the other.
    from layerflow.parse.cells import NONE, value

    assert value(written) == NONE
    assert evaluate(check("persistence=NONE"), fields(persistence=written)) is True
