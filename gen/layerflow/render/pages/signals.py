"""The signals index and one page per signal: its fields, consumers, flows, history, conflicts, gaps, evidence."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from layerflow.model import FLOW_CLASS_TITLES, Analysis, Flow, Signal
from layerflow.render.escape import md, md_code
from layerflow.render.links import Links
from layerflow.render.markup import placeholder, table
from layerflow.render.pages.changes import field_changes_table
from layerflow.render.pages.common import ENTITY_LINKS, producer_link
from layerflow.render.pages.evidence import signal_evidence
from layerflow.render.report import persistence_text, status_text


def signals_index(analysis: Analysis) -> str:
    links = ENTITY_LINKS
    rows = [
        (
            links.link(s.uid, links.signal(s.uid)),
            md(s.name),
            md(s.domain),
            md(s.producer),
            md(s.p_layer_written or ""),
            md(", ".join(c.name for c in s.consumers)),
            md(", ".join(s.c_layers)),
            persistence_text(s.persistence),
        )
        for s in analysis.inputs.registry.signals
    ]
    out = ["# Signals", "", f"{len(rows)} signals in the registry. Click a column header to sort.", ""]
    out += table(("UID", "Name", "Domain", "Producer", "P-Layer", "Consumers", "C-Layers", "Persistence"), rows)
    return "\n".join(out) + "\n"


def signal_page(
    analysis: Analysis, signal: Signal, flows: Iterable[Flow], known: Collection[str], links: Links = ENTITY_LINKS
) -> str:
    mine = list(flows)
    out = [f"# {md(signal.uid)} {md(signal.name)}", ""]
    out += _fields(signal)
    out += ["", "## Flow diagram", "", placeholder(f"signal-{signal.uid.lower()}"), ""]
    out += ["## Consumers", "", *_consumers(signal, links)]
    out += ["", "## Flows", "", *_flows(analysis, mine, known, links)]
    out += ["", "## Change history", "", *_history(analysis, signal, links)]
    out += _conflicts(analysis, signal)
    gaps = list(analysis.gaps_of_subject(signal.uid))  # a scan of every gap per signal was quadratic at 10k
    gaps += [g for f in mine for g in analysis.gaps_of_flow(f.id) if g not in gaps]
    if gaps:
        out += ["## Gaps", ""]
        out += [f"- {links.link(g.id, links.gap(g.id))} ({g.priority}, {g.status}): {md(g.title)}" for g in gaps]
    out += signal_evidence(analysis, signal, links)  # --code/--ops only
    return "\n".join(out) + "\n"


def _fields(signal: Signal) -> list[str]:
    rows = [(md_code(name), md(value) if value else "none") for name, value in signal.fields.items() if name != "uid"]
    rows += [(md(name) + " (extra column)", md(value)) for name, value in signal.extra.items()]
    rows.append(("domain", md(signal.domain)))
    rows.append(("defined at", md_code(str(signal.location))))
    rows += [("also defined at", md_code(str(loc))) for loc in signal.also_defined]
    return table(("Field", "Value"), rows)


def _consumers(signal: Signal, links: Links) -> list[str]:
    if not signal.consumers:
        return ["No consumer is named."]
    return table(
        ("Consumer", "Layer", "Signal"),
        [
            (
                md(c.name),
                md(c.shown_layer or "—"),
                links.link(c.signal_ref, links.signal(c.signal_ref)) if c.signal_ref else "",
            )
            for c in signal.consumers
        ],
    )


def _flows(analysis: Analysis, flows: list[Flow], known: Collection[str], links: Links) -> list[str]:
    if not flows:
        return ["No L7 flow carries this signal."]
    return table(
        ("Producer", "Output", "Class", "Status"),
        [
            (
                producer_link(f, known, links),
                md(f.output),
                md(FLOW_CLASS_TITLES[f.klass]),
                status_text(f, analysis, links),
            )
            for f in flows
        ],
    )


def _history(analysis: Analysis, signal: Signal, links: Links) -> list[str]:
    history = [r for r in analysis.inputs.changes if r.signal == signal.uid]
    if not history:
        return ["No change record touches this signal."]
    out: list[str] = []
    for record in history:
        out += [f"### {links.link(record.id, links.change(record.id))} — {record.status.value} {md(record.date)}", ""]
        out += field_changes_table(analysis, record)
        out.append("")
    return out


def _conflicts(analysis: Analysis, signal: Signal) -> list[str]:
    conflicts = [c for c in analysis.inputs.registry.conflicts if c.uid == signal.uid]
    if not conflicts:
        return []
    out = ["## Conflicting definitions", ""]
    out += table(
        ("Field", "Value", "At", "Other value", "At"),
        [
            (md(c.field), md(c.first), md_code(str(c.first_at)), md(c.second), md_code(str(c.second_at)))
            for c in conflicts
        ],
    )
    out.append("")
    return out
