"""What the CI judgement set apart, for the text a CI log shows: known, fixed and suppressed findings."""

from __future__ import annotations

from layerflow.model import Analysis, Severity


def judgement_lines(analysis: Analysis, *, limit: int = 50) -> list[str]:
    """Known findings (at most `limit` lines, the rest counted), fixed baseline entries, suppressed findings."""
    lines: list[str] = []
    if analysis.known:
        lines.append(f"Known ({len(analysis.known)}, in {analysis.baseline}; they do not change the exit code):")
        lines.extend(f"  {f.location}: [{f.rule}] {f.message}" for f in analysis.known[:limit])
        if len(analysis.known) > limit:
            lines.append(f"  … and {len(analysis.known) - limit} more (`--format json` lists them all)")
        lines.append("")
    if analysis.fixed:
        lines.append(f"Fixed ({len(analysis.fixed)}, in {analysis.baseline} but no longer found):")
        lines.extend(f"  {e.path}: [{e.rule}] {e.message or e.subject}" for e in analysis.fixed)
        if not analysis.baseline.startswith("--new-since"):
            lines.append("  refresh the baseline so they cannot come back unnoticed: layerflow baseline")
        lines.append("")
    if analysis.suppressed:
        lines.append(f"Suppressed ({len(analysis.suppressed)}, each with its reason):")
        lines.extend(
            f"  {s.finding.location}: [{s.finding.rule}] {s.finding.message} — suppressed at {s.suppression.location}: "
            f"{s.suppression.reason}"
            for s in analysis.suppressed
        )
        lines.append("")
    return lines


def new_count(analysis: Analysis) -> int:
    """Findings the baseline did not hold that count: notes are listed but, like known ones, decide nothing."""
    return sum(1 for f in analysis.findings if f.severity is not Severity.INFO)


def judgement_summary(analysis: Analysis) -> str:
    """`; 3 new, 236 known, 1 fixed` when a baseline judged; `; 2 suppressed` when suppressions did."""
    parts = []
    if analysis.baseline:
        parts.append(f"{new_count(analysis)} new, {len(analysis.known)} known, {len(analysis.fixed)} fixed")
    if analysis.suppressed:
        parts.append(f"{len(analysis.suppressed)} suppressed")
    return "".join(f"; {p}" for p in parts)
