"""Stable fingerprints of findings: what a baseline, SARIF and a diff match findings by.

A fingerprint is made of the rule, the subject, the signals and the file a
finding is in, never a line number, so moving code or rows about does not
turn a known finding into a new one. Two subjects are not stable on their own
and are replaced: a gap's id (a gap no ledger names is numbered in order of
appearance) by the gap's key, and the subject of a parser's note (the file)
by the message with every `:line` and number taken out.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence

from layerflow.model.results import Finding, Gap

VERSION_KEY = "layerflow/v1"  # the partialFingerprints key: bump when the recipe changes
_FILE_SUBJECT_RULES = frozenset({"input", "input.note", "rules.note"})  # subject is only the file
_NUMBERS = re.compile(r":\d+|\d+")


def stable_subject(finding: Finding, gap_keys: Mapping[str, str]) -> str:
    """The part of the subject that survives edits elsewhere."""
    if finding.rule.startswith("gap."):
        return gap_keys.get(finding.subject, finding.subject)
    if finding.rule in _FILE_SUBJECT_RULES:
        return f"{finding.subject}\0{_NUMBERS.sub('#', finding.message)}"
    return finding.subject


def fingerprint_of(rule: str, subject: str, signals: Iterable[str], path: str) -> str:
    text = "\0".join((rule, subject, ",".join(sorted(signals)), path))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def fingerprints(findings: Sequence[Finding], gaps: Iterable[Gap]) -> list[str]:
    """One fingerprint per finding, in order. Two findings alike in all four parts share one: baselines count them."""
    gap_keys = {g.id: g.key for g in gaps}
    return [
        fingerprint_of(finding.rule, stable_subject(finding, gap_keys), finding.signals, finding.location.path)
        for finding in findings
    ]


def finding_fingerprint(finding: Finding, gaps: Iterable[Gap]) -> str:
    return fingerprints([finding], gaps)[0]
