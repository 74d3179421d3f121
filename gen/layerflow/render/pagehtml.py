"""Entity pages to HTML without Python-Markdown: layerflow renders the Markdown it writes itself.

The entity pages (one per producer, signal, gap, change record, store and code
file, and each section's index) are almost all of a big site's pages, and
converting them was half of its build: Python-Markdown builds an engine with
every configured extension for each page, runs a raw-HTML parser over the
whole text and walks an element tree. These pages are written in a small,
closed dialect that only render.markup, render.escape, render.links,
render.marks and render.paths produce:

    blocks   ATX headings, pipe tables, `- ` lists, Material admonitions
             (`!!! kind "title"` over an indented body), fenced code, raw HTML
             blocks (fragment placeholders, source listings) and paragraphs;
    inline   backslash escapes, code spans, links, `**strong**`, entities and
             raw inline tags (status icons, breakable paths).

This module turns exactly that dialect into the HTML Python-Markdown makes of
it with the extensions the pages are written for (MkDocs' `toc`, `tables` and
`fenced_code`, and `admonition`), with the table of contents, the title and the
anchor ids MkDocs needs for the theme's TOC, search and link checks
(tests/test_pagehtml.py compares both renderers on every page of every fixture
project and on Hypothesis-made registry text). One difference is deliberate: a
backslash escape always means the character, so `\\~` and `\\$` show as `~` and
`$` (Python-Markdown without pymdownx keeps the backslash).

Anything outside the dialect raises `OutsideDialect`; the plugin then lets
Python-Markdown render that page, so a page builder that grows a new construct
is slower, never wrong.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import TypedDict


class OutsideDialect(ValueError):
    """The text uses Markdown this renderer does not know; render it with Python-Markdown instead."""


class TocToken(TypedDict):
    """A heading as Python-Markdown's `toc` extension lists it (MkDocs' get_toc reads these)."""

    level: int
    id: str
    name: str
    html: str
    children: list[TocToken]


def default_slugify(value: str, separator: str) -> str:
    """Python-Markdown's own `toc` slugify: ASCII, lower case, words joined by `separator`."""
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(rf"[{separator}\s]+", separator, value)


@dataclass(frozen=True)
class HtmlOptions:
    """The `toc` settings that shape the HTML: permalinks, slugs, which levels the TOC lists."""

    permalink: str | None = None  # the permalink's text ("&para;" for `permalink: true`), None for none
    permalink_class: str = "headerlink"
    permalink_title: str = "Permanent link"
    slugify: Callable[[str, str], str] = default_slugify
    separator: str = "-"
    toc_top: int = 1
    toc_bottom: int = 6
    # A fenced block's HTML from its text, as the site's own extensions write code blocks (pymdownx.highlight
    # wraps them in a `.highlight` div); None: as `fenced_code` writes them.
    fence: Callable[[str], str] | None = None


@dataclass
class HtmlPage:
    html: str
    toc: list[TocToken]
    title: str | None  # the first heading's text as HTML, when the page starts with an H1
    anchors: set[str] = field(default_factory=set)  # every id on the page, for MkDocs' anchor checks


@dataclass
class RowMemo:
    """The rows of a page's long tables as the last render of the same page made them, for the next render.

    A one-row registry edit under `serve` changes one row of the signals index, the layer matrix and the report:
    tens of thousands of rows are rendered again for it. A row's HTML depends on its text, the table's width and
    what `href` makes of its links, so a row is taken from `last` only while `href` answers as it did (the caller
    gives a `last` only then) and is put in `this` only when its links had no effect beyond their URL: `impure`
    counts the calls of `href` that had one (a warning, an anchor registered for MkDocs' checks).
    """

    last: dict[tuple[int, str], tuple[str, frozenset[str]]]
    impure: Callable[[], int]
    this: dict[tuple[int, str], tuple[str, frozenset[str]]] = field(default_factory=dict)


MEMO_ROWS = 100  # tables shorter than this render fast enough; their rows are not kept


def page_html(
    markdown: str, options: HtmlOptions, href: Callable[[str], str] = str, rows: RowMemo | None = None
) -> HtmlPage:
    """The page's HTML; `href` turns each link target as written (`../signals/sig-1.md`) into the site's.
    With `rows`, long tables reuse the rows it holds and leave theirs in it (RowMemo)."""
    writer = _Writer(options, href, rows)
    parts = list(writer.blocks(markdown.split("\n")))
    # Stripped, as Python-Markdown strips its output (a raw block last leaves no blank line after it).
    return HtmlPage(html="\n".join(parts).strip(), toc=_nested(writer.headings), title=writer.title, anchors=writer.ids)


