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
