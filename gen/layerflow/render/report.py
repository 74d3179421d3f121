"""The L7→L6 flow sufficiency report as Markdown, with the seed report's sections.

Every count is computed from the rows printed beside it, and every piece of
registry text goes through `md()`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from layerflow.model import (
    FLOW_STATUS_TITLES,
    Analysis,
    ChangeStatus,
    Consumer,
    Flow,
    FlowClass,
    Gap,
    GapKind,
    GapStatus,
    Persistence,
)
from layerflow.model.summary import CATEGORY_TITLES, is_deferred_l6, is_direct_l6, producer_ids, summarize
from layerflow.render.escape import md, md_code
from layerflow.render.evidence import code_evidence_section, has_evidence, inventory_schedules
from layerflow.render.findings_page import judgement_section
from layerflow.render.links import NO_LINKS, Links
from layerflow.render.markup import table
from layerflow.render.rules import decision_tree_section


def status_text(flow: Flow, analysis: Analysis, links: Links) -> str:
    text = FLOW_STATUS_TITLES[flow.status]
    gaps = analysis.gaps_of_flow(flow.id)
    notes = [links.link(g.id, links.gap(g.id)) + (f" via {g.resolved_by}" if g.resolved_by else "") for g in gaps]
    return text + (f" ({', '.join(notes)})" if notes else "")


def consumers_text(consumers: Iterable[Consumer], links: Links) -> str:
    parts = []
    for c in consumers:
        name = md(c.name)
        if c.signal_ref:
            name += " (" + links.link(c.signal_ref, links.signal(c.signal_ref)) + ")"
        if c.shown_layer:
            name += f" ({md(c.shown_layer)})"
        parts.append(name)
    return ", ".join(parts)


def persistence_text(persistence: Persistence | None) -> str:
    if persistence is None:
        return ""
    return md(persistence.text) if persistence.text else "none"


def signals_text(uids: Iterable[str], links: Links) -> str:
    return ", ".join(links.link(uid, links.signal(uid)) for uid in uids) or "(unregistered)"


def producer_link(flow: Flow, links: Links, known: Collection[str] = ()) -> str:
    """The producer's name, linked to its page when it has one (a job, not a bare unit or script)."""
    if known and flow.producer_id not in known:
        return md(flow.producer)
    return links.link(flow.producer, links.producer(flow.producer_id))


def render_report(analysis: Analysis, links: Links = NO_LINKS, *, diagram: str = "") -> str:
    """The whole report; `diagram` (HTML) is placed under the decision tree when the site has one."""
    meta = analysis.inputs.registry.metadata
    out = ["# L7→L6 Flow Sufficiency Analysis", ""]
    out += [
        f"**Registry status:** {md(meta.get('Status', 'unknown'))}  ",
        f"**Registry version:** {md(meta.get('Version', 'unknown'))}  ",
        "**Method:** Decision tree analysis per auditor_rules.yaml, computed by layerflow",
        "",
    ]
    out += decision_tree_section(analysis, links)
    if diagram:
        out += ["", diagram, ""]
    out += _inventory(analysis, links)
    out += _classification(analysis, links)
    out += _gap_analysis(analysis, links)
    out += _changes(analysis, links)
    number = 6
    if has_evidence(analysis):  # --code/--ops: one more section, the ones after it move down
        out += code_evidence_section(analysis, links, number=number)
        number += 1
    out += _recommendations(analysis, links, number)
    out += _summary(analysis, number + 1)
    out += judgement_section(analysis, links)  # suppressed and baselined findings, when there are any
    return "\n".join(out).rstrip("\n") + "\n"


def _inventory(analysis: Analysis, links: Links) -> list[str]:
    out = ["## 2. L7 Producer Inventory", ""]
    inventory = analysis.inputs.inventory
    if inventory is None:
        producers = sorted({(f.producer_id, f.producer) for f in analysis.flows if not f.writer})
        rows = [
            (str(i), links.link(name, links.producer(pid)), "", ", ".join(md(f.output) for f in _of(analysis, pid)))
            for i, (pid, name) in enumerate(producers, 1)
        ]
        out += ["No producer inventory: the L7 outputs are the registry rows whose producer layer is L7.", ""]
    else:
        rows = [
            (
                str(i),
                links.link(p.name, links.producer(p.id)),
                md(p.schedule or p.trigger),
                md(p.outputs[0].name) if p.outputs else "",
            )
            for i, p in enumerate(inventory.producers, 1)
        ]
        units = inventory_schedules(analysis)  # --ops: the schedule the units say, in words
        if units is not None:
            timed = [(*row, units.get(p.id, "")) for row, p in zip(rows, inventory.producers, strict=True)]
            out += table(("#", "L7 Producer", "Trigger", "Primary Output", "Schedule (units)"), timed)
            return [*out, ""]
    out += table(("#", "L7 Producer", "Trigger", "Primary Output"), rows)
    return [*out, ""]


def _of(analysis: Analysis, producer_id: str) -> list[Flow]:
    return list(analysis.flows_of(producer_id))


