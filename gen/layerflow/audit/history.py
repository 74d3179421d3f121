"""Change records as history: rebuild earlier registry states, find drift, date each gap.

State k is the registry with every APPLIED record after the k-th reverted, so
the last state is exactly the registry on disk, and state 0 is the registry as
it stood before the first change. A gap resolved by a record is one present
just before it and absent just after.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from layerflow.errors import error
from layerflow.model import (
    ChangeOutcome,
    ChangeRecord,
    ChangeStatus,
    FieldChange,
    GapCandidate,
    Location,
    Problem,
    Registry,
    Signal,
)
from layerflow.model.quick import quick_init
from layerflow.parse import cells


def record_order(record: ChangeRecord) -> tuple[int, str, str]:
    digits = "".join(ch for ch in record.id if ch.isdigit())
    return (int(digits) if digits else 0, record.date, record.id)


def applied_in_order(changes: Sequence[ChangeRecord]) -> list[ChangeRecord]:
    return sorted((c for c in changes if c.status is ChangeStatus.APPLIED), key=record_order)


def validate_changes(registry: Registry, changes: Sequence[ChangeRecord]) -> list[Problem]:
    """Records that cannot be replayed: a correction of a signal the registry lacks, a reused id."""
    problems: list[Problem] = []
    signals = registry.by_uid()
    seen: dict[str, Location] = {}
    for record in changes:
        if record.id in seen:
            problems.append(
                error(
                    record.location.path,
                    record.location.line,
                    f"change id {record.id} is also used at {seen[record.id]}",
                )
            )
        seen.setdefault(record.id, record.location)
        if record.status is ChangeStatus.APPLIED and not record.is_registration and record.signal not in signals:
            problems.append(
                error(
                    record.location.path,
                    record.location.line,
                    f"{record.id} corrects {record.signal}, which no registry file defines",
                )
            )
    return problems


def field_changes(record: ChangeRecord, signal: Signal | None) -> list[FieldChange]:
    """What a record changes: its tables, else its fenced rows read with the signal's columns."""
    if record.changes:
        return list(record.changes)
    if not record.row_after or signal is None or len(record.row_after) != len(signal.header):
        return []
    before = record.row_before if len(record.row_before) == len(signal.header) else ()
    out: list[FieldChange] = []
    for index, name in enumerate(signal.header):
        if name == "uid":
            continue
        after = cells.value(record.row_after[index])
        was = cells.value(before[index]) if before else None
        if was is None or cells.comparable(name, was) != cells.comparable(name, after):
            out.append(FieldChange(name, was, after, record.location))
    return out


def rebuild(signal: Signal, updates: dict[str, str]) -> Signal:
    """The signal with some fields replaced; consumers and persistence follow the new text."""
    fields = {**signal.fields, **updates}
    consumers, _ = cells.consumers(fields.get("consumer", ""), fields.get("c_layer"))
    persistence = cells.persistence(fields["persistence"]) if "persistence" in fields else None
    return replace(signal, fields=fields, consumers=consumers, persistence=persistence)


def revert(registry: Registry, record: ChangeRecord) -> Registry:
    """The registry as it was before an applied record."""
    signals = registry.by_uid()
    signal = signals.get(record.signal)
    if record.is_registration:
        kept = tuple(s for s in registry.signals if s.uid != record.signal)
        return replace(registry, signals=kept)
    if signal is None:
        return registry
    updates = {c.field: c.before for c in field_changes(record, signal) if c.before is not None}
    if not updates:
        return registry
    changed = rebuild(signal, updates)
    return replace(registry, signals=tuple(changed if s.uid == signal.uid else s for s in registry.signals))


def states(registry: Registry, changes: Sequence[ChangeRecord]) -> list[Registry]:
    """[state 0, ..., state n]: state k has the first k applied records in effect."""
    applied = applied_in_order(changes)
    out = [registry]
    current = registry
    for record in reversed(applied):
        current = revert(current, record)
        out.append(current)
    out.reverse()
    return out


def outcomes(registry: Registry, changes: Sequence[ChangeRecord]) -> dict[str, tuple[bool, tuple[str, ...]]]:
    """For each record: does the registry show its "after" values, and where not, why."""
    signals = registry.by_uid()
    result: dict[str, tuple[bool, tuple[str, ...]]] = {}
    for record in changes:
        signal = signals.get(record.signal)
        drift: list[str] = []
        if signal is None:
            drift.append(f"{record.signal} is not in the registry")
        else:
            for change in field_changes(record, signal):
                now = signal.get(change.field)
                if now is None or cells.comparable(change.field, now) != cells.comparable(change.field, change.after):
                    shown = "no such column" if now is None else repr(now or "none")
                    said = f"the registry says {shown} ({signal.location})"
                    drift.append(f"{change.field}: the record says {change.after!r}, {said}")
        result[record.id] = (not drift, tuple(drift))
    return result


