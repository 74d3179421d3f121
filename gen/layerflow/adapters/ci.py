"""`layerflow baseline` and `layerflow diff`: the CI commands' edge (files written, sides loaded, text out)."""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from layerflow import __version__
from layerflow.adapters.judge import Judging, analyse_side
from layerflow.adapters.load import Sources
from layerflow.audit.baseline import baseline_entries, baseline_text
from layerflow.audit.diff import registry_diff
from layerflow.model import Analysis
from layerflow.render import diff as diff_render

EXIT_INVALID_INPUT = 3
_SITE_URL = re.compile(r"^site_url:\s*['\"]?([^'\"#\s]+)", re.MULTILINE)


def write_baseline(analysis: Analysis, path: str) -> int:
    entries = baseline_entries(analysis.findings, analysis.gaps)
    try:
        Path(path).write_text(baseline_text(entries, __version__), encoding="utf-8")
    except OSError as exc:
        sys.stderr.write(f"{path}: cannot write the baseline: {exc.strerror or exc}\n")
        return EXIT_INVALID_INPUT
    by = Counter(e.severity for e in entries)
    sys.stdout.write(
        f"layerflow: wrote {len(entries)} finding(s) to {path} ({by['blocking']} blocking, {by['warning']} warnings, "
        f"{by['info']} notes); `layerflow check` now judges only findings not in it. Commit the file.\n"
    )
    return 0


def site_url_of(config: str) -> str:
    """`site_url:` of an MkDocs config, read as text (a config may hold tags a safe loader refuses); "" if none."""
    try:
        text = Path(config).read_text(encoding="utf-8")
    except OSError:
        return ""
    match = _SITE_URL.search(text)
    return match.group(1) if match else ""


def run_diff(sources: Sources, base: str, head: str | None, fmt: str) -> int:
    """Both sides audited as they are (suppressions applied, no baseline); exit code from what HEAD adds."""
    judging = Judging(use_baseline=False)
    # Two sides in one process: the second takes the first's unchanged rows and flows (most are equal).
    before, problems = analyse_side(base, sources, judging, again=True)
    after, head_problems = analyse_side(head, sources, judging, again=True) if before is not None else (None, ())
    if before is None or after is None:
        side = base if before is None else (head or "the working tree")
        for problem in problems or head_problems:
            sys.stderr.write(f"{side}: {problem}\n")
        sys.stderr.write(f"layerflow: {side} cannot be audited; nothing was compared\n")
        return EXIT_INVALID_INPUT
    diff = registry_diff(before, after, base, head or "the working tree")
    render = {"markdown": diff_render.to_markdown, "json": diff_render.to_json}.get(fmt, diff_render.to_text)
    sys.stdout.write(render(diff))
    return diff.exit_code
