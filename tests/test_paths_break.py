"""Paths on the site break after '/' and nowhere else; other code spans and raw HTML are left alone."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from layerflow.render.marks import _outside_code, with_icons
from layerflow.render.markup import outside_fences
from layerflow.render.paths import _breakable_line, with_breakable_paths


def test_a_path_span_gets_a_break_after_each_slash() -> None:
    line = "| `registry/example/app/cost_writer.py:12` | `add` | [`a/b_c`](../x.md) |"
    assert with_breakable_paths(line) == (
        '| <code class="lf-path">registry/<wbr>example/<wbr>app/<wbr>cost\\_writer.py:12</code> | `add` '
        '| [<code class="lf-path">a/<wbr>b\\_c</code>](../x.md) |'
    )


def test_spans_with_spaces_fenced_blocks_and_raw_html_stay() -> None:
    page = '`/opt/x/bin/python -m y`\n```\n`a/b`\n```\n<span id="L1">`c/d`</span>\n``a/b``\n'
    assert with_breakable_paths(page) == page


def test_markup_in_a_path_stays_text() -> None:
    assert with_breakable_paths("`a/<b>*c*`") == '<code class="lf-path">a/<wbr>&lt;b&gt;\\*c\\*</code>'


# The whole-page fast paths (no fence, no raw HTML line with a backtick) against the line-by-line reading they
# stand for, on text made of the pieces that matter: backticks, slashes, marks, raw lines, fences, spaces.
_PIECES = st.sampled_from(["`", "``", "/", "a", "b/c", " ", "\n", "\n<div>", "\n```", "✅", "⚠️", "❌", "|", "\\"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_a_page_read_whole_is_the_page_read_line_by_line(text: str) -> None:
    assert with_breakable_paths(text) == outside_fences(text, _breakable_line)
    assert with_icons(text) == outside_fences(text, _outside_code)
