"""Gates sharing one leaf memo answer what each gate's own, subject-at-a-time evaluation answers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from layerflow.audit.gates import LeafMemo, MappingFields, evaluate, evaluate_all
from layerflow.parse.expr import And, AnyField, Compare, Expr, Not, Or

# A few fields and values, so that generated gates repeat leaves (the case the memo serves) and subjects
# repeat values; a subject may lack a field (unknown) or hold several values (a tuple).
_FIELDS = ("p_layer", "c_layer", "persistence")
_VALUES = ("L7", "L6", "none", "YES")
_leaf = st.one_of(
    st.builds(Compare, st.sampled_from(_FIELDS), st.sampled_from(("=", "!=", "contains")), st.sampled_from(_VALUES)),
    st.builds(AnyField, st.sampled_from(("=", "!=", "contains")), st.sampled_from(_VALUES)),
)
_expr: st.SearchStrategy[Expr] = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.builds(Not, inner),
        st.builds(And, st.tuples(inner, inner)),
        st.builds(Or, st.tuples(inner, inner)),
    ),
    max_leaves=5,
)
_value = st.one_of(st.sampled_from(_VALUES), st.tuples(st.sampled_from(_VALUES), st.sampled_from(_VALUES)))
_subject = st.dictionaries(st.sampled_from(_FIELDS), _value).map(MappingFields)


@given(st.lists(_expr, min_size=1, max_size=6), st.lists(_subject, max_size=12))
def test_a_shared_memo_changes_no_gate_answer(exprs: list[Expr], subjects: list[MappingFields]) -> None:
    memo: LeafMemo = {}
    shared = [evaluate_all(expr, subjects, memo=memo) for expr in exprs]
    assert shared == [[evaluate(expr, subject) for subject in subjects] for expr in exprs]
    # every distinct comparison the gates made was decided once, over every subject
    assert all(len(truths) == len(subjects) for truths in memo.values())
