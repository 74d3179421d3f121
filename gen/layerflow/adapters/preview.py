"""Live preview: `serve --dirty` (what `make serve` runs) rebuilds only what an edit changed, when that is safe.

MkDocs' dirty rebuild re-renders only the files that report a modification
and leaves every other page as it was written. That is right for one edited
registry row: the plugin's generated pages compare their Markdown and the
diagrams and fragments they show with the last build into the same site
(`GeneratedPage`). It is wrong when the site's shape changes, because every
page renders the nav: a page added or removed, a page the user wrote edited
(its title may be in the nav), a generated page's title in the nav changed, or
mkdocs.yml changed. Then this module empties the site directory first, so every
file reports a modification and the rebuild is a full one, stale pages gone.

Two things MkDocs' dirty rebuild gets wrong on its own are put right here:
a page left unread has no title, so the nav of a rebuilt page would name it by
its file name (the last title it had is given back); and Material's search
merges a dirty rebuild's entries as if exactly one page had been rebuilt (the
entries of every rebuilt page replace their old ones here, and a full rebuild
starts from none).

State lives in this module, keyed by site directory: `serve` makes a new
config, so new plugin objects, for each rebuild.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable, Mapping
from typing import Any

import jinja2
from mkdocs import utils
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

from layerflow.render.reuse import Reuse

log = logging.getLogger("mkdocs.plugins.layerflow")

_REUSE: dict[str, Reuse] = {}  # site_dir -> the pages and diagrams of its last build (render.reuse)
_SHAPES: dict[str, str] = {}  # site_dir -> fingerprint of the page set and config it was last built with
_TITLES: dict[str, dict[str, str]] = {}  # site_dir -> page src_uri -> the title it had when last read


def page_reuse(config: MkDocsConfig) -> Reuse:
    """What the last build into this site made, for `render_site` to give back where nothing it shows changed."""
    return _REUSE.setdefault(config.site_dir, Reuse())


def site_shape(config: MkDocsConfig, files: Files, generated: Iterable[str], shown: Mapping[str, str]) -> str:
    """What every page's nav depends on: the pages there are, which the plugin generates, the titles of the
    generated pages in the nav, and mkdocs.yml."""
    digest = hashlib.sha256()
    for file in sorted(files.documentation_pages(), key=lambda f: f.src_uri):
        digest.update(file.src_uri.encode() + b"\0")
    digest.update(b"\1" + "\0".join(sorted(generated)).encode())
    digest.update(b"\2" + "\0".join(f"{uri}\1{title}" for uri, title in sorted(shown.items())).encode())
    path = config.config_file_path
    if path and os.path.isfile(path):
        with open(path, "rb") as source:
            digest.update(b"\3" + source.read())
    return digest.hexdigest()


def prepare(config: MkDocsConfig, files: Files, generated: set[str], shown: Mapping[str, str]) -> bool:
    """Once the nav is known, before any page is read: True when only the modified pages will be rebuilt; False
    when the site directory was emptied for a full rebuild (the first build, or the site's shape changed).

    `generated`: the pages the plugin made; `shown`: the nav's pages, with the titles of those generated."""
    site_dir = config.site_dir
    shape = site_shape(config, files, generated, shown)
    edited = sorted(f.src_uri for f in files.documentation_pages() if _user_page_modified(f))
    incremental = _SHAPES.get(site_dir) == shape and not edited
    _SHAPES[site_dir] = shape
    if not incremental:
        if site_dir in _TITLES:  # a rebuild in this process, not the first build: say why it is a full one
            why = f"{edited[0]} was edited" if edited else "the pages, their titles in the nav or mkdocs.yml changed"
            log.info(f"layerflow: full rebuild ({why})")
        _TITLES[site_dir] = {}
        if os.path.isdir(site_dir):
            utils.clean_directory(site_dir)
    return incremental


def _user_page_modified(file: File) -> bool:
    """A page the user wrote, newer than its output (MkDocs' own test, with a site directory already built)."""
    if file.generated_by or file.abs_src_path is None or not os.path.isfile(file.abs_dest_path):
        return False  # no output yet: the whole site is being built anyway
    return os.path.getmtime(file.abs_dest_path) < os.path.getmtime(file.abs_src_path)


def keep_titles(config: MkDocsConfig, files: Files) -> None:
    """After the pages were read: remember the titles of those read, give the others back theirs."""
    titles = _TITLES.setdefault(config.site_dir, {})
    for file in files.documentation_pages():
        page = file.page
        if page is None:
            continue
        if page.markdown is not None:
            if page.title is not None:
                titles[file.src_uri] = page.title
        elif file.src_uri in titles:
            page.title = titles[file.src_uri]


def merge_search(config: MkDocsConfig, *, incremental: bool) -> None:
    """Before Material's search writes its index: this rebuild's entries replace those of the pages it rebuilt
    (all of them in a full rebuild), so the index holds every page once."""
    search = _search_plugin(config)
    if search is None:
        return
    previous = getattr(search, "search_index_prev", None)
    current = getattr(search, "search_index", None)
    if current is None:
        return
    if incremental and previous is not None:
        rebuilt = {_page_of(entry) for entry in current.entries}
        kept = [entry for entry in previous.entries if _page_of(entry) not in rebuilt]
        current.entries = kept + current.entries
    search.search_index_prev = None  # merged here; Material then writes the index as it stands


def _page_of(entry: dict[str, Any]) -> str:
    return str(entry.get("location", "")).split("#", 1)[0]


def _search_plugin(config: MkDocsConfig) -> Any:
    for plugin in config.plugins.values():
        if hasattr(plugin, "search_index_prev") and hasattr(plugin, "search_index"):
            return plugin
    return None


_BYTECODE: dict[str, bytes] = {}  # template bucket key -> compiled template, across rebuilds


class _CompiledTemplates(jinja2.BytecodeCache):
    """Each rebuild makes a new Jinja environment, which compiles the theme's templates again (a third of a
    one-row-edit rebuild of a small site). Jinja checks each template's source against the checksum stored
    with its code, so an edited template is compiled afresh."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = _BYTECODE.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        _BYTECODE[bucket.key] = bucket.bytecode_to_string()


def reuse_compiled_templates(env: jinja2.Environment) -> None:
    """Before any page is rendered: templates compiled by an earlier rebuild in this process are reused."""
    if env.bytecode_cache is None:
        env.bytecode_cache = _CompiledTemplates()


class QuietDirtyWarning(logging.Filter):
    """MkDocs warns on every dirty build that the nav may be inaccurate; under layerflow's preview it is not."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")
