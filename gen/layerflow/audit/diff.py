"""What a change did to the registry: two analyses in, one diff out. Pure.

Signals are matched by UID and compared field by field, flows by id, gaps by
key (their ids may differ between the sides when the ledger does not name
them), findings by fingerprint (counted, as baselines count them), change
records by id. The exit code speaks of what the change adds: 2 for a new
blocking finding, 1 for new warnings only, 0 otherwise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from layerflow.model import Analysis, Finding, Flow, Gap, GapStatus, Signal
from layerflow.model.diff import FieldDelta, FlowDelta, RegistryDiff, SignalDelta
from layerflow.model.fingerprint import fingerprints


def _cells(signal: Signal) -> dict[str, str]:
    return {**signal.fields, **signal.extra}


def field_deltas(before: Signal, after: Signal) -> tuple[FieldDelta, ...]:
    """Every field whose text differs, in the head's column order, then the rest by name."""
    old, new = _cells(before), _cells(after)
    order = list(after.header) + sorted((set(old) | set(new)) - set(after.header))
    deltas = [FieldDelta(f, old.get(f), new.get(f)) for f in dict.fromkeys(order) if old.get(f) != new.get(f)]
    return tuple(deltas)


def _signals(
    before: Mapping[str, Signal], after: Mapping[str, Signal]
) -> tuple[list[Signal], list[Signal], list[SignalDelta]]:
    added = [after[u] for u in sorted(after.keys() - before.keys())]
    removed = [before[u] for u in sorted(before.keys() - after.keys())]
    changed = []
    for uid in sorted(before.keys() & after.keys()):
        deltas = field_deltas(before[uid], after[uid])
        if deltas:
            changed.append(SignalDelta(uid, after[uid].name, deltas, after[uid].location))
    return added, removed, changed


def _flows(before: Sequence[Flow], after: Sequence[Flow]) -> tuple[list[Flow], list[Flow], list[FlowDelta]]:
    old = {f.id: f for f in before}
    new = {f.id: f for f in after}
    changed = [
        FlowDelta(f.id, f.producer, f.output, (old[f.id].klass, old[f.id].status), (f.klass, f.status), f.location)
        for f in after
        if f.id in old and (old[f.id].klass, old[f.id].status) != (f.klass, f.status)
    ]
    return [f for f in after if f.id not in old], [f for f in before if f.id not in new], changed


def _gaps(before: Sequence[Gap], after: Sequence[Gap]) -> tuple[list[Gap], list[Gap]]:
    was_open = {g.key for g in before if g.status is GapStatus.OPEN}
    now_open = {g.key for g in after if g.status is GapStatus.OPEN}
    head = {g.key: g for g in after}
    opened = [g for g in after if g.status is GapStatus.OPEN and g.key not in was_open]
    resolved = [head.get(g.key, g) for g in before if g.status is GapStatus.OPEN and g.key not in now_open]
    return opened, resolved


def _findings(before: Analysis, after: Analysis) -> tuple[list[Finding], list[Finding]]:
    old = list(zip(before.findings, fingerprints(before.findings, before.gaps), strict=True))
    new = list(zip(after.findings, fingerprints(after.findings, after.gaps), strict=True))
    left = Counter(fp for _, fp in old)
    added = []
    for finding, fp in new:
        if left[fp] > 0:
            left[fp] -= 1
        else:
            added.append(finding)
    remaining = Counter(fp for _, fp in new)
    gone = []
    for finding, fp in old:
        if remaining[fp] > 0:
            remaining[fp] -= 1
        else:
            gone.append(finding)
    return added, gone


def registry_diff(before: Analysis, after: Analysis, base: str, head: str) -> RegistryDiff:
    signals = _signals(before.inputs.registry.by_uid(), after.inputs.registry.by_uid())
    flows = _flows(before.flows, after.flows)
    gaps = _gaps(before.gaps, after.gaps)
    findings = _findings(before, after)
    known_records = {r.id for r in before.inputs.changes}
    return RegistryDiff(
        base=base,
        head=head,
        signals_added=tuple(signals[0]),
        signals_removed=tuple(signals[1]),
        signals_changed=tuple(signals[2]),
        flows_added=tuple(flows[0]),
        flows_removed=tuple(flows[1]),
        flows_reclassified=tuple(flows[2]),
        gaps_opened=tuple(gaps[0]),
        gaps_resolved=tuple(gaps[1]),
        findings_new=tuple(findings[0]),
        findings_fixed=tuple(findings[1]),
        changes_added=tuple(r for r in after.inputs.changes if r.id not in known_records),
    )
