"""Generated pages are indexed for search without Material's HTML parser, into the very index it makes.

`render/search_sections.py` replays Material's search `Parser`; here it is compared with that parser on every
generated page of four projects (the embedded registry, and other teams' under their own mkdocs.yml), on
Hypothesis-made HTML, and the whole site (search/search_index.json included) is compared byte for byte with a
build where Material's parser indexes every page.
"""

from __future__ import annotations

import shutil
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from material.plugins.search import plugin as material_search
from mkdocs.config import load_config

from layerflow.adapters import search_fast
from layerflow.render.search_sections import PieceMemo, SearchSection, search_sections
from tests.test_entity_pages import OTHER_CONFIG, embedded, northwind, site_bytes

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = ROOT / "tests" / "fixtures" / "projects"


def material(page_html: str) -> list[tuple[Any, ...]] | None:
    """Material's own split; None where its parser fails on the page."""
    parser = material_search.Parser()
    try:
        parser.feed(page_html)
        parser.close()
    except ValueError:
        return None
    return [(s.el.tag, s.id, s.title, s.text, s.is_excluded()) for s in parser.data]


def ours(page_html: str) -> list[tuple[Any, ...]] | None:
    sections = search_sections(page_html)
    return None if sections is None else [(s.tag, s.id, s.title, s.text, s.is_excluded()) for s in sections]


def by_pieces(page_html: str, memo: PieceMemo) -> list[tuple[Any, ...]] | None:
    sections = search_sections(page_html, memo)
    return None if sections is None else [(s.tag, s.id, s.title, s.text, s.is_excluded()) for s in sections]


def harbor(tmp: Path) -> Path:
    """Another team's project (code evidence, units) under the embedded mkdocs.yml's settings."""
    work = tmp / "harbor"
    shutil.copytree(PROJECTS / "harbor", work)
    (work / "docs").mkdir()
    (work / "mkdocs.yml").write_text(OTHER_CONFIG.replace("fail_on: none", "fail_on: none\n      cache_dir: .c"))
    return work


