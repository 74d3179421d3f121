"""`serve`: the rows of long tables as each entity page's last render made them (render/pagehtml.RowMemo).

A one-row edit of a 10k registry re-renders the signals index, the layer matrix, the findings page and the
report: about 30,000 table rows, of which a handful changed. A kept row is valid while every link in it
resolves as it did, which holds while the site has the same files at the same URLs with the same inclusion;
that is checked once per build (`start` forgets the last check), and a change drops every kept row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from mkdocs.structure.files import Files

from layerflow.render.pagehtml import RowMemo

_Rows = dict[tuple[int, str], tuple[str, frozenset[str]]]


class KeptRows:
    def __init__(self) -> None:
        self._pages: dict[str, _Rows] = {}
        self._files_seen: tuple[tuple[str, str, bool], ...] | None = None  # what the kept rows' links resolved in
        self._checked: Files | None = None  # this build's files, once compared with that

    def start(self) -> None:
        """A build begins: its files are compared afresh at its first render."""
        self._checked = None

    def memo(self, path: str, files: Files, impure: Callable[[], int]) -> RowMemo:
        if files is not self._checked:
            seen = tuple((f.src_uri, f.url, cast(Any, f.inclusion).is_excluded()) for f in files)
            if seen != self._files_seen:
                self._pages.clear()
                self._files_seen = seen
            self._checked = files
        return RowMemo(last=self._pages.get(path, {}), impure=impure)

    def keep(self, path: str, memo: RowMemo) -> None:
        """The rows this render made or reused, for the page's next render (rows no longer shown are dropped)."""
        if memo.this:
            self._pages[path] = memo.this
        else:
            self._pages.pop(path, None)


_KEPT: dict[str, KeptRows] = {}  # site_dir -> its pages' kept rows, while serving


def kept_rows(site_dir: str) -> KeptRows:
    return _KEPT.setdefault(site_dir, KeptRows())
