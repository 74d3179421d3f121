"""Rebuilds as `serve` runs them, driven line by line: the preview tests edit files between two rebuilds.

    python tests/preview_driver.py PROJECT SITE_DIR dirty|full

Each line "build" on stdin rebuilds the site in this one process, as `properdocs serve` does (a new
config, so new plugin objects; module state kept), and answers "built SECONDS".
Table rows are kept whatever the table's length, and pages indexed by pieces whatever theirs (below).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import properdocs.replacement  # noqa: F401  (as the properdocs CLI does: mkdocs.* imports resolve to properdocs)
from properdocs.commands.build import build
from properdocs.config import load_config

from layerflow.adapters import search_fast
from layerflow.render import pagehtml

# Every table's rows are kept from build to build (pagehtml.RowMemo), not only those of tables as long as a big
# registry's: the example's tables are short, and the preview tests' edits are to check the kept rows too.
pagehtml.MEMO_ROWS = 1
# Likewise every page is indexed for search by pieces (search_sections.PieceMemo), not only pages of 64 KB.
search_fast.PIECES_FROM = 1


def main() -> None:
    project, site, mode = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    os.chdir(project)
    dirty = mode == "dirty"
    for line in sys.stdin:
        if line.strip() != "build":
            continue
        config = load_config(config_file="mkdocs.yml", site_dir=site)
        config.plugins.on_startup(command="serve", dirty=dirty)
        start = time.perf_counter()
        build(config, serve_url="http://127.0.0.1:8000/", dirty=dirty)
        print(f"built {time.perf_counter() - start:.3f}", flush=True)


if __name__ == "__main__":
    main()
