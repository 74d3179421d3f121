"""The site as data: Markdown pages, DOT diagrams and HTML fragments, from one Analysis.

Pure. The page builders live in render.pages, one module per section; this
module puts them together. The MkDocs plugin turns the result into virtual
files, renders the diagrams in one batch, and swaps each placeholder
(render.markup) for its fragment after Markdown ran, so big SVGs and
user-written evidence never pass through the Markdown engine. Nothing here is
typed by hand that the registry already says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from layerflow.model import Analysis, Flow
from layerflow.model.summary import producer_ids
from layerflow.render import dot
from layerflow.render.findings_page import findings_page
from layerflow.render.links import Links, has_source_page, source_page_path
from layerflow.render.marks import with_icons
from layerflow.render.markup import placeholder
from layerflow.render.page_keys import Lookups, findings_key, gap_key, lookups, producer_key, signal_key, store_key
from layerflow.render.pages.changes import change_page, changes_index
from layerflow.render.pages.common import ENTITY_LINKS, ROOT_LINKS, gap_subject
from layerflow.render.pages.gaps import gap_page, gaps_index
from layerflow.render.pages.home import error_page, home_page
from layerflow.render.pages.layers import layers_page
from layerflow.render.pages.producers import producer_page, producers_index
from layerflow.render.pages.rules import rules_page
from layerflow.render.pages.signals import signal_page, signals_index
from layerflow.render.pages.source import source_page
from layerflow.render.pages.stores import StoreFacts, store_page, stores_index, stores_of
from layerflow.render.paths import with_breakable_paths
from layerflow.render.report import render_report
from layerflow.render.reuse import Reuse

__all__ = ["Site", "build_site", "error_page", "in_page_dialect", "whole_page"]

HOME, FINDINGS = "index.md", "findings.md"

PAGES = ROOT_LINKS  # links from the docs root are where the pages live: one place says both


@dataclass
class Site:
    pages: dict[str, str] = field(default_factory=dict)  # docs path -> Markdown
    diagrams: dict[str, str] = field(default_factory=dict)  # fragment key -> DOT
    fragments: dict[str, str] = field(default_factory=dict)  # fragment key -> HTML (trusted, already escaped)
    # Page titles as plain text. Themes put the title in <title> after `striptags`, which undoes
    # escaping; the plugin sets these, escaped, as the page's meta title instead.
    titles: dict[str, str] = field(default_factory=dict)


def build_site(
    analysis: Analysis,
    render_markdown: Callable[[str], str],
    layer_names: Mapping[str, str] | None = None,
    sources: Mapping[str, str] | None = None,
    reuse: Reuse | None = None,
) -> Site:
    """Every page of the site. `render_markdown` turns user-written Markdown (evidence) into safe HTML;
    `layer_names` renames layers in diagrams ("L6": "L6 Platform"); `sources` are the code files
    evidence points into, each of which gets a page; `reuse` holds the last build's entity pages and
    diagrams (`serve`), given back where everything they show is unchanged (render.reuse)."""
    names = {**dot.LAYER_TITLES, **(layer_names or {})}
    reuse = reuse or Reuse(enabled=False)
    site = Site()
    code = {path: text for path, text in (sources or {}).items() if has_source_page(path)}
    links = replace(ENTITY_LINKS, sources=frozenset(code))
    # What every entity page may read besides its own key (render.page_keys): when it changes, all are made again.
    reuse.start((names, links, analysis.assessment, analysis.inputs.rules))
    made = _Made(site, reuse)
    for path, text in sorted(code.items()):
        made.page(source_page_path(path), (path, text), partial(source_page, path, text))
        site.titles[source_page_path(path)] = path
    site.diagrams["overview"] = dot.layer_overview(analysis, names)
    site.diagrams["decision-tree"] = dot.decision_tree(analysis)
    site.pages[HOME] = home_page(analysis)
    site.pages[PAGES.report()] = render_report(analysis, ROOT_LINKS, diagram=placeholder("decision-tree"))
    found = lookups(analysis)
    stores = stores_of(analysis)
    kept = _stores_lines(analysis, stores)
    _producers(made, analysis, names, links, found, kept)
    _signals(made, analysis, names, links, found, kept)
    site.pages[PAGES.index("gaps")] = gaps_index(analysis)
    known = set(producer_ids(analysis))
    for gap in analysis.gaps:
        key = made.key(gap_key, analysis, found, gap, known)
        made.page(PAGES.gap(gap.id), key, partial(gap_page, analysis, gap, known))
        site.titles[PAGES.gap(gap.id)] = f"{gap.id}: {gap_subject(analysis, gap)}"
    # every rule, and what the CI judgement set aside
    made.page(FINDINGS, made.key(findings_key, analysis), partial(findings_page, analysis))
    site.pages[PAGES.index("changes")] = changes_index(analysis)
    for record in analysis.inputs.changes:
        page, evidence = change_page(analysis, record, render_markdown)
        site.pages[PAGES.change(record.id)] = page
        site.titles[PAGES.change(record.id)] = f"{record.id}: {record.signal} {record.title}"
        site.fragments.update(evidence)
    _readers_pages(made, analysis, links, stores)
    site.pages = {path: text if path in made.finished else made.finish(path, text) for path, text in site.pages.items()}
    reuse.finish()
    return site


def finished(path: str, markdown: str) -> str:
    """A page as the site shows it: its search boost, status marks as icons, breakable paths, and an index
    page laid out for its wide table."""
    boost = next((b for section, b in SEARCH_BOOST.items() if path.startswith(section)), None)
    if boost is not None and not path.endswith("/index.md"):
        markdown = f"---\nsearch:\n  boost: {boost}\n---\n\n" + markdown
    markdown = with_breakable_paths(with_icons(markdown))
    if path in _WIDE_PAGES:
        markdown = full_width(markdown)
    return markdown


class _Made:
    """Entity pages and diagrams made through the Reuse, pages finished as made (so a reused one costs nothing)."""

    def __init__(self, site: Site, reuse: Reuse) -> None:
        self.site, self.reuse = site, reuse
        self.finished: set[str] = set()

    def key(self, key_of: Callable[..., object], *args: Any) -> object:
        """What a page shows (render.page_keys), worked out only when there is a last build to compare with."""
        return key_of(*args) if self.reuse.enabled else None

    def page(self, path: str, key: object, make: Callable[[], str], suffix: str = "") -> None:
        self.site.pages[path] = self.reuse.text(path, key, lambda: finished(path, make() + suffix))
        self.finished.add(path)

    def diagram(self, name: str, key: object, make: Callable[[], str]) -> None:
        self.site.diagrams[name] = self.reuse.text(f"diagram {name}", key, make)

    def finish(self, path: str, markdown: str) -> str:
        """A page made whole this build, finished again only when its Markdown differs from the last build's:
        the report, the indexes and the layer matrix are most of the site's Markdown at 10k signals, and an edit
        leaves most of them as they were. Their text is the key, so what is reused is what `finished` makes."""
        return self.reuse.text(f"finished {path}", markdown, partial(finished, path, markdown))


INDEX_SECTIONS = ("producers", "signals", "gaps", "changes", "stores")
_ENTITY_FOLDERS = tuple(f"{section}/" for section in (*INDEX_SECTIONS, "source"))


def in_page_dialect(path: str) -> bool:
    """Pages layerflow renders to HTML itself (render.pagehtml): every entity page, each section's index and the
    layer matrix (re-read on every `serve` edit that touches a signal; 14% of a 10k edit as Markdown). The home
    page, the report, the findings and rules pages are `whole_page`s: see there."""
    return path.startswith(_ENTITY_FOLDERS) or path == PAGES.layers()


def whole_page(path: str) -> bool:
    """The home page, the report, the findings and the rules pages: written in the page dialect too, but a site's
    own Markdown extensions may mean something on them (the user reads the report as a document), so they are
    rendered by layerflow only where the site's extensions are the ones the renderer reproduces
    (adapters/entity_pages.whole_pages_rendered); anywhere else Python-Markdown renders them with those."""
    return path in _WHOLE_PAGES


_WHOLE_PAGES = frozenset({HOME, PAGES.report(), FINDINGS, PAGES.rules()})


# Material's search ranks a page by its title above all; the boost makes an entity page the first hit for its
# own id or name. The report and the indexes name every entity too, and a gap's or a change record's title names
# its signal: signal, producer and store pages first, then gaps and change records.
SEARCH_BOOST = {"signals/": 8, "producers/": 8, "stores/": 8, "gaps/": 3, "changes/": 3}
_WIDE_PAGES = frozenset(PAGES.index(section) for section in INDEX_SECTIONS)


def _stores_lines(analysis: Analysis, stores: list[StoreFacts]) -> dict[str, str]:
    """Signal and producer page -> the line linking the stores its data is kept in (who else writes them)."""
    known = set(producer_ids(analysis))
    kept: dict[str, list[StoreFacts]] = {}
    for facts in stores:
        for signal in facts.signals:
            kept.setdefault(PAGES.signal(signal.uid), []).append(facts)
        for producer_id, _ in facts.outputs:
            if producer_id in known:
                kept.setdefault(PAGES.producer(producer_id), []).append(facts)
    return {
        path: "\n**Stores (who else writes and reads them):** "
        + ", ".join(ENTITY_LINKS.link(f.item, ENTITY_LINKS.store(f.slug)) for f in facts_list)
        + "\n"
        for path, facts_list in kept.items()
    }


def _readers_pages(made: _Made, analysis: Analysis, links: Links, stores: list[StoreFacts]) -> None:
    """Stores, rules and the layer matrix."""
    site = made.site
    known = set(producer_ids(analysis))
    names = {pid: next((f.producer for f in analysis.flows_of(pid)), pid) for pid in known}
    made.page(PAGES.index("stores"), made.key(tuple, stores), partial(stores_index, stores, ENTITY_LINKS))
    for facts in stores:
        path = PAGES.store(facts.slug)
        made.page(path, made.key(store_key, facts, names), partial(store_page, facts, links, names))
        site.titles[path] = f"{facts.item} ({facts.store})"
    site.pages[PAGES.rules()] = rules_page(analysis, ROOT_LINKS)
    site.pages[PAGES.layers()] = layers_page(analysis, ROOT_LINKS)
    more = [
        ("Rules", ROOT_LINKS.rules()),
        ("Layer matrix", ROOT_LINKS.layers()),
        ("Stores", ROOT_LINKS.index("stores")),
    ]
    site.pages[PAGES.report()] += "\nSee also: " + ", ".join(ROOT_LINKS.link(t, u) for t, u in more) + ".\n"


WIDE_MARK = '<div class="lf-wide" hidden></div>'


def full_width(markdown: str) -> str:
    """An index page laid out for its wide table: no table of contents (it has one heading), and a mark the
    stylesheet widens the page for (`.md-main__inner:has(.lf-wide)`)."""
    title, _, rest = markdown.partition("\n")  # the mark after the title: MkDocs names a page by a leading H1
    return f"---\nhide:\n  - toc\n---\n\n{title}\n\n{WIDE_MARK}\n{rest}"


def _producers(
    made: _Made, analysis: Analysis, names: Mapping[str, str], links: Links, found: Lookups, kept: Mapping[str, str]
) -> None:
    made.site.pages[PAGES.index("producers")] = producers_index(analysis)
    for producer_id in producer_ids(analysis):
        flows = analysis.flows_of(producer_id)
        path = PAGES.producer(producer_id)
        key = made.key(producer_key, analysis, found, producer_id, kept.get(path, ""))
        made.page(path, key, partial(producer_page, analysis, producer_id, links), kept.get(path, ""))
        made.site.titles[path] = flows[0].producer if flows else producer_id
        made.diagram(f"producer-{producer_id}", key, partial(dot.producer_graph, analysis, producer_id, names))
        # Counted over this producer's outputs: the page shows them, not the registry's (the report has those).
        made.diagram(f"tree-{producer_id}", key, partial(_producer_tree, analysis, flows))


def _producer_tree(analysis: Analysis, flows: tuple[Flow, ...]) -> str:
    return dot.decision_tree(analysis, flows, dot.tree_counts(flows))


def _signals(
    made: _Made, analysis: Analysis, names: Mapping[str, str], links: Links, found: Lookups, kept: Mapping[str, str]
) -> None:
    made.site.pages[PAGES.index("signals")] = signals_index(analysis)
    known = set(producer_ids(analysis))
    flows_by_signal: dict[str, list[Flow]] = {}
    for flow in analysis.flows:
        for uid in flow.signals:
            flows_by_signal.setdefault(uid, []).append(flow)
    for signal in analysis.inputs.registry.signals:
        mine = flows_by_signal.get(signal.uid, [])
        path = PAGES.signal(signal.uid)
        key = made.key(signal_key, analysis, found, signal, mine, known, kept.get(path, ""))
        made.page(path, key, partial(signal_page, analysis, signal, mine, known, links), kept.get(path, ""))
        made.site.titles[path] = f"{signal.uid} {signal.name}"
        made.diagram(f"signal-{signal.uid.lower()}", key, partial(dot.signal_graph, analysis, signal, mine, names))