def _flow_rows(flows: Iterable[Flow], analysis: Analysis, links: Links, *, with_signal: bool) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    known = set(producer_ids(analysis))
    for f in flows:
        row = [producer_link(f, links, known)]
        row.append(signals_text(f.signals, links) if with_signal else md(f.output))
        row += [persistence_text(f.persistence), consumers_text(f.consumers, links), status_text(f, analysis, links)]
        rows.append(tuple(row))
    return rows


def _classification(analysis: Analysis, links: Links) -> list[str]:
    flows = analysis.flows
    out = ["## 3. Flow Classification by Decision Tree", ""]
    direct = [f for f in flows if is_direct_l6(f)]
    out += ["### 3.1 L7→L6 Flows (Q2 = YES)", ""]
    out += ["These L7 outputs flow to L6 (or L5/L4 runtime) and require persistence and verified consumption.", ""]
    out += table(
        ("L7 Producer", "Signal UID", "Persistence", "Consumer", "Status"),
        _flow_rows(direct, analysis, links, with_signal=True),
    )
    out += ["", *_internal_flows(analysis, links)]
    sections = (
        ("3.3 L7→L8 Flows (Metrics to Monitoring)", [f for f in flows if f.klass is FlowClass.L7_L8]),
        ("3.4 L7→L6 Flows (Deferred via Maintenance)", [f for f in flows if is_deferred_l6(f)]),
        ("3.5 L7→L6 and L7 Flows (Q3 = YES)", [f for f in flows if f.klass is FlowClass.L7_BOTH]),
        ("3.6 Unclassified Outputs", [f for f in flows if f.klass is FlowClass.UNCLASSIFIED]),
    )
    for title, members in sections:
        if not members and title.startswith(("3.5", "3.6")):
            continue
        out += [f"### {title}", ""]
        out += table(
            ("L7 Producer", "Output", "Persistence", "Consumer", "Status"),
            _flow_rows(members, analysis, links, with_signal=False),
        )
        out.append("")
    return out


def _internal_flows(analysis: Analysis, links: Links) -> list[str]:
    """Section 3.2: the L7-internal artifacts by category, a summary of their statuses, and their isolation."""
    out = ["### 3.2 L7→L7 Flows (Q1 = YES, internal-only)", ""]
    internal = [f for f in analysis.flows if f.klass is FlowClass.L7_L7]
    known = set(producer_ids(analysis))
    categories = [c for c in CATEGORY_TITLES if any(f.category == c for f in internal)]
    out += [f"These outputs stay within L7 for ops continuity: {len(categories)} categories.", ""]
    for number, category in enumerate(categories, 1):
        members = [f for f in internal if f.category == category]
        out += [f"#### 3.2.{number} {CATEGORY_TITLES[category]}", ""]
        out += table(
            ("Artifact", "Producer", "Writer", "Consumer", "Persistence", "Status"),
            [
                (
                    md_code(f.output),
                    producer_link(f, links, known),
                    md(f.writer),
                    consumers_text(f.consumers, links),
                    persistence_text(f.persistence) or md(f.note),
                    status_text(f, analysis, links),
                )
                for f in members
            ],
        )
        out.append("")
    summary_rows = []
    for category in categories:
        members = [f for f in internal if f.category == category]
        bad = sum(1 for f in members if not f.status.passed)
        summary_rows.append(
            (CATEGORY_TITLES[category], str(len(members)), "✅ VALID" if not bad else f"⚠️ {bad} not valid")
        )
    bad_total = sum(1 for f in internal if not f.status.passed)
    summary_rows.append(
        (
            "**Total L7→L7 flows**",
            f"**{len(internal)}**",
            "✅ ALL VALID" if not bad_total else f"⚠️ {bad_total} not valid",
        )
    )
    out += ["#### L7→L7 Summary", ""]
    out += table(("Category", "Count", "Status"), summary_rows)
    leaks = [f for f in internal if any(c.layer not in (None, "L7") for c in f.consumers)]
    out += ["", f"**Isolation:** {len(leaks)} L7-internal artifact(s) read outside L7.", ""]
    return out


def _gap_analysis(analysis: Analysis, links: Links) -> list[str]:
    out = ["## 4. Gap Analysis", ""]
    gaps = analysis.gaps
    if not gaps:
        return [*out, "No gaps found.", ""]
    out += ["### 4.1 Gaps", ""]
    rows = [
        (
            links.link(g.id, links.gap(g.id)),
            md(g.subject),
            md(g.title),
            g.priority,
            (
                f"✅ RESOLVED ({links.link(g.resolved_by, links.change(g.resolved_by))})"
                if g.resolved_by
                else "✅ RESOLVED"
            )
            if g.status is GapStatus.RESOLVED
            else "OPEN",
        )
        for g in gaps
    ]
    out += table(("Gap ID", "Subject", "Issue", "Severity", "Status"), rows)
    out += ["", "### 4.2 Gap Details", ""]
    for gap in gaps:
        out += gap_detail(gap, links, level=4)
    return out


