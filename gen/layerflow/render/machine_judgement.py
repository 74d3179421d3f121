"""The JSON contract's CI judgement keys: known, fixed and suppressed findings, and their counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from layerflow.model import Analysis, Finding
from layerflow.model.fingerprint import fingerprints
from layerflow.render.judgement import new_count

FindingJson = Callable[[Finding, str], dict[str, Any]]


def judgement_json(analysis: Analysis, finding_json: FindingJson) -> dict[str, Any]:
    """`baseline`, `known`, `fixed`, `suppressed`, and `judgement_summary` for the summary."""
    known = fingerprints(analysis.known, analysis.gaps)
    hidden = [s.finding for s in analysis.suppressed]
    return {
        "baseline": analysis.baseline or None,
        "known": [finding_json(f, fp) for f, fp in zip(analysis.known, known, strict=True)],
        "fixed": [e.as_json() for e in analysis.fixed],
        "suppressed": [
            {
                **finding_json(s.finding, fp),
                "reason": s.suppression.reason,
                "suppressed_at": {"path": s.suppression.location.path, "line": s.suppression.location.line},
            }
            for s, fp in zip(analysis.suppressed, fingerprints(hidden, analysis.gaps), strict=True)
        ],
        "judgement_summary": {
            "new": new_count(analysis) if analysis.baseline else None,
            "known": len(analysis.known),
            "fixed": len(analysis.fixed),
            "suppressed": len(analysis.suppressed),
        },
    }
