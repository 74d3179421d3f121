"""Reading a hand-written YAML file in whatever shape its author chose, with a word where it differs.

A rules file grows by hand: a sentence becomes a mapping, a list becomes one
line, a key is misspelt. Values are read as text, lists and flags from any
shape (a mapping where text was expected reads as "key: value; ..."), and
each difference is one located note, never an error: errors are for what
makes the file impossible to use, and the caller decides what that is.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from layerflow.errors import error, note
from layerflow.model import Level, Location, Problem, UnknownKey
from layerflow.parse.yamlsrc import YNode


def line_of(node: YNode) -> int:
    """Where a person looks for a value: its key's line when it has a key."""
    return node.key_line or node.line


def kind_of(node: YNode) -> str:
    if node.is_map:
        return "a mapping"
    if node.is_list:
        return "a list"
    return "text" if isinstance(node.value, str) else f"the value {node.text()!r}"


def as_text(node: YNode) -> str:
    """Any value as one line of text: a list joins its items with "; ", a mapping its "key: value" pairs."""
    if node.is_list:
        return "; ".join(t for t in (as_text(item) for item in node.entries()) if t)
    if node.is_map:
        return "; ".join(f"{key}: {as_text(value)}".rstrip(": ") for key, value in node.items())
    return node.text().strip()


def suggestion(word: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(word.lower(), sorted(set(known)), n=1)
    return close[0] if close else ""


class TolerantReader:
    """Reads values of any shape; collects notes, errors and unknown keys for one file."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        self.unknown_keys: list[UnknownKey] = []
        self._said: set[tuple[int, str]] = set()
        self._suggested: set[str] = set()  # dotted paths of known keys an unknown key was a typo of

    # ------------------------------------------------------------ problems

    def note(self, line: int, message: str) -> None:
        if (line, message) not in self._said:  # a value read twice is still reported once
            self._said.add((line, message))
            self.problems.append(note(self.path, line, message))

    def error(self, line: int, message: str) -> None:
        self.problems.append(error(self.path, line, message))

    def notes(self) -> tuple[Problem, ...]:
        return tuple(sorted(p for p in self.problems if p.level is Level.NOTE))

    def known_keys(
        self, node: YNode, dotted: str, known: Sequence[str], pattern: re.Pattern[str] | None = None
    ) -> None:
        """Every other key is kept as an unknown key, with the known key it is probably a typo of."""
        for key, value in node.items():
            if key in known or (pattern is not None and pattern.fullmatch(key)):
                continue
            path = f"{dotted}.{key}" if dotted else key
            hint = suggestion(key, known)
            if hint:
                self._suggested.add(f"{dotted}.{hint}" if dotted else hint)
            self.unknown_keys.append(
                UnknownKey(path, Location(self.path, line_of(value)), hint, shorten(as_text(value)))
            )

    def at(self, node: YNode) -> Location:
        return Location(self.path, line_of(node))

    def missing(self, parent: YNode, key: str, dotted: str, message: str) -> None:
        """A note that `key` is absent, unless an unknown key beside it is its typo (that is reported already)."""
        if (f"{dotted}.{key}" if dotted else key) not in self._suggested:
            self.note(line_of(parent), message)

    # -------------------------------------------------------------- values

    def section(self, parent: YNode, key: str, dotted: str) -> YNode | None:
        """parent[key] when it is a mapping; None (with a note if it holds something else)."""
        node = parent.get(key)
        if node is None or node.is_map:
            return node
        text = as_text(node)
        if text:  # an empty section (`rules:`) is simply absent
            self.note(line_of(node), f"{dotted} is {kind_of(node)}, not a mapping: not read ({_quoted(text)})")
        return None

    def text(self, node: YNode | None, dotted: str) -> str:
        """A scalar's text; a list or mapping read as one line, with a note."""
        if node is None:
            return ""
        if node.is_map or node.is_list:
            text = as_text(node)
            if text:
                self.note(line_of(node), f"{dotted} is {kind_of(node)}, not text: read as {_quoted(text)}")
            return text
        return node.text().strip()

    def text_list(self, node: YNode | None, dotted: str) -> tuple[str, ...]:
        """A list's items as text; a single text is one item (never its letters), with a note."""
        if node is None or node.value is None:
            return ()
        if not node.is_list:
            text = as_text(node)
            if text:
                self.note(line_of(node), f"{dotted} is {kind_of(node)}, not a list: read as one item")
            return (text,) if text else ()
        items = (self.text(item, f"{dotted}[{i}]") for i, item in enumerate(node.entries()))
        return tuple(item for item in items if item)

    def text_or_list(self, node: YNode | None, dotted: str) -> tuple[str, ...]:
        """Text or a list of text, both usual: no note for either."""
        if node is not None and not node.is_list:
            text = self.text(node, dotted)
            return (text,) if text else ()
        return self.text_list(node, dotted)

    def flag(self, node: YNode | None, dotted: str) -> bool | None:
        """true or false; None when absent, or (with a note) when it says something else."""
        if node is None or node.value is None:
            return None
        if isinstance(node.value, bool):
            return node.value
        self.note(line_of(node), f"{dotted} is {_quoted(as_text(node))}, not true or false: shown, not applied")
        return None


def shorten(text: str, limit: int = 60) -> str:
    """A long value cut for quoting in a message."""
    return text if len(text) <= limit else text[:limit] + "…"


def _quoted(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")
