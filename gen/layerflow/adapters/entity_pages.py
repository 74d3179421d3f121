"""Entity pages that MkDocs serves but Python-Markdown never converts (render/pagehtml.py renders them).

An `EntityPage` is an ordinary MkDocs page in every way a theme, the search
plugin or another plugin can see (meta, title, TOC, content, anchors, links
checked and rewritten by MkDocs' own code), except that `render` asks
layerflow's renderer of its page dialect for the HTML instead of building a
Python-Markdown engine for the page. MkDocs and ProperDocs both keep a page a
plugin sets on `File.page` (they build a `Page` only where none is set).

Where the renderer cannot follow the site's `toc` settings (a `baselevel`,
`anchorlink` or leading permalinks), `html_options` says so and no page is
replaced; where a page holds Markdown outside the dialect, that page alone
falls back to Python-Markdown.
"""

from __future__ import annotations

import html
import logging
import posixpath
import re
from collections.abc import Callable
from typing import Any, cast

import markdown
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page, _RelativePathTreeprocessor
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_relative_url

from layerflow.adapters.kept_fences import KeptFences
from layerflow.adapters.kept_rows import KeptRows
from layerflow.render.pagehtml import HtmlOptions, OutsideDialect, default_slugify, page_html

log = logging.getLogger("mkdocs.plugins.layerflow")
_PAGES_LOG = logging.getLogger(Page.__module__)

# `toc` settings that move or restyle headings in ways the renderer does not reproduce.
_UNSUPPORTED_TOC = {"baselevel": 1, "anchorlink": False, "permalink_leading": False}


def html_options(config: MkDocsConfig, fences: KeptFences | None = None) -> HtmlOptions | None:
    """The site's `toc` settings as the renderer needs them; None when it cannot honour them. `fences`: under
    `serve`, the code blocks of the last build (kept_fences)."""
    toc: dict[str, Any] = dict((config.mdx_configs or {}).get("toc", {}))
    for key, default in _UNSUPPORTED_TOC.items():
        if key in toc and toc[key] != default:
            log.info(f"layerflow: toc {key}: {toc[key]!r} is set, so entity pages are rendered by Python-Markdown")
            return None
    permalink = toc.get("permalink", False)
    depth_top, depth_bottom = _toc_depth(toc.get("toc_depth", 6))
    slugify = toc.get("slugify", default_slugify)
    return HtmlOptions(
        permalink="&para;" if permalink is True else (html.escape(str(permalink), quote=False) if permalink else None),
        permalink_class=str(toc.get("permalink_class", "headerlink")),
        permalink_title=str(toc.get("permalink_title", "Permanent link")),
        slugify=cast(Callable[[str, str], str], slugify),
        separator=str(toc.get("separator", "-")),
        toc_top=depth_top,
        toc_bottom=depth_bottom,
        fence=_site_fences(config) if fences is None else fences.converter(_site_fences(config)),
    )


# The Markdown extensions whose effect on the page dialect render/pagehtml reproduces: MkDocs' own three, the two
# layerflow adds (adapters/mkdocs_setup.py) and SuperFences, whose fences go through the site's engine (`fence`).
_REPRODUCED = frozenset(
    {"toc", "tables", "fenced_code", "admonition", "pymdownx.superfences", "layerflow.adapters.markdown_escapes"}
)


def whole_pages_rendered(config: MkDocsConfig) -> bool:
    """Whether the home, report, findings and rules pages are rendered by layerflow too (render.site.whole_page):
    only when every Markdown extension of the site is one whose effect on them the renderer reproduces, so their
    HTML is what Python-Markdown makes of them (tests/test_whole_pages.py). Any other extension (an `abbr`
    glossary, emoji, attribute lists) may mean something in a report the user reads: then Python-Markdown."""
    return all(_extension_name(e) in _REPRODUCED for e in config.markdown_extensions)


def _extension_name(extension: object) -> str:
    """ "toc" for "toc", "markdown.extensions.toc" or a TocExtension(); an unknown object's class path."""
    if isinstance(extension, str):
        return extension.removeprefix("markdown.extensions.")
    module = type(extension).__module__
    return module.removeprefix("markdown.extensions.") if isinstance(extension, markdown.Extension) else module