# Block level -------------------------------------------------------------------------------------------------

_HEADING = re.compile(r"(#{1,6}) +(.*?)(?: +#+)? *$")
_ADMONITION = re.compile(r'!!! ([\w\-]+) "(.*)" *$')
_BLOCK_HTML = re.compile(r"<(div|pre|table|p|details|figure|section)[\s>]")
_ID = re.compile(r'\sid="([^"]*)"')
_NUMBERED_ID = re.compile(r"^(.*)_([0-9]+)$")


_HARD_BREAK = "  \n"  # Python-Markdown's LINE_BREAK_RE
_OPEN_TAG = re.compile(r"<[A-Za-z/!?][^>]*$")  # a tag still open where a line ends
_Block = Generator[str, None, int]  # a block's HTML parts, then the index of the line after it


class _Writer:
    def __init__(self, options: HtmlOptions, href: Callable[[str], str], rows: RowMemo | None = None) -> None:
        self.options = options
        self.href = href
        self.rows = rows
        self.headings: list[TocToken] = []
        self.ids: set[str] = set()
        self.title: str | None = None
        self.first_block = True

    def blocks(self, lines: list[str]) -> Iterator[str]:
        at, end = 0, len(lines)
        while at < end:
            line = lines[at]
            if not line.strip():
                at += 1
                continue
            first, self.first_block = self.first_block, False
            if line.startswith("#"):
                yield self._heading(line, first=first)
                at += 1
            elif line.startswith("|") and at + 1 < end and lines[at + 1].startswith("|-"):
                at = yield from self._table(lines, at)
            elif line.startswith("- "):
                at = yield from self._list(lines, at)
            elif line.startswith("!!! "):
                at = yield from self._admonition(lines, at)
            elif line.startswith("```"):
                at = yield from self._fence(lines, at)
            elif _BLOCK_HTML.match(line):
                at = yield from self._raw(lines, at)
            else:
                at = yield from self._paragraph(lines, at)

    def _heading(self, line: str, *, first: bool) -> str:
        match = _HEADING.match(line)
        if match is None:
            raise OutsideDialect(f"not a heading: {line!r}")
        level = len(match.group(1))
        inner = self.inline(match.group(2))
        name = _strip_tags(inner)
        anchor = self._unique(self.options.slugify(html.unescape(name), self.options.separator))
        if first and level == 1:
            self.title = name
        if self.options.toc_top <= level <= self.options.toc_bottom:
            self.headings.append(TocToken(level=level, id=anchor, name=name, html=inner, children=[]))
        link = ""
        if self.options.permalink is not None:
            link = (
                f'<a class="{html.escape(self.options.permalink_class)}" href="#{html.escape(anchor)}" '
                f'title="{html.escape(self.options.permalink_title)}">{self.options.permalink}</a>'
            )
        return f'<h{level} id="{html.escape(anchor)}">{inner}{link}</h{level}>'

    def _unique(self, anchor: str) -> str:
        """Python-Markdown's rule: a taken (or empty) id `x` or `x_3` becomes the next free `x_N` after it."""
        if anchor in self.ids or not anchor:
            numbered = _NUMBERED_ID.match(anchor)
            base, count = (numbered.group(1), int(numbered.group(2))) if numbered else (anchor, 0)
            count += 1
            while f"{base}_{count}" in self.ids:
                count += 1
            anchor = f"{base}_{count}"
        self.ids.add(anchor)
        return anchor

    def _table(self, lines: list[str], at: int) -> _Block:
        header = _cells(lines[at])
        width = len(header)
        if len(_cells(lines[at + 1])) != width:
            raise OutsideDialect(f"a table separator of another width: {lines[at + 1]!r}")
        out = ["<table>", "<thead>", "<tr>"]
        out += [f"<th>{self.inline(cell)}</th>" for cell in header]
        out += ["</tr>", "</thead>", "<tbody>"]
        at = start = at + 2
        end = at
        while end < len(lines) and lines[end].startswith("|"):
            end += 1
        memo = self.rows if self.rows is not None and end - start >= MEMO_ROWS else None
        for line in lines[start:end]:
            out.append(self._row(line, width) if memo is None else self._memo_row(memo, line, width))
        at = end
        if at == start:  # a table of no rows: Python-Markdown writes one empty row, so the table keeps its shape
            out += ["<tr>", *["<td></td>"] * width, "</tr>"]
        out += ["</tbody>", "</table>"]
        yield "\n".join(out)
        return at

    def _row(self, line: str, width: int) -> str:
        cells = _cells(line)
        cells = (cells + [""] * width)[:width]  # Python-Markdown pads short rows and drops extra cells
        return "\n".join(["<tr>", *[f"<td>{self.inline(cell)}</td>" for cell in cells], "</tr>"])

    def _memo_row(self, memo: RowMemo, line: str, width: int) -> str:
        key = (width, line)
        kept = memo.last.get(key)
        if kept is None:
            impure, ids = memo.impure(), self.ids
            self.ids = set()  # the ids this row adds, alone
            try:
                kept = (self._row(line, width), frozenset(self.ids))
            finally:
                ids |= self.ids
                self.ids = ids
            if memo.impure() != impure:
                return kept[0]
        else:
            self.ids |= kept[1]
        memo.this[key] = kept
        return kept[0]

    def _list(self, lines: list[str], at: int) -> _Block:
        items = []
        while at < len(lines) and lines[at].startswith("- "):
            items.append(f"<li>{self.inline(lines[at][2:].strip())}</li>")
            at += 1
        if at < len(lines) and lines[at].strip():
            raise OutsideDialect(f"a list item that goes on: {lines[at]!r}")
        yield "\n".join(["<ul>", *items, "</ul>"])
        return at

    def _admonition(self, lines: list[str], at: int) -> _Block:
        match = _ADMONITION.match(lines[at])
        if match is None:
            raise OutsideDialect(f"not an admonition: {lines[at]!r}")
        kind, title = match.groups()
        at += 1
        body: list[str] = []
        while at < len(lines) and (not lines[at].strip() or lines[at].startswith("    ")):
            body.append(lines[at][4:])
            at += 1
        while body and not body[-1].strip():
            body.pop()
        out = [f'<div class="admonition {html.escape(kind)}">']
        out.append(f'<p class="admonition-title">{self.inline(title)}</p>')
        out += list(self.blocks(body))
        out.append("</div>")
        yield "\n".join(out)
        return at

    def _fence(self, lines: list[str], at: int) -> _Block:
        fence = lines[at]
        if fence.strip() != "```":
            raise OutsideDialect(f"a fence with a language or options: {fence!r}")
        close = next((i for i in range(at + 1, len(lines)) if lines[i] == "```"), None)
        if close is None:
            raise OutsideDialect("a fence that is not closed")
        code = "\n".join(lines[at + 1 : close])
        yield self.options.fence(code) if self.options.fence else _plain_fence(code)
        return close + 1

    def _raw(self, lines: list[str], at: int) -> _Block:
        """A raw HTML block, kept as written up to the blank line after it (as Python-Markdown does)."""
        start = at
        while at < len(lines) and lines[at].strip():
            at += 1
        block = "\n".join(lines[start:at])
        self.ids.update(_ID.findall(block))
        yield block + "\n"  # Python-Markdown leaves a blank line after a raw block
        return at

    def _paragraph(self, lines: list[str], at: int) -> _Block:
        start = at
        while at < len(lines) and lines[at].strip() and not _starts_block(lines, at):
            at += 1
        # As Python-Markdown's paragraph: the lines as written, the block's leading space dropped.
        text = "\n".join(lines[start:at]).lstrip()
        if _HARD_BREAK not in text:
            yield f"<p>{self.inline(text)}</p>"
            return at
        # Two spaces ending a line are a hard break (the report's metadata lines), and each line's inline Markdown
        # is read alone. Markup that runs across a break then fails to close in its line (a code span, a link,
        # `**`) and is refused by `inline`; a raw tag would not fail (its `<` reads as text), so a line that
        # opens one and does not close it is refused here.
        parts = text.split(_HARD_BREAK)
        if any(_OPEN_TAG.search(part) for part in parts[:-1]):
            raise OutsideDialect(f"a raw tag across a hard line break: {text!r}")
        broken = "<br />\n".join(self.inline(part) for part in parts)
        yield f"<p>{broken}</p>"
        return at

    # Inline level ----------------------------------------------------------------------------------------------

    def inline(self, text: str) -> str:
        if "[" not in text and "<" not in text:  # no link, no raw tag: nothing that reads the page or adds an id
            return _pure_inline(text)
        return self.inline_uncached(text)

    def inline_uncached(self, text: str) -> str:
        out: list[str] = []
        strong = False
        at = 0
        for match in _INLINE.finditer(text):
            out.append(_text(text[at : match.start()]))
            at = match.end()
            kind = match.lastgroup
            if kind == "code":
                out.append(f"<code>{html.escape(match.group('body').strip(), quote=False)}</code>")
            elif kind == "escaped":
                out.append(html.escape(match.group("escaped"), quote=False))
            elif kind == "target":  # a link: the last group its pattern matches
                target = self.href(match.group("target"))
                out.append(f'<a href="{html.escape(target)}">{self.inline(match.group("label"))}</a>')
            elif kind == "tag":
                tag = match.group("tag")
                self.ids.update(_ID.findall(tag))
                out.append(tag)
            elif kind == "entity":
                out.append(match.group("entity"))
            elif kind == "strong":
                out.append("</strong>" if strong else "<strong>")
                strong = not strong
            else:
                raise OutsideDialect(f"inline Markdown this renderer does not know: {match.group(0)!r} in {text!r}")
        out.append(_text(text[at:]))
        if strong:
            raise OutsideDialect(f"an unclosed **: {text!r}")
        return "".join(out)


