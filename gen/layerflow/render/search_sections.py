"""A page's HTML split into search sections exactly as Material's search plugin splits it, without its HTML parser.

Material for MkDocs indexes each page by feeding its HTML to a `html.parser`
subclass (`material/plugins/search/plugin.py`, class `Parser`) that cuts it at
each heading with an id and keeps each section's title and text, with a few
tags (`p`, `code`, `pre`, lists, `sub`/`sup`) left in. On a 1k-signal site that
parser was 30% of the whole build: `HTMLParser` is pure Python, and the plugin
does a set intersection over the open elements for every piece of text.

`search_sections` gives the same sections for the HTML layerflow writes: it
reads the tags with one regular expression and replays Material's rules over
tag names, which is all those rules compare (its `Element` objects compare
equal by tag). Its quirks are kept on purpose, because the index must be the
one Material writes: an element skipped for `data-search-exclude` skips every
open element of the same tag; a section's title is "inside" while any element
of the heading's tag is open; an element that holds only whitespace is removed
from the text, counting from the first element of its tag in that section.

It reads only a closed subset of HTML, the one where `HTMLParser`'s tokens are
plain: tags with quoted or bare attributes, end tags, text and character
references. Anything else (comments, declarations, `<script>` or `<style>`
whose content is not markup, unquoted attribute values, a `<` that opens no
tag) makes it return None, and the caller lets Material parse that page.
tests/test_search_sections.py compares both on every generated page of the
fixture projects and on Hypothesis-made HTML.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

# Material's sets (Parser.__init__, and `void` at the end of its module).
_SKIPPED_ALWAYS = frozenset({"object", "script", "style"})
_KEPT = frozenset({"p", "code", "pre", "li", "ol", "ul", "sub", "sup"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source"})
_VOID |= {"track", "wbr"}
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Elements whose content HTMLParser reads as text, not markup (3.14 adds `textarea` and `title`).
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "plaintext"})

_ATTRIBUTE = r"""[A-Za-z_:][A-Za-z0-9_:.\-]*(?:="[^"<>]*"|='[^'<>]*')?"""
# A tag, split into: "/" for an end tag, the name, the attributes, "/" for `<x/>`.
_TAG = re.compile(rf"<(/?)([A-Za-z][A-Za-z0-9\-]*)((?:\s+{_ATTRIBUTE})*)\s*(/?)>")
_ATTRIBUTES = re.compile(r"""([A-Za-z_:][A-Za-z0-9_:.\-]*)(?:="([^"<>]*)"|='([^'<>]*)')?""")
# What can make Material skip an element (with a class only if it is spelt out or holds a reference). Without
# any on a page (almost every generated page), the skip bookkeeping is left out, and attributes are read only
# where a heading's id, a permalink's class or a reference needs them.
_SKIP_FEATURES = ("data-search-exclude", "linenodiv", "<object")
_NO_ATTRIBUTES: dict[str, str | None] = {}


@dataclass
class SearchSection:
    """One section as Material's `Section`: what `SearchIndex.create_entry_for_section` reads from it."""

    tag: str  # the heading's tag, or "hx" for text before the first heading
    depth: float
    excluded: bool = False  # the heading has `data-search-exclude`
    id: str | None = None
    title: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def is_excluded(self) -> bool:
        return self.excluded


def search_sections(page_html: str, pieces: PieceMemo | None = None) -> list[SearchSection] | None:
    """The page's sections as Material's search `Parser` makes them; None for HTML outside the subset read here.

    `pieces`: the sections of this page's pieces as its last read made them (see PieceMemo)."""
    lowered = page_html.lower()
    careful = any(feature in lowered for feature in _SKIP_FEATURES)
    if pieces is not None and not careful:
        pieces.start()
        found = _from_pieces(_CUT.split(page_html), pieces)
        if found is not _WHOLE:
            return found
    try:
        return _whole(_read(page_html, careful=careful))
    except _SkipsAfterAll:  # a class that names `linenodiv` by character references: read it the careful way
        return _whole(_read(page_html, careful=True))
    except ValueError:  # an element closed in another section than it opened in: Material's parser fails the same
        return None


def _whole(read: tuple[list[SearchSection], bool] | None) -> list[SearchSection] | None:
    return None if read is None else read[0]


