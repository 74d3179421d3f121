"""Where the seconds of one `make serve` edit go: cProfile of the rebuild after a one-row registry edit.

    cd PROJECT && ../layerflow/.venv/bin/python ../layerflow/bench/profile_serve.py [OUT.prof]

Runs, in one process, the first build `properdocs serve --dirty` does, makes the same one-row edit as
bench/run.py's `edit_rebuild` (the first signal row's name gains "edited "), then profiles the second
build and prints the 40 most expensive calls by cumulative time. cProfile roughly doubles the rebuild's
wall time, so read the shares, not the seconds. The project's registry is edited: run it on a copy
(bench/synth.py writes one).
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time
from pathlib import Path

import properdocs.replacement  # noqa: F401  (as the properdocs CLI does: mkdocs.* imports resolve to properdocs)
from properdocs.commands.build import build
from properdocs.config import load_config


def rebuild(site: str) -> tuple[float, float]:
    """One `serve --dirty` build into `site` (a new config, so new plugin objects, as `serve` makes each time)."""
    config = load_config(config_file="mkdocs.yml", site_dir=site)
    config.plugins.on_startup(command="serve", dirty=True)
    wall, cpu = time.perf_counter(), time.process_time()
    build(config, serve_url="http://127.0.0.1:8000/", dirty=True)
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    site = str(Path.cwd() / "serve-site")
    wall, cpu = rebuild(site)
    print(f"first build: {wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)
    registry = sorted(Path("registry").glob("*.md"))[0]
    text = registry.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| SIG-"))
    registry.write_text(text.replace(row, row.replace(" | ", " | edited ", 1), 1), encoding="utf-8")
    profile = cProfile.Profile()
    profile.enable()
    wall, cpu = rebuild(site)
    profile.disable()
    print(f"edit rebuild (profiled): {wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)
    if len(sys.argv) > 1:
        profile.dump_stats(sys.argv[1])
    pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
