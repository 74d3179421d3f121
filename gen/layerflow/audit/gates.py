"""CI-gate checks evaluated over registry subjects, with three-valued logic.

A subject whose table lacks a column the check names is not known to pass or
fail: the comparison is unknown (None), and Kleene's rules carry that through
AND, OR and NOT. A gate then reports such subjects as undecided, so a missing
column never reads as a clean pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, assert_never

from layerflow.model import Gate, Location
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


def run_gate(gate: Gate, expr: Expr, subjects: Sequence[tuple[str, Location, FieldSource]]) -> GateResult:
    """Which subjects the gate's check matches, and which it cannot decide."""
    matched: list[tuple[str, Location]] = []
    undecided: list[tuple[str, Location]] = []
    for subject_id, location, fields in subjects:
        outcome = evaluate(expr, fields)
        if outcome is None:
            undecided.append((subject_id, location))
        elif outcome:
            matched.append((subject_id, location))
    return GateResult(gate, tuple(matched), tuple(undecided))


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
    unknown = False
    for value in values:
        if value is False:
            return False  # one false operand settles AND whatever the unknowns are
        unknown = unknown or value is None
    return None if unknown else True


def _kleene_or(values: Iterable[bool | None]) -> bool | None:
    unknown = False
    for value in values:
        if value is True:
            return True  # one true operand settles OR whatever the unknowns are
        unknown = unknown or value is None
    return None if unknown else False
