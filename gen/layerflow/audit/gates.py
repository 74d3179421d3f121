"""CI-gate checks evaluated over registry subjects, with three-valued logic.

A subject whose table lacks a column the check names is not known to pass or
fail: the comparison is unknown (None), and Kleene's rules carry that through
AND, OR and NOT. A gate then reports such subjects as undecided, so a missing
column never reads as a clean pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import compress, count
from operator import is_
from typing import Protocol, assert_never

from layerflow.model import Gate, GateOutcome, Location
from layerflow.model.assessment import Assessment, WriterStatus
from layerflow.parse.cells import NONE_MARKERS
from layerflow.parse.expr import And, AnyField, Compare, Expr, Not, Op, Or

FieldValue = str | tuple[str, ...]

# What an expression may write for "the cell said none"; the registry stores these as "".
_NONE_WORDS = NONE_MARKERS  # one definition of "none" for cells and gate checks


class FieldSource(Protocol):
    """One subject's fields: text, a tuple for a multi-valued field, or None when the column is absent."""

    def value(self, field: str) -> FieldValue | None: ...

    def all_values(self) -> Iterable[FieldValue]: ...


@dataclass(frozen=True, slots=True)
class GateResult:
    gate: Gate
    matched: tuple[tuple[str, Location], ...]  # subjects the check is true for: violations
    undecided: tuple[tuple[str, Location], ...]  # subjects lacking a column the check needs

    @property
    def passed(self) -> bool:
        return not self.matched


def evaluate(expr: Expr, subject: FieldSource) -> bool | None:
    """True, False, or None when absent columns leave the answer unknown."""
    if isinstance(expr, Compare):
        actual = subject.value(expr.field)
        return None if actual is None else _compare(expr.op, expr.value, actual)
    if isinstance(expr, AnyField):
        return any(_compare(expr.op, expr.value, actual) for actual in subject.all_values())
    if isinstance(expr, Not):
        inner = evaluate(expr.operand, subject)
        return None if inner is None else not inner
    if isinstance(expr, And):
        return _kleene_and(evaluate(o, subject) for o in expr.operands)
    if isinstance(expr, Or):
        return _kleene_or(evaluate(o, subject) for o in expr.operands)
    assert_never(expr)


Column = Callable[[str], Sequence["FieldValue | None"]]


def evaluate_all(
    expr: Expr, subjects: Sequence[FieldSource], column: Column | None = None, memo: LeafMemo | None = None
) -> list[bool | None]:
    """`[evaluate(expr, s) for s in subjects]`, a comparison at a time over all subjects rather than a subject
    at a time over the whole check. Each comparison is decided once per distinct value of its field; what a
    subject's comparisons came to is one of the few combinations of True, False and unknown there are, and
    the check's AND, OR and NOT are worked out once per combination. Gates run over every row of the
    registry; this leaves each row a few lookups in C. `column(field)`, when given, is
    `[s.value(field) for s in subjects]` (worked out once for many gates). `memo`, when given, keeps each
    comparison's truths for the next gate over the same subjects: gates repeat leaves such as p_layer=L7."""
    if column is None:
        column = _asking(subjects)
    if memo is None:
        memo = {}
    leaves = list(dict.fromkeys(_leaves(expr)))
    outcomes = list(zip(*(_memoised_truths(leaf, subjects, column, memo) for leaf in leaves), strict=True))
    truths = {
        combination: _combined(expr, dict(zip(leaves, combination, strict=True))) for combination in set(outcomes)
    }
    return list(map(truths.__getitem__, outcomes))


Leaf = Compare | AnyField
LeafMemo = dict[Leaf, list[bool | None]]  # one comparison's truths over one list of subjects


def _memoised_truths(leaf: Leaf, subjects: Sequence[FieldSource], column: Column, memo: LeafMemo) -> list[bool | None]:
    truths = memo.get(leaf)
    if truths is None:
        truths = memo[leaf] = _leaf_truths(leaf, subjects, column)
    return truths


