"""What a person wants in a CI log: grouped, located, one line each, a summary line last."""

from __future__ import annotations

from layerflow.model import Analysis, Severity
from layerflow.model.summary import summarize
from layerflow.render.judgement import judgement_lines, judgement_summary

_HEADINGS = {
    Severity.BLOCKING: "Blocking",
    Severity.WARNING: "Warnings",
    Severity.INFO: "Notes",
}


def to_text(analysis: Analysis, *, observe: bool = False) -> str:
    lines: list[str] = []
    for severity in (Severity.BLOCKING, Severity.WARNING, Severity.INFO):
        group = [f for f in analysis.findings if f.severity is severity]
        if not group:
            continue
        lines.append(f"{_HEADINGS[severity]} ({len(group)}):")
        lines.extend(f"  {f.location}: [{f.rule}] {f.message}" for f in group)
        lines.append("")
    lines.extend(judgement_lines(analysis))
    s = summarize(analysis)
    verdict = {0: "pass", 1: "warnings only", 2: "blocking findings"}[s.exit_code]
    lines.append(
        f"layerflow: {s.signals} signals, {s.l7_producers} L7 producers, "
        f"L7→L6 {s.l7_l6} ({s.l7_l6_verified} verified, {s.l7_l6_deferred} deferred), "
        f"L7→L7 {s.l7_l7}, L7→L8 {s.l7_l8}, L7→both {s.l7_both}; "
        f"gaps {s.gaps_open} open / {s.gaps_resolved} resolved; "
        f"{s.blocking} blocking, {s.warnings} warnings, {s.infos} notes{judgement_summary(analysis)}: {verdict}"
        + (" (observe mode: exit 0)" if observe else "")
    )
    return "\n".join(lines) + "\n"