@quick_init
@dataclass(frozen=True, slots=True)
class Lifecycle:
    candidate: GapCandidate  # as last seen
    open: bool
    resolved_by: str
    first_state: int


# detect(registry, scope): the gaps of a registry state; with a scope (signal UIDs), only
# the gaps that depend on those signals, and `registry` may hold just the signals they need.
Detect = Callable[[Registry, frozenset[str] | None], list[GapCandidate]]


def _revert_into(signals: dict[str, Signal], record: ChangeRecord) -> None:
    """Undo one applied record in a UID -> Signal map (the registry as it was before it)."""
    if record.is_registration:
        signals.pop(record.signal, None)
        return
    signal = signals.get(record.signal)
    if signal is None:
        return
    updates = {c.field: c.before for c in field_changes(record, signal) if c.before is not None}
    if updates:
        signals[record.signal] = rebuild(signal, updates)


def lifecycles(
    registry: Registry,
    changes: Sequence[ChangeRecord],
    detect: Detect,
    needed: Callable[[frozenset[str]], frozenset[str]] = lambda scope: scope,
) -> tuple[list[Lifecycle], dict[str, tuple[str, ...]]]:
    """Each gap ever seen across the states, with the record that resolved it; and keys per record.

    Walks from the registry on disk back through the applied records, reverting
    one signal at a time and re-detecting only the gaps that depend on it, so a
    long history costs what it touches, not records x registry. `needed(scope)`
    names the signals a scoped detection must see (those sharing an output).
    """
    applied = applied_in_order(changes)
    state = {g.key: g for g in detect(registry, None)}
    final = set(state)
    latest: dict[str, GapCandidate] = dict(state)  # each key as in the latest state that has it
    appears_at: dict[str, int] = {}  # key -> state where it (last, walking back) appeared
    resolved_by: dict[str, str] = {}
    signals = dict(registry.by_uid())
    keys_of: dict[str, set[str]] = {}  # signal UID -> keys of the current state's gaps that depend on it
    for key, candidate in state.items():
        for uid in candidate.depends_on:
            keys_of.setdefault(uid, set()).add(key)
    for index in range(len(applied), 0, -1):
        record = applied[index - 1]
        scope = frozenset({record.signal})
        _revert_into(signals, record)
        view = Registry(signals=tuple(signals[u] for u in sorted(needed(scope)) if u in signals))
        before = {g.key: g for g in detect(view, scope) if scope.intersection(g.depends_on)}
        after = set(keys_of.get(record.signal, ()))
        for key in before.keys() - after:  # present before the record, gone after it: the record resolved it
            resolved_by.setdefault(key, record.id)
            appears_at.pop(key, None)
        for key in after - before.keys():  # absent before the record: it appeared with the record
            appears_at[key] = index
        for key, candidate in before.items():
            latest.setdefault(key, candidate)
        for key in after:
            for uid in state.pop(key).depends_on:
                keys_of[uid].discard(key)
        for key, candidate in before.items():
            state[key] = candidate
            for uid in candidate.depends_on:
                keys_of.setdefault(uid, set()).add(key)
    first = {key: appears_at.get(key, 0) for key in latest}
    resolves: dict[str, list[str]] = {r.id: [] for r in applied}
    for key, record_id in resolved_by.items():
        if key not in final:
            resolves[record_id].append(key)
    lives = [
        Lifecycle(latest[key], key in final, "" if key in final else resolved_by.get(key, ""), first[key])
        for key in sorted(latest, key=lambda k: (first[k], k))
    ]
    return lives, {rid: tuple(sorted(keys)) for rid, keys in resolves.items()}


def change_outcomes(
    registry: Registry, changes: Sequence[ChangeRecord], resolves: dict[str, tuple[str, ...]]
) -> tuple[ChangeOutcome, ...]:
    shown = outcomes(registry, changes)
    return tuple(
        ChangeOutcome(
            id=record.id,
            signal=record.signal,
            status=record.status,
            reflected=shown[record.id][0],
            drift=shown[record.id][1],
            resolves=resolves.get(record.id, ()),
        )
        for record in sorted(changes, key=record_order)
    )
