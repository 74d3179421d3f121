"""The CI judgement at the edge: read suppressions and the baseline, hand them to the pure audit.

`check`, `report`, `diff` and the MkDocs plugin all judge the same way:
reasoned suppressions first (what they cover is shown, never judged), then
the baseline (`<base>/layerflow-baseline.json` when present, `--baseline
FILE`, or the findings at `--new-since REV`), whose findings are known.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from layerflow.adapters.application import load_and_analyse
from layerflow.adapters.gitrev import RevisionError, is_revision, revision_tree
from layerflow.adapters.load import Sources, display
from layerflow.audit.baseline import BASELINE_FILENAME, baseline_entries, judge, parse_baseline
from layerflow.audit.suppress import apply_suppressions
from layerflow.errors import error
from layerflow.model import Analysis, Finding, Level, Problem, Severity, Suppression
from layerflow.parse.source import decode
from layerflow.parse.suppressions import MARKER, code_suppressions, registry_suppressions

NOTE_RULE = "suppression.note"
_MARKER = MARKER.encode()


@dataclass(frozen=True)
class Judging:
    baseline: str | None = None  # --baseline FILE (must exist); None: <base>/layerflow-baseline.json if there
    use_baseline: bool = True  # --no-baseline: judge every finding
    new_since: str | None = None  # --new-since REV: the findings at REV are the baseline


def baseline_path(sources: Sources, judging: Judging) -> str:
    return judging.baseline or os.path.join(sources.base, BASELINE_FILENAME)


def read_suppressions(analysis: Analysis) -> tuple[list[Suppression], list[Problem]]:
    """Suppressions in every registry file and every code or ops file the analysis read.

    Code texts ride in the evidence (read once); registry and ops files are read again, only when they
    hold the marker, which is cheap next to parsing them.
    """
    found: list[Suppression] = []
    problems: list[Problem] = []
    evidence = analysis.inputs.evidence
    code = evidence.code if evidence else None
    ops = evidence.ops.files if evidence and evidence.ops else ()
    texts = [(path, text) for path, text in sorted(code.texts.items()) if MARKER in text] if code else []
    for path in analysis.inputs.registry.files:
        found_text = _read_marked(path)
        if found_text is not None:
            parsed = registry_suppressions(path, found_text)
            found.extend(parsed.value)
            problems.extend(parsed.problems)
    for path in ops:
        found_text = _read_marked(path)
        if found_text is not None:
            texts.append((path, found_text))
    for path, text in texts:
        parsed = code_suppressions(path, text)
        found.extend(parsed.value)
        problems.extend(parsed.problems)
    return found, problems


def _read_marked(path: str) -> str | None:
    """The text of a file that holds `layerflow:`; None when it holds none or is gone since the audit read it."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    if _MARKER not in data:
        return None
    decoded = decode(path, data)
    return None if decoded.errors else decoded.value


def judged(analysis: Analysis, sources: Sources, judging: Judging) -> tuple[Analysis | None, tuple[Problem, ...]]:
    """The analysis with suppressions and baseline applied, or None and the errors (exit 3) that stop it."""
    suppressions, problems = read_suppressions(analysis)
    errors = [p for p in problems if p.level is Level.ERROR]
    if errors:
        return None, tuple(sorted(errors))
    analysis = apply_suppressions(analysis, suppressions)
    notes = [Finding(NOTE_RULE, Severity.INFO, p.location.path, p.message, p.location) for p in problems]
    if notes:
        analysis = replace(analysis, findings=(*analysis.findings, *notes))
    if judging.new_since is not None:
        return _since(analysis, sources, judging.new_since)
    if not judging.use_baseline:
        return analysis, ()
    path = Path(baseline_path(sources, judging))
    if not path.is_file():
        if judging.baseline is not None:
            return None, (error(judging.baseline, 0, "no such baseline file"),)
        return analysis, ()
    decoded = decode(display(path), path.read_bytes())
    if decoded.errors:
        return None, decoded.errors
    parsed = parse_baseline(display(path), decoded.value)
    if parsed.errors:
        return None, parsed.errors
    return judge(analysis, parsed.value, display(path)), ()


def _since(analysis: Analysis, sources: Sources, rev: str) -> tuple[Analysis | None, tuple[Problem, ...]]:
    before, problems = analyse_side(rev, sources, Judging(use_baseline=False))
    if before is None:
        return None, tuple(replace(p, message=f"at {rev}: {p.message}") for p in problems)
    entries = baseline_entries(before.findings, before.gaps)
    return judge(analysis, entries, f"--new-since {rev}"), ()


@contextlib.contextmanager
def side_directory(side: str | None) -> Iterator[str]:
    """Where one side of a diff lives: the working tree (None), a directory, or a git revision unpacked."""
    if side is None:
        yield os.getcwd()
    elif os.path.isdir(side):
        yield side
    elif is_revision(side):
        with revision_tree(side) as folder:
            yield folder
    else:
        raise RevisionError(f"{side!r} is neither a directory nor a git revision of this repository")


def analyse_side(
    side: str | None, sources: Sources, judging: Judging, *, again: bool = False
) -> tuple[Analysis | None, tuple[Problem, ...]]:
    """Load, audit and judge the inputs as they are on one side, paths read relative to it (`again`: another
    side is loaded in this process too, which takes this one's unchanged rows and flows: load_and_analyse).

    The working directory moves to the side for the while, so every path is shown (and fingerprinted)
    as on the working tree: `registry/x.md` on both sides, never a temporary folder's name.
    """
    try:
        with side_directory(side) as folder, contextlib.chdir(folder):
            analysis, problems = load_and_analyse(sources, again=again)
            if analysis is None:
                return None, tuple(p for p in problems if p.level is Level.ERROR)
            return judged(analysis, sources, judging)
    except RevisionError as exc:
        return None, (error(side or ".", 0, str(exc)),)