@pytest.mark.parametrize("project", [embedded, northwind, harbor], ids=["embedded", "northwind", "harbor"])
def test_generated_pages_index_as_materials_parser_indexes_them(
    project: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = project(tmp_path)
    monkeypatch.chdir(work)
    seen: list[tuple[str, str | None, list[SearchSection] | None]] = []
    excluded: set[str] = set()
    sections = search_fast._sections

    def recorded(page: Any, pieces: PieceMemo | None = None) -> list[SearchSection] | None:
        split = sections(page, pieces)
        seen.append((page.file.src_uri, page.content, split))
        if (page.meta.get("search") or {}).get("exclude"):
            excluded.add(page.file.src_uri)
        return split

    monkeypatch.setattr(search_fast, "_sections", recorded)
    fast = site_bytes(work, "fast")
    generated = [(uri, html, split) for uri, html, split in seen if split is not None]
    assert len(generated) >= 20
    # Every generated page took the fast path (none fell back; source listings are kept out of search), and
    # each split is Material's.
    left_to_material = {uri for uri, _, split in seen if split is None} - excluded
    assert all((work / "docs" / uri).is_file() for uri in left_to_material), left_to_material
    memo = PieceMemo()
    for uri, html, _ in generated:
        assert html is not None
        assert ours(html) == material(html), uri
        assert by_pieces(html, memo) == ours(html), uri  # what `serve` reads of a long page

    monkeypatch.setattr(search_fast, "install", lambda config, pieces=None: None)
    slow = site_bytes(work, "slow")
    assert "search/search_index.json" in fast
    assert fast == slow


def test_install_wraps_each_material_index_once_and_leaves_others_alone(tmp_path: Path) -> None:
    config = load_config(str(embedded(tmp_path) / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    config = config.plugins.on_config(config)
    search = next(p for p in config.plugins.values() if isinstance(p, material_search.SearchPlugin))
    before = search.search_index.add_entry_from_context
    search_fast.install(config)
    wrapped = search.search_index.add_entry_from_context
    assert wrapped != before
    search_fast.install(config)  # the same index, listed twice or installed again: not wrapped twice
    assert search.search_index.add_entry_from_context is wrapped


def test_a_material_whose_parser_splits_otherwise_keeps_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    class OtherParser(material_search.Parser):  # a future release that, say, keeps <strong>
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.keep.add("strong")

    fake = types.ModuleType("other_material_search")
    fake.Parser = OtherParser  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "other_material_search", fake)
    assert search_fast._agrees_with(material_search.__name__)
    assert not search_fast._agrees_with("other_material_search")


def test_html_outside_the_subset_is_left_to_material() -> None:
    for page in [
        "<h1 id='a'>A</h1><!-- a comment -->",
        "<p>a < b</p>",
        "<script>var x = '<p>';</script>",
        "<p class=unquoted>x</p>",
        "<p>x</p class>",
        "<title>x</title>",
    ]:
        assert search_sections(page) is None, page


def test_a_class_spelt_with_references_is_still_skipped() -> None:
    page = '<h1 id="t">T</h1><div class="linenodi&#118;"><p>1</p></div><p>kept</p>'
    assert ours(page) == material(page)
    assert "kept" in "".join(ours(page)[-1][3])  # type: ignore[index]


# Hypothesis: HTML of the tags and quirks Material's parser has rules for -----------------------------------------

_OPEN = st.sampled_from(
    [
        "<p>", "<div>", "<span>", "<code>", "<pre>", "<ul>", "<ol>", "<li>", "<sub>", "<sup>", "<table>", "<tr>",
        "<td>", "<strong>", "<em>", "<a href=\"x\">", '<a class="headerlink" href="#x">', "<h1>", '<h1 id="t">',
        '<h2 id="a">', "<h2>", '<h3 id="b_1">', '<H2 ID="c">', '<h4 id="d" data-search-exclude>', "<br>", "<br/>",
        "<img src='x'>", "<div/>", "<div data-search-exclude>", '<div class="linenodiv">', "<object>",
        "<span class='lf-mark' role='img'>", "<svg viewBox='0 0 24 24'>", "<path d='M1 1z'/>", '<p id="">',
    ]
)  # fmt: skip
_CLOSE = st.sampled_from(
    ["</p>", "</div>", "</span>", "</code>", "</pre>", "</ul>", "</li>", "</sub>", "</td>", "</tr>", "</table>",
     "</a>", "</h1>", "</h2>", "</h3>", "</H2>", "</h4>", "</object>", "</svg>", "</strong>", "</em>", "</br>"]
)  # fmt: skip
_TEXT = st.lists(
    st.sampled_from(["a", "B", " ", "\n", "  ", "&amp;", "&lt;", "&gt;", "&#10;", "&para;", "é", ">", "\t"]),
    min_size=1,
    max_size=6,
).map("".join)
_TOKEN = st.one_of(_OPEN, _CLOSE, _TEXT)


@settings(max_examples=400, deadline=None)
@given(st.lists(_TOKEN, max_size=40))
def test_any_html_of_these_tags_splits_as_material_splits_it(tokens: list[str]) -> None:
    page = "".join(tokens)
    theirs = material(page)
    mine = ours(page)
    if theirs is None:  # Material's parser fails on the page: it is left to fail there
        assert mine is None
    else:
        assert mine == theirs, page


@settings(max_examples=200, deadline=None)
@given(st.lists(_TOKEN, max_size=40), st.sampled_from(["<!-- c -->", "<script>x</script>", "a < b", "<?x?>"]))
def test_html_with_what_is_not_read_here_falls_back(tokens: list[str], odd: str) -> None:
    page = "".join(tokens[:20]) + odd + "".join(tokens[20:])
    assert search_sections(page) is None


# Few tags, so that the rarer rules meet: whitespace pieces in a row inside <pre>, an excluded element's tag
# used again after it closes, a heading nested in a block that closes before the next heading.
_DENSE = st.sampled_from(
    ["<pre>", "</pre>", "<span>", "</span>", " ", "\n", "a", "<div data-search-exclude>", "<div>", "</div>",
     '<h2 id="a">', '<h3 id="b">', "</h2>", "</h3>", "<p>", "</p>"]
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(_DENSE, max_size=30))
@example(["<pre>", " ", "</h2>", "\n"])  # two whitespace pieces in a row inside <pre>: both kept
# A section left when its block closed is never written to again, even where its depth would fit.
@example(['<h1 id="t">T</h1><div><h2 id="a">L</h2></div><div><div><h3 id="b">S</h3></div>x</div>'])
def test_nested_and_repeated_tags_split_as_material_splits_them(tokens: list[str]) -> None:
    page = "".join(tokens)
    theirs = material(page)
    mine = ours(page)
    if theirs is None:
        assert mine is None
    else:
        assert mine == theirs, page


def test_each_section_finds_the_toc_item_materials_walk_finds() -> None:
    """The TOC handed to Material's create_entry_for_section is the one item its own walk would find (the first,
    depth first, of a repeated id), or none."""

    class Item:
        def __init__(self, id: str | None, *children: Item) -> None:
            self.id, self.children = id, list(children)

    toc = [Item("a", Item("b", Item("c")), Item("c")), Item("b"), Item("d", Item("e"))]
    items = search_fast._toc_items(toc)
    index = material_search.SearchIndex()
    for wanted in ["a", "b", "c", "d", "e", "missing", None]:
        assert items.get(wanted) is index._find_toc_by_id(toc, wanted), wanted


# Read by pieces (`serve`, PieceMemo): the same sections as the page read whole, whatever the last build kept ----

_HEADED = st.lists(
    st.one_of(_TOKEN, st.sampled_from(['<h2 id="p">', '<h3 id="q">', "</h2>", "</h3>", '<h2 id="p">x</h2>'])),
    max_size=40,
)


@settings(max_examples=500, deadline=None)
@given(_HEADED, _HEADED, st.integers(0, 40))
@example(['<h2 id="p">'], [], 0)  # a page that opens with its cut: its first heading's "hx" section is kept
@example(["<br>", '<h2 id="p">x</h2>'], [], 0)  # a first piece that opens no section
@example(["<div>", '<h2 id="p">x</h2>', "</div>", "a"], [], 0)  # a heading inside a block: read whole
def test_a_page_read_by_pieces_splits_as_read_whole(first: list[str], second: list[str], at: int) -> None:
    memo = PieceMemo()
    page = "".join(first)
    assert by_pieces(page, memo) == ours(page), page
    edited = "".join(first[:at] + second + first[at:])
    assert by_pieces(edited, memo) == ours(edited), edited
    assert by_pieces(edited, memo) == ours(edited), edited  # every piece kept from the last read


def test_the_sections_handed_out_are_copies() -> None:
    """Material sets the title of a section that has none: that must not reach the memo's or another page's."""
    memo = PieceMemo()
    page = '<h2 id="a">A</h2><p>x</p><h2 id="b"></h2><p>y</p>'
    first = search_sections(page, memo)
    assert first is not None
    first[-1].title.append("page title")
    again = search_sections(page, memo)
    assert again is not None and again[-1].title == []


def test_an_edit_reads_only_the_pieces_it_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    from layerflow.render import search_sections as module

    pages = [f'<h2 id="s{i}">S{i}</h2><table><tr><td>row {i}</td></tr></table>' for i in range(50)]
    memo = PieceMemo()
    search_sections("".join(pages), memo)
    read: list[str] = []
    real = module._read_piece
    monkeypatch.setattr(module, "_read_piece", lambda piece, rows: read.append(piece) or real(piece, rows))
    pages[7] = pages[7].replace("row 7", "row seven")
    assert by_pieces("".join(pages), memo) == ours("".join(pages))
    assert read == [pages[7]]
    pages[7] = pages[7].replace("row seven", "row 7")  # the read before last had it: only the last read's are kept
    search_sections("".join(pages), memo)
    assert read == [pages[7].replace("row 7", "row seven"), pages[7]]


# Rows of a table, read again one by one: what each row adds depends on the text before it (whitespace is kept
# only after other text; a kept element that holds only whitespace is dropped only if it is its tag's first).
_CELL = st.sampled_from(
    ["a", " ", "\n", "<code> </code>", "<code>x</code>", "<p>", "</p>", '<h3 id="r">R</h3>', "&amp;"]
)
_ROW_HTML = st.tuples(st.lists(_CELL, max_size=5), st.sampled_from(["\n", "", "x", " \n"])).map(
    lambda row: "<tr>\n<td>" + "</td>\n<td>".join(row[0]) + "</td>\n</tr>" + row[1]  # and what follows it
)
_TABLE = st.lists(_ROW_HTML, min_size=1, max_size=12)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["", '<h2 id="t">T</h2>', "<p>lead</p>\n", "<pre>"]), _TABLE, _ROW_HTML, st.integers(0, 12))
def test_a_table_read_again_row_by_row_splits_as_read_whole(lead: str, rows: list[str], new: str, at: int) -> None:
    memo = PieceMemo()
    page = lead + "<table>\n<tbody>\n" + "".join(rows) + "</tbody>\n</table>\n<p>after</p>"
    assert by_pieces(page, memo) == ours(page) == material(page), page
    edited_rows = [*rows[:at], new, *rows[at:]]
    edited = lead + "<table>\n<tbody>\n" + "".join(edited_rows) + "</tbody>\n</table>\n<p>after</p>"
    assert by_pieces(edited, memo) == ours(edited), edited
    moved = lead + "<table>\n<tbody>\n" + "".join(reversed(edited_rows)) + "</tbody>\n</table>\n<p>after</p>"
    assert by_pieces(moved, memo) == ours(moved), moved
