"""The banner a served site shows while its input is broken: problems as written, in order, under each title."""

from __future__ import annotations

from layerflow.render.broken import banner, pages_under_banner, under_banner


def test_problems_keep_their_characters_and_order() -> None:
    problems = ["b.md:3: is a '|' unescaped?", "a.md:1: <script> & `ticks`"]
    block = banner(problems)
    assert block.index("b.md:3") < block.index("a.md:1"), "the order given: causes first"
    assert "'|'" in block and "¦" not in block
    assert "&lt;script&gt; &amp; `ticks`" in block and "<script>" not in block
    assert "\n" not in block, "one raw HTML block: Markdown passes it through"


def test_the_banner_goes_under_the_title_or_after_front_matter() -> None:
    page = "# SIG-100 GraduationStatus\n\ntext\n"
    assert under_banner(page, "<div>B</div>") == "# SIG-100 GraduationStatus\n\n<div>B</div>\n\n\ntext\n"
    front = "---\nsearch:\n  exclude: true\n---\n\nno title\n"
    assert under_banner(front, "<div>B</div>").startswith("---\nsearch:\n  exclude: true\n---\n\n<div>B</div>\n")
    pages = pages_under_banner({"a.md": "# A\n", "b/c.md": "# C\n"}, ["x:1: y"])
    assert set(pages) == {"a.md", "b/c.md"} and all("x:1: y" in p for p in pages.values())