def _leaves(expr: Expr) -> Iterator[Leaf]:
    if isinstance(expr, (Compare, AnyField)):
        yield expr
    elif isinstance(expr, Not):
        yield from _leaves(expr.operand)
    else:
        for operand in expr.operands:
            yield from _leaves(operand)


def _leaf_truths(leaf: Leaf, subjects: Sequence[FieldSource], column: Column) -> list[bool | None]:
    """One comparison over all subjects, decided once per distinct value."""
    if isinstance(leaf, Compare):
        values = column(leaf.field)
        decided = _decide(leaf.op, leaf.value, {v for v in values if v is not None})
        return list(map(decided.get, values))  # an absent column (None) is not in it: unknown
    rows = [tuple(subject.all_values()) for subject in subjects]
    decided_values = _decide(leaf.op, leaf.value, set().union(*rows))
    true_of = {value for value, true in decided_values.items() if true}
    return [not true_of.isdisjoint(row) for row in rows]  # any value of the row compares true


def _combined(expr: Expr, leaf_truths: Mapping[Leaf, bool | None]) -> bool | None:
    """The check's answer from what each of its comparisons answered."""
    if isinstance(expr, (Compare, AnyField)):
        return leaf_truths[expr]
    if isinstance(expr, Not):
        inner = _combined(expr.operand, leaf_truths)
        return None if inner is None else not inner
    if isinstance(expr, And):
        return _kleene_and(_combined(o, leaf_truths) for o in expr.operands)
    return _kleene_or(_combined(o, leaf_truths) for o in expr.operands)


def _asking(subjects: Sequence[FieldSource]) -> Column:
    return lambda field: [subject.value(field) for subject in subjects]


def _decide(op: Op, wanted: str, values: Iterable[FieldValue]) -> dict[FieldValue | None, bool]:
    """`_compare(op, wanted, value)` for each value, with what depends only on `wanted` worked out once.
    (None, an absent column, is never among the values: looked up with .get, it answers unknown.)"""
    folded = wanted.casefold()
    if op == "contains":
        return {value: _contains(value, wanted) for value in values}
    equal: dict[FieldValue | None, bool]
    if wanted.lower() in _NONE_WORDS:
        equal = {value: _is_none(value) for value in values}
    else:
        equal = {
            v: any(e.casefold() == folded for e in v) if isinstance(v, tuple) else v.casefold() == folded
            for v in values
        }
    return equal if op == "=" else {value: not same for value, same in equal.items()}


def run_gate(
    gate: Gate,
    expr: Expr,
    subjects: Sequence[tuple[str, Location, FieldSource]],
    column: Column | None = None,
    sources: Sequence[FieldSource] | None = None,
    memo: LeafMemo | None = None,
) -> GateResult:
    """Which subjects the gate's check matches, and which it cannot decide (`column`: see `evaluate_all`;
    `sources`: the subjects' field sources, when the caller has listed them once for many gates; `memo`: a
    LeafMemo shared by gates over the same subjects)."""
    if sources is None:
        sources = [fields for _, _, fields in subjects]
    outcomes = evaluate_all(expr, sources, column, memo)
    # Few subjects match or are undecided: their indices found in C (compress), only those read in Python;
    # [:2] of a subject is its (id, location).
    matched = tuple(subjects[i][:2] for i in compress(count(), outcomes))
    undecided = tuple(subjects[i][:2] for i in compress(count(), map(_is_unknown, outcomes)))
    return GateResult(gate, matched, undecided)


_is_unknown = partial(is_, None)


# ------------------------------------------------------------ field sources


@dataclass(frozen=True, slots=True)
class MappingFields:
    """A FieldSource over a plain mapping: a field missing from it is an absent column."""

    fields: Mapping[str, FieldValue]

    def value(self, field: str) -> FieldValue | None:
        return self.fields.get(field)

    def all_values(self) -> Iterable[FieldValue]:
        return self.fields.values()


