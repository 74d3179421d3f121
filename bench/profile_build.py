"""Per-stage seconds of one site build, in process: the README's profile table.

    cd PROJECT && ../layerflow/.venv/bin/python ../layerflow/bench/profile_build.py

Wraps the functions each stage runs in (layerflow's plugin steps, Python-Markdown's
render, the search plugin, MkDocs' page loops) around one `properdocs build` of the
project in the current directory and prints wall and CPU seconds per stage as JSON.
Stages nest: "read pages total" holds "Markdown -> HTML", "render pages total" holds
the search plugin and the diagram placing. Run it twice for a warm build (diagram cache).
"""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Callable
from typing import Any

import properdocs.replacement  # noqa: F401  (as the properdocs CLI does: mkdocs.* imports resolve to properdocs)
from material.plugins.search import plugin as search
from properdocs.commands import build as mkdocs_build
from properdocs.config import load_config
from properdocs.structure import pages

from layerflow.adapters import entity_pages
from layerflow.adapters import mkdocs_plugin as plugin

WALL: dict[str, float] = {}
CPU: dict[str, float] = {}

STAGES: list[tuple[Any, str, str]] = [
    (plugin, "load_and_analyse", "plugin: read + audit"),
    # The names the plugin calls them by: render_site (was build_site) and inline_templates (was render_svgs);
    # a name this layerflow lacks is left out.
    (plugin, "build_site", "plugin: generate pages (Markdown) + DOT"),
    (plugin, "render_site", "plugin: generate pages (Markdown) + DOT"),
    (plugin, "render_svgs", "plugin: diagrams (dot, or the cache)"),
    (plugin, "inline_templates", "plugin: diagrams (dot, or the cache)"),
    (plugin.LayerflowPlugin, "_gate", "plugin: log the gate's findings"),
    (plugin.LayerflowPlugin, "_add_pages", "plugin: add pages as files"),
    (plugin.LayerflowPlugin, "on_files", "plugin: on_files total"),
    (pages.Page, "render", "MkDocs: Markdown -> HTML (Python-Markdown)"),
    (entity_pages.EntityPage, "render", "layerflow: entity pages -> HTML (render/pagehtml)"),
    (mkdocs_build, "_populate_page", "MkDocs: read pages total"),
    (search.SearchPlugin, "on_page_context", "search: index each page (HTML parse)"),
    (search.SearchPlugin, "on_post_build", "search: write index"),
    (plugin.LayerflowPlugin, "on_post_page", "plugin: place diagrams (on_post_page)"),
    (plugin.LayerflowPlugin, "on_page_content", "plugin: place fragments (on_page_content)"),
    (mkdocs_build, "_build_page", "MkDocs: render pages total (theme, search, write)"),
    (mkdocs_build, "get_navigation", "MkDocs: nav"),
]


def timed(function: Callable[..., Any], label: str) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            WALL[label] = WALL.get(label, 0.0) + time.perf_counter() - wall
            CPU[label] = CPU.get(label, 0.0) + time.process_time() - cpu

    return run


def main() -> None:
    for owner, name, label in STAGES:
        if hasattr(owner, name):  # older layerflow versions lack a step: it is left out
            setattr(owner, name, timed(getattr(owner, name), label))
    config = load_config(config_file="mkdocs.yml")
    config.plugins.on_startup(command="build", dirty=False)
    timed(mkdocs_build.build, "total")(config)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rounded = {"wall": {k: round(v, 2) for k, v in WALL.items()}, "cpu": {k: round(v, 2) for k, v in CPU.items()}}
    print(json.dumps({**rounded, "peak_rss_mb": round(peak)}, indent=1))


if __name__ == "__main__":
    main()