# Where a page is cut into pieces that split alone as they split in place: before each heading with an id, h1
# aside (a page that opens with one has no "hx" section, and a piece that does would lose its id).
_CUT = re.compile(r"(?=<h[2-6] id=)")
# Where a piece is cut again, to be read row by row: before each table row.
_ROW = re.compile(r"(?=<tr[ >])")
_WHOLE: list[SearchSection] = []  # a sentinel: the pieces do not decide the page, read it whole


@dataclass(slots=True)
class _Piece:
    """A piece read alone: its sections, whether it closed every element it opened, and what each of its
    rows added to the text (`_read_rows`), for the next read of a piece that holds the same rows."""

    sections: list[SearchSection]
    closed: bool
    rows: dict[tuple[object, ...], tuple[tuple[str, ...], tuple[str, ...]] | None]


_FAILED = _Piece([], False, {})  # a piece that raised: the whole read raises the same way, or reads carefully


class PieceMemo:
    """The sections of one page's pieces by their HTML, as its last read and this one made them, for `serve`.

    A one-row edit of a 10k registry re-indexes the signals index (1.9 MB, one table), the report (4.9 MB of
    HTML, 1,700 sections) and the findings page: 0.6-1.4 s of each rebuild, for pages of which one row or
    one section changed.

    A page is cut before each heading with an id. Where every piece but the last closes each element it
    opens (then each starts with none open, as the whole page starts), a piece splits alone into what it adds
    to the whole page's sections, after the empty "hx" section that its heading opens only when it is the
    page's first. Where a piece does not close its elements, the page is read whole.

    A piece that changed is read row by row (`_read_rows`): a table row that the last read found adding only
    text to the section it is in, from the same state (open elements, section, whether the text ends in
    whitespace), adds that text again. Each read keeps only its own pieces for the next, so a memo holds one
    page's HTML, once.
    """

    __slots__ = ("_last", "_rows", "_this")

    def __init__(self) -> None:
        self._last: dict[str, _Piece | None] = {}
        self._this: dict[str, _Piece | None] = {}
        self._rows: dict[tuple[object, ...], tuple[tuple[str, ...], tuple[str, ...]] | None] | None = None

    def start(self) -> None:
        """A read of the page begins: the last read's pieces are kept for it, older ones dropped."""
        if self._this:
            self._last, self._this = self._this, {}
        self._rows = None

    def read(self, piece: str) -> _Piece | None:
        """The piece read alone; None where it is unreadable."""
        if piece in self._this:
            return self._this[piece]
        found = self._last[piece] if piece in self._last else _read_piece(piece, self._last_rows())
        self._this[piece] = found
        return found

    def _last_rows(self) -> dict[tuple[object, ...], tuple[tuple[str, ...], tuple[str, ...]] | None]:
        """Every row of the last read's pieces, gathered once per read that needs them."""
        if self._rows is None:
            self._rows = {}
            for kept in self._last.values():
                if kept is not None:
                    self._rows.update(kept.rows)
        return self._rows


def _read_piece(
    piece: str, last_rows: dict[tuple[object, ...], tuple[tuple[str, ...], tuple[str, ...]] | None]
) -> _Piece | None:
    reader = _Reader(careful=False)
    rows: dict[tuple[object, ...], tuple[tuple[str, ...], tuple[str, ...]] | None] = {}
    try:
        if not _read_rows(reader, _ROW.split(piece), last_rows, rows):
            return None
    except (_SkipsAfterAll, ValueError):
        return _FAILED
    return _Piece(reader.sections, not reader.context, rows)


