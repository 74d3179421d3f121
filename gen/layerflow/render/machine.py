"""The machine-readable contract: JSON (documented in the README) and SARIF 2.1.0.

Both carry the same findings. Keys are stable; new keys may be added, none
renamed or removed without a major version. Invalid input is a document too
(`problems_json`, `problems_sarif`): a CI step that uploads the output never
uploads an empty file, and reads from it why nothing was analysed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from layerflow import __version__
from layerflow.model import Analysis, Consumer, Location, Persistence, Problem, Severity
from layerflow.model.summary import summarize
from layerflow.render.jsontext import dumps_indented

SCHEMA_VERSION = 1


def _location(location: Location) -> dict[str, Any]:
    return {"path": location.path, "line": location.line}


def _consumer(consumer: Consumer) -> dict[str, Any]:
    return {"name": consumer.name, "layer": consumer.layer, "signal": consumer.signal_ref}


def _persistence(persistence: Persistence | None) -> str | None:
    return None if persistence is None else persistence.text


def _problem(problem: Problem) -> dict[str, Any]:
    return {**_location(problem.location), "message": problem.message, "signals": list(problem.signals)}


def _tool() -> dict[str, Any]:
    return {"name": "layerflow", "version": __version__}


def problems_json_data(problems: Sequence[Problem], exit_code: int) -> dict[str, Any]:
    """Invalid input: why nothing was analysed. No `signals`, `flows`... keys: nothing was read as such."""
    return {
        "version": SCHEMA_VERSION,
        "tool": _tool(),
        "summary": {"exit_code": exit_code, "problems": len(problems)},
        "problems": [_problem(p) for p in problems],
    }


def problems_json(problems: Sequence[Problem], exit_code: int) -> str:
    return dumps_indented(problems_json_data(problems, exit_code)) + "\n"


def to_json_data(analysis: Analysis) -> dict[str, Any]:
    return {
        "version": SCHEMA_VERSION,
        "tool": _tool(),
        "summary": summarize(analysis).as_json(),
        "problems": [],  # input errors; an analysis exists only when there are none
        "signals": signals_json(analysis),
        "flows": flows_json(analysis),
        "findings": findings_json(analysis),
        "gaps": gaps_json(analysis),
        "changes": changes_json(analysis),
    }


def signals_json(analysis: Analysis) -> list[dict[str, Any]]:
    return [
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
    ]


def flows_json(analysis: Analysis) -> list[dict[str, Any]]:
    return [
        {
            "id": f.id,
            "producer": f.producer,
            "producer_id": f.producer_id,
            "output": f.output,
            "signals": list(f.signals),
            "class": f.klass.value,
            "category": f.category or None,
            "flow": f.flow_kind.value,
            "decision": [{"node": d.node, "question": d.question, "answer": d.answer} for d in f.decision],
            "checks": [{"node": c.node, "name": c.name, "passed": c.passed, "message": c.message} for c in f.checks],
            "status": f.status.value,
            "location": _location(f.location),
        }
        for f in analysis.flows
    ]


def findings_json(analysis: Analysis) -> list[dict[str, Any]]:
    return [
        {
            "rule": f.rule,
            "severity": f.severity.value,
            "subject": f.subject,
            "message": f.message,
            "location": _location(f.location),
            "signals": list(f.signals),
        }
        for f in analysis.findings
    ]


def gaps_json(analysis: Analysis) -> list[dict[str, Any]]:
    return [
        {
            "id": g.id,
            "key": g.key,
            "kind": g.kind.value,
            "priority": g.priority,
            "status": g.status.value,
            "resolved_by": g.resolved_by or None,
            "subject": g.subject,
            "title": g.title,
            "in_ledger": g.in_ledger,
            "location": _location(g.location),
            "signals": list(g.signals),
        }
        for g in analysis.gaps
    ]


def changes_json(analysis: Analysis) -> list[dict[str, Any]]:
    return [
        {
            "id": c.id,
            "signal": c.signal,
            "status": c.status.value,
            "reflected": c.reflected,
            "drift": list(c.drift),
            "resolves": list(c.resolves),
        }
        for c in analysis.changes
    ]


def to_json(analysis: Analysis) -> str:
    return dumps_indented(to_json_data(analysis)) + "\n"


_SARIF_LEVEL = {Severity.BLOCKING: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _physical(location: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": location.path}}
    if location.line:
        physical["region"] = {"startLine": location.line}
    return {"physicalLocation": physical}


def to_sarif(analysis: Analysis) -> str:
    rules = sorted({f.rule for f in analysis.findings})
    results = [
        {
            "ruleId": finding.rule,
            "ruleIndex": rules.index(finding.rule),
            "level": _SARIF_LEVEL[finding.severity],
            "message": {"text": finding.message},
            "locations": [_physical(finding.location)],
            "partialFingerprints": {"layerflowSubject": f"{finding.rule}:{finding.subject}"},
            "properties": {
                "subject": finding.subject,
                "severity": finding.severity.value,
                "signals": list(finding.signals),
            },
        }
        for finding in analysis.findings
    ]
    return _sarif_log(rules, results, {"executionSuccessful": True})


def problems_sarif(problems: Sequence[Problem], exit_code: int) -> str:
    """Invalid input as a SARIF log: no results, an unsuccessful invocation whose notifications are the problems."""
    notifications = [
        {"level": "error", "message": {"text": p.message}, "locations": [_physical(p.location)]} for p in problems
    ]
    invocation = {"executionSuccessful": False, "exitCode": exit_code, "toolExecutionNotifications": notifications}
    return _sarif_log([], [], invocation)


def _sarif_log(rules: Sequence[str], results: Sequence[dict[str, Any]], invocation: dict[str, Any]) -> str:
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
                "invocations": [invocation],
                "results": list(results),
            }
        ],
    }
    return dumps_indented(sarif) + "\n"
