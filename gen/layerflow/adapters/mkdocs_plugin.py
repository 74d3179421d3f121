"""The MkDocs plugin: the one module that knows MkDocs events. A thin adapter over the core.

on_startup   remembers whether this is `serve` (broken input then shows on the last good pages)
on_config    resolves input paths against mkdocs.yml; adds the site's CSS, JS and Markdown extensions
on_pre_build     lets Material's search index generated pages without its HTML parser (adapters/search_fast.py)
on_files     loads, audits, renders every page as a virtual file, renders all diagrams (batched dot runs, one per CPU)
on_nav       (serve --dirty) decides between rebuilding the modified pages and a full rebuild
on_page_content  swaps fragment placeholders for SVG diagrams and evidence HTML
on_env       shares the nav and tabs HTML of pages outside the nav (adapters/shared_partials.py), and their
             page frame: head, header, footer, scripts (adapters/shared_blocks.py); under
             serve --dirty, gives pages left unread the titles the nav shows for them
on_post_build    (serve --dirty) merges the search index of the pages rebuilt into the last one
on_serve     watches the inputs, so an edit rebuilds the open page

`serve --dirty` (`make serve`) rebuilds only the pages an edit changed when the
site's shape is the same, else a full rebuild: see adapters/preview.py.

Input warnings (`path:line: message`, as `layerflow check` prints them), gaps
at or above `fail_on` and blocking findings are logged as warnings, so
`mkdocs build --strict` fails with one readable line each. Input that cannot
be audited (a `base:` that does not exist, no signal table) fails any build.
"""

from __future__ import annotations

import html
import logging
import os
import re
import time
from dataclasses import replace
from typing import Any, Literal

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import TableOfContents
from mkdocs.utils import get_build_date

from layerflow.adapters import preview, search_fast, shared_blocks, shared_partials
from layerflow.adapters.application import load_and_analyse
from layerflow.adapters.entity_pages import EntityPage, html_options, whole_pages_rendered
from layerflow.adapters.fingerprints import GeneratedPage, fingerprint, kept_files, remember
from layerflow.adapters.graphviz import GraphvizError, GraphvizMissing
from layerflow.adapters.judge import Judging, baseline_path, judged
from layerflow.adapters.kept_fences import kept_fences
from layerflow.adapters.kept_rows import kept_rows
from layerflow.adapters.load import DEFAULT_DIR, Sources
from layerflow.adapters.mkdocs_setup import add_assets, add_to_config, nav_inclusion
from layerflow.adapters.site_files import inline_templates, render_site
from layerflow.audit.analysis import INPUT_RULE
from layerflow.model import LAYERS, Analysis, GapStatus, Severity
from layerflow.render.broken import pages_under_banner
from layerflow.render.dot import ROOT
from layerflow.render.markup import FRAGMENT_MARK, swap_fragments
from layerflow.render.site import Site, error_page, in_page_dialect, whole_page
from layerflow.render.svg import place_id

log = logging.getLogger("mkdocs.plugins.layerflow")

_PRIORITY_RANK = {"P1": 1, "P2": 2, "P3": 3}
_PAGE_LINK = re.compile(r'href="(@root@/[a-z]+/[^"/]+)/"')


class LayerflowConfig(Config):
    base = opt.Optional(opt.Type(str))  # default: registry/ beside mkdocs.yml; named, it must exist
    registry = opt.ListOfItems(opt.Type(str), default=[])
    changes = opt.Optional(opt.Type(str))
    rules = opt.Optional(opt.Type(str))
    producers = opt.Optional(opt.Type(str))
    ledger = opt.Optional(opt.Type(str))
    # Evidence (paths relative to mkdocs.yml): code roots to scan, directories of systemd units and cron files.
    code = opt.ListOfItems(opt.Type(str), default=[])
    ops = opt.ListOfItems(opt.Type(str), default=[])
    # The lowest gap priority whose open gaps fail a strict build; "none" fails on blocking findings only.
    fail_on = opt.Choice(("P1", "P2", "P3", "none"), default="P3")
    layers = opt.DictOfItems(opt.Type(str), default={})
    # CI judgement: BASE/layerflow-baseline.json is read when present; a named file must exist; false: none.
    baseline = opt.Optional(opt.Type(str))
    use_baseline = opt.Type(bool, default=True)
    cache_dir = opt.Type(str, default=".layerflow-cache")