def _read_rows(
    reader: _Reader,
    parts: list[str],
    last: dict[tuple[object, ...], tuple[tuple[str, ...], tuple[str, ...]] | None],
    this: dict[tuple[object, ...], tuple[tuple[str, ...], tuple[str, ...]] | None],
) -> bool:
    """`_feed` each part in turn; a row the last read found adding only text (None: it did more) adds that
    text again when it is read from the same state. False where the HTML is unreadable."""
    for part in parts:
        section = reader.section
        if section is None or not part.startswith("<tr"):
            if not _feed(reader, part):
                return False
            continue
        text, title = section.text, section.title
        # Everything a row's reading looks at, besides its own HTML: the open elements (and which of them are
        # permalinks), the section's tag and depth, and whether its text ends in whitespace (a whitespace
        # piece is kept only after other text). A row that reads a kept element's earlier text (`looked_back`)
        # or changes the section is not kept.
        context, links = tuple(reader.context), tuple(reader.headerlink_at)
        key = (part, context, links, section.tag, section.depth, bool(text) and text[-1].isspace())
        added = this[key] if key in this else last.get(key, _UNSEEN)
        if added is not None and added is not _UNSEEN:
            this[key] = added
            title.extend(added[0])
            text.extend(added[1])
            continue
        count, titles, texts = len(reader.sections), len(title), len(text)
        reader.looked_back = False
        if not _feed(reader, part):
            return False
        only_text = (
            reader.section is section
            and len(reader.sections) == count
            and not reader.looked_back
            and tuple(reader.context) == context
            and tuple(reader.headerlink_at) == links
        )
        this[key] = (tuple(title[titles:]), tuple(text[texts:])) if only_text else None
    return True


_UNSEEN = ((), ())  # a sentinel: the row is not among the last read's


def _from_pieces(pieces: list[str], memo: PieceMemo) -> list[SearchSection] | None:
    """The page's sections from its pieces' (`_WHOLE` where they do not decide it); copies, as Material's
    create_entry_for_section may set a section's title."""
    sections: list[SearchSection] = []
    for index, piece in enumerate(pieces):
        read = memo.read(piece)
        if read is None:
            return None  # the whole read meets the same unreadable HTML in the same state
        found, closed = read.sections, read.closed
        if read is _FAILED or (not closed and index < len(pieces) - 1):
            return _WHOLE
        if index and sections:  # in place, a heading opens an "hx" section only when it is the page's first
            lead = found[0] if found else None
            if lead is None or lead.tag != "hx" or lead.title or lead.text:
                return _WHOLE
            found = found[1:]
        sections.extend(SearchSection(s.tag, s.depth, s.excluded, s.id, list(s.title), list(s.text)) for s in found)
    return sections


class _SkipsAfterAll(Exception):
    pass


@dataclass(slots=True)
class _Reader:
    """Material's `Parser` state between two parts of a page (`_feed`)."""

    careful: bool
    skip: set[str] = field(default_factory=lambda: set(_SKIPPED_ALWAYS))
    context: list[str] = field(default_factory=list)  # open elements' tags
    headerlink_at: list[bool] = field(default_factory=list)  # per open element: is it a permalink
    headerlinks: int = 0  # open permalinks, `<a class="headerlink">`: their text is not part of a title
    sections: list[SearchSection] = field(default_factory=list)
    section: SearchSection | None = None
    looked_back: bool = False  # a kept element's end read its section's earlier text


def _read(page_html: str, *, careful: bool) -> tuple[list[SearchSection], bool] | None:
    """The page's sections, and whether every element opened was closed again by the end; None where the HTML
    is unreadable. `careful`: the page may skip elements, so Material's skip set is kept."""
    reader = _Reader(careful)
    if not _feed(reader, page_html):
        return None
    return reader.sections, not reader.context


