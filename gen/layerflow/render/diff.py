"""A registry diff for people (text for a log, Markdown for a PR comment or a job summary) and for machines (JSON)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from layerflow import __version__
from layerflow.model import Finding, Gap, Severity
from layerflow.model.diff import RegistryDiff
from layerflow.render.jsontext import dumps_indented

_NONE = "(none)"


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def headline(diff: RegistryDiff) -> str:
    blocking = sum(1 for f in diff.findings_new if f.severity is Severity.BLOCKING)
    parts = [
        _count(len(diff.findings_new), "new finding") + (f" ({blocking} blocking)" if blocking else ""),
        f"{len(diff.findings_fixed)} fixed",
        f"signals +{len(diff.signals_added)} -{len(diff.signals_removed)} ~{len(diff.signals_changed)}",
        _count(len(diff.flows_reclassified), "flow") + " reclassified",
        f"gaps {len(diff.gaps_opened)} opened / {len(diff.gaps_resolved)} resolved",
        _count(len(diff.changes_added), "change record") + " added",
    ]
    return ", ".join(parts)


def _shown(value: str | None) -> str:
    if value is None:
        return "(no column)"
    return value or _NONE


def _gap_line(gap: Gap) -> str:
    by = f", resolved by {gap.resolved_by}" if gap.resolved_by else ""
    return f"{gap.id} ({gap.priority}, {gap.subject}): {gap.title}{by}"


def _finding_line(finding: Finding) -> str:
    return f"{finding.location}: [{finding.rule}] {finding.severity.value}: {finding.message}"


def to_text(diff: RegistryDiff) -> str:
    lines = [f"layerflow diff {diff.base} -> {diff.head}"]
    for signal in diff.signals_added:
        lines.append(f"  signal added: {signal.uid} {signal.name} ({signal.location})")
    for signal in diff.signals_removed:
        lines.append(f"  signal removed: {signal.uid} {signal.name}")
    for changed in diff.signals_changed:
        for delta in changed.fields:
            lines.append(
                f"  signal changed: {changed.uid} {delta.field}: {_shown(delta.before)} -> {_shown(delta.after)}"
            )
    for flow in diff.flows_reclassified:
        lines.append(f"  flow reclassified: {flow.id}: {'/'.join(flow.before)} -> {'/'.join(flow.after)}")
    lines.extend(f"  flow added: {f.id} ({f.klass}, {f.status})" for f in diff.flows_added)
    lines.extend(f"  flow removed: {f.id}" for f in diff.flows_removed)
    lines.extend(f"  gap opened: {_gap_line(g)}" for g in diff.gaps_opened)
    lines.extend(f"  gap resolved: {_gap_line(g)}" for g in diff.gaps_resolved)
    lines.extend(f"  finding new: {_finding_line(f)}" for f in diff.findings_new)
    lines.extend(f"  finding fixed: {_finding_line(f)}" for f in diff.findings_fixed)
    lines.extend(f"  change record added: {r.id} ({r.status.value}) {r.signal}: {r.title}" for r in diff.changes_added)
    lines.append(f"layerflow: {headline(diff)}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ Markdown


def _md(text: str) -> str:
    """Cell text as text: pipes, backslashes, markup and HTML neutralised, one line."""
    out = " ".join(text.split())
    for char in "\\`*_[]<>|#":
        out = out.replace(char, "\\" + char)
    return out or _NONE


def _table(header: Iterable[str], rows: Iterable[Sequence[str]]) -> list[str]:
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines.extend("| " + " | ".join(rows_cells) + " |" for rows_cells in ([_md(c) for c in r] for r in rows))
    return [*lines, ""]


def to_markdown(diff: RegistryDiff) -> str:
    rows: list[Sequence[str]]
    verdict = {2: "adds blocking findings", 1: "adds warnings", 0: "adds no blocking finding or warning"}
    lines = [
        f"### layerflow: registry diff {_md(diff.base)} → {_md(diff.head)}",
        "",
        f"**This change {verdict[diff.exit_code]}.** {_md(headline(diff))}.",
        "",
    ]
    if diff.empty:
        return "\n".join([*lines, "Nothing the registry says has changed.", ""])
    if diff.signals_changed:
        lines += ["#### Signals changed", ""]
        rows = [
            (f"{c.uid} {c.name}", d.field, _shown(d.before), _shown(d.after))
            for c in diff.signals_changed
            for d in c.fields
        ]
        lines += _table(("Signal", "Field", "Before", "After"), rows)
    if diff.signals_added or diff.signals_removed:
        lines += ["#### Signals added and removed", ""]
        rows = [("added", s.uid, s.name, str(s.location)) for s in diff.signals_added]
        rows += [("removed", s.uid, s.name, str(s.location)) for s in diff.signals_removed]
        lines += _table(("", "Signal", "Name", "Where"), rows)
    if diff.flows_reclassified or diff.flows_added or diff.flows_removed:
        lines += ["#### Flows", ""]
        rows = [(f.id, " / ".join(f.before), " / ".join(f.after)) for f in diff.flows_reclassified]
        rows += [(f.id, "(not there)", f"{f.klass} / {f.status}") for f in diff.flows_added]
        rows += [(f.id, f"{f.klass} / {f.status}", "(gone)") for f in diff.flows_removed]
        lines += _table(("Flow", "Before (class / status)", "After"), rows)
    if diff.gaps_opened or diff.gaps_resolved:
        lines += ["#### Gaps", ""]
        rows = [("opened", g.id, g.priority, g.subject, g.title) for g in diff.gaps_opened]
        rows += [
            ("resolved", g.id, g.priority, g.subject, g.title + (f" ({g.resolved_by})" if g.resolved_by else ""))
            for g in diff.gaps_resolved
        ]
        lines += _table(("", "Gap", "Priority", "Subject", "Title"), rows)
    if diff.findings_new or diff.findings_fixed:
        lines += ["#### Findings", ""]
        rows = [("new", f.severity.value, f.rule, str(f.location), f.message) for f in diff.findings_new]
        rows += [("fixed", f.severity.value, f.rule, str(f.location), f.message) for f in diff.findings_fixed]
        lines += _table(("", "Severity", "Rule", "Where", "Message"), rows)
    if diff.changes_added:
        lines += ["#### Change records added", ""]
        rows = [(r.id, r.status.value, r.signal, r.title, str(r.location)) for r in diff.changes_added]
        lines += _table(("Record", "Status", "Signal", "Title", "File"), rows)
    return "\n".join(lines)


# ---------------------------------------------------------------------- JSON


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "subject": finding.subject,
        "message": finding.message,
        "location": {"path": finding.location.path, "line": finding.location.line},
        "signals": list(finding.signals),
    }


def _gap_json(gap: Gap) -> dict[str, Any]:
    return {
        "id": gap.id,
        "key": gap.key,
        "kind": gap.kind,
        "priority": gap.priority,
        "status": gap.status,
        "resolved_by": gap.resolved_by or None,
        "subject": gap.subject,
        "title": gap.title,
    }


def to_json_data(diff: RegistryDiff) -> dict[str, Any]:
    return {
        "version": 1,
        "tool": {"name": "layerflow", "version": __version__},
        "base": diff.base,
        "head": diff.head,
        "exit_code": diff.exit_code,
        "signals": {
            "added": [{"uid": s.uid, "name": s.name, "path": s.location.path} for s in diff.signals_added],
            "removed": [{"uid": s.uid, "name": s.name, "path": s.location.path} for s in diff.signals_removed],
            "changed": [
                {
                    "uid": c.uid,
                    "name": c.name,
                    "fields": [{"field": d.field, "before": d.before, "after": d.after} for d in c.fields],
                }
                for c in diff.signals_changed
            ],
        },
        "flows": {
            "added": [{"id": f.id, "class": f.klass, "status": f.status} for f in diff.flows_added],
            "removed": [{"id": f.id, "class": f.klass, "status": f.status} for f in diff.flows_removed],
            "reclassified": [
                {
                    "id": f.id,
                    "before": {"class": f.before[0], "status": f.before[1]},
                    "after": {"class": f.after[0], "status": f.after[1]},
                }
                for f in diff.flows_reclassified
            ],
        },
        "gaps": {
            "opened": [_gap_json(g) for g in diff.gaps_opened],
            "resolved": [_gap_json(g) for g in diff.gaps_resolved],
        },
        "findings": {
            "new": [_finding_json(f) for f in diff.findings_new],
            "fixed": [_finding_json(f) for f in diff.findings_fixed],
        },
        "changes": {
            "added": [
                {"id": r.id, "signal": r.signal, "status": r.status.value, "title": r.title, "path": r.location.path}
                for r in diff.changes_added
            ]
        },
    }


def to_json(diff: RegistryDiff) -> str:
    return dumps_indented(to_json_data(diff)) + "\n"
