"""Material's search index of the generated pages, made without its HTML parser (render/search_sections.py).

Material's search plugin indexes a page in `on_page_context` by calling its
index's `add_entry_from_context(page)`, which parses the page's HTML into
sections and hands each to `create_entry_for_section`. For the pages layerflow
generated, `install` puts a function in front of that method on this build's
index: it splits the HTML with `search_sections` and hands the sections to
Material's own `create_entry_for_section`, so URLs, titles, tags, boosts and
Chinese segmentation stay Material's. Pages the user wrote, and any page whose
HTML is outside what `search_sections` reads, go to Material's method as before.

A Material release whose parser splits pages differently must not get a
different index: before installing, two probe pages that walk through the
parser's rules (headings with and without ids, permalinks, kept and dropped
tags, `pre` whitespace, references; then excluded blocks and line numbers) are
split both ways, and the fast path is used only if both agree on both. An index object of another shape
(another search plugin, or a Material without these methods) is left alone.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

from layerflow.adapters.fingerprints import GeneratedPage
from layerflow.render.search_sections import PieceMemo, SearchSection, search_sections

log = logging.getLogger("mkdocs.plugins.layerflow")

_MATERIAL_SEARCH = "material.plugins.search.plugin"
_INSTALLED = "_layerflow_fast_search"  # marks an index already wrapped (a plugin listed under two names)

# Every rule of Material's Parser that the generated pages reach, and a few they do not: a page as the generated
# ones are (read without the skip bookkeeping), then one with what makes Material skip elements.
PROBES = (
    """<p>Before the title &amp; more</p>
<h1 id="t">Title <code>x</code><a class="headerlink" href="#t" title="Permanent link">&para;</a></h1>
<p>First <strong>bold</strong> and <a href="../a/">a link</a>
over two lines.</p>
<table>
<thead>
<tr>
<th>Id</th>
<th>Note</th>
</tr>
</thead>
<tbody>
<tr>
<td><code>SIG-1</code></td>
<td>&lt;kept&gt; <span class='lf-mark' role='img'><svg viewBox='0 0 24 24'><path d='M1 1z'/></svg></span> text</td>
</tr>
</tbody>
</table>
<h2 id="second">Second <em>part</em></h2>
<ul>
<li>one</li>
<li> </li>
</ul>
<p>
</p>
<pre><code>line one
    line two &lt;b&gt;
</code></pre>
<div class="admonition note">
<p class="admonition-title">Note</p>
<h3 id="inner">Inner</h3>
<p>inside</p>
</div>
<p>after the div<br>and a break</p>
<h4>no id</h4>""",
    """<h2 id="s">Skips</h2>
<div data-search-exclude><p>hidden</p><div>nested</div></div>
<p>shown again</p>
<h2 id="x_1" data-search-exclude>Excluded heading</h2>
<p>under it <sub>a</sub><sup> </sup></p>
<object><p>never</p></object>
<p>end</p>
<div class="linenodiv"><pre>1
2</pre></div>
<p>last</p>""",
)


def install(config: MkDocsConfig, pieces: dict[str, PieceMemo] | None = None) -> None:
    """Put the fast path in front of each Material search index of this build (after every on_config).

    `pieces`: under `serve`, each long page's pieces as its last read split them (PieceMemo, by page URL), read
    again only where a piece changed."""
    for plugin in {id(p): p for p in config.plugins.values()}.values():
        index = getattr(plugin, "search_index", None)
        if type(plugin).__module__ != _MATERIAL_SEARCH or index is None or getattr(index, _INSTALLED, False):
            continue
        add = getattr(index, "add_entry_from_context", None)
        create = getattr(index, "create_entry_for_section", None)
        if not callable(add) or not callable(create):
            continue
        if not _agrees_with(type(plugin).__module__):
            log.info("layerflow: this Material's search splits pages otherwise; its own parser indexes every page")
            continue
        index.add_entry_from_context = _fast(add, create, pieces)
        setattr(index, _INSTALLED, True)


def _fast(
    add: Callable[[Page], None], create: Callable[..., None], pieces: dict[str, PieceMemo] | None
) -> Callable[[Page], None]:
    def add_entry_from_context(page: Page) -> None:
        sections = _sections(page, pieces)
        if sections is None:
            add(page)
            return
        # Material's add_entry_from_context from here on, with its parser's sections swapped for ours.
        items = _toc_items(page.toc)
        for section in sections:
            if not section.is_excluded():
                item = items.get(section.id)
                create(section, () if item is None else (item,), page.url, page)

    return add_entry_from_context


def _toc_items(toc: Iterable[Any]) -> dict[str | None, Any]:
    """Each TOC id's first item, in the order Material's `_find_toc_by_id` walks the TOC (depth first).

    `create_entry_for_section` reads the TOC only to find the section's item by id, walking the whole tree each
    time: on the report at 10k signals (1,700 sections) that was 1.4 million calls in every build and in every
    rebuild that touched it. Handed a TOC of just that item (or none), its walk finds the same item at once.
    """
    found: dict[str | None, Any] = {}
    stack = list(reversed(list(toc)))
    while stack:
        item = stack.pop()
        found.setdefault(item.id, item)
        stack.extend(reversed(list(item.children)))
    return found


# Pages this long are read by pieces under `serve` (the report, findings, indexes); a shorter one is read whole,
# and so none of the 13,000 entity pages of a 10k site is held.
PIECES_FROM = 64 * 1024


def _sections(page: Page, pieces: dict[str, PieceMemo] | None = None) -> list[SearchSection] | None:
    """The generated page's sections; None where Material's method should index the page itself."""
    if not isinstance(page.file, GeneratedPage) or page.content is None:
        return None
    search = page.meta.get("search") or {}
    if search.get("exclude"):
        return None  # Material's method returns at once: let it
    if pieces is None or len(page.content) < PIECES_FROM:
        return search_sections(page.content)
    return search_sections(page.content, pieces.setdefault(page.url, PieceMemo()))


@functools.cache
def _agrees_with(module_name: str) -> bool:
    """Whether Material's parser (of the module loaded) and search_sections split the probe pages alike."""
    module: Any = __import__(module_name, fromlist=["Parser"])
    for probe in PROBES:
        parser = module.Parser()
        parser.feed(probe)
        parser.close()
        theirs = [(s.el.tag, s.id, s.title, s.text, s.is_excluded()) for s in parser.data]
        ours = search_sections(probe)
        if ours is None or theirs != [(s.tag, s.id, s.title, s.text, s.is_excluded()) for s in ours]:
            return False
    return True


_PIECES: dict[str, dict[str, PieceMemo]] = {}  # site_dir -> page URL -> its pieces, while serving


def piece_memos(site_dir: str) -> dict[str, PieceMemo]:
    """The pieces of the site's long pages as each page's last read split them."""
    return _PIECES.setdefault(site_dir, {})
