"""The site as the plugin and `layerflow generate` both make it: pages from the renderer, diagrams as inline SVG.

No MkDocs here (the CLI runs without the `site` extra): the plugin adds MkDocs events on top, `generate`
writes the same pages as plain files.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from importlib import resources

from layerflow.adapters.graphviz import render_svgs
from layerflow.adapters.inline_cache import inline_diagram, inline_template
from layerflow.model import Analysis
from layerflow.render.escape import forget_escapes
from layerflow.render.reuse import Reuse
from layerflow.render.site import Site, build_site
from layerflow.render.usermd import user_markdown_html

log = logging.getLogger("mkdocs.plugins.layerflow")


def asset_text(name: str) -> str:
    """One of the files in the package's assets folder (layerflow.css, layerflow.js)."""
    return resources.files("layerflow").joinpath("assets", name).read_text(encoding="utf-8")


def render_site(analysis: Analysis, layer_names: Mapping[str, str], reuse: Reuse | None = None) -> Site:
    """Every page, diagram source and fragment of the site, with the code files evidence points into;
    `reuse` gives back the last build's pages where what they show is unchanged (render.reuse); without it no
    build follows in this process that would write the same texts, and the escapes' memo is let go."""
    site = build_site(analysis, user_markdown_html, layer_names, source_texts(analysis), reuse)
    if reuse is None:
        forget_escapes()
    return site


def inline_diagrams(site: Site, cache_dir: str | None) -> dict[str, str]:
    """Fragment key -> inline SVG for every diagram (batched dot runs; GraphvizMissing/GraphvizError on failure)."""
    svgs = render_svgs(site.diagrams, cache_dir or None)
    return {key: inline_diagram(key, svg, cache_dir or "") for key, svg in svgs.items()}


def inline_templates(site: Site, cache_dir: str | None, *, remember: bool = False) -> dict[str, str]:
    """Fragment key -> inline SVG template (`place_id` gives it its key's id): equal SVGs share one string, so
    a build that holds every diagram until its page is written holds one copy of each distinct SVG.

    `remember` (serve): a DOT source the last such build in this process drew is not looked up again; at 10k
    signals hashing 13,000 sources and reading as many cached SVGs was a tenth of a one-row-edit rebuild.
    Without it the templates are memoised for this call only: the caller holds the only copy and may let
    each go once the pages showing it are written.
    (A Graphviz upgraded while `serve` runs shows in a new process: the disk cache is keyed by its version.)"""
    drawn = _DRAWN.get(cache_dir or "", {}) if remember else {}
    todo = {key: source for key, source in site.diagrams.items() if source not in drawn}
    svgs = render_svgs(todo, cache_dir or None)
    # serve memoises templates for the process; a build only within itself, so nothing outlives its pages
    memo: dict[str, str] | None = None if remember else {}
    made: dict[str, str] = {}
    for key in list(svgs):  # each Graphviz SVG let go as its template is made: the two were held side by side
        made[key] = inline_template(key, svgs.pop(key), cache_dir or "", memo)
    templates = {key: made[key] if key in made else drawn[source] for key, source in site.diagrams.items()}
    if remember:  # this build's sources only, so a long `serve` holds no diagram the site no longer has
        _DRAWN[cache_dir or ""] = {source: templates[key] for key, source in site.diagrams.items()}
    return templates


_DRAWN: dict[str, dict[str, str]] = {}  # cache dir -> DOT source -> inline template, of the last serve build


MAX_SOURCE_PAGES = 1000  # code pages cost a page each; past this, write sites stay plain text


def source_texts(analysis: Analysis) -> dict[str, str]:
    """The code files evidence points into (a write site or a layer header), as the loader read them."""
    evidence = analysis.inputs.evidence
    if evidence is None or evidence.code is None:
        return {}
    code = evidence.code
    wanted = [f.path for f in code.files if f.writes or f.header is not None]
    if len(wanted) > MAX_SOURCE_PAGES:
        log.info(f"layerflow: {len(wanted)} files hold evidence; source pages are made for at most {MAX_SOURCE_PAGES}")
        return {}
    return {path: code.texts[path] for path in wanted if path in code.texts}
