"""The change records index and one page per record: its facts, drift, field changes and its own text."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from layerflow.model import Analysis, ChangeRecord, ChangeStatus
from layerflow.render.escape import md, md_code
from layerflow.render.markup import admonition, placeholder, table
from layerflow.render.pages.common import ENTITY_LINKS


def changes_index(analysis: Analysis) -> str:
    links = ENTITY_LINKS
    records = {r.id: r for r in analysis.inputs.changes}
    rows = [
        (
            links.link(c.id, links.change(c.id)),
            md(c.signal),
            md(records[c.id].date),
            c.status.value,
            "yes" if c.reflected else ("DRIFT" if c.status is ChangeStatus.APPLIED else "not yet"),
            ", ".join(links.link(g, links.gap(g)) for g in c.resolves),
        )
        for c in analysis.changes
    ]
    out = ["# Change records", "", f"{len(rows)} change records. Click a column header to sort.", ""]
    out += table(("Change", "Signal", "Date", "Status", "Reflected", "Resolves"), rows)
    return "\n".join(out) + "\n"


def change_page(
    analysis: Analysis, record: ChangeRecord, render_markdown: Callable[[str], str]
) -> tuple[str, Mapping[str, str]]:
    """The page, and the record's own sections as HTML fragments (user-written Markdown, made safe)."""
    links = ENTITY_LINKS
    outcome = next(c for c in analysis.changes if c.id == record.id)
    signal = analysis.inputs.registry.by_uid().get(record.signal)
    out = [f"# {md(record.id)}: {md(record.signal)} {md(record.title)}", ""]
    facts = [(md(key), md(value)) for key, value in record.metadata.items()]
    facts.append(("Signal", links.link(record.signal, links.signal(record.signal)) if signal else md(record.signal)))
    facts.append(("Record", md_code(str(record.location))))
    facts.append(("Reflected in the registry", "yes" if outcome.reflected else "no"))
    facts.append(("Resolves", ", ".join(links.link(g, links.gap(g)) for g in outcome.resolves) or "—"))
    out += table(("Property", "Value"), facts)
    if outcome.drift and record.status is ChangeStatus.APPLIED:
        drift = [f"- {md(d)}" for d in outcome.drift]
        out += ["", *admonition("warning", "Drift: the registry does not show this change", drift)]
    out += ["", "## Fields", ""]
    out += field_changes_table(analysis, record)
    fragments: dict[str, str] = {}
    if record.sections:
        out += ["", "## Record", ""]
        for index, section in enumerate(record.sections):
            key = f"change-{record.id.lower()}-{index}"
            fragments[key] = render_markdown(section.markdown)
            out += [f"### {md(section.title)}", "", placeholder(key), ""]
    return "\n".join(out) + "\n", fragments


def field_changes_table(analysis: Analysis, record: ChangeRecord) -> list[str]:
    """What the record changes, field by field, before and after."""
    changes = analysis.fields_of(record)
    if not changes:
        return ["The record names no field changes."]
    return table(
        ("Field", "Before", "After"),
        [(md_code(c.field), md(c.before) if c.before is not None else "(new)", md(c.after)) for c in changes],
    )
