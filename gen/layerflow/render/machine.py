"""The machine-readable contract: JSON (documented in the README) and SARIF 2.1.0.

Both carry the same findings. Keys are stable; new keys may be added, none
renamed or removed without a major version.
"""

from __future__ import annotations

import json
from typing import Any

from layerflow import __version__
from layerflow.audit.summary import summarize
from layerflow.model import Analysis, Consumer, Location, Persistence, Severity

SCHEMA_VERSION = 1


def _location(location: Location) -> dict[str, Any]:
    return {"path": location.path, "line": location.line}


def _consumer(consumer: Consumer) -> dict[str, Any]:
    return {"name": consumer.name, "layer": consumer.layer, "signal": consumer.signal_ref}


def _persistence(persistence: Persistence | None) -> str | None:
    return None if persistence is None else persistence.text


def to_json_data(analysis: Analysis) -> dict[str, Any]:
    return {
        "version": SCHEMA_VERSION,
        "tool": {"name": "layerflow", "version": __version__},
        "summary": summarize(analysis).as_json(),
        "signals": [
            {
                "uid": s.uid,
                "name": s.name,
                "domain": s.domain,
                "p_layer": s.p_layer,
                "producer": s.producer,
                "consumers": [_consumer(c) for c in s.consumers],
                "persistence": _persistence(s.persistence),
                "location": _location(s.location),
            }
            for s in analysis.inputs.registry.signals
        ],
        "flows": [
            {
                "id": f.id,
                "producer": f.producer,
                "producer_id": f.producer_id,
                "output": f.output,
                "signals": list(f.signals),
                "class": f.klass,
                "category": f.category or None,
                "flow": f.flow_kind.value,
                "decision": [{"node": d.node, "question": d.question, "answer": d.answer} for d in f.decision],
                "checks": [
                    {"node": c.node, "name": c.name, "passed": c.passed, "message": c.message} for c in f.checks
                ],
                "status": f.status,
                "location": _location(f.location),
            }
            for f in analysis.flows
        ],
        "findings": [
            {
                "rule": f.rule,
                "severity": f.severity.value,
                "subject": f.subject,
                "message": f.message,
                "location": _location(f.location),
            }
            for f in analysis.findings
        ],
        "gaps": [
            {
                "id": g.id,
                "key": g.key,
                "kind": g.kind,
                "priority": g.priority,
                "status": g.status,
                "resolved_by": g.resolved_by or None,
                "subject": g.subject,
                "title": g.title,
                "in_ledger": g.in_ledger,
                "location": _location(g.location),
            }
            for g in analysis.gaps
        ],
        "changes": [
            {
                "id": c.id,
                "signal": c.signal,
                "status": c.status.value,
                "reflected": c.reflected,
                "drift": list(c.drift),
                "resolves": list(c.resolves),
            }
            for c in analysis.changes
        ],
    }


def to_json(analysis: Analysis) -> str:
    return json.dumps(to_json_data(analysis), indent=2, ensure_ascii=False) + "\n"


_SARIF_LEVEL = {Severity.BLOCKING: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def to_sarif(analysis: Analysis) -> str:
    rules = sorted({f.rule for f in analysis.findings})
    results = []
    for finding in analysis.findings:
        region = {"startLine": finding.location.line} if finding.location.line else {}
        physical: dict[str, Any] = {"artifactLocation": {"uri": finding.location.path}}
        if region:
            physical["region"] = region
        results.append(
            {
                "ruleId": finding.rule,
                "ruleIndex": rules.index(finding.rule),
                "level": _SARIF_LEVEL[finding.severity],
                "message": {"text": finding.message},
                "locations": [{"physicalLocation": physical}],
                "partialFingerprints": {"layerflowSubject": f"{finding.rule}:{finding.subject}"},
                "properties": {"subject": finding.subject, "severity": finding.severity.value},
            }
        )
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "layerflow",
                        "version": __version__,
                        "rules": [{"id": rule, "shortDescription": {"text": rule}} for rule in rules],
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"