def _feed(reader: _Reader, page_html: str) -> bool:  # noqa: PLR0912, PLR0915
    """Material's `Parser` callbacks (handle_starttag, handle_endtag, handle_data) replayed over tag names, in
    one loop with its state in local variables: a 1k-signal site has 340,000 tags, and with a method per
    callback this took 1.6 s of CPU for its 1,620 pages against 1.1 s (Material's parser: 5.3 s).
    The reader's state is carried on from the part before; False where the HTML is unreadable."""
    careful = reader.careful
    skip = reader.skip
    context = reader.context
    headerlink_at = reader.headerlink_at
    headerlinks = reader.headerlinks
    sections = reader.sections
    section = reader.section

    pieces = _TAG.split(page_html)  # text, then per tag: end mark, name, attributes, self-closing mark, text
    # Each text with the tag after it; the last text has none (None).
    tags: list[str | None] = [*pieces[1::5], None]
    names, attribute_lists, self_closing = [*pieces[2::5], ""], [*pieces[3::5], ""], [*pieces[4::5], ""]
    for text, end, name, attributes, closed in zip(
        pieces[::5], tags, names, attribute_lists, self_closing, strict=True
    ):
        # handle_data ----------------------------------------------------------------------------------------
        if text:
            if "<" in text:
                return False  # a `<` that opens no tag: HTMLParser splits the text at it, or reads a comment
            if not (careful and not skip.isdisjoint(context)):
                data = html.unescape(text) if "&" in text else text
                in_pre = "pre" in context
                if not in_pre:
                    data = " " if data.isspace() else data.replace("\n", " ")
                if section is None:
                    section = SearchSection("hx", 0)
                    sections.append(section)
                if section.tag in context:
                    if not headerlinks:
                        section.title.append(_escape(data))
                elif data.isspace():
                    kept = section.text
                    if not kept or not kept[-1].isspace() or in_pre:
                        kept.append(data)
                else:
                    section.text.append(_escape(data))
        if end is None:
            break
        tag = name.lower()
        if tag in _RAW_TEXT:
            return False
        if end and (attributes or closed):
            return False  # `</p class>` and `</p/>`: HTMLParser reads these its own way
        if not end:
            if tag in _VOID:
                continue
            # handle_starttag ----------------------------------------------------------------------------------
            if attributes and (careful or tag == "a" or tag in _HEADINGS or "&" in attributes):
                values = _attributes(attributes)
            else:
                values = _NO_ATTRIBUTES
            context.append(tag)
            headerlink = tag == "a" and values.get("class") == "headerlink"
            headerlink_at.append(headerlink)
            headerlinks += headerlink
            if tag in _HEADINGS and "id" in values:
                depth = len(context)
                if tag != "h1" and not sections:
                    sections.append(SearchSection("hx", depth))
                heading = SearchSection(tag, depth, excluded="data-search-exclude" in values)
                if sections:
                    heading.id = values["id"]
                sections.append(heading)
                section = heading
            if section is None:
                section = SearchSection("hx", 0)
                sections.append(section)
            skipped = "data-search-exclude" in values or values.get("class") == "linenodiv"
            if skipped and not careful:
                raise _SkipsAfterAll
            if skipped:
                skip.add(tag)
            elif tag in _KEPT and not (careful and not skip.isdisjoint(context)):
                (section.title if section.tag in context else section.text).append(f"<{tag}>")
            if not closed:  # `<x/>`: HTMLParser's handle_startendtag is a start tag, then an end tag
                continue
        # handle_endtag ----------------------------------------------------------------------------------------
        if not context or context[-1] != tag:
            continue
        assert section is not None  # an element is open, so a section was made
        if section.depth > len(context):
            for earlier in reversed(sections):
                if earlier.depth <= len(context):
                    section.depth = float("inf")  # left for good: never written to again
                    section = earlier
                    break
        context.pop()
        headerlinks -= headerlink_at.pop()
        if careful and tag in skip:
            if tag not in _SKIPPED_ALWAYS:
                skip.discard(tag)
            continue
        if tag in _KEPT and not (careful and not skip.isdisjoint(context)):
            data_list = section.title if section.tag in context else section.text
            index = data_list.index(f"<{tag}>")
            reader.looked_back = True
            if any(not item.isspace() for item in data_list[index + 1 :]):
                data_list.append(f"</{tag}>")
            else:  # an element of nothing but whitespace is dropped, its opening tag too
                del data_list[index:]
    reader.headerlinks = headerlinks
    reader.section = section
    return True


def _attributes(raw: str) -> dict[str, str | None]:
    """A tag's attributes as HTMLParser gives them: names lower-cased, references resolved, None when bare."""
    values: dict[str, str | None] = {}
    for match in _ATTRIBUTES.finditer(raw):
        name, double, single = match.groups()
        quoted = double if double is not None else single
        values[name.lower()] = html.unescape(quoted) if quoted and "&" in quoted else quoted
    return values


def _escape(data: str) -> str:
    """html.escape(data, quote=False), the escape Material's parser applies to each piece of text."""
    if "&" in data:
        data = data.replace("&", "&amp;")
    if "<" in data or ">" in data:
        data = data.replace("<", "&lt;").replace(">", "&gt;")
    return data
