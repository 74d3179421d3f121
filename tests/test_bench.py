"""The benchmark keeps working: run it on a tiny size. It reports figures; nothing here asserts a time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.site


def test_bench_runs_on_a_tiny_registry(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, str(root / "bench/run.py"), "--sizes", "40,80", "--json", str(out), "--work", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(out.read_text(encoding="utf-8"))
    for key in (
        "parse_classify_s_40",
        "parse_classify_s_80",
        "build_ratio_40",
        "build_ratio_80",
        "build_s_80",
        "growth_exponent",
        "diagram_ratio",
        "edit_rebuild_s_embedded",
        "edit_rebuild_dirty_s_embedded",
        "edit_rebuild_s_80",
        "edit_rebuild_dirty_s_80",
        "make_serve_edit_s_embedded",
        "make_serve_edit_s_80",
        "peak_rss_mb_80",
        "read_floor_s_80",
        "parse_classify_ratio_80",
        "check_json_s_80",
        "python_start_s",
        "diagram_s",
        "diagram_floor_s",
        "diagram_count",
        "diagram_unique",
        "diagram_jobs",
        "inline_s",
        "inline_per_key_s",
        "inline_ratio",
    ):
        assert key in figures, key
        assert figures[key] > 0 or key == "growth_exponent", (key, figures[key])
    assert "site build, 80 signals" in result.stdout  # the table a person reads


def test_synthetic_registry_is_deterministic(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from synth import write_project

    def tree(path: Path) -> dict[str, bytes]:
        return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}

    first = tree(write_project(tmp_path / "a", signals=300, producers=30))
    second = tree(write_project(tmp_path / "b", signals=300, producers=30))
    assert first == second
    assert any(name.startswith("registry/REGISTRY_CHANGES/") for name in first)


def test_peer_project_holds_every_signal_as_a_need_and_a_needflow_per_producer(root: Path, tmp_path: Path) -> None:
    """`--peers` builds the same data with sphinx-needs; its sources are written without sphinx installed."""
    sys.path.insert(0, str(root / "bench"))
    from layerflow.adapters.application import load_and_analyse
    from layerflow.adapters.load import Sources
    from peers import need_id, write_sphinx_project
    from synth import write_project

    project = write_project(tmp_path / "p", signals=120, producers=12)
    analysis, _ = load_and_analyse(Sources(base=str(project / "registry")))
    assert analysis is not None
    counts = write_sphinx_project(analysis, tmp_path / "sphinx")
    sources = "\n".join(p.read_text(encoding="utf-8") for p in sorted((tmp_path / "sphinx").rglob("*.rst")))
    ids = [line.split(":id:")[1].strip() for line in sources.splitlines() if ":id:" in line]
    assert len(ids) == len(set(ids)) == counts["needs"]
    assert {need_id("S_", s.uid) for s in analysis.inputs.registry.signals} <= set(ids)
    producer_pages = sorted((tmp_path / "sphinx" / "producers").glob("*.rst"))
    assert producer_pages
    assert all(".. needflow::" in page.read_text(encoding="utf-8") for page in producer_pages)
    assert 'needs_flow_engine = "graphviz"' in (tmp_path / "sphinx" / "conf.py").read_text(encoding="utf-8")
