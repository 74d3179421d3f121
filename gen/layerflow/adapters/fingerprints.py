"""Which generated pages changed since the last build into the same site, so `serve --dirty` skips the rest."""

from __future__ import annotations

import os
from collections.abc import Mapping

from mkdocs.structure.files import File

from layerflow.render.markup import fragment_keys


class GeneratedPage(File):
    """A generated page that knows whether its Markdown changed since the last build into the same site.

    `mkdocs serve --dirty` rebuilds only modified files; generated files always
    say "modified", so without this a one-row edit re-renders every page.
    """

    same_as_last = False  # the same page was built into the same site last time

    def is_modified(self) -> bool:
        # Asked when pages are read, after `on_nav`: a full rebuild under `serve --dirty` empties the site first.
        return not (self.same_as_last and os.path.isfile(self.abs_dest_path))


_LAST_PAGES: dict[tuple[str, str], int] = {}  # (site_dir, path) -> hash of the Markdown last built there


def remember(site_dir: str, path: str, markdown: str) -> bool:
    """Record this build's page; True when the same Markdown was built into the same site last time."""
    key = (site_dir, path)
    digest = hash(markdown)
    same = _LAST_PAGES.get(key) == digest
    _LAST_PAGES[key] = digest
    return same


def fingerprint(markdown: str, diagrams: Mapping[str, str], fragments: Mapping[str, str]) -> str:
    """A page is unchanged when its Markdown and every diagram or fragment it shows are."""
    shown = [diagrams.get(k, "") + fragments.get(k, "") for k in fragment_keys(markdown)]
    return "\0".join([markdown, *shown])


class KeptFiles:
    """`serve --dirty`: the virtual files of the last build's unchanged entity pages, given back as they were made.

    Making 13,700 File and Page objects was a tenth of a one-row-edit rebuild at 10k signals (a Page asks the
    clock and joins the site and edit URLs as it is made), and MkDocs reads and writes only the few modified.
    Each file and its page are kept with their attributes as made; handing one back restores exactly those, so
    whatever MkDocs, a theme or another plugin set on them during the last build (title, anchors, nav links,
    meta) is gone, and the objects are what a new file and page would be. Kept only while everything a File or
    Page takes from the config is the same (the signature), and only for pages out of the nav."""

    def __init__(self) -> None:
        self.signature: object = None
        self._last: dict[str, tuple[GeneratedPage, dict[str, object], dict[str, object]]] = {}
        self._this: dict[str, tuple[GeneratedPage, dict[str, object], dict[str, object]]] = {}

    def start(self, signature: object) -> None:
        """A build begins: the last build's files count only when made under an equal signature."""
        self._last = self._this if signature == self.signature else {}
        self._this = {}
        self.signature = signature

    def get(self, path: str, content: str, **page_attributes: object) -> GeneratedPage | None:
        """The last build's file for `path`, as it was made, with this build's (equal) Markdown and the page
        attributes given (what this build made anew to make the page: the renderer's options)."""
        kept = self._last.pop(path, None)
        if kept is None:
            return None
        file, file_state, page_state = kept
        page = file.page
        assert page is not None
        file_state["_content"] = content  # equal to the kept one; this build's string, so the old one goes
        page_state.update(page_attributes)
        file.__dict__.clear()
        file.__dict__.update(file_state)
        page.__dict__.clear()
        page.__dict__.update(page_state)
        self._this[path] = kept
        return file

    def keep(self, file: GeneratedPage) -> None:
        """A file and its page just made, to be given back by the next build while its page is unchanged."""
        page = file.page
        assert page is not None
        self._this[file.src_uri] = (file, dict(file.__dict__), dict(page.__dict__))


_KEPT: dict[str, KeptFiles] = {}  # site_dir -> its last build's unchanged entity pages


def kept_files(site_dir: str) -> KeptFiles:
    return _KEPT.setdefault(site_dir, KeptFiles())