def _site_fences(config: MkDocsConfig) -> Callable[[str], str]:
    """Code blocks as the site's own Markdown writes them: one engine with the site's extensions, reset for each
    block (a page has at most a few, and building an engine per page is the cost this module exists to avoid)."""
    engine = markdown.Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs or {})

    def fence(code: str) -> str:
        longest = max((len(run) for run in re.findall(r"`{3,}", code)), default=2)
        ticks = "`" * (longest + 1)
        return engine.reset().convert(f"{ticks}\n{code}\n{ticks}")

    return fence


def _toc_depth(depth: object) -> tuple[int, int]:
    """`toc_depth: 3` or `toc_depth: "2-4"`, as Python-Markdown reads it."""
    if isinstance(depth, str) and "-" in depth:
        top, bottom = (int(part) for part in depth.split("-", 1))
        return top, bottom
    return 1, int(str(depth))


class EntityPage(Page):
    """A generated page in layerflow's page dialect, rendered to HTML by layerflow."""

    def __init__(self, file: File, config: MkDocsConfig, options: HtmlOptions, rows: KeptRows | None = None) -> None:
        super().__init__(None, file, config)
        self.options = options
        self.rows = rows  # under `serve`: the rows of long tables from the page's last render

    def render(self, config: MkDocsConfig, files: Files) -> None:
        if self.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        # MkDocs' own link resolver: the same URLs, the same warnings for a missing page, the same anchor checks.
        links = _Links(self.file, files, config)
        memo = None if self.rows is None else self.rows.memo(self.file.src_uri, files, links.impure)
        try:
            rendered = page_html(self.markdown, self.options, links.path_to_url, memo)
        except OutsideDialect as exc:
            log.debug(f"layerflow: {self.file.src_uri} is rendered by Python-Markdown: {exc}")
            super().render(config, files)
            return
        if self.rows is not None and memo is not None:
            self.rows.keep(self.file.src_uri, memo)
        self.content = rendered.html
        self.toc = get_toc(cast(Any, rendered.toc))
        self._title_from_render = rendered.title
        self.present_anchor_ids = rendered.anchors
        if _PAGES_LOG.getEffectiveLevel() > logging.DEBUG:  # as Page.render: MkDocs checks anchors only then
            self.links_to_anchors = links.links_to_anchors


# A link as the page dialect writes one to another page: a relative path to a Markdown file, maybe an anchor,
# maybe up a folder first ("../stores/redis.md": half the links of a big site). Nothing in it is quoted, so
# MkDocs' urlunquote leaves it as is; one that climbs out of docs/ is not found and goes to MkDocs.
_PLAIN_LINK = re.compile(r"(?:\.\.?/)*[A-Za-z0-9_\-][A-Za-z0-9_.\-/]*\.md(?:#[A-Za-z0-9_\-]*)?")


class _Links(_RelativePathTreeprocessor):
    """MkDocs' link resolver, with the one case the generated pages write a thousand times a page (a relative
    link to a page that exists) worked out without `pathlib`: the signals index of a 10k registry has 24,000
    links, and `Files.get_file_from_path` builds a PurePath for each. Everything else, and every link that
    would warn, goes to MkDocs' own `path_to_url` (tests/test_entity_pages.py compares the two)."""

    handed_on = 0  # links given to MkDocs or registered for its anchor checks: kept_rows keeps no row that has one

    def impure(self) -> int:
        return self.handed_on

    def path_to_url(self, url: str) -> str:
        if not _PLAIN_LINK.fullmatch(url):
            self.handed_on += 1
            return super().path_to_url(url)
        path, _, anchor = url.partition("#")
        # MkDocs' _target_uri; the result is already what PurePath(...).as_posix() makes of it.
        target_uri = posixpath.normpath(posixpath.join(posixpath.dirname(self.file.src_uri), path).lstrip("/"))
        target = self.files.src_uris.get(target_uri)
        if target is None or cast(Any, target.inclusion).is_excluded():
            self.handed_on += 1
            return super().path_to_url(url)  # the warning, or the note about an excluded page, as MkDocs words it
        if anchor:  # registered as MkDocs does, for its anchor checks after the build
            self.handed_on += 1
            self.links_to_anchors.setdefault(target, {}).setdefault(anchor, url)
        relative = get_relative_url(target.url, self.file.url)
        return f"{relative}#{anchor}" if anchor else relative
