"""A rebuild that reuses the last build's pages (render.reuse, what `serve` does) makes the site a build from
nothing makes: every edit below, alone and one after another, on the example (with its code evidence) and on
a synthetic registry. And a one-row edit makes only the pages that show that row."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from layerflow.adapters.application import load_and_analyse
from layerflow.adapters.load import Sources
from layerflow.adapters.site_files import source_texts
from layerflow.model import Analysis
from layerflow.render.reuse import Reuse
from layerflow.render.site import Site, build_site
from layerflow.render.usermd import user_markdown_html

BASELINE = "registry/SIGNAL_REGISTRY_PYTHON_BASELINE.md"
RECORD = "registry/REGISTRY_CHANGES/REGISTRY_CHANGE_SIG-100.md"
PROBE = "| SIG-099 | Probe | raw | api_call | `probe.py` | L7 | probe.py | L4 | — | In-memory |"
NAMES = {"L6": "L6 Platform Substrate / Drivers"}


def replaced(path: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(work: Path) -> None:
        target = work / path
        text = target.read_text(encoding="utf-8")
        assert old in text, (path, old)
        target.write_text(text.replace(old, new, 1), encoding="utf-8")

    return apply


def removed(path: str, start: str, next_start: str) -> Callable[[Path], None]:
    """The block of `path` from `start` to the next `next_start` (or the end) taken out."""

    def apply(work: Path) -> None:
        target = work / path
        text = target.read_text(encoding="utf-8")
        at = text.index(start)
        end = text.find(next_start, at + len(start))
        end = len(text) if end < 0 else end
        target.write_text(text[:at] + text[end:].lstrip("\n"), encoding="utf-8")

    return apply


def row(uid: str, change: Callable[[str], str]) -> Callable[[Path], None]:
    """The registry line of signal `uid` changed (`change` may add lines or return "" to remove it)."""

    def apply(work: Path) -> None:
        target = work / BASELINE
        lines = target.read_text(encoding="utf-8").split("\n")
        at = next(i for i, line in enumerate(lines) if line.startswith(f"| {uid} |"))
        lines[at : at + 1] = [change(lines[at])] if change(lines[at]) else []
        target.write_text("\n".join(lines), encoding="utf-8")

    return apply


EDITS: dict[str, Callable[[Path], None]] = {
    "a signal renamed": replaced(BASELINE, "| SIG-003 | StepTrace |", "| SIG-003 | StepRecord |"),
    "a signal's store": replaced(BASELINE, "| PostgreSQL (aos_traces) |", "| Redis (traces) |"),
    "a consumer": replaced(BASELINE, "| run_tracker.py, integration.py (L2) |", "| run_tracker.py (L2) |"),
    "a signal's layer (flows and gaps)": replaced(BASELINE, "| `tracer.py` | L5 |", "| `tracer.py` | L7 |"),
    "a row added": row("SIG-005", lambda line: PROBE + "\n" + line),
    "a row removed": row("SIG-004", lambda line: ""),
    "a producer's schedule": replaced("registry/producers.yaml", "every 15 minutes", "every 20 minutes"),
    "a producer removed": removed("registry/producers.yaml", "  - id: failure-aggregation\n", "\n  - id:"),
    "a gap removed from the ledger": removed("registry/gaps.yaml", "  - id: GAP-003\n", "  - id:"),
    "the registry's version": replaced(BASELINE, "**Version:** 1.0.1", "**Version:** 1.0.2"),
    "a change record": replaced(RECORD, "| Persistence | In-memory |", "| Persistence | Redis |"),
    "a change record's date": replaced(RECORD, "**Date:** 2025-12-31", "**Date:** 2026-01-02"),
    "a change record's reference": replaced(
        RECORD,
        "**Reference:** GAP-001",
        "**Reference:** GAP-001, GAP-003",
    ),
    "a code file (the evidence)": replaced(
        "registry/example/backend/app/jobs/graduation_evaluator.py", "\n", "\n# edited\n"
    ),
    "lines moved in the ledger": replaced("registry/gaps.yaml", "\n", "\n# edited\n"),
    "a gap's title in the ledger": replaced("registry/gaps.yaml", "persistence mismatch", "persistence differs"),
    "a gap's id in the ledger": replaced("registry/gaps.yaml", "id: GAP-002", "id: GAP-020"),
}


def analysed(work: Path) -> Analysis:
    example = work / "registry" / "example"
    sources = Sources(base=str(work / "registry"), code=(str(example),), ops=(str(example / "scripts/ops/systemd"),))
    analysis, problems = load_and_analyse(sources)
    assert analysis is not None, problems
    return analysis


def made(analysis: Analysis, reuse: Reuse | None = None) -> Site:
    return build_site(analysis, user_markdown_html, NAMES, source_texts(analysis), reuse)


def same(reused: Site, fresh: Site) -> None:
    assert list(reused.pages) == list(fresh.pages)  # the same pages in the same order
    assert [p for p in fresh.pages if reused.pages[p] != fresh.pages[p]] == []
    assert reused.diagrams == fresh.diagrams and list(reused.diagrams) == list(fresh.diagrams)
    assert reused.fragments == fresh.fragments
    assert reused.titles == fresh.titles


@pytest.fixture
def work(root: Path, tmp_path: Path) -> Path:
    shutil.copytree(root / "registry", tmp_path / "registry", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_rebuild_after_an_edit_is_a_build_from_nothing(work: Path, edit: str) -> None:
    reuse = Reuse()
    made(analysed(work), reuse)
    EDITS[edit](work)
    after = analysed(work)
    same(made(after, reuse), made(after))


def test_edits_one_after_another_keep_the_site_a_build_from_nothing(work: Path) -> None:
    reuse = Reuse()
    made(analysed(work), reuse)
    first = reuse.made  # every text a build from nothing makes
    remade = []
    for name in sorted(EDITS):
        EDITS[name](work)
        after = analysed(work)
        same(made(after, reuse), made(after))
        remade.append(reuse.made)
    # Most of the site reused: on average under a third of it made again, though a code file and the ledger's
    # edits change what every page reads (the evidence, every gap's location) and make it all.
    assert 0 < sum(remade) < len(remade) * first / 3, (first, remade)


def test_a_one_row_edit_makes_only_the_pages_and_diagrams_that_show_the_row(work: Path) -> None:
    reuse = Reuse()
    made(analysed(work), reuse)
    unchanged = made(analysed(work), reuse)
    assert reuse.made == 0  # nothing edited: every entity page and diagram is the last build's
    replaced(BASELINE, "| /runs/{id}/trace |", "| /runs/{id}/steps |")(work)  # SIG-003's L2 API
    edited = made(analysed(work), reuse)
    changed = sorted(p for p in edited.pages if edited.pages[p] != unchanged.pages[p])
    assert changed == ["signals/sig-003.md"]
    # The signal's page and its diagram (the same DOT text, its key differs), and its store's page and the stores
    # index: their keys hold the store's signals, so they are made again, to the same text.
    assert reuse.made == 4, reuse.made


def test_a_build_without_reuse_keeps_nothing(work: Path) -> None:
    reuse = Reuse(enabled=False)
    made(analysed(work), reuse)
    first = reuse.made
    made(analysed(work), reuse)
    assert reuse.made == first > 50  # every entity page and diagram made again


def test_a_synthetic_registry_rebuilt_after_row_edits_is_a_build_from_nothing(root: Path, tmp_path: Path) -> None:
    sys.path.insert(0, str(root / "bench"))
    from synth import write_project

    project = write_project(tmp_path / "p", signals=400, producers=40)
    registry = sorted((project / "registry").glob("*.md"))[0]

    def analysis() -> Analysis:
        found, problems = load_and_analyse(Sources(base=str(project / "registry")))
        assert found is not None, problems
        return found

    reuse = Reuse()
    made(analysis(), reuse)
    rows = [line for line in registry.read_text(encoding="utf-8").splitlines() if line.startswith("| SIG-")]
    for index, row in enumerate(rows[:40:7]):  # names, layers, stores and consumers differ row to row
        cells = row.split(" | ")
        cells[index % 4 + 1] = {0: f"Renamed{index}", 1: "terminal", 2: "scheduled_job", 3: "`other_job.py`"}[index % 4]
        text = registry.read_text(encoding="utf-8")
        registry.write_text(text.replace(row, " | ".join(cells), 1), encoding="utf-8")
        after = analysis()
        same(made(after, reuse), made(after))
