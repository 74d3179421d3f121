"""The gate-check expression language: parsing, errors, prose, canonical text."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from layerflow.parse.expr import (
    CANONICAL_FIELDS,
    MAX_DEPTH,
    And,
    AnyField,
    Compare,
    Expr,
    ExprError,
    Not,
    Or,
    Prose,
    fields_of,
    normalize_field,
    parse_check,
    render,
)

A = Compare("uid", "=", "a")
B = Compare("name", "=", "b")
C = Compare("class", "=", "c")


def parse(text: str) -> Expr:
    result = parse_check(text, CANONICAL_FIELDS)
    assert not isinstance(result, (Prose, ExprError)), result
    return result


def parse_error(text: str) -> ExprError:
    result = parse_check(text, CANONICAL_FIELDS)
    assert isinstance(result, ExprError), result
    return result


# ------------------------------------------------------------- the seed's checks


def test_seed_gate_checks_parse_to_the_expected_trees() -> None:
    assert parse("p_layer=L7 AND c_layer contains L6 AND verified_path!=YES") == And(
        (
            Compare("p_layer", "=", "L7"),
            Compare("c_layer", "contains", "L6"),
            Compare("verified_path", "!=", "YES"),
        )
    )
    assert parse("consumer=NONE AND exposure!=internal-only") == And(
        (Compare("consumer", "=", "NONE"), Compare("exposure", "!=", "internal-only"))
    )
    assert parse("any field=UNKNOWN") == AnyField("=", "UNKNOWN")
    assert parse("persistence=NONE OR persistence=In-memory") == Or(
        (Compare("persistence", "=", "NONE"), Compare("persistence", "=", "In-memory"))
    )


# ------------------------------------------------------------------ precedence


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("uid=a OR name=b AND class=c", Or((A, And((B, C))))),
        ("uid=a AND name=b OR class=c", Or((And((A, B)), C))),
        ("NOT uid=a AND name=b", And((Not(A), B))),
        ("NOT uid=a OR name=b", Or((Not(A), B))),
        ("NOT NOT uid=a", Not(Not(A))),
        ("(uid=a OR name=b) AND class=c", And((Or((A, B)), C))),
        ("NOT (uid=a AND name=b)", Not(And((A, B)))),
        ("((uid=a))", A),
        ("uid=a AND (name=b AND class=c)", And((A, B, C))),
        ("uid=a OR (name=b OR class=c)", Or((A, B, C))),
    ],
)
def test_precedence_is_not_then_and_then_or(text: str, expected: Expr) -> None:
    assert parse(text) == expected


def test_keywords_and_field_names_are_case_insensitive() -> None:
    assert parse("UID=a and not Name=b Or CLASS CONTAINS c") == Or(
        (And((A, Not(B))), Compare("class", "contains", "c"))
    )
    assert parse("P-Layer=L7") == Compare("p_layer", "=", "L7")
    assert parse("ANY FIELD != x") == AnyField("!=", "x")


def test_values_may_be_quoted_with_either_quote_and_escapes() -> None:
    assert parse('name="Graduation Status"') == Compare("name", "=", "Graduation Status")
    assert parse("name='a AND b'") == Compare("name", "=", "a AND b")
    assert parse(r'name="say \"hi\" \\ bye"') == Compare("name", "=", 'say "hi" \\ bye')
    assert parse('name=""') == Compare("name", "=", "")


def test_bare_values_take_the_documented_punctuation() -> None:
    assert parse("source_files contains scripts/ops/job_1.py") == Compare(
        "source_files", "contains", "scripts/ops/job_1.py"
    )
    assert parse("trigger=*:0/5") == Compare("trigger", "=", "*:0/5")


def test_schema_columns_become_fields_when_passed_in() -> None:
    assert parse_check("signal=x", (*CANONICAL_FIELDS, "signal")) == Compare("signal", "=", "x")
    assert isinstance(parse_check("signal=x", CANONICAL_FIELDS), ExprError)


# ---------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("p_layr=L7", 1, "did you mean 'p_layer'"),
        ("p_layer==L7", 9, "not =="),
        ("(p_layer=L7", 12, "close the '(' at column 1"),
        ("p_layer=L7)", 11, "expected AND, OR"),
        ("p_layer=L7 extra", 12, "quote it"),
        ('name="open', 6, "unterminated"),
        ("uid=a!b", 6, "'!' must be followed by '='"),
        ("uid=", 5, "expected a value"),
        ("=L7", 1, "expected a field name"),
        ("uid=a AND", 10, "expected a field name"),
        ("uid=a AND OR name=b", 11, "expected a field name"),
        ("uid L7 = x", 5, "expected =, != or contains"),
        ("uid=a → b", 7, "unexpected character"),
        ("any field contains", 19, "expected a value"),
    ],
)
def test_malformed_checks_give_a_located_error(text: str, column: int, words: str) -> None:
    err = parse_error(text)
    assert err.column == column
    assert words in err.message
    assert str(err).startswith(f"column {column}: ")


def test_an_unknown_field_with_no_close_match_has_no_hint() -> None:
    err = parse_error("zzzzzz=1")
    assert "unknown field 'zzzzzz'" in err.message
    assert "did you mean" not in err.message


def test_nesting_beyond_the_limit_is_an_error_not_a_crash() -> None:
    deep = "(" * (MAX_DEPTH + 1) + "uid=a" + ")" * (MAX_DEPTH + 1)
    assert parse_error(deep).column == MAX_DEPTH + 1
    nots = "NOT " * (MAX_DEPTH + 1) + "uid=a"
    assert "nested more than" in parse_error(nots).message
    assert parse("(" * MAX_DEPTH + "uid=a" + ")" * MAX_DEPTH) == A


def test_a_two_megabyte_check_is_read_in_one_pass() -> None:
    long_and = " AND ".join(["uid=x"] * 200_000)
    parsed = parse(long_and)
    assert isinstance(parsed, And) and len(parsed.operands) == 200_000
    err = parse_error("x" * 2_000_000 + "=1")
    assert err.column == 1 and len(err.message) < 200  # the word is shortened in the message
    assert parse_error("(" * 1_000_000 + "uid=a").column == MAX_DEPTH + 1


# ----------------------------------------------------------------------- prose


@pytest.mark.parametrize(
    "text",
    [
        "grep for session.add/execute not in registry",
        "every new session.add/execute must be registered (grep for session.add/execute not in registry)",
        "new L7 job without signal registration",
        "",
        "   ",
        "NOT",
    ],
)
def test_text_without_a_comparison_is_prose(text: str) -> None:
    result = parse_check(text, CANONICAL_FIELDS)
    assert isinstance(result, Prose)
    assert result.reason


def test_prose_that_uses_an_operator_is_an_error_not_prose() -> None:
    assert isinstance(parse_check("Consumer missing, persistence = no → REAL BUG", CANONICAL_FIELDS), ExprError)
    assert isinstance(parse_check("the output contains PII", CANONICAL_FIELDS), ExprError)


# ------------------------------------------------------- render and fields_of


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("p_layer = L7 and c_layer CONTAINS L6", "p_layer=L7 AND c_layer contains L6"),
        ("(uid=a or name=b) and class=c", "(uid=a OR name=b) AND class=c"),
        ("uid=a or (name=b and class=c)", "uid=a OR name=b AND class=c"),
        ("not (uid=a or name=b)", "NOT (uid=a OR name=b)"),
        ("not not uid=a", "NOT NOT uid=a"),
        ("name='two words'", 'name="two words"'),
        ("name='and'", 'name="and"'),
        ("name=''", 'name=""'),
        ("Any Field=UNKNOWN", "any field=UNKNOWN"),
    ],
)
def test_render_gives_canonical_text(text: str, canonical: str) -> None:
    assert render(parse(text)) == canonical


def test_fields_of_lists_the_named_fields() -> None:
    expr = parse("p_layer=L7 AND (c_layer contains L6 OR NOT persistence=NONE) AND any field=UNKNOWN")
    assert fields_of(expr) == {"p_layer", "c_layer", "persistence"}
    assert fields_of(AnyField("=", "UNKNOWN")) == frozenset()


def test_normalize_field_folds_case_and_punctuation() -> None:
    assert normalize_field("Verified Path") == "verified_path"
    assert normalize_field("P-Layer") == "p_layer"
    assert normalize_field("  L2  API ") == "l2_api"
    assert normalize_field("--") == ""


def test_conjunction_and_disjunction_flatten() -> None:
    assert parse_check("uid = a AND (name = b AND class = c)", CANONICAL_FIELDS) == And((A, B, C))
    assert parse_check("(uid = a)", CANONICAL_FIELDS) == A
    assert parse_check("(uid = a OR name = b) OR class = c", CANONICAL_FIELDS) == Or((A, B, C))


def _flat(kind: type[And] | type[Or]) -> Callable[[list[Expr]], Expr]:
    """Operands joined as the parser joins them: nested ANDs (ORs) in one."""

    def join(parts: list[Expr]) -> Expr:
        operands = [o for p in parts for o in (p.operands if isinstance(p, kind) else (p,))]
        return kind(tuple(operands))

    return join


# ------------------------------------------------------------------ properties

_values = st.one_of(
    st.text(alphabet="abcXYZ019-_.*/:", min_size=1, max_size=8),
    st.text(max_size=8),  # anything at all, rendered quoted when it must be
    st.sampled_from(["NONE", "UNKNOWN", "and", "OR", "contains", "any"]),
)
_ops = st.sampled_from(["=", "!=", "contains"])
_atoms = st.one_of(
    st.builds(Compare, st.sampled_from(CANONICAL_FIELDS), _ops, _values),
    st.builds(AnyField, _ops, _values),
)


def _extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    several = st.lists(children, min_size=2, max_size=4)
    return st.one_of(st.builds(Not, children), several.map(_flat(And)), several.map(_flat(Or)))


_exprs = st.recursive(_atoms, _extend, max_leaves=12)


@given(_exprs)
def test_render_then_parse_round_trips(expr: Expr) -> None:
    assert parse_check(render(expr), CANONICAL_FIELDS) == expr


_expression_like = st.lists(
    st.sampled_from(
        [
            "uid",
            "p_layer",
            "c_layer",
            "=",
            "!=",
            " contains ",
            " AND ",
            " OR ",
            "NOT ",
            "(",
            ")",
            "L7",
            '"x y"',
            "any field",
            " ",
        ]
    ),
    max_size=20,
).map("".join)


@given(st.one_of(st.text(max_size=200), _expression_like))
def test_parse_check_answers_every_text_with_one_of_three_values(text: str) -> None:
    result = parse_check(text, CANONICAL_FIELDS)
    assert isinstance(result, (Compare, AnyField, And, Or, Not, Prose, ExprError))
    if isinstance(result, ExprError):
        assert 1 <= result.column <= len(text) + 1
    elif not isinstance(result, Prose):
        assert parse_check(render(result), CANONICAL_FIELDS) == result
