"""What each entity page and its diagrams read from the Analysis, as one comparable value (render.reuse).

A key must hold every value its builder looks up, or an edit could leave a page
stale; it may hold more (a page is then made again when it need not be). Each
key below names the builder it stands for: a builder that starts reading
something new adds it here. tests/test_reuse.py edits a registry many ways and
holds the reused site against one made from nothing.

What every page reads (layer names, links, the code evidence, the rules) is
not repeated here: it is the Reuse context (render.site).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from layerflow.model import Analysis, ChangeRecord, Conflict, FieldChange, Flow, Gap, Producer, Signal
from layerflow.render.pages.stores import StoreFacts


@dataclass
class Lookups:
    """The Analysis indexed once per build, so keys cost a dictionary look-up, not a scan, per page."""

    gaps_by_subject: dict[str, list[Gap]] = field(default_factory=dict)
    gaps_by_key: dict[str, Gap] = field(default_factory=dict)  # the first gap of each key
    history: dict[str, list[tuple[ChangeRecord, tuple[FieldChange, ...]]]] = field(default_factory=dict)
    conflicts: dict[str, list[Conflict]] = field(default_factory=dict)
    producers: dict[str, Producer] = field(default_factory=dict)  # inventory id -> the first producer so named
    flows: dict[str, Flow] = field(default_factory=dict)  # flow id -> the first flow with that id
    citing: dict[str, list[str]] = field(default_factory=dict)  # gap id -> ids of the records citing it


def lookups(analysis: Analysis) -> Lookups:
    found = Lookups()
    for gap in analysis.gaps:
        found.gaps_by_subject.setdefault(gap.subject, []).append(gap)
        found.gaps_by_key.setdefault(gap.key, gap)
    for record in analysis.inputs.changes:
        found.history.setdefault(record.signal, []).append((record, analysis.fields_of(record)))
        for reference in record.references:
            found.citing.setdefault(reference, []).append(record.id)
    for conflict in analysis.inputs.registry.conflicts:
        found.conflicts.setdefault(conflict.uid, []).append(conflict)
    inventory = analysis.inputs.inventory
    for producer in inventory.producers if inventory else ():
        found.producers.setdefault(producer.id, producer)
    for flow in analysis.flows:
        found.flows.setdefault(flow.id, flow)
    return found


def signal_key(
    analysis: Analysis, found: Lookups, signal: Signal, flows: Sequence[Flow], known: Collection[str], suffix: str
) -> object:
    """pages.signals.signal_page (fields, consumers, flows with their producer links and gaps, history,
    conflicts, gaps, evidence with its persistence verdict) and dot.signal_graph; `suffix` the stores line."""
    return (
        signal,
        tuple(flows),
        tuple(f.producer_id in known for f in flows),
        tuple(analysis.gaps_of_flow(f.id) for f in flows),
        tuple(found.gaps_by_subject.get(signal.uid, ())),
        found.gaps_by_key.get(f"persistence-contradiction:{signal.uid}"),
        tuple(found.history.get(signal.uid, ())),
        tuple(found.conflicts.get(signal.uid, ())),
        suffix,
    )


def producer_key(analysis: Analysis, found: Lookups, producer_id: str, suffix: str) -> object:
    """pages.producers.producer_page (inventory facts, outputs with their gaps, evidence), dot.producer_graph
    (names of the outputs' signals) and dot.decision_tree over the producer's flows."""
    flows = analysis.flows_of(producer_id)
    signals = analysis.inputs.registry.by_uid()
    return (
        producer_id,
        flows,
        found.producers.get(producer_id),
        tuple(analysis.gaps_of_flow(f.id) for f in flows),
        tuple(signals.get(uid) for f in flows for uid in f.signals),
        suffix,
    )


def gap_key(analysis: Analysis, found: Lookups, gap: Gap, known: Collection[str]) -> object:
    """pages.gaps.gap_page: the gap, its subject's signals, its flow and that flow's producer link, the
    records citing it."""
    signals = analysis.inputs.registry.by_uid()
    flow = found.flows.get(gap.flow_id)
    return (
        gap,
        tuple(signals.get(uid) for uid in (gap.subject, *gap.signals)),
        flow,
        flow is not None and flow.producer_id in known,
        tuple(found.citing.get(gap.id, ())),
    )


def findings_key(analysis: Analysis) -> object:
    """findings_page.findings_page: the findings judged and those set aside (known, suppressed, fixed, against
    which baseline), and the rules each rule's text comes from (rulebook.describe)."""
    return (
        analysis.findings,
        analysis.known,
        analysis.suppressed,
        analysis.fixed,
        analysis.baseline,
        analysis.inputs.rules,
    )


def store_key(facts: StoreFacts, producer_names: Mapping[str, str]) -> object:
    """pages.stores.store_page: the store's facts and the names of the producers of its outputs that have a page
    (None: no page, so the id is shown unlinked)."""
    return (facts, tuple(producer_names.get(producer_id) for producer_id, _ in facts.outputs))
