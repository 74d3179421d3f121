"""The gaps index and one page per gap: its verdict, detail, flow and the change records citing it."""

from __future__ import annotations

from collections.abc import Collection

from layerflow.model import GAP_STATUS_TITLES, Analysis, Gap, GapStatus
from layerflow.render.escape import md
from layerflow.render.markup import admonition, table
from layerflow.render.pages.common import ENTITY_LINKS, PRIORITY_ADMONITION, gap_subject, producer_link
from layerflow.render.report import gap_detail


def gaps_index(analysis: Analysis) -> str:
    links = ENTITY_LINKS
    signals = analysis.inputs.registry.by_uid()
    rows = [
        (
            links.link(g.id, links.gap(g.id)),
            g.priority,
            GAP_STATUS_TITLES[g.status],
            links.link(g.resolved_by, links.change(g.resolved_by)) if g.resolved_by else "",
            md(g.subject),
            ", ".join(links.link(u, links.signal(u)) for u in g.signals if u in signals),
            md(g.title),
        )
        for g in analysis.gaps
    ]
    opened = sum(1 for g in analysis.gaps if g.status is GapStatus.OPEN)
    resolved = sum(1 for g in analysis.gaps if g.status is GapStatus.RESOLVED)
    out = ["# Gaps", "", f"{opened} open, {resolved} resolved. Click a column header to sort.", ""]
    out += table(("Gap", "Priority", "Status", "Resolved by", "Subject", "Signals", "Issue"), rows)
    return "\n".join(out) + "\n"


def gap_page(analysis: Analysis, gap: Gap, known: Collection[str]) -> str:
    links = ENTITY_LINKS
    kind = "success" if gap.status is GapStatus.RESOLVED else PRIORITY_ADMONITION.get(gap.priority, "note")
    out = [f"# {md(gap.id)}: {md(gap_subject(analysis, gap))}", ""]
    verdict = f"Resolved by {gap.resolved_by}" if gap.resolved_by else f"Open ({gap.priority})"
    out += [*admonition(kind, md(verdict), [md(gap.title)]), ""]
    out += gap_detail(gap, links, level=2)[4:]  # heading and title: the page's title and admonition say them
    flow = analysis.flow(gap.flow_id)
    if flow is not None:
        out += ["", f"**Flow:** {producer_link(flow, known, links)} → {md(flow.output)}"]
    citing = [r for r in analysis.inputs.changes if gap.id in r.references]
    if citing:
        out += ["", "**Change records citing it:** " + ", ".join(links.link(r.id, links.change(r.id)) for r in citing)]
    return "\n".join(out) + "\n"
