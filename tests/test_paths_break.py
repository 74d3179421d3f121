"""Paths on the site break after '/' and nowhere else; other code spans and raw HTML are left alone."""

from __future__ import annotations

from layerflow.render.paths import with_breakable_paths


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
