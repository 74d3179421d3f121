"""Each input's parse given back while its text is unchanged: what `serve` needs after a one-file edit.

Every parser is a pure function of (path, text), and what it returns is frozen, so the result of the last
load of the same file with the same text is the result this load would make. `make serve` reloads every input
on every edit; with a code base behind `code:` that is an AST parse of each Python file, and at 10k signals
the inventory alone was 0.2 s. Only the last load's entries are kept (a load forgets what it did not ask for),
so one process that loads many projects, the test suite, holds one project's parses at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
H = TypeVar("H", bound=Hashable)


class ParseMemo:
    def __init__(self) -> None:
        self._last: dict[tuple[str, str], tuple[Hashable, Any]] = {}
        self._this: dict[tuple[str, str], tuple[Hashable, Any]] = {}

    def start(self) -> None:
        """A load begins: what the last one parsed can be given back, what it did not ask for is let go."""
        self._last, self._this = self._this, {}

    def knows(self, kind: str, path: str, text: Hashable) -> bool:
        """True when `parsed` would give the last load's value back for this text (no parse)."""
        kept = self._last.get((kind, path))
        return kept is not None and kept[0] == text

    def parsed(self, kind: str, parse: Callable[[str, H], T], path: str, text: H) -> T:
        """`parse(path, text)`, or the value it made for the same kind, path and an equal text last load."""
        key = (kind, path)
        value: T = self._last[key][1] if self.knows(kind, path, text) else parse(path, text)
        self._this[key] = (text, value)
        return value