_INLINE = re.compile(
    r"(?P<code>(?P<fence>`+)(?P<body>.+?)(?<!`)(?P=fence)(?!`))"
    r"|\\(?P<escaped>[\\`*_{}\[\]()>#+\-.!|~$])"
    r"|\[(?P<label>(?:\\.|[^\\\[\]])*)\]\((?P<target>[^()\s<>]*)\)"
    r"|(?P<tag></?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?>)"
    r"|(?P<entity>&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)"
    r"|(?P<strong>\*\*)"
    # Markup the dialect never writes: emphasis, images, autolinks, a stray backtick or bracket.
    r"|(?P<unknown>[*`\[\]]|(?<![\w\\])_|_(?!\w)|!\[|<[a-z]+:)"
)


# Text without links and raw tags renders the same on every page: a 10k-signal site asks for 753,000 of them, of
# 69,000 distinct texts ("L7", "PostgreSQL", a producer on each of its signals' rows). The 4,096 used last answer
# 81% of them (all 69,000 would answer 87%, for 6 MB more of a build's peak): a big site holds what it repeats.
@functools.lru_cache(maxsize=1 << 12)
def _pure_inline(text: str) -> str:
    return _PURE.inline_uncached(text)


def _plain_fence(code: str) -> str:
    """A fenced block as `fenced_code` writes it (it escapes `"` too)."""
    escaped = code.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return f"<pre><code>{escaped}\n</code></pre>"


