"""Store pages: one per table, key, file or metric the registry, the inventory or the code names.

It answers the on-call question "who reads this table?" in one search: the signals persisted there, the L7
outputs kept there, who writes it (registry producers and the code's write sites, linked to the line) and
who reads it (the consumers of what is kept there). Every count is of the rows the page lists.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from layerflow.model import Analysis, Consumer, Persistence, Signal
from layerflow.model.facts import WriteSite
from layerflow.model.inputs import Output
from layerflow.model.registry import Store
from layerflow.render.escape import md, md_code
from layerflow.render.links import Links
from layerflow.render.markup import table


@dataclass
class StoreFacts:
    store: str  # PostgreSQL, Redis, File ...
    item: str  # cost_snapshots, m10_recovery.replay_log
    slug: str = ""
    signals: list[Signal] = field(default_factory=list)
    outputs: list[tuple[str, Output]] = field(default_factory=list)  # (producer id, output)
    writes: list[WriteSite] = field(default_factory=list)

    @property
    def readers(self) -> list[Consumer]:
        seen: dict[tuple[str, str | None], Consumer] = {}
        for consumers in [s.consumers for s in self.signals] + [o.consumers for _, o in self.outputs]:
            for c in consumers:
                seen.setdefault((c.name, c.layer), c)
        return [seen[k] for k in sorted(seen, key=lambda k: (k[0], k[1] or ""))]


def _items(store: Store) -> list[str]:
    """The named things in a store claim: "graduation_history, m25_graduation_status" -> both."""
    return [part.strip() for part in re.split(r"[,;]", store.detail) if part.strip()]


def _slug(store: str, item: str) -> str:
    text = f"{store}-{item}".lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "store"


def stores_of(analysis: Analysis) -> list[StoreFacts]:
    """Every named store item, in a stable order, with what is kept there and who writes it."""
    found: dict[tuple[str, str], StoreFacts] = {}

    def at(persistence: Persistence | None) -> list[StoreFacts]:
        if persistence is None:
            return []
        out = []
        for store in persistence.stores:
            for item in _items(store):
                out.append(found.setdefault((store.name, item), StoreFacts(store.name, item)))
        return out

    for signal in analysis.inputs.registry.signals:
        for facts in at(signal.persistence):
            facts.signals.append(signal)
    inventory = analysis.inputs.inventory
    for producer in inventory.producers if inventory else ():
        for output in producer.outputs:
            for facts in at(output.persistence):
                facts.outputs.append((producer.id, output))
    for output in inventory.internal if inventory else ():
        for facts in at(output.persistence):
            facts.outputs.append((output.job, output))
    evidence = analysis.inputs.evidence
    for file in evidence.code.files if evidence and evidence.code else ():
        for write in file.writes:
            written = found.get((write.target, write.detail))
            if written is not None:
                written.writes.append(write)
    ordered = [found[key] for key in sorted(found)]
    used: set[str] = set()
    for facts in ordered:
        slug = base = _slug(facts.store, facts.item)
        n = 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        facts.slug = slug
    return ordered


def _consumer(c: Consumer) -> str:
    return md(f"{c.name} ({c.shown_layer})" if c.shown_layer else c.name)


def stores_index(stores: list[StoreFacts], links: Links) -> str:
    rows = [
        (
            links.link(f.item, links.store(f.slug)),
            md(f.store),
            str(len(f.signals)),
            str(len(f.outputs)),
            str(len(f.writes)),
            str(len(f.readers)),
        )
        for f in stores
    ]
    out = ["# Stores", ""]
    out += [
        f"{len(stores)} tables, keys, files and metrics named in the registry's and the inventory's persistence "
        "claims, with who writes and who reads each. Click a column header to sort.",
        "",
    ]
    out += table(("Store", "Kind", "Signals", "L7 outputs", "Write sites in code", "Readers"), rows)
    return "\n".join(out) + "\n"


def store_page(facts: StoreFacts, links: Links, producer_names: Mapping[str, str]) -> str:
    """`producer_names`: id -> name of the producers that have a page."""
    out = [f"# {md(facts.item)} ({md(facts.store)})", ""]
    readers = facts.readers
    out += [f"**Read by:** {', '.join(_consumer(c) for c in readers) if readers else 'no consumer named'}", ""]
    out += ["## Signals kept here", ""]
    if facts.signals:
        rows: list[tuple[str, ...]] = [
            (links.link(s.uid, links.signal(s.uid)), md(s.name), md(s.producer), ", ".join(map(_consumer, s.consumers)))
            for s in facts.signals
        ]
        out += [*table(("Signal", "Name", "Producer", "Consumers"), rows), ""]
    else:
        out += ["No signal of the registry is persisted here.", ""]
    out += ["## L7 outputs kept here", ""]
    if facts.outputs:
        rows = [
            (
                links.link(producer_names[pid], links.producer(pid)) if pid in producer_names else md(pid or "—"),
                md(o.name),
                ", ".join(map(_consumer, o.consumers)),
            )
            for pid, o in facts.outputs
        ]
        out += [*table(("Producer", "Output", "Consumers"), rows), ""]
    else:
        out += ["No output of the L7 inventory is kept here.", ""]
    out += ["## Written in code", ""]
    if facts.writes:
        rows = [(links.source(w.location), md_code(w.operation or w.kind), md(w.kind)) for w in facts.writes]
        out += [*table(("Where", "Operation", "Kind"), rows), ""]
    else:
        out += ["No write site found by `--code` names it (or no code was read).", ""]
    return "\n".join(out) + "\n"
