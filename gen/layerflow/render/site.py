"""The site as data: Markdown pages, DOT diagrams and HTML fragments, from one Analysis.

Pure. The MkDocs plugin turns this into virtual files, renders the diagrams
in one batch, and swaps each placeholder for its fragment after Markdown ran,
so big SVGs and user-written evidence never pass through the Markdown engine.
Nothing here is typed by hand that the registry already says.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace

from layerflow.audit.history import field_changes
from layerflow.audit.labels import subject_label
from layerflow.audit.summary import CATEGORY_TITLES, producer_ids, summarize
from layerflow.model import Analysis, ChangeRecord, Flow, Gap, Signal
from layerflow.render import dot
from layerflow.render.escape import attr, md, md_code
from layerflow.render.evidence import producer_evidence, signal_evidence
from layerflow.render.links import Links, has_source_page, source_page_path
from layerflow.render.report import consumers_text, gap_detail, persistence_text, render_report, status_text
from layerflow.render.tables import table

ROOT_LINKS = Links(prefix="")
ENTITY_LINKS = Links(prefix="../")
_ADMONITION = {"P1": "danger", "P2": "warning", "P3": "note"}
_CLASS_TITLES = {
    "l7_l6": "L7→L6",
    "l7_l7": "L7→L7 (internal-only)",
    "l7_l8": "L7→L8 (monitoring)",
    "l7_both": "L7→L6 and L7",
    "unclassified": "unclassified",
}


@dataclass
class Site:
    pages: dict[str, str] = field(default_factory=dict)  # docs path -> Markdown
    diagrams: dict[str, str] = field(default_factory=dict)  # fragment key -> DOT
    fragments: dict[str, str] = field(default_factory=dict)  # fragment key -> HTML (trusted, already escaped)
    # Page titles as plain text. Themes put the title in <title> after `striptags`, which undoes
    # escaping; the plugin sets these, escaped, as the page's meta title instead.
    titles: dict[str, str] = field(default_factory=dict)


def placeholder(key: str) -> str:
    """A block the plugin replaces with a fragment once Markdown has run."""
    return f'<div class="lf-fragment" data-lf="{attr(key)}"></div>'


def build_site(
    analysis: Analysis,
    render_markdown: Callable[[str], str],
    layer_names: Mapping[str, str] | None = None,
    sources: Mapping[str, str] | None = None,
) -> Site:
    """Every page of the site. `render_markdown` turns user-written Markdown (evidence) into safe HTML;
    `layer_names` renames layers in diagrams ("L6": "L6 Platform")."""
    names = {**dot.LAYER_TITLES, **(layer_names or {})}
    site = Site()
    code = {path: text for path, text in (sources or {}).items() if has_source_page(path)}
    links = replace(ENTITY_LINKS, sources=frozenset(code))
    for path, text in sorted(code.items()):
        site.pages[source_page_path(path)] = source_page(path, text)
        site.titles[source_page_path(path)] = path
    site.diagrams["overview"] = dot.layer_overview(analysis, names)
    site.diagrams["decision-tree"] = dot.decision_tree(analysis)
    site.pages["index.md"] = home_page(analysis)
    site.pages["report.md"] = render_report(analysis, ROOT_LINKS, diagram=placeholder("decision-tree"))
    site.pages["producers/index.md"] = producers_index(analysis)
    known = set(producer_ids(analysis))
    counts = dot.tree_counts(analysis.flows)
    for producer_id in producer_ids(analysis):
        site.pages[f"producers/{producer_id}.md"] = producer_page(analysis, producer_id, links)
        flows = analysis.flows_of(producer_id)
        site.titles[f"producers/{producer_id}.md"] = flows[0].producer if flows else producer_id
        site.diagrams[f"producer-{producer_id}"] = dot.producer_graph(analysis, producer_id, names)
        site.diagrams[f"tree-{producer_id}"] = dot.decision_tree(analysis, analysis.flows_of(producer_id), counts)
    site.pages["signals/index.md"] = signals_index(analysis)
    flows_by_signal: dict[str, list[Flow]] = {}
    for flow in analysis.flows:
        for uid in flow.signals:
            flows_by_signal.setdefault(uid, []).append(flow)
    for signal in analysis.inputs.registry.signals:
        mine = flows_by_signal.get(signal.uid, [])
        site.pages[f"signals/{signal.uid.lower()}.md"] = signal_page(analysis, signal, mine, known, links)
        site.titles[f"signals/{signal.uid.lower()}.md"] = f"{signal.uid} {signal.name}"
        site.diagrams[f"signal-{signal.uid.lower()}"] = dot.signal_graph(analysis, signal, mine, names)
    site.pages["gaps/index.md"] = gaps_index(analysis)
    for gap in analysis.gaps:
        site.pages[f"gaps/{gap.id.lower()}.md"] = gap_page(analysis, gap, known)
        site.titles[f"gaps/{gap.id.lower()}.md"] = f"{gap.id}: {_gap_subject(analysis, gap)}"
    site.pages["changes/index.md"] = changes_index(analysis)
    for record in analysis.inputs.changes:
        page, evidence = change_page(analysis, record, render_markdown)
        site.pages[f"changes/{record.id.lower()}.md"] = page
        site.titles[f"changes/{record.id.lower()}.md"] = f"{record.id}: {record.signal} {record.title}"
        site.fragments.update(evidence)
    return site


def _producer_link(flow: Flow, known: Collection[str], links: Links) -> str:
    if flow.producer_id in known:
        return links.link(flow.producer, links.producer(flow.producer_id))
    return md(flow.producer)


def home_page(analysis: Analysis) -> str:
    s = summarize(analysis)
    meta = analysis.inputs.registry.metadata
    out = ["# Signal registry flow audit", ""]
    out.append(
        f"Registry {md(meta.get('Version', ''))} ({md(meta.get('Status', 'status unknown'))}): "
        f"{s.signals} signals, {s.l7_producers} L7 producers. "
        "Generated by layerflow from `registry/` at build time."
    )
    out.append("")
    open_gaps = [g for g in analysis.gaps if g.status == "open"]
    out += ["## Open gaps", ""]
    if not open_gaps:
        out += ['!!! success "No open gaps"', "", "    Every gap found so far is resolved.", ""]
    for gap in sorted(open_gaps, key=lambda g: (g.priority, g.id)):
        title = md(f"{gap.id} ({gap.priority}): {_gap_subject(analysis, gap)}").replace('"', "&quot;")
        out += [f'!!! {_ADMONITION.get(gap.priority, "note")} "{title}"', ""]
        out.append(f"    {md(gap.title)} — {ROOT_LINKS.link('details', ROOT_LINKS.gap(gap.id))}")
        out.append("")
    out += ["## At a glance", ""]
    out += table(
        ("What", "Count"),
        [
            ("L7 producers", ROOT_LINKS.link(str(s.l7_producers), "producers/index.md")),
            ("Signals", ROOT_LINKS.link(str(s.signals), "signals/index.md")),
            ("L7→L6 flows (direct)", f"{s.l7_l6} ({s.l7_l6_verified} verified)"),
            ("L7→L6 flows (deferred)", str(s.l7_l6_deferred)),
            ("L7→L7 flows (internal-only)", str(s.l7_l7)),
            ("L7→L8 flows (monitoring)", str(s.l7_l8)),
            ("L7→L6 and L7 flows", str(s.l7_both)),
            ("Gaps open / resolved", ROOT_LINKS.link(f"{s.gaps_open} / {s.gaps_resolved}", "gaps/index.md")),
            ("Change records", ROOT_LINKS.link(str(len(analysis.changes)), "changes/index.md")),
            ("Findings: blocking / warnings / notes", f"{s.blocking} / {s.warnings} / {s.infos}"),
        ],
    )
    out += ["", "## Layer overview", "", "Every L7 producer and the layers its outputs reach; open gaps in red.", ""]
    out += [placeholder("overview"), ""]
    out += ["The full analysis is in the " + ROOT_LINKS.link("sufficiency report", "report.md") + "."]
    return "\n".join(out) + "\n"


def producers_index(analysis: Analysis) -> str:
    inventory = analysis.inputs.inventory
    schedules = {p.id: p.schedule or p.trigger for p in inventory.producers} if inventory else {}
    rows = []
    for producer_id in producer_ids(analysis):
        flows = analysis.flows_of(producer_id)
        gaps = [g for f in flows for g in analysis.gaps_of_flow(f.id) if g.status == "open"]
        name = flows[0].producer if flows else producer_id
        rows.append(
            (
                ENTITY_LINKS.link(name, f"{producer_id}.md"),
                md(schedules.get(producer_id, "")),
                str(len(flows)),
                md(", ".join(sorted({_CLASS_TITLES.get(f.klass, f.klass) for f in flows}))),
                ", ".join(ENTITY_LINKS.link(g.id, f"../gaps/{g.id.lower()}.md") for g in gaps),
            )
        )
    out = ["# L7 producers", "", f"{len(rows)} producers. Click a column header to sort.", ""]
    out += table(("Producer", "Schedule", "Outputs", "Classes", "Open gaps"), rows)
    return "\n".join(out) + "\n"


def producer_page(analysis: Analysis, producer_id: str, links: Links = ENTITY_LINKS) -> str:
    flows = analysis.flows_of(producer_id)
    inventory = analysis.inputs.inventory
    producer = next((p for p in inventory.producers if p.id == producer_id), None) if inventory else None
    name = producer.name if producer else (flows[0].producer if flows else producer_id)
    out = [f"# {md(name)}", ""]
    facts = [("Layer", md(producer.layer if producer else "L7"))]
    if producer:
        facts += [
            ("Trigger", md(producer.trigger)),
            ("Schedule", md(producer.schedule)),
            ("Units", ", ".join(md_code(u) for u in producer.units)),
            ("Source files", ", ".join(md_code(f) for f in producer.source_files)),
            ("Defined at", md_code(str(producer.location))),
        ]
    out += table(("Property", "Value"), facts)
    out += ["", "## Flow diagram", "", placeholder(f"producer-{producer_id}"), ""]
    out += ["## Outputs", ""]
    for flow in flows:
        out += _flow_section(analysis, flow, links)
    out += ["## Decision paths", "", "The paths this producer's outputs took through the decision tree:", ""]
    out += [placeholder(f"tree-{producer_id}"), ""]
    out += producer_evidence(analysis, producer_id, links)  # --code/--ops only
    return "\n".join(out) + "\n"


def _flow_section(analysis: Analysis, flow: Flow, links: Links) -> list[str]:
    category = f" — {CATEGORY_TITLES.get(flow.category, flow.category)}" if flow.category else ""
    out = [f"### {md(flow.output)}", ""]
    out += table(
        ("Property", "Value"),
        [
            ("Class", md(_CLASS_TITLES.get(flow.klass, flow.klass) + category)),
            ("Kind", md(flow.kind)),
            ("Flow", flow.flow_kind.value),
            ("Signals", ", ".join(links.link(u, links.signal(u)) for u in flow.signals) or "(unregistered)"),
            ("Consumers", consumers_text(flow.consumers, links)),
            ("Persistence", persistence_text(flow.persistence)),
            ("Written by", md(flow.writer)),
            ("Status", status_text(flow, analysis, links)),
            ("Declared at", md_code(str(flow.location))),
        ],
    )
    out += [
        "",
        "**Decision path:** "
        + " → ".join(f"{d.node} {md(d.question)} **{'yes' if d.answer else 'no'}**" for d in flow.decision),
        "",
    ]
    if flow.checks:
        out += table(
            ("Check", "Result", "Detail", "Fail condition (rules)"),
            [
                (md_code(f"{c.node}.{c.name}"), "✅ pass" if c.passed else "❌ fail", md(c.message), md(c.condition))
                for c in flow.checks
            ],
        )
        out.append("")
    return out


def signals_index(analysis: Analysis) -> str:
    rows = [
        (
            ENTITY_LINKS.link(s.uid, f"{s.uid.lower()}.md"),
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
    out = [f"# {md(signal.uid)} {md(signal.name)}", ""]
    rows = [(md_code(name), md(value) if value else "none") for name, value in signal.fields.items() if name != "uid"]
    rows += [(md(name) + " (extra column)", md(value)) for name, value in signal.extra.items()]
    rows.append(("domain", md(signal.domain)))
    rows.append(("defined at", md_code(str(signal.location))))
    rows += [("also defined at", md_code(str(loc))) for loc in signal.also_defined]
    out += table(("Field", "Value"), rows)
    out += ["", "## Flow diagram", "", placeholder(f"signal-{signal.uid.lower()}"), ""]
    out += ["## Consumers", ""]
    if signal.consumers:
        out += table(
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
    else:
        out.append("No consumer is named.")
    out += ["", "## Flows", ""]
    mine = list(flows)
    if mine:
        out += table(
            ("Producer", "Output", "Class", "Status"),
            [
                (
                    _producer_link(f, known, links),
                    md(f.output),
                    md(_CLASS_TITLES.get(f.klass, f.klass)),
                    status_text(f, analysis, links),
                )
                for f in mine
            ],
        )
    else:
        out.append("No L7 flow carries this signal.")
    out += ["", "## Change history", ""]
    history = [r for r in analysis.inputs.changes if r.signal == signal.uid]
    if not history:
        out.append("No change record touches this signal.")
    for record in history:
        out += [f"### {links.link(record.id, links.change(record.id))} — {record.status.value} {md(record.date)}", ""]
        out += _changes_table(record, signal)
        out.append("")
    conflicts = [c for c in analysis.inputs.registry.conflicts if c.uid == signal.uid]
    if conflicts:
        out += ["## Conflicting definitions", ""]
        out += table(
            ("Field", "Value", "At", "Other value", "At"),
            [
                (md(c.field), md(c.first), md_code(str(c.first_at)), md(c.second), md_code(str(c.second_at)))
                for c in conflicts
            ],
        )
        out.append("")
    gaps = [g for g in analysis.gaps if g.subject == signal.uid]
    gaps += [g for f in mine for g in analysis.gaps_of_flow(f.id) if g not in gaps]
    if gaps:
        out += ["## Gaps", ""]
        out += [f"- {links.link(g.id, links.gap(g.id))} ({g.priority}, {g.status}): {md(g.title)}" for g in gaps]
    out += signal_evidence(analysis, signal, links)  # --code/--ops only
    return "\n".join(out) + "\n"


def _changes_table(record: ChangeRecord, signal: Signal | None) -> list[str]:
    changes = field_changes(record, signal)
    if not changes:
        return ["The record names no field changes."]
    return table(
        ("Field", "Before", "After"),
        [(md_code(c.field), md(c.before) if c.before is not None else "(new)", md(c.after)) for c in changes],
    )


def gaps_index(analysis: Analysis) -> str:
    signals = analysis.inputs.registry.by_uid()
    rows = [
        (
            ENTITY_LINKS.link(g.id, f"{g.id.lower()}.md"),
            g.priority,
            g.status.upper(),
            ENTITY_LINKS.link(g.resolved_by, f"../changes/{g.resolved_by.lower()}.md") if g.resolved_by else "",
            md(g.subject),
            ", ".join(ENTITY_LINKS.link(u, f"../signals/{u.lower()}.md") for u in g.signals if u in signals),
            md(g.title),
        )
        for g in analysis.gaps
    ]
    out = ["# Gaps", "", f"{sum(1 for g in analysis.gaps if g.status == 'open')} open, "]
    out[-1] += f"{sum(1 for g in analysis.gaps if g.status == 'resolved')} resolved. Click a column header to sort."
    out.append("")
    out += table(("Gap", "Priority", "Status", "Resolved by", "Subject", "Signals", "Issue"), rows)
    return "\n".join(out) + "\n"


def gap_page(analysis: Analysis, gap: Gap, known: Collection[str]) -> str:
    links = ENTITY_LINKS
    kind = "success" if gap.status == "resolved" else _ADMONITION.get(gap.priority, "note")
    out = [f"# {md(gap.id)}: {md(_gap_subject(analysis, gap))}", ""]
    verdict = f"Resolved by {gap.resolved_by}" if gap.resolved_by else f"Open ({gap.priority})"
    out += [f'!!! {kind} "{md(verdict)}"', "", f"    {md(gap.title)}", ""]
    out += gap_detail(gap, links, level=2)[2:]
    flow = next((f for f in analysis.flows if f.id == gap.flow_id), None)
    if flow is not None:
        out += ["", f"**Flow:** {_producer_link(flow, known, links)} → {md(flow.output)}"]
    citing = [r for r in analysis.inputs.changes if gap.id in r.references]
    if citing:
        out += ["", "**Change records citing it:** " + ", ".join(links.link(r.id, links.change(r.id)) for r in citing)]
    return "\n".join(out) + "\n"


def _gap_subject(analysis: Analysis, gap: Gap) -> str:
    """What a gap is about, with its signals: `SIG-100 GraduationStatus`, `Sweep Job (SIG-902 SweepMarker)`."""
    return subject_label(gap.subject, gap.signals, analysis.inputs.registry.by_uid())


def changes_index(analysis: Analysis) -> str:
    records = {r.id: r for r in analysis.inputs.changes}
    rows = [
        (
            ENTITY_LINKS.link(c.id, f"{c.id.lower()}.md"),
            md(c.signal),
            md(records[c.id].date),
            c.status.value,
            "yes" if c.reflected else ("DRIFT" if c.status.value == "APPLIED" else "not yet"),
            ", ".join(ENTITY_LINKS.link(g, f"../gaps/{g.lower()}.md") for g in c.resolves),
        )
        for c in analysis.changes
    ]
    out = ["# Change records", "", f"{len(rows)} change records. Click a column header to sort.", ""]
    out += table(("Change", "Signal", "Date", "Status", "Reflected", "Resolves"), rows)
    return "\n".join(out) + "\n"


def change_page(
    analysis: Analysis, record: ChangeRecord, render_markdown: Callable[[str], str]
) -> tuple[str, Mapping[str, str]]:
    links = ENTITY_LINKS
    outcome = next(c for c in analysis.changes if c.id == record.id)
    signals = analysis.inputs.registry.by_uid()
    signal = signals.get(record.signal)
    out = [f"# {md(record.id)}: {md(record.signal)} {md(record.title)}", ""]
    facts = [(md(key), md(value)) for key, value in record.metadata.items()]
    facts.append(("Signal", links.link(record.signal, links.signal(record.signal)) if signal else md(record.signal)))
    facts.append(("Record", md_code(str(record.location))))
    facts.append(("Reflected in the registry", "yes" if outcome.reflected else "no"))
    facts.append(("Resolves", ", ".join(links.link(g, links.gap(g)) for g in outcome.resolves) or "—"))
    out += table(("Property", "Value"), facts)
    if outcome.drift and record.status.value == "APPLIED":
        out += ["", '!!! warning "Drift: the registry does not show this change"', ""]
        out += [f"    - {md(d)}" for d in outcome.drift]
    out += ["", "## Fields", ""]
    out += _changes_table(record, signal)
    fragments: dict[str, str] = {}
    if record.sections:
        out += ["", "## Record", ""]
        for index, section in enumerate(record.sections):
            key = f"change-{record.id.lower()}-{index}"
            fragments[key] = render_markdown(section.markdown)
            out += [f"### {md(section.title)}", "", placeholder(key), ""]
    return "\n".join(out) + "\n", fragments


def source_page(path: str, text: str) -> str:
    """A code file, each line an anchor (#L12) that evidence links point at; kept out of search.

    Raw HTML, escaped line by line: no line is ever blank, so Markdown leaves the block alone,
    and MkDocs sees the ids, so a link to a line that is not there fails `--strict`.
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    body = "\n".join(f'<span id="L{n}">{html.escape(line)}</span>' for n, line in enumerate(lines, 1))
    out = ["---", "search:", "  exclude: true", "---", "", f"# {md(path)}", ""]
    out += [f"{len(lines)} lines, as read by `--code`. Evidence links point at single lines.", ""]
    out.append(f'<pre class="lf-source"><code>{body}</code></pre>')
    return "\n".join(out) + "\n"


def error_page(problems: Iterable[str]) -> str:
    """What the site shows while the input is broken (live preview), instead of dying."""
    out = ["# layerflow: the registry cannot be read", ""]
    out += ['!!! failure "Fix these problems; the page reloads when the files change"', ""]
    out += [f"    - {md_code(p)}" for p in problems]
    return "\n".join(out) + "\n"
