"""The registry row that would close an unregistered-flow gap.

A change record that references the gap says it best; otherwise the row is
derived from the flow: the next free UID in the domain its consumers or its
producer's name point at, the producer's first source file, the consumers with
their layers, the declared persistence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from layerflow.audit.history import field_changes
from layerflow.model import NONE, Flow, GapCandidate, Inputs, Registry
from layerflow.parse import cells

Row = tuple[tuple[str, str], ...]

_COLUMNS = ("uid", "name", "class", "trigger", "producer", "p_layer", "consumer", "c_layer", "l2_api", "persistence")


def proposal_for(candidate: GapCandidate, gap_id: str, inputs: Inputs, flows: Sequence[Flow]) -> tuple[Row, str]:
    if candidate.kind != "unregistered-flow":
        return (), ""
    for record in inputs.changes:
        if gap_id in record.references and record.is_registration:
            fields = {"uid": record.signal, **{c.field: c.after for c in field_changes(record, None)}}
            if record.row_after and len(record.row_after) == len(_COLUMNS) and not record.changes:
                fields = {name: cells.value(cell) for name, cell in zip(_COLUMNS, record.row_after, strict=True)}
            return tuple((name, fields.get(name, NONE)) for name in _COLUMNS if name in fields), record.id
    flow = next((f for f in flows if f.id == candidate.flow_id), None)
    if flow is None:
        return (), ""
    return _derive(flow, inputs), "derived"


def _derive(flow: Flow, inputs: Inputs) -> Row:
    registry = inputs.registry
    producer = next(
        (p for p in (inputs.inventory.producers if inputs.inventory else ()) if p.id == flow.producer_id), None
    )
    source = producer.source_files[0].rsplit("/", 1)[-1] if producer and producer.source_files else flow.producer
    consumers = [c for c in flow.consumers if c.layer != "L2"]
    return (
        ("uid", _next_uid(registry, flow)),
        ("name", _signal_name(flow.output)),
        ("class", "raw"),
        ("trigger", "scheduled_job"),
        ("producer", source),
        ("p_layer", "L7"),
        ("consumer", ", ".join(c.name for c in consumers) or NONE),
        ("c_layer", ", ".join(dict.fromkeys(c.layer for c in consumers if c.layer)) or NONE),
        ("l2_api", NONE),
        ("persistence", flow.persistence.text if flow.persistence else NONE),
    )


_FILLER = frozenset({"record", "records", "rows", "row", "file", "files", "processed", "data", "output", "outputs"})


def _signal_name(output: str) -> str:
    """`cost_snapshots records` -> `CostSnapshot`: the words that name the thing, singular."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", output) if w and w.lower() not in _FILLER]
    if words and words[-1].endswith("s") and len(words[-1]) > 3:
        words[-1] = words[-1][:-1]
    return "".join(w[:1].upper() + w[1:] for w in words) or "Signal"


def _next_uid(registry: Registry, flow: Flow) -> str:
    """One past the highest UID of the domain the flow belongs to, skipping taken and removed UIDs."""
    by_uid = registry.by_uid()
    domains = [by_uid[c.signal_ref].domain for c in flow.consumers if c.signal_ref and c.signal_ref in by_uid]
    if not domains:
        words = {w.casefold() for w in re.split(r"\W+", flow.producer) if w}
        domains = [s.domain for s in registry.signals if s.domain and s.domain.casefold() in words]
    taken = {cells.uid_number(s.uid) for s in registry.signals} | {cells.uid_number(u) for u, _ in registry.removed}
    pool = [cells.uid_number(s.uid) for s in registry.signals if domains and s.domain == domains[0]]
    number = max(pool, default=max(taken, default=0)) + 1
    while number in taken:
        number += 1
    return f"SIG-{number:03d}"
