"""auditor_rules.yaml: the shipped file reads cleanly; an impossible file is a located error, any other shape a note."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from enum import Enum
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layerflow.model import Level, Location, Problem, Rules, UnknownKey
from layerflow.parse.rules import expression_fields, parse_rules

PATH = "auditor_rules.yaml"

# A small complete rules file; each bad case below changes one thing in it.
MINIMAL = """\
schema:
  version: "1.0"
  columns: [UID, Signal, P-Layer, Owner Team]
l7_analysis:
  decision_tree:
    q1_l7_only:
      question: "Only L7?"
      criteria: ["Consumer layer = L7"]
      if_yes:
        exposure: internal-only
        severity: warning
    q2_l7_to_l6:
      question: "Needed by L6?"
      criteria: ["Mutates DB"]
      if_yes:
        check: "persistence required"
        fail_conditions: ["Consumer missing"]
        severity: blocking
    q3_l7_to_both:
      question: "Both?"
      criteria: ["L7 and L6"]
      valid: "Valid if consumer listed for both"
      requirements: [Persistence]
      fail_condition: "Latent reliability issue"
      severity: warning
ci_gates:
  blocking:
    - rule: G1
      check: "p_layer=L7 AND owner_team=UNKNOWN"
      action: "fix it"
"""


def plain(value: object) -> object:
    """Rules as JSON-ready data: dataclasses to dicts, locations to "file:line", enums to values."""
    if isinstance(value, Location):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    return value


def problems_of(text: str) -> tuple[Problem, ...]:
    return parse_rules(PATH, text).problems


def only(problems: tuple[Problem, ...], level: Level = Level.ERROR) -> Problem:
    found = [p for p in problems if p.level is level]
    assert len(found) == 1, problems
    return found[0]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# -------------------------------------------------------------- shipped file


def test_shipped_rules_parse_without_problems(root: Path, golden: Callable[[str, object], None]) -> None:
    text = (root / "registry" / "auditor_rules.yaml").read_text(encoding="utf-8")
    parsed = parse_rules("registry/auditor_rules.yaml", text)
    assert parsed.problems == ()
    rules = parsed.value
    assert [n.id for n in rules.decision_tree] == ["q1_l7_only", "q2_l7_to_l6", "q3_l7_to_both"]
    assert rules.node("q2_l7_to_l6") is not None
    assert {g.level.value for g in rules.gates} == {"blocking", "warning"}
    assert rules.exit_codes == {"0": "all pass", "1": "warnings only", "2": "blocking violations"}
    golden("rules/auditor_rules.json", plain(rules))


def test_minimal_rules_parse_and_read_every_outcome_shape() -> None:
    parsed = parse_rules(PATH, MINIMAL)
    assert parsed.problems == ()
    q1, q2, q3 = parsed.value.decision_tree
    assert (q1.exposure, q1.severity, q1.location) == ("internal-only", "warning", Location(PATH, 6))
    assert q2.fail_conditions == ("Consumer missing",)
    assert (q3.check, q3.valid) == ("", "Valid if consumer listed for both")
    assert (q3.requirements, q3.fail_conditions) == (("Persistence",), ("Latent reliability issue",))
    assert parsed.value.columns == ("UID", "Signal", "P-Layer", "Owner Team")


def test_expression_fields_add_the_schema_columns() -> None:
    fields = expression_fields(["Owner Team", "P-Layer", "--"])
    assert {"owner_team", "p_layer", "uid"} <= fields
    assert "" not in fields


# ------------------------------------------------------ impossible: errors


def test_node_as_a_list_is_an_error_at_the_node() -> None:
    start, end = MINIMAL.index("    q2_l7_to_l6:"), MINIMAL.index("    q3_l7_to_both:")
    text = MINIMAL[:start] + "    q2_l7_to_l6:\n      - question\n      - criteria\n" + MINIMAL[end:]
    problem = only(problems_of(text))
    assert problem.location.line == line_of(text, "q2_l7_to_l6")
    assert "must be a mapping" in problem.message and "not a list" in problem.message


@pytest.mark.parametrize("tree", ["[q1_l7_only, q2_l7_to_l6]", "every output is L7"])
def test_decision_tree_that_is_not_a_mapping_of_nodes_is_an_error(tree: str) -> None:
    start, end = MINIMAL.index("  decision_tree:\n"), MINIMAL.index("ci_gates:")
    text = MINIMAL[:start] + f"  decision_tree: {tree}\n" + MINIMAL[end:]
    problem = only(problems_of(text))
    assert problem.location.line == line_of(text, "decision_tree:")
    assert "l7_analysis.decision_tree must be a mapping of nodes" in problem.message


def test_malformed_gate_expression_is_an_error_at_the_check_line_with_column_and_hint() -> None:
    text = MINIMAL.replace("p_layer=L7 AND owner_team", "p_layr=L7 AND owner_team")
    problem = only(problems_of(text))
    assert problem.location.line == line_of(text, "p_layr=L7")
    assert "gate G1" in problem.message
    assert "column 1" in problem.message
    assert "did you mean 'p_layer'?" in problem.message


def test_prose_gate_check_is_not_a_problem() -> None:
    text = MINIMAL.replace("p_layer=L7 AND owner_team=UNKNOWN", "grep for session.add/execute not in registry")
    parsed = parse_rules(PATH, text)
    assert parsed.problems == ()
    assert parsed.value.gates[0].check == "grep for session.add/execute not in registry"


def test_top_level_list_is_an_error() -> None:
    problem = only(problems_of("- schema\n- rules\n"))
    assert problem.location == Location(PATH, 1)
    assert "must be a mapping of sections, not a list" in problem.message


def test_python_object_tag_is_refused() -> None:
    text = MINIMAL + "extra: !!python/object/apply:os.system ['echo pwned']\n"
    errors = parse_rules(PATH, text).errors
    assert any("unsupported YAML tag" in p.message for p in errors)
    assert all(p.location.line == line_of(text, "extra:") for p in errors)


def test_broken_yaml_is_a_located_error() -> None:
    problem = only(problems_of("schema:\n  version: [1.0\nrules: {\n"))
    assert problem.message.startswith("invalid YAML")
    assert problem.location.line > 0


def test_characters_yaml_forbids_are_a_located_error() -> None:
    problem = only(problems_of("schema:\n  version: \x1f\n"))
    assert problem.location == Location(PATH, 2)
    assert "U+001F" in problem.message


def test_nesting_too_deep_for_the_yaml_reader_is_an_error() -> None:
    # Python's scanner runs out of recursion ("nested too deeply"); libyaml, when PyYAML has it,
    # stops with its own parse error. Either way: one located error, no exception.
    problem = only(problems_of("[" * 5000))
    assert problem.message.startswith("invalid YAML")
    assert problem.location.path == PATH


def test_empty_file_is_an_error() -> None:
    assert "empty" in only(problems_of("")).message


# ------------------------------------------------- other shapes: notes, kept


def test_missing_decision_node_is_a_note_and_the_built_in_question_is_used() -> None:
    start, end = MINIMAL.index("    q2_l7_to_l6:"), MINIMAL.index("    q3_l7_to_both:")
    text = MINIMAL[:start] + MINIMAL[end:]
    parsed = parse_rules(PATH, text)
    problem = only(parsed.problems, Level.NOTE)
    assert not parsed.errors
    assert problem.location == Location(PATH, line_of(text, "decision_tree:"))
    assert "'q2_l7_to_l6'" in problem.message and "built-in question" in problem.message
    assert parsed.value.node("q2_l7_to_l6") is None
    assert parsed.value.notes == (problem,)


def test_criteria_as_a_string_is_one_criterion_and_a_note() -> None:
    text = MINIMAL.replace('criteria: ["Mutates DB"]', 'criteria: "Mutates DB"')
    parsed = parse_rules(PATH, text)
    problem = only(parsed.problems, Level.NOTE)
    assert problem.location.line == line_of(text, 'criteria: "Mutates DB"')
    assert "criteria is text, not a list: read as one item" in problem.message
    assert parsed.value.node("q2_l7_to_l6").criteria == ("Mutates DB",)  # type: ignore[union-attr]


def test_gate_without_a_check_is_a_note_and_is_left_out() -> None:
    text = MINIMAL.replace('      check: "p_layer=L7 AND owner_team=UNKNOWN"\n', "")
    parsed = parse_rules(PATH, text)
    problem = only(parsed.problems, Level.NOTE)
    assert problem.location.line == line_of(text, "- rule: G1")
    assert "gate G1 has no check" in problem.message
    assert parsed.value.gates == ()


def test_gate_without_a_rule_is_named_by_its_place() -> None:
    text = MINIMAL.replace("    - rule: G1\n      check:", "    - check:")
    parsed = parse_rules(PATH, text)
    assert "has no rule name" in only(parsed.problems, Level.NOTE).message
    assert [g.rule for g in parsed.value.gates] == ["ci_gates.blocking[0]"]


@pytest.mark.parametrize(
    "gates",
    [
        "  blocking:\n    G1:\n      check: p_layer=L7\n      action: fix it\n",
        "  blocking:\n    rule: G1\n    check: p_layer=L7\n    action: fix it\n",
    ],
    ids=["mapping-of-gates", "one-gate"],
)
def test_gates_as_a_mapping_are_read(gates: str) -> None:
    text = MINIMAL[: MINIMAL.index("ci_gates:")] + "ci_gates:\n" + gates
    parsed = parse_rules(PATH, text)
    assert parsed.problems == ()
    assert [(g.rule, g.check, g.action) for g in parsed.value.gates] == [("G1", "p_layer=L7", "fix it")]


def test_unknown_top_level_key_is_kept_with_a_did_you_mean_and_no_problem() -> None:
    text = MINIMAL.replace("ci_gates:", "ci_gatez:")
    parsed = parse_rules(PATH, text)
    assert parsed.problems == ()
    where = Location(PATH, line_of(text, "ci_gatez:"))
    (unknown,) = parsed.value.unknown_keys
    assert unknown == UnknownKey("ci_gatez", where, "ci_gates", unknown.value)
    assert unknown.value.startswith("blocking: rule: G1; check: p_layer=L7")  # what it holds, to show


def test_unknown_nested_key_is_kept_with_its_dotted_path() -> None:
    text = MINIMAL.replace("        severity: blocking\n", "        severity: blocking\n        severty: P1\n")
    parsed = parse_rules(PATH, text)
    assert parsed.problems == ()
    (unknown,) = parsed.value.unknown_keys
    assert (unknown.key, unknown.suggestion) == ("l7_analysis.decision_tree.q2_l7_to_l6.if_yes.severty", "severity")


def test_a_typo_of_a_required_key_is_reported_once_as_the_unknown_key() -> None:
    text = MINIMAL.replace('      question: "Needed by L6?"', '      questoin: "Needed by L6?"')
    parsed = parse_rules(PATH, text)
    assert parsed.problems == ()  # not also "has no question"
    assert [(u.key, u.suggestion) for u in parsed.value.unknown_keys] == [
        ("l7_analysis.decision_tree.q2_l7_to_l6.questoin", "question")
    ]


def test_all_problems_are_collected_together() -> None:
    text = (
        MINIMAL.replace('criteria: ["Mutates DB"]', 'criteria: "Mutates DB"')
        .replace("p_layer=L7 AND", "p_layer=L7 AND AND")
        .replace("schema:", "schemas:")
    )
    parsed = parse_rules(PATH, text)
    assert len(parsed.errors) == 1
    assert len([p for p in parsed.problems if p.level is Level.NOTE]) == 1
    assert [u.key for u in parsed.value.unknown_keys] == ["schemas"]
    assert list(parsed.problems) == sorted(parsed.problems)


@pytest.mark.parametrize(
    ("replace", "by", "words"),
    [
        ('  version: "1.0"\n', '  version: "1.0"\n  frozen: yes please\n', "schema.frozen is 'yes please', not true"),
        ("ci_gates:\n  blocking:\n", "ci_gates:\n  warning: G2\n  blocking:\n", "not a list of gates: not read"),
        ('      question: "Both?"\n', "", "has no question: the built-in one is used"),
        (
            "      if_yes:\n        exposure: internal-only\n        severity: warning\n",
            "      if_yes: internal-only\n",
            "if_yes is text, not a mapping: read as its check",
        ),
        ("l7_analysis:\n", "l7_analysis:\n  description: [a, b]\n", "description is a list, not text"),
    ],
)
def test_other_shapes_are_notes_never_errors(replace: str, by: str, words: str) -> None:
    assert replace in MINIMAL
    problems = problems_of(MINIMAL.replace(replace, by))
    assert not [p for p in problems if p.level is not Level.NOTE], problems
    assert any(words in p.message for p in problems), problems


def test_the_built_in_question_is_asked_when_a_node_has_none() -> None:
    from layerflow.audit.classify import classify_all
    from layerflow.model.rules import BUILT_IN_QUESTIONS
    from layerflow.parse.registry import parse_registry

    rules = parse_rules(PATH, MINIMAL.replace('      question: "Both?"\n', "")).value
    assert rules.node("q3_l7_to_both").question == ""  # type: ignore[union-attr]
    assert BUILT_IN_QUESTIONS["q3_l7_to_both"] == "Output required by BOTH?"
    table = (
        "## Signals\n\n| UID | Signal | Producer | P-Layer | Consumer | C-Layer | Persistence |\n"
        "|---|---|---|---|---|---|---|\n| SIG-001 | Thing | job.py | L7 | api.py, ops.py | L6, L7 | PostgreSQL |\n"
    )
    (flow,) = classify_all(parse_registry([("reg.md", table)]).value, None, rules)
    asked = {d.node: d.question for d in flow.decision}
    assert asked["q3_l7_to_both"] == "Output required by BOTH?"  # the node without a question asks this
    assert asked["q1_l7_only"] == rules.node("q1_l7_only").question  # type: ignore[union-attr]  # the others their own


# ---------------------------------------------------------------- property


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=300), st.sampled_from(MINIMAL.splitlines()).map(lambda s: s + "\n")))
def test_arbitrary_text_never_raises(text: str) -> None:
    parsed = parse_rules(PATH, text)
    assert isinstance(parsed.value, Rules)
    assert all(isinstance(p, Problem) and p.location.path == PATH for p in parsed.problems)


@given(st.lists(st.sampled_from(MINIMAL.splitlines(keepends=True)), max_size=40).map("".join))
def test_shuffled_rules_lines_never_raise(text: str) -> None:
    parsed = parse_rules(PATH, text)
    assert isinstance(parsed.value, Rules)