def _text(text: str) -> str:
    """Plain text between inline markup: already escaped by render.escape, except the odd bare & < >."""
    if "&" in text:
        text = re.sub(r"&(?!(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)", "&amp;", text)
    return text.replace("<", "&lt;").replace(">", "&gt;") if ("<" in text or ">" in text) else text


def _cells(row: str) -> list[str]:
    """A row's cells: render.markup.table writes ' | ' between them, and every `|` in a cell is escaped."""
    inner = row.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", inner)]


def _starts_block(lines: list[str], at: int) -> bool:
    line = lines[at]
    if line.startswith(("#", "- ", "!!! ", "```")):
        return True
    return line.startswith("|") and at + 1 < len(lines) and lines[at + 1].startswith("|-")


_TAG = re.compile(r"<[^>]*>")
_PURE = _Writer(HtmlOptions(), str)  # renders the inline text of no page in particular: it never reaches href or ids


def _strip_tags(inner: str) -> str:
    return " ".join(_TAG.sub("", inner).split())


def _nested(flat: list[TocToken]) -> list[TocToken]:
    """Headings as a tree, each under the nearest one above it of a lower level (Python-Markdown's nesting)."""
    roots: list[TocToken] = []
    stack: list[TocToken] = []
    for token in flat:
        while stack and stack[-1]["level"] >= token["level"]:
            stack.pop()
        (stack[-1]["children"] if stack else roots).append(token)
        stack.append(token)
    return roots
