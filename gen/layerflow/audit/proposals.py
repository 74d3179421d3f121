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
from layerflow.model import NONE, Flow, GapCandidate, Inputs
from layerflow.parse import cells

Row = tuple[tuple[str, str], ...]

_COLUMNS = ("uid", "name", "class", "trigger", "producer", "p_layer", "consumer", "c_layer", "l2_api", "persistence")


class Proposer:
    """Proposed registry rows for unregistered-flow gaps, built once per analysis.

    UIDs are allocated as the rows are proposed, so two gaps never propose the
    same one; what is taken and the highest UID of each domain are indexed up
    front, which keeps a registry of 100k signals linear.
    """

    def __init__(self, inputs: Inputs, flows: Sequence[Flow]) -> None:
        self.inputs = inputs
        self.flows = {f.id: f for f in flows}
        registry = inputs.registry
        self.taken = {cells.uid_number(s.uid) for s in registry.signals}
        self.taken |= {cells.uid_number(u) for u, _ in registry.removed}
        self.top_by_domain: dict[str, int] = {}
        for signal in registry.signals:
            number = cells.uid_number(signal.uid)
            if signal.domain and number > self.top_by_domain.get(signal.domain, -1):
                self.top_by_domain[signal.domain] = number
        self.domain_by_word = {d.casefold(): d for d in self.top_by_domain}
        self.top = max(self.taken, default=0)
        self.producers = {p.id: p for p in inputs.inventory.producers} if inputs.inventory else {}
        self.records = {ref: r for r in inputs.changes if r.is_registration for ref in r.references}

    def row(self, candidate: GapCandidate, gap_id: str) -> tuple[Row, str]:
        """The row, and where it comes from: a change record's id, "derived", or "" for no proposal."""
        if candidate.kind != "unregistered-flow":
            return (), ""
        record = self.records.get(gap_id)
        if record is not None:
            fields = {"uid": record.signal, **{c.field: c.after for c in field_changes(record, None)}}
            if record.row_after and len(record.row_after) == len(_COLUMNS) and not record.changes:
                fields = {name: cells.value(cell) for name, cell in zip(_COLUMNS, record.row_after, strict=True)}
            return tuple((name, fields.get(name, NONE)) for name in _COLUMNS if name in fields), record.id
        flow = self.flows.get(candidate.flow_id)
        if flow is None:
            return (), ""
        return self._derive(flow), "derived"

    def _derive(self, flow: Flow) -> Row:
        producer = self.producers.get(flow.producer_id)
        source = producer.source_files[0].rsplit("/", 1)[-1] if producer and producer.source_files else flow.producer
        consumers = [c for c in flow.consumers if c.layer != "L2"]
        return (
            ("uid", self._next_uid(flow)),
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

    def _next_uid(self, flow: Flow) -> str:
        """One past the highest UID of the flow's domain (its consumers' signals, else a word of
        its producer's name that names a domain), skipping taken and removed UIDs."""
        by_uid = self.inputs.registry.by_uid()
        domain = next(
            (by_uid[c.signal_ref].domain for c in flow.consumers if c.signal_ref and c.signal_ref in by_uid), ""
        )
        if not domain:
            words = (w.casefold() for w in re.split(r"\W+", flow.producer) if w)
            domain = next((self.domain_by_word[w] for w in words if w in self.domain_by_word), "")
        number = self.top_by_domain.get(domain, self.top) + 1
        while number in self.taken:
            number += 1
        self.taken.add(number)
        self.top = max(self.top, number)
        return f"SIG-{number:03d}"


_FILLER = frozenset({"record", "records", "rows", "row", "file", "files", "processed", "data", "output", "outputs"})


def _signal_name(output: str) -> str:
    """`cost_snapshots records` -> `CostSnapshot`: the words that name the thing, singular."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", output) if w and w.lower() not in _FILLER]
    if words and words[-1].endswith("s") and len(words[-1]) > 3:
        words[-1] = words[-1][:-1]
    return "".join(w[:1].upper() + w[1:] for w in words) or "Signal"
