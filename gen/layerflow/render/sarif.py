"""SARIF 2.1.0, as code-scanning services read it: fingerprints, baseline states, rule metadata, suppressions.

Every result carries `partialFingerprints["layerflow/v1"]` (rule, subject,
signals, file; never a line), so a service matches a finding across commits
as a layerflow baseline does. When a baseline judged the run, results say
`baselineState` new or unchanged, and entries no longer found come back as
`absent` results (kind pass). Suppressed findings are results with an
in-source suppression whose justification is the reason. Rules carry the
short and full description and help from the team's rules file, and a
`helpUri` to the rule on the findings page when the site's URL is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from layerflow import __version__
from layerflow.model import Analysis, BaselineEntry, Finding, Location, Problem, Severity, Suppressed
from layerflow.model.fingerprint import VERSION_KEY, fingerprints
from layerflow.render.jsontext import dumps_indented
from layerflow.render.rulebook import describe

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINDINGS_PAGE = "findings/"
_LEVEL = {Severity.BLOCKING: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _physical(location: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": location.path}}
    if location.line:
        physical["region"] = {"startLine": location.line}
    return {"physicalLocation": physical}


def _rules(analysis: Analysis, ids: Sequence[str], site_url: str) -> list[dict[str, Any]]:
    out = []
    for rule in ids:
        text = describe(rule, analysis)
        entry: dict[str, Any] = {
            "id": rule,
            "shortDescription": {"text": text.short},
            "fullDescription": {"text": text.full},
            "help": {"text": text.help or text.full},
        }
        if site_url:
            entry["helpUri"] = f"{site_url.rstrip('/')}/{FINDINGS_PAGE}#{text.anchor}"
        out.append(entry)
    return out


def _result(finding: Finding, fingerprint: str, index: dict[str, int], state: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [_physical(finding.location)],
        "partialFingerprints": {VERSION_KEY: fingerprint},
        "properties": {
            "subject": finding.subject,
            "severity": finding.severity.value,
            "signals": list(finding.signals),
        },
    }
    if state:
        result["baselineState"] = state
    return result


def _absent(entry: BaselineEntry, index: dict[str, int]) -> dict[str, Any]:
    return {
        "ruleId": entry.rule,
        "ruleIndex": index[entry.rule],
        "kind": "pass",
        "level": "none",
        "message": {"text": f"fixed since the baseline: {entry.message or entry.subject}"},
        "locations": [_physical(Location(entry.path))] if entry.path else [],
        "partialFingerprints": {VERSION_KEY: entry.fingerprint},
        "baselineState": "absent",
        "properties": {"subject": entry.subject, "severity": entry.severity, "signals": list(entry.signals)},
    }


def _suppressed(hidden: Suppressed, fingerprint: str, index: dict[str, int], state: str) -> dict[str, Any]:
    result = _result(hidden.finding, fingerprint, index, state)
    result["suppressions"] = [
        {
            "kind": "inSource",
            "status": "accepted",
            "justification": hidden.suppression.reason,
            "location": _physical(hidden.suppression.location),
        }
    ]
    return result


def to_sarif(analysis: Analysis, site_url: str = "") -> str:
    hidden = list(analysis.suppressed)
    ids = sorted(
        {f.rule for f in (*analysis.findings, *analysis.known)}
        | {s.finding.rule for s in hidden}
        | {e.rule for e in analysis.fixed}
    )
    index = {rule: i for i, rule in enumerate(ids)}
    judged = bool(analysis.baseline)
    results = [
        _result(f, fp, index, "new" if judged else "")
        for f, fp in zip(analysis.findings, fingerprints(analysis.findings, analysis.gaps), strict=True)
    ]
    results += [
        _result(f, fp, index, "unchanged")
        for f, fp in zip(analysis.known, fingerprints(analysis.known, analysis.gaps), strict=True)
    ]
    suppressed_fps = fingerprints([s.finding for s in hidden], analysis.gaps)
    results += [_suppressed(s, fp, index, "") for s, fp in zip(hidden, suppressed_fps, strict=True)]
    results += [_absent(e, index) for e in analysis.fixed]
    return sarif_log(_rules(analysis, ids, site_url), results, {"executionSuccessful": True})


def problems_sarif(problems: Sequence[Problem], exit_code: int) -> str:
    """Invalid input as a SARIF log: no results, an unsuccessful invocation whose notifications are the problems."""
    notifications = [
        {"level": "error", "message": {"text": p.message}, "locations": [_physical(p.location)]} for p in problems
    ]
    invocation = {"executionSuccessful": False, "exitCode": exit_code, "toolExecutionNotifications": notifications}
    return sarif_log([], [], invocation)


def sarif_log(rules: Sequence[dict[str, Any]], results: Sequence[dict[str, Any]], invocation: dict[str, Any]) -> str:
    sarif = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "layerflow",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/layerflow/",
                        "rules": list(rules),
                    }
                },
                "invocations": [invocation],
                "columnKind": "unicodeCodePoints",
                "results": list(results),
            }
        ],
    }
    return dumps_indented(sarif) + "\n"
