"""The machine-readable contract: JSON (documented in the README) and SARIF 2.1.0.

Both carry the same findings. Keys are stable; new keys may be added, none
renamed or removed without a major version. Invalid input is a document too
(`problems_json`, `problems_sarif`): a CI step that uploads the output never
uploads an empty file, and reads from it why nothing was analysed.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from layerflow import __version__
from layerflow.model import Analysis, Consumer, Finding, Location, Persistence, Problem
from layerflow.model.fingerprint import fingerprints
from layerflow.model.summary import summarize
from layerflow.render.jsonrecords import findings_text, flows_text, signals_text
from layerflow.render.jsontext import dumps_indented, dumps_with
from layerflow.render.machine_judgement import judgement_json
from layerflow.render.sarif import problems_sarif, to_sarif

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


def to_json_data(analysis: Analysis, placeholders: Collection[str] = ()) -> dict[str, Any]:
    """The JSON contract as data; the arrays named in `placeholders` are left as None, for a writer that
    writes them itself (`to_json`)."""
    data = _analysis_json(analysis, placeholders)
    data.update(judgement_json(analysis, finding_json))
    data["summary"]["judgement"] = data.pop("judgement_summary")
    return data


def _analysis_json(analysis: Analysis, placeholders: Collection[str]) -> dict[str, Any]:
    arrays = {"signals": signals_json, "flows": flows_json, "findings": findings_json}
    return {
        "version": SCHEMA_VERSION,
        "tool": _tool(),
        "summary": summarize(analysis).as_json(),
        "problems": [],  # input errors; an analysis exists only when there are none
        **{key: None if key in placeholders else build(analysis) for key, build in arrays.items()},
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
        finding_json(f, fp)
        for f, fp in zip(analysis.findings, fingerprints(analysis.findings, analysis.gaps), strict=True)
    ]


def finding_json(finding: Finding, fingerprint: str) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "subject": finding.subject,
        "message": finding.message,
        "location": _location(finding.location),
        "signals": list(finding.signals),
        "fingerprint": fingerprint,
    }


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


# The arrays that are most of the document, written from templates: the same bytes, a third of the time.
_WRITTEN = {"signals": signals_text, "flows": flows_text, "findings": findings_text}


def to_json(analysis: Analysis) -> str:
    """`dumps_indented(to_json_data(analysis))`, byte for byte."""
    written = dumps_with(to_json_data(analysis, _WRITTEN), {key: write(analysis) for key, write in _WRITTEN.items()})
    return (written if written is not None else dumps_indented(to_json_data(analysis))) + "\n"


# SARIF lives in render.sarif; these names stay importable from here.
__all__ = ["problems_json", "problems_sarif", "to_json", "to_json_data", "to_sarif"]