# ----------------------------------------------------------------- helpers


def _compare(op: Op, wanted: str, actual: FieldValue) -> bool:
    if op == "contains":
        return _contains(actual, wanted)
    equal = _equals(actual, wanted)
    return equal if op == "=" else not equal


def _equals(actual: FieldValue, wanted: str) -> bool:
    if wanted.lower() in _NONE_WORDS:
        return _is_none(actual)
    folded = wanted.casefold()
    if isinstance(actual, tuple):
        return any(element.casefold() == folded for element in actual)
    return actual.casefold() == folded


def _contains(actual: FieldValue, wanted: str) -> bool:
    folded = wanted.casefold()
    if isinstance(actual, tuple):
        return any(element.casefold() == folded for element in actual)
    return folded in actual.casefold()


def _is_none(actual: FieldValue) -> bool:
    if isinstance(actual, tuple):
        return all(element.lower() in _NONE_WORDS for element in actual)
    return actual.lower() in _NONE_WORDS


def _kleene_and(values: Iterable[bool | None]) -> bool | None:
    return _kleene(values, settled_by=False)


def _kleene_or(values: Iterable[bool | None]) -> bool | None:
    return _kleene(values, settled_by=True)


def _kleene(values: Iterable[bool | None], *, settled_by: bool) -> bool | None:
    """AND (settled_by=False) or OR (True) over three values: one operand that settles it does, whatever
    the unknowns are; else any unknown makes the answer unknown."""
    unknown = False
    for value in values:
        if value is settled_by:
            return settled_by
        unknown = unknown or value is None
    return None if unknown else not settled_by


EVALUATED_FROM = "evaluated from "  # how a GateOutcome says its check was decided from evidence
WRITERS_GATE, JOBS_GATE = "writers", "jobs"


# ------------------------------------------------ prose gates decided from evidence


def gate_evidence_kind(rule: str, check: str) -> str | None:
    """Which evidence can decide a prose gate: the writers (session.add/execute) or the ops jobs."""
    text = check.lower()
    if rule.upper() == "UNREGISTERED_DB_WRITER" or "session.add" in text or "session.execute" in text:
        return WRITERS_GATE
    if rule.upper() == "NEW_L7_JOB" or "new l7 job" in text:
        return JOBS_GATE
    return None


def evidence_gate(gate: Gate, found: Assessment | None) -> GateOutcome | None:
    """A prose gate decided from evidence, or None when the evidence it needs was not given."""
    kind = gate_evidence_kind(gate.rule, gate.check)
    if kind is None or found is None:
        return None
    if kind == WRITERS_GATE and found.code is not None:
        matched = tuple(
            (w.path, site.location)
            for w in found.writers
            if w.status is WriterStatus.UNREGISTERED and (site := w.first_database_write) is not None
        )
        reason = f"{EVALUATED_FROM}code evidence: {len(found.code.files)} Python files under {_roots(found)}"
    elif kind == JOBS_GATE and found.ops is not None:
        matched = tuple((j.job.unit, j.job.location) for j in found.jobs if not j.known)
        reason = f"{EVALUATED_FROM}ops evidence: {len(found.ops.jobs)} jobs under {', '.join(found.ops.dirs)}"
    else:
        return None
    return GateOutcome(gate.rule, gate.level, gate.check, True, matched, (), gate.location, reason)


def from_evidence(gate: GateOutcome) -> str | None:
    """The evidence a gate outcome was decided from (WRITERS_GATE, JOBS_GATE), or None."""
    if not (gate.machine_checkable and gate.reason.startswith(EVALUATED_FROM)):
        return None
    return gate_evidence_kind(gate.rule, gate.check)


def _roots(found: Assessment) -> str:
    return ", ".join(found.code.roots) if found.code else ""
