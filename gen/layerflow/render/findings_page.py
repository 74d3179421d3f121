"""The findings page (every rule, what it means, what it found) and the report's "set aside" section.

Suppressed findings are shown with the reason and the place of the
suppression, known (baselined) findings and fixed baseline entries are
listed: what the gate does not judge stays in sight. Rule headings carry the
anchors SARIF's `helpUri` points at.
"""

from __future__ import annotations

from collections.abc import Sequence

from layerflow.model import Analysis, Finding, Severity
from layerflow.render.escape import attr, md, md_code
from layerflow.render.links import NO_LINKS, Links
from layerflow.render.markup import table
from layerflow.render.rulebook import describe


def _rows(findings: Sequence[Finding]) -> list[tuple[str, ...]]:
    return [(f.severity.value, md_code(f.rule), md(str(f.location)), md(f.message)) for f in findings]


def suppressed_lines(analysis: Analysis) -> list[str]:
    """One list item per suppressed finding (paths are long and unbreakable: a table would scroll sideways)."""
    if not analysis.suppressed:
        return []
    out = [f"Suppressed with a reason ({len(analysis.suppressed)}): not judged, shown here.", ""]
    for hidden in analysis.suppressed:
        finding, suppression = hidden.finding, hidden.suppression
        written = "" if suppression.location == finding.location else f" (written at {md(str(suppression.location))})"
        out.append(f"- {md_code(finding.rule)} at {md(str(finding.location))}: {md(finding.message)}  ")
        out.append(f"  **Reason:** {md(suppression.reason)}{written}")
    return [*out, ""]


def baseline_lines(analysis: Analysis) -> list[str]:
    out: list[str] = []
    if analysis.known:
        out += [f"Known, in {md(analysis.baseline)} ({len(analysis.known)}): listed, not judged.", ""]
        out += [*table(("Severity", "Rule", "Where", "Finding"), _rows(analysis.known)), ""]
    if analysis.fixed:
        out += [
            f"Fixed since {md(analysis.baseline)} ({len(analysis.fixed)}): refresh it with `layerflow baseline`.",
            "",
        ]
        rows = [(md_code(e.rule), md(e.path), md(e.message or e.subject)) for e in analysis.fixed]
        out += [*table(("Rule", "File", "Finding"), rows), ""]
    return out


def judgement_section(analysis: Analysis, links: Links = NO_LINKS) -> list[str]:
    """For the report: only when something was set aside, so a report without a baseline reads as before."""
    body = suppressed_lines(analysis) + baseline_lines(analysis)
    if not body:
        return []
    return ["", "## Findings set aside", "", *body]


def findings_page(analysis: Analysis) -> str:
    judged = analysis.findings
    counts = {s: sum(1 for f in judged if f.severity is s) for s in Severity}
    out = ["# Findings", ""]
    out.append(
        f"Judged: {counts[Severity.BLOCKING]} blocking, {counts[Severity.WARNING]} warning(s), "
        f"{counts[Severity.INFO]} note(s). Set aside: {len(analysis.known)} known (baseline), "
        f"{len(analysis.suppressed)} suppressed with a reason, {len(analysis.fixed)} fixed since the baseline."
    )
    out.append("")
    aside = suppressed_lines(analysis) + baseline_lines(analysis)
    if aside:
        out += ["## Set aside", "", *aside]
    rules = sorted({f.rule for f in (*judged, *analysis.known, *(s.finding for s in analysis.suppressed))})
    out += ["## Rules", ""]
    for rule in rules:
        text = describe(rule, analysis)
        mine = [f for f in judged if f.rule == rule]
        anchor = f'<a id="{attr(text.anchor)}"></a>'  # SARIF helpUri's target, whatever the toc slugs
        out += [anchor, "", f"### {md(rule)}", "", f"**{md(text.short)}.** {md(text.full)}", ""]
        if text.help and text.help != text.full:
            out += [f"What to do: {md(text.help)}", ""]
        if mine:
            rows = [(f.severity.value, md(str(f.location)), md(f.message)) for f in mine]
            out += [*table(("Severity", "Where", "Finding"), rows), ""]
        else:
            out += ["Nothing judged under this rule (see above for known or suppressed findings).", ""]
    return "\n".join(out).rstrip("\n") + "\n"
