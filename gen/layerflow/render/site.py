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

from layerflow.model import Analysis, Flow
from layerflow.model.summary import producer_ids
from layerflow.render import dot
from layerflow.render.findings_page import findings_page
from layerflow.render.links import Links, has_source_page, source_page_path
from layerflow.render.marks import with_icons
from layerflow.render.markup import placeholder
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

__all__ = ["Site", "build_site", "error_page", "in_page_dialect"]

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
) -> Site:
    """Every page of the site. `render_markdown` turns user-written Markdown (evidence) into safe HTML;
    `layer_names` renames layers in diagrams ("L6": "L6 Platform"); `sources` are the code files
    evidence points into, each of which gets a page."""
    names = {**dot.LAYER_TITLES, **(layer_names or {})}
    site = Site()
    code = {path: text for path, text in (sources or {}).items() if has_source_page(path)}
    links = replace(ENTITY_LINKS, sources=frozenset(code))
    for path, text in sorted(code.items()):
        site.pages[source_page_path(path)] = source_page(path, text)
        site.titles[source_page_path(path)] = path
    site.diagrams["overview"] = dot.layer_overview(analysis, names)
    site.diagrams["decision-tree"] = dot.decision_tree(analysis)
    site.pages["index.md"] = home_page(analysis)
    site.pages[PAGES.report()] = render_report(analysis, ROOT_LINKS, diagram=placeholder("decision-tree"))
    _producers(site, analysis, names, links)
    _signals(site, analysis, names, links)
    site.pages[PAGES.index("gaps")] = gaps_index(analysis)
    known = set(producer_ids(analysis))
    for gap in analysis.gaps:
        site.pages[PAGES.gap(gap.id)] = gap_page(analysis, gap, known)
        site.titles[PAGES.gap(gap.id)] = f"{gap.id}: {gap_subject(analysis, gap)}"
    site.pages["findings.md"] = findings_page(analysis)  # every rule, and what the CI judgement set aside
    site.pages[PAGES.index("changes")] = changes_index(analysis)
    for record in analysis.inputs.changes:
        page, evidence = change_page(analysis, record, render_markdown)
        site.pages[PAGES.change(record.id)] = page
        site.titles[PAGES.change(record.id)] = f"{record.id}: {record.signal} {record.title}"
        site.fragments.update(evidence)
    _readers_pages(site, analysis, links)
    for path in site.pages:
        boost = next((b for section, b in SEARCH_BOOST.items() if path.startswith(section)), None)
        if boost is not None and not path.endswith("/index.md"):
            site.pages[path] = f"---\nsearch:\n  boost: {boost}\n---\n\n" + site.pages[path]
    site.pages = {path: with_breakable_paths(with_icons(markdown)) for path, markdown in site.pages.items()}
    for section in INDEX_SECTIONS:
        site.pages[PAGES.index(section)] = full_width(site.pages[PAGES.index(section)])
    return site


INDEX_SECTIONS = ("producers", "signals", "gaps", "changes", "stores")
_ENTITY_FOLDERS = tuple(f"{section}/" for section in (*INDEX_SECTIONS, "source"))


def in_page_dialect(path: str) -> bool:
    """Pages layerflow renders to HTML itself (render.pagehtml): every entity page and each section's index.
    The home page, the report, the findings, rules and layer pages stay Markdown for the user's extensions."""
    return path.startswith(_ENTITY_FOLDERS)


# Material's search ranks a page by its title above all; the boost makes an entity page the first hit for its
# own id or name. The report and the indexes name every entity too, and a gap's or a change record's title names
# its signal: signal, producer and store pages first, then gaps and change records.
SEARCH_BOOST = {"signals/": 8, "producers/": 8, "stores/": 8, "gaps/": 3, "changes/": 3}


def _readers_pages(site: Site, analysis: Analysis, links: Links) -> None:
    """Stores, rules and the layer matrix, and links to each store from the pages of what is kept there."""
    stores = stores_of(analysis)
    known = set(producer_ids(analysis))
    names = {pid: next((f.producer for f in analysis.flows_of(pid)), pid) for pid in known}
    site.pages[PAGES.index("stores")] = stores_index(stores, ENTITY_LINKS)
    kept: dict[str, list[StoreFacts]] = {}
    for facts in stores:
        site.pages[PAGES.store(facts.slug)] = store_page(facts, links, names)
        site.titles[PAGES.store(facts.slug)] = f"{facts.item} ({facts.store})"
        for signal in facts.signals:
            kept.setdefault(PAGES.signal(signal.uid), []).append(facts)
        for producer_id, _ in facts.outputs:
            if producer_id in known:
                kept.setdefault(PAGES.producer(producer_id), []).append(facts)
    for path, facts_list in kept.items():
        if path in site.pages:
            named = ", ".join(ENTITY_LINKS.link(f.item, ENTITY_LINKS.store(f.slug)) for f in facts_list)
            site.pages[path] += f"\n**Stores (who else writes and reads them):** {named}\n"
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


def _producers(site: Site, analysis: Analysis, names: Mapping[str, str], links: Links) -> None:
    site.pages[PAGES.index("producers")] = producers_index(analysis)
    for producer_id in producer_ids(analysis):
        flows = analysis.flows_of(producer_id)
        site.pages[PAGES.producer(producer_id)] = producer_page(analysis, producer_id, links)
        site.titles[PAGES.producer(producer_id)] = flows[0].producer if flows else producer_id
        site.diagrams[f"producer-{producer_id}"] = dot.producer_graph(analysis, producer_id, names)
        # Counted over this producer's outputs: the page shows them, not the registry's (the report has those).
        site.diagrams[f"tree-{producer_id}"] = dot.decision_tree(analysis, flows, dot.tree_counts(flows))


def _signals(site: Site, analysis: Analysis, names: Mapping[str, str], links: Links) -> None:
    site.pages[PAGES.index("signals")] = signals_index(analysis)
    known = set(producer_ids(analysis))
    flows_by_signal: dict[str, list[Flow]] = {}
    for flow in analysis.flows:
        for uid in flow.signals:
            flows_by_signal.setdefault(uid, []).append(flow)
    for signal in analysis.inputs.registry.signals:
        mine = flows_by_signal.get(signal.uid, [])
        site.pages[PAGES.signal(signal.uid)] = signal_page(analysis, signal, mine, known, links)
        site.titles[PAGES.signal(signal.uid)] = f"{signal.uid} {signal.name}"
        site.diagrams[f"signal-{signal.uid.lower()}"] = dot.signal_graph(analysis, signal, mine, names)