def gap_detail(gap: Gap, links: Links, *, level: int) -> list[str]:
    """A gap's section. The heading is short (it is the table of contents' entry): id, priority, status;
    the title, a sentence or more, opens the body."""
    hashes = "#" * level
    state = f"✅ RESOLVED ({gap.resolved_by})" if gap.status is GapStatus.RESOLVED else "OPEN"
    out = [f"{hashes} {gap.id} ({gap.priority}, {md(gap.status.value)})", "", f"**{md(gap.title)}** — {state}", ""]
    out.append(f"- **Priority:** {gap.priority} ({md(gap.kind)})")
    out.append(f"- **Subject:** {md(gap.subject)}")
    if gap.signals and gap.signals != (gap.subject,):  # a gap about one signal has it as its subject already
        out.append(f"- **Signals:** {signals_text(gap.signals, links)}")
    out.append(f"- **Where:** {md_code(str(gap.location))}")
    if gap.resolved_by:
        out.append(f"- **Resolved by:** {links.link(gap.resolved_by, links.change(gap.resolved_by))}")
    if not gap.in_ledger:
        out.append(f"- **Ledger:** not in the gap ledger yet; key {md_code(gap.key)}")
    out.extend(f"- {md(line)}" for line in gap.detail)
    if gap.proposal:
        source = (
            "as proposed by " + links.link(gap.proposal_source, links.change(gap.proposal_source))
            if gap.proposal_source != "derived"
            else "derived from the inventory"
        )
        out += ["", f"**Proposed registration** ({source}):", "", "```"]
        out.append("| " + " | ".join(value or "—" for _, value in gap.proposal) + " |")
        out += ["```"]
    return [*out, ""]


def _changes(analysis: Analysis, links: Links) -> list[str]:
    if not analysis.changes:
        return []
    out = ["## 5. Change Records", ""]
    rows = [
        (
            links.link(c.id, links.change(c.id)),
            links.link(c.signal, links.signal(c.signal)) if c.status is not ChangeStatus.PROPOSED else md(c.signal),
            c.status.value,
            "✅ yes" if c.reflected else ("⚠️ DRIFT" if c.status is ChangeStatus.APPLIED else "not yet"),
            ", ".join(links.link(g, links.gap(g)) for g in c.resolves),
        )
        for c in analysis.changes
    ]
    out += table(("Change", "Signal", "Status", "Reflected in registry", "Resolves"), rows)
    return [*out, ""]


def _recommendations(analysis: Analysis, links: Links, number: int = 6) -> list[str]:
    out = [f"## {number}. Recommendations", ""]
    rows: list[tuple[str, str, str]] = []
    for gap in analysis.gaps:
        if gap.status is not GapStatus.OPEN:
            continue
        if gap.kind is GapKind.UNREGISTERED_FLOW and gap.proposal:
            uid = dict(gap.proposal).get("uid", "")
            name = dict(gap.proposal).get("name", "")
            action = f"Register {uid} {name} for {gap.subject}"
        else:
            action = f"Fix: {gap.title}"
        rows.append((gap.priority, md(action), links.link(gap.id, links.gap(gap.id))))
    for change in analysis.changes:
        if change.status is ChangeStatus.APPLIED and not change.reflected:
            rows.append(("P2", md(f"Bring the registry in line with {change.id} (drift)"), md(change.signal)))
    for gate in analysis.gates:
        if not gate.machine_checkable:
            rows.append(("—", md(f"Check gate {gate.rule} by hand: {gate.check}"), md_code(str(gate.location))))
    if not rows:
        return [*out, "Nothing to do: every gap is resolved.", ""]
    out += table(("Priority", "Action", "Target"), sorted(rows, key=lambda r: r[0]))
    return [*out, ""]


def _summary(analysis: Analysis, number: int = 7) -> list[str]:
    s = summarize(analysis)
    open_by = {p: (o, r) for p, o, r in s.gaps_by_priority}
    p1_open = open_by.get("P1", (0, 0))[0]
    rows = [
        ("L7 Producers Found", str(s.l7_producers)),
        ("L7→L6 Flows (direct)", str(s.l7_l6)),
        ("L7→L6 Flows (verified)", str(s.l7_l6_verified)),
        ("L7→L6 Flows (deferred)", str(s.l7_l6_deferred)),
        ("L7→L7 Flows (internal-only)", str(s.l7_l7)),
        ("L7→L8 Flows (metrics)", str(s.l7_l8)),
        ("L7→L6 and L7 Flows (both)", str(s.l7_both)),
        ("Gaps Identified", str(s.gaps_total)),
        ("Critical Gaps Open (P1)", str(p1_open)),
        ("Open Gaps", str(s.gaps_open)),
        ("Resolved Gaps", str(s.gaps_resolved)),
    ]
    out = [f"## {number}. Summary", "", *table(("Metric", "Count"), rows), ""]
    if s.categories:
        out += ["### L7→L7 Breakdown", ""]
        out += table(("Category", "Count"), [(CATEGORY_TITLES.get(c, c), str(n)) for c, n in s.categories])
        out.append("")
    return out