class LayerflowPlugin(BasePlugin[LayerflowConfig]):
    def __init__(self) -> None:
        self.serving = False
        self.sources = Sources()
        self.titles: dict[str, str] = {}  # generated page -> plain title
        self.written = 0  # pages rendered this build, for progress lines
        self.total = 0
        self.fragments: dict[str, str] = {}  # evidence HTML, swapped in before search indexing
        self.diagrams: dict[str, str] = {}  # inline SVG templates (shared by equal SVGs), placed and swapped in after
        self.showing: dict[str, int] = {}  # diagram key -> pages read that show it and are not yet written
        self.watch: list[str] = []
        self.root = ""
        self.assets: list[str] = []  # the stylesheet and script this build adds (mkdocs_setup)
        self.previewing = False  # serve --dirty: rebuild what changed, when safe (adapters/preview.py)
        self.incremental = False  # this rebuild reads only the modified pages

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        self.serving = command == "serve"
        self.previewing = self.serving and dirty
        if self.previewing:
            for name in ("mkdocs.commands.build", "properdocs.commands.build"):
                logger = logging.getLogger(name)
                if not any(isinstance(f, preview.QuietDirtyWarning) for f in logger.filters):
                    logger.addFilter(preview.QuietDirtyWarning())

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        root = os.path.dirname(os.path.abspath(config.config_file_path or "mkdocs.yml"))

        def here(path: str | None) -> str | None:
            return None if path is None else os.path.normpath(os.path.join(root, path))

        c = self.config
        self.sources = Sources(
            registry=tuple(p for p in (here(r) for r in c.registry) if p),
            changes=here(c.changes),
            rules=here(c.rules),
            producers=here(c.producers),
            ledger=here(c.ledger),
            base=here(c.base or DEFAULT_DIR) or root,
            code=tuple(p for p in (here(r) for r in c.code) if p),
            ops=tuple(p for p in (here(r) for r in c.ops) if p),
            base_given=c.base is not None,
        )
        self.cache_dir = here(c.cache_dir) or ""
        self.root = root
        unknown = sorted(k for k in c.layers if k not in LAYERS)
        if unknown:
            raise PluginError(f"layerflow: 'layers' names {', '.join(unknown)}; layers are L1..L8")
        watched = {p for ps, _ in self.sources.resolved().values() for p in ps}  # with code and ops
        self.watch = sorted(watched | {baseline_path(self.sources, Judging(baseline=self._here(c.baseline)))})
        self.assets = add_to_config(config)
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        # Not in on_config: Material's search makes its index in its own on_config.
        search_fast.install(config, search_fast.piece_memos(config.site_dir) if self.serving else None)

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        started = time.perf_counter()
        analysis, problems = load_and_analyse(self.sources, again=self.serving)
        if analysis is not None:  # suppressions and the baseline: what is known or suppressed fails no build
            judging = Judging(baseline=self._here(self.config.baseline), use_baseline=self.config.use_baseline)
            analysis, problems = judged(analysis, self.sources, judging)
        if analysis is not None:
            _progress(
                started,
                f"read and audited {len(analysis.inputs.registry.signals)} signals: "
                f"{len(analysis.flows)} L7 flows, {len(analysis.gaps)} gaps",
            )
        last_good = _LAST_GOOD.get(self._site_key(config))
        if analysis is None:
            located = [str(p) for p in problems]
            if not self.serving:
                raise PluginError("layerflow: the registry cannot be read:\n" + "\n".join(located))
            for line in located:
                log.warning(line)
            if last_good is None:  # broken from the start: nothing to keep showing
                site = Site(pages={"index.md": error_page(located), "report.md": error_page(located)})
                self.diagrams = {}
            else:  # every page of the last good build stays, under the banner, so no open page turns 404
                site = replace(last_good[0], pages=pages_under_banner(last_good[0].pages, located))
                self.diagrams = last_good[1]
        else:
            started = time.perf_counter()
            reuse = preview.page_reuse(config) if self.serving else None  # a rebuild makes only what changed
            site = render_site(analysis, self.config.layers, reuse)
            _progress(started, f"generated {len(site.pages)} pages")
            self._gate(analysis)
            started = time.perf_counter()
            self.diagrams = self._diagrams(site)
            _progress(
                started, f"rendered {len(site.diagrams)} diagrams (batched dot runs side by side, cached by content)"
            )
            if self.serving:
                _LAST_GOOD[self._site_key(config)] = (site, self.diagrams)
        self.titles = dict(site.titles)
        self.fragments = dict(site.fragments)
        self.showing = {}
        self.written, self.total = 0, len(site.pages)
        add_assets(files, config, self.assets)
        self._add_pages(files, config, site)
        return files

    def _add_pages(self, files: Files, config: MkDocsConfig, site: Site) -> None:
        """Every generated page as a virtual file; under `serve --dirty`, an unchanged entity page's file and
        page are the last build's, as they were made (adapters/fingerprints.py KeptFiles)."""
        options = html_options(config, kept_fences(config.site_dir, config) if self.serving else None)
        whole = options is not None and whole_pages_rendered(config)
        kept = kept_files(config.site_dir)
        kept.start(_file_signature(config, options) if self.previewing else None)
        rows = kept_rows(config.site_dir) if self.serving else None
        if rows is not None:
            rows.start()
        written = files.src_uris
        for path, markdown in sorted(site.pages.items()):
            if path in written:  # our paths are posix already, as get_file_from_path would make them
                continue  # a page the user wrote wins over the generated one
            inclusion = nav_inclusion(path)
            same = remember(config.site_dir, path, fingerprint(markdown, site.diagrams, site.fragments))
            entity = options is not None and in_page_dialect(path)
            keep = self.previewing and entity and inclusion is InclusionLevel.NOT_IN_NAV
            page = kept.get(path, markdown, options=options, rows=rows) if keep and same else None
            if page is None:
                made = GeneratedPage.generated(config, path, content=markdown, inclusion=inclusion)
                assert isinstance(made, GeneratedPage)
                page = made
                if options is not None and (entity or (whole and whole_page(path))):
                    EntityPage(page, config, options, rows)  # becomes page.page: MkDocs makes a Page only where none is
                if keep:
                    kept.keep(page)
            page.same_as_last = same
            files.append(page)

    def _here(self, path: str | None) -> str | None:
        return None if path is None else os.path.normpath(os.path.join(self.root, path))

    @staticmethod
    def _site_key(config: MkDocsConfig) -> str:
        return os.path.abspath(config.config_file_path or "mkdocs.yml")

    def _diagrams(self, site: Site) -> dict[str, str]:
        try:
            # Templates, not each diagram's placed copy: one string per distinct SVG is held for the whole build.
            return inline_templates(site, self.cache_dir or None, remember=self.serving)
        except (GraphvizMissing, GraphvizError) as exc:
            raise PluginError(f"layerflow: {exc}") from None

    def _gate(self, analysis: Analysis) -> None:
        for finding in analysis.findings:
            if finding.rule == INPUT_RULE:  # what `layerflow check` prints as an input warning, in its words
                log.warning(f"{finding.location}: {finding.message}")
        limit = _PRIORITY_RANK.get(self.config.fail_on, 0)
        judged_gaps = {f.subject for f in analysis.findings if f.rule.startswith("gap.")}  # not known, not suppressed
        for gap in analysis.gaps:
            if gap.status is GapStatus.OPEN and gap.id in judged_gaps and _PRIORITY_RANK.get(gap.priority, 9) <= limit:
                log.warning(f"{gap.id} {gap.priority} open: {gap.subject}: {gap.title} ({gap.location})")
        for finding in analysis.findings:
            if finding.severity is Severity.BLOCKING and not finding.rule.startswith("gap."):
                log.warning(f"{finding.rule}: {finding.message} ({finding.location})")

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        if self.previewing:  # before any page asks whether its output is there
            generated = {f.src_uri for f in files.documentation_pages() if isinstance(f, GeneratedPage)}
            shown = {p.file.src_uri: self.titles.get(p.file.src_uri, "") for p in nav.pages}
            self.incremental = preview.prepare(config, files, generated, shown)
        return nav

    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        title = self.titles.get(page.file.src_uri)
        if title is not None:
            # Escaped here because themes print the meta title raw, and `striptags` on an
            # escaped H1 title would turn `&lt;/title&gt;` back into markup.
            page.meta["title"] = html.escape(title, quote=True)
        if isinstance(page.file, GeneratedPage):
            # The file's Markdown is handed to the page: MkDocs reads a page's source once, and its front-matter
            # reader gives the page a copy, so both were held until the build's end (13,700 pages at 10k signals).
            page.file.content_string = ""
        return markdown

    @event_priority(-100)  # last: other plugins' on_page_content still see the page's Markdown
    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        """Evidence HTML goes in before the search plugin reads the page, so it is searchable. A generated page's
        Markdown is let go: MkDocs reads every page before it writes any, and 13,700 pages' Markdown (30 MB at
        10k signals) stayed held beside their HTML until then (the title, worked out from it, is kept)."""
        if isinstance(page.file, GeneratedPage):
            page.title = page.title  # as it is: MkDocs works a title out from the Markdown each time it is asked
            page.markdown = ""
        return self._swap(html, page, config, self.fragments, final=False)

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str | None:
        """Diagrams go in last: searching thousands of SVG elements finds nothing and costs most of a build."""
        self.written += 1
        if self.total >= PROGRESS_PAGES and self.written % PROGRESS_PAGES == 0:
            log.info(f"layerflow: {self.written} of {self.total} generated pages rendered")
        output = self._swap(output, page, config, self.diagrams, final=True)
        if isinstance(page.file, GeneratedPage):
            _written(page)
        return output

    def _swap(self, html: str, page: Page, config: MkDocsConfig, fragments: dict[str, str], *, final: bool) -> str:
        if FRAGMENT_MARK not in html:
            return html
        root = _relative_root(page.url)
        shown: set[str] = set()

        def swap(key: str, placeholder: str) -> str:
            fragment = fragments.get(key)
            if fragment is None:
                if final:
                    log.warning(f"layerflow: no fragment {key!r} for {page.file.src_uri}")
                    return ""
                shown.add(key)
                return placeholder  # a diagram: swapped in on_post_page
            if final:  # a diagram's template: its own id placed now, for this page only
                shown.add(key)
                fragment = place_id(fragment, f"lf-{key}")
            if not config.use_directory_urls:
                fragment = _PAGE_LINK.sub(r'href="\1.html"', fragment)
            return fragment.replace(ROOT, root)

        swapped = swap_fragments(html, swap)
        if not self.serving:  # serve keeps every diagram for the next rebuild (_LAST_GOOD)
            self._count_diagrams(shown, final=final)
        return swapped

    def _count_diagrams(self, keys: set[str], *, final: bool) -> None:
        """A diagram's SVG is let go once the last page that shows it is written: at 10k signals they are
        50 MB that a build held until its end."""
        if not final:  # the page was read: its diagrams are wanted when it is written
            for key in keys:
                self.showing[key] = self.showing.get(key, 0) + 1
            return
        for key in keys:
            left = self.showing.get(key, 0) - 1
            if left > 0:
                self.showing[key] = left
            elif key in self.showing:
                del self.showing[key]
                self.diagrams.pop(key, None)

    @event_priority(-100)  # after other plugins' on_nav and on_env: the nav as pages will show it
    def on_env(self, env: Any, /, *, config: MkDocsConfig, files: Files) -> Any:
        shared_partials.share(env)
        shared_blocks.share(env)
        if self.previewing:
            preview.keep_titles(config, files)
            preview.reuse_compiled_templates(env)
        return env

    @event_priority(100)  # before Material's search writes its index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.previewing:
            preview.merge_search(config, incremental=self.incremental)

    def on_serve(self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Any) -> LiveReloadServer | None:
        for path in self.watch:
            if os.path.exists(path):
                server.watch(path)
        return server


