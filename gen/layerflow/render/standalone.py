"""The site's pages as plain Markdown files, for builders that run no layerflow plugin (`layerflow generate`).

The same pages the plugin serves, from the same renderer; where the plugin swaps each placeholder for its
diagram or fragment after Markdown ran, here the HTML is put in place beforehand, as a raw HTML block that
Markdown passes through. Links inside it are relative to the page's URL with directory URLs (`x/y.md` is
served at `x/y/`), the default of MkDocs and of Zensical.
"""

from __future__ import annotations

from collections.abc import Mapping

from layerflow.render.dot import ROOT
from layerflow.render.markup import swap_fragments
from layerflow.render.site import Site

ASSETS = ("assets/layerflow/layerflow.css", "assets/layerflow/layerflow.js")
EXTENSIONS = ("admonition",)  # beside what MkDocs always enables: toc, tables, fenced_code


def page_url(path: str) -> str:
    """Where a page is served with directory URLs: index.md -> '', producers/index.md -> 'producers/'."""
    stem = path.removesuffix(".md")
    if stem == "index":
        return ""
    return stem.removesuffix("/index") + "/"


def root_from(path: str) -> str:
    depth = page_url(path).count("/")
    return "../" * depth if depth else "./"


def standalone_pages(site: Site, diagrams: Mapping[str, str]) -> dict[str, str]:
    """Docs path -> Markdown with every diagram (key -> inline SVG) and fragment in place."""
    html = {**site.fragments, **diagrams}
    pages: dict[str, str] = {}
    for path, markdown in sorted(site.pages.items()):
        root = root_from(path)

        def fill(key: str, _placeholder: str, root: str = root) -> str:
            return f'<div class="lf-inline">{html.get(key, "").replace(ROOT, root)}</div>'

        pages[path] = swap_fragments(markdown, fill)
    return pages


def nav_snippet(site: Site) -> str:
    """What to merge into mkdocs.yml (or zensical.toml's equivalent) to build the generated folder."""
    sections = [("Home", "index.md"), ("Report", "report.md"), ("Findings", "findings.md"), ("Rules", "rules.md")]
    sections += [("Layer matrix", "layers.md")]
    sections += [
        (p.split("/")[0].capitalize(), p) for p in sorted(site.pages) if p.count("/") == 1 and p.endswith("/index.md")
    ]
    lines = [
        "# layerflow generate: merge into your mkdocs.yml. The nav lists index pages only: MkDocs draws the",
        "# whole nav into every page, so entity pages (reached from the index tables) stay out of it.",
        "nav:",
        *(f"  - {title}: {path}" for title, path in sections if path in site.pages),
        "extra_css:",
        f"  - {ASSETS[0]}",
        "extra_javascript:",
        f"  - {ASSETS[1]}",
        "markdown_extensions:",
        *(f"  - {e}" for e in EXTENSIONS),
        "validation:",
        "  nav:",
        "    omitted_files: ignore",
    ]
    return "\n".join(lines) + "\n"
