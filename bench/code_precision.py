"""Precision and recall of `--code` on a synthetic code base whose truth the generator knows.

    python bench/code_precision.py [--files 2000] [--seed 0] [--work DIR] [--json OUT]

Writes the project of bench/synth_code.py (a FastAPI/SQLAlchemy backend with
ops scripts, a registry naming some of its producers, truth.json), then runs
layerflow as a user would — the real loader and audit, `load_and_analyse`
with `--code` — and scores the UNREGISTERED_DB_WRITER gate's files against
the generator's list of unregistered SQL writers. Also checked against the
truth: that each finding points at the file's first SQL write, that every
renamed producer's "matches no file" names the file that took its place,
that Prometheus claims of producers updating imported metrics are written,
and that each file that does not parse is listed once. Prints the scan time
(load: read, scan and link every file) and the audit time, and the peak
resident memory of this process.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "gen"))
sys.path.insert(0, str(HERE))

from layerflow.adapters.application import load  # noqa: E402
from layerflow.adapters.load import Sources  # noqa: E402
from layerflow.audit.analysis import analyse  # noqa: E402
from layerflow.model import Analysis  # noqa: E402
from synth_code import DEFAULT_FILES, write_project  # noqa: E402

GATE = "UNREGISTERED_DB_WRITER"


@dataclass(frozen=True)
class Score:
    files: int
    truth: int
    flagged: int
    true_positives: int
    false_positives: tuple[str, ...]
    false_negatives: tuple[str, ...]
    lines_right: int  # SQL writers found whose finding points at their first SQL write
    sql_found: int
    suggestions_right: int
    renamed: int
    prometheus_unwritten: tuple[str, ...]  # Prometheus claims reported unwritten (all wrong here)
    unread: int
    unread_listed_once: bool
    load_s: float
    audit_s: float
    peak_rss_mb: float

    @property
    def precision(self) -> float:
        return self.true_positives / self.flagged if self.flagged else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.truth if self.truth else 1.0


def measure(project_dir: Path, *, redis_signal: bool = False) -> Score:
    """Run layerflow on a written project and score it against its truth.json.

    With redis_signal (a project written with one), Redis state writers are wanted too.
    """
    truth: Mapping[str, Any] = json.loads((project_dir / "truth.json").read_text(encoding="utf-8"))
    code_root = project_dir / "code"
    started = time.perf_counter()
    loaded = load(Sources(base=str(project_dir / "registry"), code=(str(code_root),)))
    load_s = time.perf_counter() - started
    assert not loaded.errors, loaded.errors[:3]
    started = time.perf_counter()
    analysis = analyse(loaded.inputs, loaded.problems)
    audit_s = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    return _score(analysis, truth, _prefix(analysis), load_s, audit_s, peak, redis_signal)


def _prefix(analysis: Analysis) -> str:
    evidence = analysis.inputs.evidence
    roots = getattr(getattr(evidence, "code", None), "roots", ())
    return roots[0].rstrip("/") + "/" if roots else ""


def _score(
    analysis: Analysis,
    truth: Mapping[str, Any],
    prefix: str,
    load_s: float,
    audit_s: float,
    peak: float,
    redis_signal: bool,
) -> Score:
    files: Mapping[str, Any] = truth["files"]
    [gate] = [g for g in analysis.gates if g.rule == GATE]
    assert gate.machine_checkable, gate.reason
    flagged = {path.removeprefix(prefix): location.line for path, location in gate.matched}
    wanted = set(truth["unregistered_sql_writers"])
    if redis_signal:
        wanted |= set(truth["unregistered_redis_state_writers"])
    hits = wanted & set(flagged)
    sql_hits = [p for p in hits if files[p]["first_sql_line"]]  # a Redis state writer has no SQL line to point at
    lines_right = sum(1 for p in sql_hits if flagged[p] == files[p]["first_sql_line"])
    missing = [f for f in analysis.findings if f.rule == "evidence.producer-not-found"]
    renamed: Mapping[str, str] = truth["renamed_producers"]
    suggestions_right = sum(
        1
        for old, new in renamed.items()
        if any(f.subject == old and f"perhaps {prefix}{new}" in f.message for f in missing)
    )
    unwritten = tuple(
        f.subject for f in analysis.findings if f.rule == "evidence.persistence-unwritten" and "Prometheus" in f.message
    )
    broken = {p for p, f in files.items() if f["role"] == "unparsable"}
    inputs = [f for f in analysis.findings if f.rule == "input" and f.location.path.removeprefix(prefix) in broken]
    listed = [f.location.path.removeprefix(prefix) for f in inputs]
    return Score(
        files=len(files),
        truth=len(wanted),
        flagged=len(flagged),
        true_positives=len(hits),
        false_positives=tuple(sorted(set(flagged) - wanted)),
        false_negatives=tuple(sorted(wanted - set(flagged))),
        lines_right=lines_right,
        sql_found=len(sql_hits),
        suggestions_right=suggestions_right,
        renamed=len(renamed),
        prometheus_unwritten=unwritten,
        unread=len(broken),
        unread_listed_once=sorted(listed) == sorted(broken),
        load_s=load_s,
        audit_s=audit_s,
        peak_rss_mb=peak,
    )


def report(score: Score) -> str:
    return "\n".join(
        [
            f"files:                {score.files}",
            f"unregistered writers: {score.truth} (truth), {score.flagged} flagged, {score.true_positives} right",
            f"precision:            {score.precision:.3f}",
            f"recall:               {score.recall:.3f}",
            f"finding on 1st SQL:   {score.lines_right}/{score.sql_found}",
            f"renamed producers:    {score.suggestions_right}/{score.renamed} suggested right",
            f"Prometheus unwritten: {len(score.prometheus_unwritten)} (want 0)",
            f"unparsable files:     {score.unread}, each listed once: {score.unread_listed_once}",
            f"scan (load) seconds:  {score.load_s:.2f}",
            f"audit seconds:        {score.audit_s:.2f}",
            f"peak RSS:             {score.peak_rss_mb:.0f} MB",
            *(f"  false positive: {p}" for p in score.false_positives[:20]),
            *(f"  false negative: {p}" for p in score.false_negatives[:20]),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=DEFAULT_FILES)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, help="write the project here (default: a temporary directory)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument(
        "--redis-signal", action="store_true", help="a registry with a signal kept in Redis: Redis state writers count"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        where = args.work or Path(scratch) / "project"
        write_project(where, args.files, args.seed, redis_signal=args.redis_signal)
        score = measure(where, redis_signal=args.redis_signal)
    print(report(score))
    if args.json:
        figures = {
            "files": score.files,
            "precision": round(score.precision, 4),
            "recall": round(score.recall, 4),
            "truth": score.truth,
            "flagged": score.flagged,
            "load_s": round(score.load_s, 3),
            "audit_s": round(score.audit_s, 3),
            "peak_rss_mb": round(score.peak_rss_mb, 1),
        }
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
