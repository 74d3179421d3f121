"""The gaps one state of the registry shows: what is missing, wrong or unproven.

A gap is keyed by what it is about (a flow, a signal), never by its position,
so an unrelated edit cannot renumber it; the ledger maps keys to GAP ids.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace

from layerflow.audit.code_index import CodeIndex, code_index
from layerflow.audit.evidence import inventory_files, producer_references, signal_evidence, sources_by_signal
from layerflow.model import Flow, FlowKind, FlowStatus, GapCandidate, GapKind, Inputs, Inventory, Registry, Signal
from layerflow.model.assessment import SignalEvidence
from layerflow.model.base import slug
from layerflow.model.facts import WriteSite
from layerflow.model.labels import flow_label, signal_label

DETAIL_LIMIT = 6  # write sites listed in a gap's detail; the pages list them all

_CHECK_TITLES = {
    "consumer_missing": "L7→L6 flow with no named L6/L5/L4 consumer",
    "not_implemented": "L7→L6 consumer declared but not implemented (verified path NO/PARTIAL)",
    "persistence_missing": "L7→L6 flow without durable persistence",
    "persistence": "L7→both flow without durable persistence",
    "dual_consumers": "L7→both flow without consumers on both sides",
    "explicit_hops": "L7→both flow without explicit intermediary hops",
}


def flow_gaps(
    flows: Iterable[Flow], signals: Mapping[str, Signal], orphan_detail: tuple[str, ...] = ()
) -> list[GapCandidate]:
    """Gaps from the decision tree's checks; `signals` (the registry by UID) names the flows' signals in titles;
    `orphan_detail`: the rules' orphan_detection words, added to each orphan gap's detail."""
    found: list[GapCandidate] = []
    for flow in flows:
        failed = [c for c in flow.checks if not c.passed]
        registered = tuple(uid for uid in flow.signals if uid in signals)  # a gap names only signals one can look up
        if flow.status is FlowStatus.UNREGISTERED:
            found.append(_unregistered(flow, registered))
        for check in failed:
            if check.name == "orphan":
                found.append(
                    GapCandidate(
                        key=f"orphan:{flow.id}",
                        kind=GapKind.ORPHAN,
                        priority="P3",
                        subject=flow.producer,
                        title=f"{flow_label(flow, signals)} has no consumer (orphaned operational output)",
                        detail=tuple(x for x in (check.message, check.condition, *orphan_detail) if x),
                        location=flow.location,
                        flow_id=flow.id,
                        depends_on=flow.signals,
                        signals=registered,
                    )
                )
            elif check.node == "q2_l7_to_l6" or check.name in _CHECK_TITLES:
                q2 = check.node == "q2_l7_to_l6"
                found.append(
                    GapCandidate(
                        key=f"{'q2' if q2 else 'q3'}-failure:{flow.id}:{check.name}",
                        kind=GapKind.Q2_FAILURE if q2 else GapKind.Q3_FAILURE,
                        priority="P1" if q2 else "P3",
                        subject=flow.producer,
                        title=f"{_CHECK_TITLES.get(check.name, check.name)}: {flow_label(flow, signals)}",
                        detail=tuple(x for x in (check.message, check.condition) if x),
                        location=flow.location,
                        flow_id=flow.id,
                        depends_on=flow.signals,
                        signals=registered,
                    )
                )
    return found


def _unregistered(flow: Flow, registered: tuple[str, ...]) -> GapCandidate:
    """An L7→L6 flow no signal registers: P2, or P3 when the flow is deferred."""
    deferred = flow.flow_kind is FlowKind.DEFERRED
    return GapCandidate(
        key=f"unregistered-flow:{flow.id}",
        kind=GapKind.UNREGISTERED_FLOW,
        priority="P3" if deferred else "P2",
        subject=flow.producer,
        title=(
            f"Not registered as signal. Produces {flow.output} consumed by "
            f"{_consumer_text(flow)}{' (deferred)' if deferred else ''}"
        ),
        detail=(f"{'Deferred' if deferred else 'Direct'} L7→L6 flow with no registered signal.",),
        location=flow.location,
        flow_id=flow.id,
        depends_on=flow.signals,
        signals=registered,  # none: that is what makes the flow unregistered
    )


def _consumer_text(flow: Flow) -> str:
    names = [c.name + (f" ({c.signal_ref})" if c.signal_ref else "") for c in flow.consumers if c.layer != "L2"]
    return ", ".join(names) or "no named consumer"


def persistence_gaps(
    registry: Registry, inventory: Inventory | None, only: Collection[str] | None = None
) -> list[GapCandidate]:
    """A registry claim the producer's declared output contradicts (the seed's GAP-001); `only`: these UIDs."""
    if inventory is None:
        return []
    signals = registry.by_uid()
    found: dict[str, GapCandidate] = {}
    for producer in inventory.producers:
        for output in producer.outputs:
            declared = output.persistence
            if declared is None or declared.unknown or declared.is_none:
                continue
            for uid in output.signals:
                if only is not None and uid not in only:
                    continue
                signal = signals.get(uid)
                claim = signal.persistence if signal else None
                if signal is None or claim is None or claim.unknown:
                    continue
                missing = declared.store_names - claim.store_names
                if not missing:
                    continue
                said = claim.text or "none"
                detail = (
                    f"{producer.name} writes {output.name} to {declared.text} ({output.location}).",
                    f"The registry says {uid} persistence = {said!r} ({signal.location}).",
                )
                if uid in found:
                    found[uid] = replace(found[uid], detail=found[uid].detail + detail[:1])
                    continue
                found[uid] = GapCandidate(
                    key=f"persistence-contradiction:{uid}",
                    kind=GapKind.PERSISTENCE_CONTRADICTION,
                    priority="P1",
                    subject=uid,
                    title=(
                        f"Registry said {signal_label(uid, signals)} persistence = {said!r} but {producer.name} "
                        f"writes {' + '.join(sorted(declared.store_names))}"
                    ),
                    detail=detail,
                    location=signal.location,
                    flow_id=f"{producer.id}/{slug(output.name)}",
                    depends_on=(uid,),
                    signals=(uid,),
                )
    return list(found.values())


# ----------------------------------------------------------- from code (--code)


def code_gaps(inputs: Inputs, registry: Registry, index: CodeIndex | None = None) -> list[GapCandidate]:
    """Persistence contradictions the code shows in one registry state (the seed's GAP-001).

    `index` is the code base's when the caller has built it (history replay asks once per state).
    """
    evidence = inputs.evidence
    if evidence is None or evidence.code is None:
        return []
    claims = [s for s in registry.signals if s.persistence is not None and not s.persistence.unknown]
    suspects = [s for s in claims if s.persistence is not None and not s.persistence.durable]
    if not suspects:
        return []
    index = index or code_index(evidence.code)
    sources = inventory_files(inputs.inventory, index)
    by_signal = sources_by_signal(inputs.inventory, sources)
    references = producer_references(registry, index, by_signal)
    found: list[GapCandidate] = []
    for signal in suspects:
        seen = signal_evidence(signal, index, references, by_signal)
        strong = seen.strong_writes
        if strong:
            found.append(_contradiction(signal, seen, strong, inputs.inventory))
    return found


def _contradiction(
    signal: Signal, seen: SignalEvidence, strong: Sequence[WriteSite], inventory: Inventory | None
) -> GapCandidate:
    said = (signal.persistence.text if signal.persistence else "") or "none"
    stores = " + ".join(sorted({w.target for w in strong}))
    writers = ", ".join(dict.fromkeys(w.location.path.rsplit("/", 1)[-1] for w in strong))
    detail = [f"The registry says {signal.uid} persistence = {said!r} ({signal.location})."]
    detail += [f"Code: {_site_text(w)} ({_why(w, seen, signal)})" for w in strong[:DETAIL_LIMIT]]
    if len(strong) > DETAIL_LIMIT:
        detail.append(f"Code: … and {len(strong) - DETAIL_LIMIT} more durable write(s)")
    return GapCandidate(
        key=f"persistence-contradiction:{signal.uid}",
        kind=GapKind.PERSISTENCE_CONTRADICTION,
        priority="P1",
        subject=signal.uid,
        title=f"Registry said {signal.uid} persistence = {said!r} but {writers} writes {stores}",
        detail=tuple(detail),
        location=signal.location,
        flow_id=_flow_id(inventory, signal.uid),
        depends_on=(signal.uid,),
        signals=(signal.uid,),
    )


def _why(site: WriteSite, seen: SignalEvidence, signal: Signal) -> str:
    path = site.location.path
    if path in seen.named:
        return f"the registry's producer of {signal.uid}"
    if path in seen.inventory:
        return f"the inventory's source of {signal.uid}"
    return f"writes the {signal.name} table"


def _site_text(site: WriteSite) -> str:
    mark = " (async)" if site.is_async else ""
    what = site.operation if site.detail == site.operation else f"{site.operation} {site.detail}"
    return f"{site.location} {what} → {site.target}{mark}"


def _flow_id(inventory: Inventory | None, uid: str) -> str:
    if inventory is None:
        return ""
    for producer in inventory.producers:
        for output in producer.outputs:
            if uid in output.signals:
                return f"{producer.id}/{slug(output.name)}"
    return ""


def merge_gaps(base: Sequence[GapCandidate], extra: Iterable[GapCandidate]) -> list[GapCandidate]:
    """One candidate per key: where two checks find the same gap, the first keeps its words and gains the detail."""
    out = list(base)
    at = {c.key: i for i, c in enumerate(out)}
    for candidate in extra:
        if candidate.key not in at:
            at[candidate.key] = len(out)
            out.append(candidate)
            continue
        kept = out[at[candidate.key]]
        more = tuple(d for d in candidate.detail if d not in kept.detail and d.startswith("Code: "))
        out[at[candidate.key]] = replace(kept, detail=kept.detail + more)
    return out
