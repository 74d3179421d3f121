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
