"""The producers index and one page per L7 producer: its facts, outputs, decision paths and code evidence."""

from __future__ import annotations

from layerflow.model import FLOW_CLASS_TITLES, Analysis, Flow, GapStatus
from layerflow.model.summary import CATEGORY_TITLES, producer_ids
from layerflow.render.escape import md, md_code
from layerflow.render.links import Links
from layerflow.render.markup import placeholder, table
from layerflow.render.pages.common import ENTITY_LINKS
from layerflow.render.pages.evidence import producer_evidence
from layerflow.render.report import consumers_text, persistence_text, status_text


def producers_index(analysis: Analysis) -> str:
    links = ENTITY_LINKS
    inventory = analysis.inputs.inventory
    schedules = {p.id: p.schedule or p.trigger for p in inventory.producers} if inventory else {}
    rows = []
    for producer_id in producer_ids(analysis):
        flows = analysis.flows_of(producer_id)
        gaps = [g for f in flows for g in analysis.gaps_of_flow(f.id) if g.status is GapStatus.OPEN]
        name = flows[0].producer if flows else producer_id
        rows.append(
            (
                links.link(name, links.producer(producer_id)),
                md(schedules.get(producer_id, "")),
                str(len(flows)),
                md(", ".join(sorted({FLOW_CLASS_TITLES[f.klass] for f in flows}))),
                ", ".join(links.link(g.id, links.gap(g.id)) for g in gaps),
            )
        )
    out = ["# L7 producers", "", f"{len(rows)} producers. Click a column header to sort.", ""]
    out += table(("Producer", "Schedule", "Outputs", "Classes", "Open gaps"), rows)
    return "\n".join(out) + "\n"


def producer_page(analysis: Analysis, producer_id: str, links: Links = ENTITY_LINKS) -> str:
    flows = analysis.flows_of(producer_id)
    inventory = analysis.inputs.inventory
    producer = inventory.producer(producer_id) if inventory else None
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
    out += [
        "## Decision paths",
        "",
        "The paths this producer's outputs took through the decision tree; each count is of this producer's "
        f"{len(flows)} output{'s' if len(flows) != 1 else ''}:",
        "",
    ]
    out += [placeholder(f"tree-{producer_id}"), ""]
    out += producer_evidence(analysis, producer_id, links)  # --code/--ops only
    return "\n".join(out) + "\n"


def _flow_section(analysis: Analysis, flow: Flow, links: Links) -> list[str]:
    category = f" — {CATEGORY_TITLES.get(flow.category, flow.category)}" if flow.category else ""
    out = [f"### {md(flow.output)}", ""]
    out += table(
        ("Property", "Value"),
        [
            ("Class", md(FLOW_CLASS_TITLES[flow.klass] + category)),
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
