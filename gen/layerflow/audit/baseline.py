"""Baselines: the findings a team accepted on the day it turned the gate on.

`layerflow baseline` writes them (`baseline_text`); `check` and the plugin
read them back (`parse_baseline`) and `judge` splits an analysis's findings
into new ones, which decide the exit code, and known ones, which are listed
but decide nothing. Entries no longer found are `fixed`: the baseline can be
refreshed. Matching is by fingerprint and counts repeats, so two alike
findings need two entries.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

from layerflow.errors import Parsed, error
from layerflow.model import Analysis, BaselineEntry, Finding, Gap
from layerflow.model.fingerprint import fingerprints

FORMAT_VERSION = 1
BASELINE_FILENAME = "layerflow-baseline.json"


def baseline_entries(findings: Sequence[Finding], gaps: Iterable[Gap]) -> tuple[BaselineEntry, ...]:
    """One entry per finding, sorted so that the file reads, and diffs, the same every time."""
    entries = [
        BaselineEntry(
            fingerprint=fp,
            rule=f.rule,
            severity=f.severity.value,
            subject=f.subject,
            path=f.location.path,
            signals=tuple(sorted(f.signals)),
            message=f.message,
        )
        for f, fp in zip(findings, fingerprints(findings, gaps), strict=True)
    ]
    return tuple(sorted(entries, key=lambda e: (e.rule, e.path, e.subject, e.fingerprint, e.message)))


def baseline_text(entries: Sequence[BaselineEntry], tool_version: str) -> str:
    document = {
        "version": FORMAT_VERSION,
        "tool": {"name": "layerflow", "version": tool_version},
        "about": "Findings accepted as known: `layerflow check` lists them but they do not change the exit code. "
        "Matched by fingerprint (rule, subject, signals, file; no line numbers). Refresh: `layerflow baseline`.",
        "findings": [e.as_json() for e in entries],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def parse_baseline(path: str, text: str) -> Parsed[tuple[BaselineEntry, ...]]:
    """A baseline file; anything that is not one is an error (a gate judged against half a file misleads)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return Parsed((), (error(path, exc.lineno, f"not a layerflow baseline: invalid JSON ({exc.msg})"),))
    rows = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        return Parsed((), (error(path, 0, "not a layerflow baseline: no 'findings' list"),))
    entries: list[BaselineEntry] = []
    problems = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or not isinstance(row.get("fingerprint"), str) or not row["fingerprint"]:
            problems.append(error(path, 0, f"baseline entry {number} has no 'fingerprint'"))
            continue
        signals = row.get("signals", [])
        entries.append(
            BaselineEntry(
                fingerprint=row["fingerprint"],
                rule=str(row.get("rule", "")),
                severity=str(row.get("severity", "")),
                subject=str(row.get("subject", "")),
                path=str(row.get("path", "")),
                signals=tuple(str(s) for s in signals) if isinstance(signals, list) else (),
                message=str(row.get("message", "")),
            )
        )
    return Parsed(tuple(entries), tuple(problems))


def judge(analysis: Analysis, entries: Sequence[BaselineEntry], label: str) -> Analysis:
    """Findings the baseline holds become `known`; its entries nothing matched become `fixed`.

    Suppressed findings take their entries too: what a suppression hides is not fixed.
    """
    left = Counter(e.fingerprint for e in entries)
    for fp in fingerprints([s.finding for s in analysis.suppressed], analysis.gaps):
        if left[fp] > 0:
            left[fp] -= 1
    new: list[Finding] = []
    known: list[Finding] = list(analysis.known)
    for finding, fp in zip(analysis.findings, fingerprints(analysis.findings, analysis.gaps), strict=True):
        if left[fp] > 0:
            left[fp] -= 1
            known.append(finding)
        else:
            new.append(finding)
    fixed: list[BaselineEntry] = []
    for entry in entries:
        if left[entry.fingerprint] > 0:
            left[entry.fingerprint] -= 1
            fixed.append(entry)
    return replace(analysis, findings=tuple(new), known=tuple(known), fixed=tuple(fixed), baseline=label)
