"""Reasoned suppressions applied: which findings each one takes out of the verdict.

A row suppression covers the findings located on its row and the findings
about the row's signal (a gap, a gate match, a flow check located elsewhere);
a line suppression the findings on that line of that file; a file-header one
every finding located in that file. Each covers only the rules it names. One
that covers nothing is worth a note (the finding it was written for is gone,
or the rule id is misspelt), never silence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from layerflow.model import Analysis, Finding, Location, Registry, Severity, Suppressed, Suppression

UNUSED_RULE = "suppression.unused"


def rule_matches(pattern: str, rule: str) -> bool:
    if pattern.endswith("*"):
        return rule.startswith(pattern[:-1])
    return pattern == rule


def _row_signals(registry: Registry) -> dict[Location, str]:
    rows: dict[Location, str] = {}
    for signal in registry.signals:
        rows[signal.location] = signal.uid
        for other in signal.also_defined:
            rows[other] = signal.uid
    return rows


def _covers(suppression: Suppression, finding: Finding, uid: str | None) -> bool:
    if not any(rule_matches(p, finding.rule) for p in suppression.rules):
        return False
    where = suppression.location
    if suppression.scope == "file":
        return finding.location.path == where.path
    if suppression.scope == "row":
        return finding.location == where or (uid is not None and uid in finding.signals)
    return finding.location == where


def apply_suppressions(analysis: Analysis, suppressions: Sequence[Suppression]) -> Analysis:
    """Covered findings move to `suppressed` (the first suppression that covers one gives the reason)."""
    if not suppressions:
        return analysis
    rows = _row_signals(analysis.inputs.registry)
    used: set[Suppression] = set()
    kept: list[Finding] = []
    hidden: list[Suppressed] = list(analysis.suppressed)
    for finding in analysis.findings:
        covering = [s for s in suppressions if _covers(s, finding, rows.get(s.location))]
        if covering:
            used.update(covering)
            hidden.append(Suppressed(finding, covering[0]))
        else:
            kept.append(finding)
    for unused in (s for s in suppressions if s not in used):
        kept.append(_unused(unused, rows.get(unused.location)))
    return replace(analysis, findings=tuple(kept), suppressed=tuple(hidden))


def _unused(suppression: Suppression, uid: str | None) -> Finding:
    what = {"row": f"row of {uid}" if uid else "row", "line": "line", "file": "file"}[suppression.scope]
    return Finding(
        UNUSED_RULE,
        Severity.INFO,
        f"{suppression.location.path}:{','.join(suppression.rules)}",  # no line: a stable subject
        f"layerflow: ignore {', '.join(suppression.rules)} matches no finding on this {what}; "
        "remove it, or check the rule id",
        suppression.location,
        (uid,) if uid else (),
    )