# mkdocs.yml -> the last site that built from good input and its diagrams, while serving: a rebuild makes a
# new plugin object, and a broken edit shows these pages under a banner until the input is good again.
_LAST_GOOD: dict[str, tuple[Site, dict[str, str]]] = {}


PROGRESS_PAGES = 2000  # a progress line every this many pages, on sites at least this big


def _progress(started: float, what: str) -> None:
    """Say what a stage did, on the console, when it took long enough for someone to wonder."""
    seconds = time.perf_counter() - started
    if seconds >= 1.0:
        log.info(f"layerflow: {what} in {seconds:.1f} s")


def _written(page: Page) -> None:
    """What nothing reads once a generated page is written, let go: its Markdown, HTML and table of contents
    (themes draw only the current page's; the search plugin read both before this, on_page_context). Every
    page read stays held until the last is written otherwise, 13,700 of each at 10k signals. The page keeps
    its title, URL and anchors: the nav of later pages and MkDocs' anchor checks use those."""
    page.title = page.title  # kept as it is: MkDocs works a page's title out from its Markdown each time it is asked
    page.markdown = None
    page.content = None
    page.toc = TableOfContents([])


def _file_signature(config: MkDocsConfig, options: object) -> object:
    """What a generated File and its Page take from the config when they are made (adapters/fingerprints.py
    KeptFiles): while it is the same, a kept file and page are what making them again would give."""
    return (
        config.site_dir,
        config.use_directory_urls,
        config.get("site_url"),
        config.get("repo_url"),
        config.get("edit_uri"),
        config.get("edit_uri_template"),
        get_build_date(),  # every Page's update_date
        config.plugins._current_plugin,  # File.generated_by
        options is None,  # entity pages rendered by layerflow or by MkDocs
    )


def _relative_root(url: str) -> str:
    """From a page URL ('producers/x/' or 'producers/x.html') back to the site root."""
    depth = url.count("/")
    return "../" * depth if depth else "./"
