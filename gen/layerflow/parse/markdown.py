"""Markdown to blocks, keeping the line each block starts on.

mistune drops line numbers and turns a malformed table into a paragraph
without a word, so the block structure a registry needs (headings, pipe
tables, fences, bold metadata lines) is scanned here, line by line, in
linear time. Inline markup inside cells is handled by `cells.plain`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from layerflow.model.quick import quick_init
from layerflow.parse.suppressions import strip_directives

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*)$")  # the closing #s are cut by _heading_text
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*([^`]*)$")
_DELIMITER_CELL = re.compile(r"^[ \t]*:?-+:?[ \t]*$")
_BOLD_FIELD = re.compile(r"^\s*(?:[-*]\s*)?\*\*([^*]{1,80}?):?\*\*:?\s*(.*)$")  # one \s* per run: linear


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str
    line: int


@quick_init
@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[str, ...]  # raw cell text, stripped, escapes kept
    line: int


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[Row, ...]
    line: int  # the header row
    heading: Heading | None  # the nearest heading above


@dataclass(frozen=True, slots=True)
class Fence:
    info: str
    lines: tuple[str, ...]
    line: int  # the opening fence
    heading: Heading | None
    lead: str  # the last non-blank text line before the fence, which often says what it holds


@dataclass(frozen=True, slots=True)
class BoldField:
    key: str
    value: str
    line: int


@dataclass(frozen=True, slots=True)
class Document:
    headings: tuple[Heading, ...]
    tables: tuple[Table, ...]
    fences: tuple[Fence, ...]
    bold_fields: tuple[BoldField, ...]
    lines: tuple[str, ...]


def split_row(line: str) -> tuple[str, ...]:
    """Cells of a pipe-table row; `\\|` is a literal pipe, leading/trailing pipes optional.

    A `<!-- layerflow: ... -->` comment (a suppression, parse.suppressions) is no cell.
    """
    text = strip_directives(line).strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    if "\\" not in text:  # the common case: no escapes, a plain split is exact
        return tuple(map(str.strip, text.split("|")))  # one C loop: every row of every table comes here
    cells: list[str] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            i += 2
            continue
        if ch == "|":
            cells.append(text[start:i].strip())
            start = i + 1
        i += 1
    cells.append(text[start:].strip())
    return tuple(cells)


def _has_pipe(line: str) -> bool:
    if "|" not in line:
        return False
    return "\\" not in line or "|" in line.replace("\\|", "")  # without a backslash no pipe is escaped


def _is_delimiter(line: str) -> tuple[str, ...] | None:
    if "-" not in line or not _has_pipe(line):
        return None
    cells = split_row(line)
    if cells and all(_DELIMITER_CELL.match(c) for c in cells):
        return cells
    return None


def _heading_text(text: str) -> str:
    """A heading's text without its closing #s, as `(.*?)[ \\t]*#*[ \\t]*$` read it, in linear time."""
    return text.rstrip(" \t").rstrip("#").rstrip(" \t").strip()


def _closes(line: str, marker: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= len(marker) and stripped == marker[0] * len(stripped)


def scan(text: str) -> Document:
    lines = tuple(text.split("\n"))
    headings: list[Heading] = []
    tables: list[Table] = []
    fences: list[Fence] = []
    bold: list[BoldField] = []
    heading: Heading | None = None
    lead = ""
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            marker = fence.group(1)
            body: list[str] = []
            j = i + 1
            while j < n and not _closes(lines[j], marker):
                body.append(lines[j])
                j += 1
            fences.append(Fence(fence.group(2).strip(), tuple(body), i + 1, heading, lead))
            i = j + 1
            continue
        m = _HEADING.match(line)
        if m:
            heading = Heading(len(m.group(1)), _heading_text(m.group(2)), i + 1)
            headings.append(heading)
            lead = ""
            i += 1
            continue
        if _has_pipe(line) and i + 1 < n:
            delimiter = _is_delimiter(lines[i + 1])
            header = split_row(line)
            if delimiter is not None and len(delimiter) == len(header):
                rows: list[Row] = []
                j = i + 2
                while j < n and lines[j].strip() and _has_pipe(lines[j]):
                    rows.append(Row(split_row(lines[j]), j + 1))
                    j += 1
                tables.append(Table(header, tuple(rows), i + 1, heading))
                i = j
                continue
        b = _BOLD_FIELD.match(line)
        if b:
            bold.append(BoldField(b.group(1).strip(), b.group(2).strip(), i + 1))
        if line.strip():
            lead = line.strip()
        i += 1
    return Document(tuple(headings), tuple(tables), tuple(fences), tuple(bold), lines)
