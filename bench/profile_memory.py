"""Resident memory of one site build, stage by stage, in process: where the peak RSS of a build comes from.

    cd PROJECT && ../layerflow/.venv/bin/python ../layerflow/bench/profile_memory.py [--tracemalloc N]

Wraps the same stages as bench/profile_build.py around one `properdocs build` of the project in the current
directory; a thread samples the process's RSS every 20 ms. Prints, as JSON, RSS (MB) when each stage
starts and ends and the highest sample while it ran, and the peak of the whole process. With
`--tracemalloc N` (several times slower) it also prints, at the end of each stage, the N source lines
whose allocations are still alive and hold the most memory: what the build holds, by who made it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import threading
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import properdocs.replacement  # noqa: F401  (as the properdocs CLI does: mkdocs.* imports resolve to properdocs)
from material.plugins.search import plugin as search
from properdocs.commands import build as mkdocs_build
from properdocs.config import load_config

from layerflow.adapters import mkdocs_plugin as plugin

STAGES: list[tuple[Any, str, str]] = [
    (plugin, "load_and_analyse", "plugin: read + audit"),
    (plugin, "render_site", "plugin: generate pages + DOT"),
    (plugin.LayerflowPlugin, "_diagrams", "plugin: diagrams"),
    (plugin.LayerflowPlugin, "on_files", "plugin: on_files total"),
    (mkdocs_build, "get_navigation", "MkDocs: nav"),
    (mkdocs_build, "_populate_page", "MkDocs: read pages"),
    (mkdocs_build, "_build_page", "MkDocs: render and write pages"),
    (search.SearchPlugin, "on_post_build", "search: write index"),
]
_PAGE = 4096 / 2**20


def rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * _PAGE


class Sampler(threading.Thread):
    """The highest RSS seen since the last `take`, sampled in the background."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.high = 0.0
        self.running = True

    def run(self) -> None:
        while self.running:
            self.high = max(self.high, rss_mb())
            time.sleep(0.02)

    def take(self) -> float:
        high, self.high = max(self.high, rss_mb()), 0.0
        return high


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tracemalloc", type=int, default=0, metavar="N")
    args = parser.parse_args()
    report: dict[str, dict[str, Any]] = {}
    sampler = Sampler()

    def staged(function: Callable[..., Any], label: str, per_call: bool) -> Callable[..., Any]:
        def run(*a: Any, **kw: Any) -> Any:
            entry = report.setdefault(label, {"start_mb": round(rss_mb()), "high_mb": 0, "calls": 0})
            entry["calls"] += 1
            outer_high = sampler.take()
            try:
                return function(*a, **kw)
            finally:
                entry["high_mb"] = max(entry["high_mb"], round(sampler.take()))
                sampler.high = max(outer_high, entry["high_mb"])
                entry["end_mb"] = round(rss_mb())
                if args.tracemalloc and not (per_call and entry["calls"] > 1):
                    entry["top_alive"] = top_lines(args.tracemalloc)

        return run

    per_call = {"_populate_page", "_build_page"}
    for owner, name, label in STAGES:
        setattr(owner, name, staged(getattr(owner, name), label, name in per_call))
    if args.tracemalloc:
        tracemalloc.start()
    sampler.start()
    config = load_config(config_file="mkdocs.yml")
    config.plugins.on_startup(command="build", dirty=False)
    report["start"] = {"end_mb": round(rss_mb())}
    mkdocs_build.build(config)
    report["end"] = {"end_mb": round(rss_mb())}
    sampler.running = False
    if args.tracemalloc:  # the per-page stages: what is alive after the last page, not the first
        report["end"]["top_alive"] = top_lines(args.tracemalloc)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"stages": report, "peak_rss_mb": round(peak), "pid": os.getpid()}, indent=1))


def top_lines(count: int) -> list[str]:
    snapshot = tracemalloc.take_snapshot()
    stats = snapshot.statistics("lineno")
    total = sum(s.size for s in stats)
    lines = [f"total {total / 2**20:.1f} MB in {sum(s.count for s in stats)} blocks"]
    for stat in stats[:count]:
        frame = stat.traceback[0]
        where = f"{os.path.relpath(frame.filename, os.path.dirname(os.path.dirname(frame.filename)))}:{frame.lineno}"
        lines.append(f"{stat.size / 2**20:7.1f} MB {stat.count:8d} {where}")
    return lines


if __name__ == "__main__":
    main()
