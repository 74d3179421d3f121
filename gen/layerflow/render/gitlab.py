"""`check --format gitlab`: a GitLab Code Quality report (a JSON array of issues).

Every finding not suppressed is an issue, known ones too: GitLab compares the
report with the target branch's itself and shows a merge request what it adds.
Fingerprints are layerflow's, made unique within the report as GitLab wants.
"""

from __future__ import annotations

from typing import Any

from layerflow.model import Analysis, Finding, Severity
from layerflow.model.fingerprint import fingerprints
from layerflow.render.jsontext import dumps_indented

_SEVERITY = {Severity.BLOCKING: "blocker", Severity.WARNING: "major", Severity.INFO: "info"}


def _issue(finding: Finding, fingerprint: str) -> dict[str, Any]:
    return {
        "type": "issue",
        "check_name": finding.rule,
        "description": finding.message,
        "categories": ["Style" if finding.severity is Severity.INFO else "Bug Risk"],
        "severity": _SEVERITY[finding.severity],
        "fingerprint": fingerprint,
        "location": {"path": finding.location.path, "lines": {"begin": max(finding.location.line, 1)}},
    }


def to_gitlab(analysis: Analysis) -> str:
    every = [*analysis.findings, *analysis.known]
    seen: dict[str, int] = {}
    issues = []
    for finding, fp in zip(every, fingerprints(every, analysis.gaps), strict=True):
        seen[fp] = seen.get(fp, 0) + 1
        issues.append(_issue(finding, fp if seen[fp] == 1 else f"{fp}-{seen[fp]}"))
    return dumps_indented(issues) + "\n"
