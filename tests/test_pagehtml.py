"""layerflow's renderer of its page dialect makes what Python-Markdown makes of the same pages.

The reference is Python-Markdown with the extensions the pages are written for, as the plugin configures
them (MkDocs' toc, tables and fenced_code, admonition, layerflow's escapes): HTML, table of contents, title
and ids must be the same for every entity page of every fixture project, and for registry text Hypothesis
makes up, put wherever pages put registry text.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path
from typing import Any

import markdown
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from mkdocs.utils.meta import get_data

from layerflow.adapters.application import load_and_analyse
from layerflow.adapters.load import Sources
from layerflow.adapters.markdown_escapes import EscapesExtension
from layerflow.adapters.site_files import render_site
from layerflow.render import pagehtml
from layerflow.render.escape import md, md_code
from layerflow.render.markup import admonition, placeholder, table
from layerflow.render.pagehtml import HtmlOptions, OutsideDialect, RowMemo, page_html
from layerflow.render.site import in_page_dialect, whole_page

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = ROOT / "tests" / "fixtures" / "projects"
PERMALINK = HtmlOptions(permalink="&para;")


def python_markdown(text: str, **toc: Any) -> markdown.Markdown:
    return markdown.Markdown(
        extensions=["toc", "tables", "fenced_code", "admonition", EscapesExtension()],
        extension_configs={"toc": toc},
    )


def reference(text: str, **toc: Any) -> tuple[str, list[dict[str, Any]]]:
    engine = python_markdown(text, **toc)
    return engine.convert(text), engine.toc_tokens  # type: ignore[attr-defined]


def shape(tokens: list[Any]) -> list[dict[str, Any]]:
    return [
        {"level": t["level"], "id": t["id"], "name": t["name"], "html": t["html"], "children": shape(t["children"])}
        for t in tokens
    ]


def sources(name: str) -> Sources:
    if name == "embedded":
        code, ops = ROOT / "registry/example", ROOT / "registry/example/scripts/ops/systemd"
        return Sources(base=str(ROOT / "registry"), code=(str(code),), ops=(str(ops),))
    if name == "embedded-plain":
        return Sources(base=str(ROOT / "registry"))
    project = PROJECTS / name
    return Sources(
        base=str(project / "registry"),
        code=tuple(str(p) for p in [project / "src"] if p.is_dir()),
        ops=tuple(str(p) for p in [project / "deploy"] if p.is_dir()),
    )


@cache
def site_pages(name: str) -> dict[str, str]:
    """Every generated page's Markdown body (front matter cut) of one project."""
    analysis, problems = load_and_analyse(sources(name))
    assert analysis is not None, problems
    site = render_site(analysis, {"L6": "L6 Platform"})
    return {path: get_data(text)[0] for path, text in site.pages.items()}


def entity_pages(name: str) -> dict[str, str]:
    return {path: body for path, body in site_pages(name).items() if in_page_dialect(path)}


def whole_pages(name: str) -> dict[str, str]:
    return {path: body for path, body in site_pages(name).items() if whole_page(path)}


def assert_renders_as_python_markdown(pages: dict[str, str]) -> None:
    for path, body in sorted(pages.items()):
        want, toc = reference(body, permalink=True)
        got = page_html(body, PERMALINK)
        assert got.html == want, path
        assert shape(got.toc) == shape(toc), path
        assert got.anchors == set(re.findall(r'\sid="([^"]*)"', want)), path


CORPUS = ["embedded", "embedded-plain", "northwind", "harbor", "tidepool"]


@pytest.mark.parametrize("name", CORPUS)
def test_every_entity_page_renders_as_python_markdown_renders_it(name: str) -> None:
    pages = entity_pages(name)
    assert len(pages) >= 10  # every section's index and its entities
    assert_renders_as_python_markdown(pages)


@pytest.mark.parametrize("name", ["embedded", "northwind"])
def test_without_permalinks_and_with_a_toc_depth(name: str) -> None:
    for path, body in sorted(entity_pages(name).items()):
        want, toc = reference(body, toc_depth="2-3")
        got = page_html(body, HtmlOptions(toc_top=2, toc_bottom=3))
        assert got.html == want, path
        assert shape(got.toc) == shape(toc), path


def test_the_title_is_the_leading_heading() -> None:
    page = page_html("# SIG\\-1 A &amp; B\n\ntext\n", PERMALINK)
    assert page.title == "SIG-1 A &amp; B"
    assert page_html("text\n\n# Late\n", PERMALINK).title is None


def test_links_go_through_the_resolver() -> None:
    seen: list[str] = []

    def resolve(href: str) -> str:
        seen.append(href)
        return href.replace(".md", "/")

    page = page_html("| A |\n|---|\n| [SIG\\_1](../signals/sig-1.md#x) |\n", PERMALINK, resolve)
    assert seen == ["../signals/sig-1.md#x"]
    assert '<a href="../signals/sig-1/#x">SIG_1</a>' in page.html


@pytest.mark.parametrize(
    "text",
    ["*emphasis*", "_emphasis_", "![image](x.png)", "<https://example.com>", "**unclosed", "a ` b", "1. one"],
)
def test_markdown_outside_the_dialect_is_refused(text: str) -> None:
    # "1. one" is a paragraph to this renderer and a list to Python-Markdown: the builders never write one.
    if text == "1. one":
        assert page_html(text, PERMALINK).html != reference(text)[0]
        return
    with pytest.raises(OutsideDialect):
        page_html(text, PERMALINK)


@pytest.mark.parametrize(
    "text",
    [
        "a  \nb", "a   \nb", "**x:** y  \n**z:** w  \nq", "a  ", "a \nb", "  a  \n  b", "`a`  \n[b](c.md)  \nd",
        "a\\  \nb",
    ],
)  # fmt: skip
def test_a_paragraph_keeps_its_lines_and_hard_breaks_as_python_markdown_does(text: str) -> None:
    assert page_html(text, PERMALINK).html == reference(text)[0]


@pytest.mark.parametrize("text", ["`a  \nb`", "[a  \nb](c.md)", "**a  \nb**", '<span title="a  \nb">c</span>'])
def test_markup_across_a_hard_break_is_refused(text: str) -> None:
    with pytest.raises(OutsideDialect):
        page_html(text, PERMALINK)


def test_kept_rows_give_the_page_a_fresh_render_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pagehtml, "MEMO_ROWS", 2)
    rows = [f'| [SIG\\-{i}](sig-{i}.md) | <span id="r{i}">{i}</span> |' for i in range(5)]
    page = "\n".join(["# T", "", "| A | B |", "|---|---|", *rows, "", "| short |", "|---|", "| [x](x.md) |", ""])
    linked: list[str] = []
    impure = [0]

    def href(target: str) -> str:
        linked.append(target)
        if target == "sig-3.md":  # as a link MkDocs warns about: its row is never kept
            impure[0] += 1
        return target.replace(".md", "/")

    memo = RowMemo(last={}, impure=lambda: impure[0])
    first = page_html(page, PERMALINK, href, memo)
    assert first.html == page_html(page, PERMALINK, href).html
    assert len(memo.this) == 4  # five long-table rows, not sig-3's; the short table is not kept
    linked.clear()
    edited = page.replace('| <span id="r1">1</span> |', '| <span id="r1">one</span> |')
    again = RowMemo(last=memo.this, impure=lambda: impure[0])
    second = page_html(edited, PERMALINK, href, again)
    fresh = page_html(edited, PERMALINK, href)
    assert (second.html, second.anchors, shape(second.toc)) == (fresh.html, fresh.anchors, shape(fresh.toc))
    assert {"r0", "r1", "r2", "r3", "r4"} <= second.anchors  # ids of reused rows count as the page's
    assert linked[: linked.index("x.md")] == ["sig-1.md", "sig-3.md"]  # only the edited and the unkept row
    old_row, new_row = rows[1], rows[1].replace(">1<", ">one<")
    assert (2, new_row) in again.this and (2, old_row) not in again.this  # the edited row replaces its old self
    assert len(again.this) == 4


@pytest.mark.parametrize("name", CORPUS)
def test_the_home_report_findings_and_rules_pages_render_as_python_markdown_renders_them(name: str) -> None:
    pages = whole_pages(name)
    assert sorted(pages) == ["findings.md", "index.md", "report.md", "rules.md"]
    assert_renders_as_python_markdown(pages)


# Registry text anywhere pages put it --------------------------------------------------------------------------

registry_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85"),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() != "")


def page_of(name: str, value: str) -> str:
    lines = [f"# {md(name)}", ""]
    lines += table(("Field", "Value"), [(md_code(name), md(value)), ("link", f"[{md(value)}](../signals/x.md)")])
    lines += ["", *admonition("warning", md(value).replace('"', "&quot;"), [md(name)]), ""]
    lines += [f"## {md(value)}", "", f"- **{md(name)}:** {md(value)} → {md_code(value, in_table=False)}", ""]
    # Fragment keys are layerflow's (`signal-sig-100`), not registry text: Python-Markdown's HTML block parser
    # wraps a placeholder whose key holds `&lt;` in a paragraph; the plugin finds it either way.
    lines += [
        placeholder("signal-sig-1"),
        "",
        f"**Flow:** {md(value)}",
        "",
        f"**Status:** {md(value)}  ",  # hard line breaks, as the report's metadata lines end
        f"**Name:** {md_code(name, in_table=False)}  ",
        f"**Method:** {md(name)}",
        "",
        "```",
        value.replace("```", "'''"),
        "```",
        "",
    ]
    return "\n".join(lines)


@settings(max_examples=300, deadline=None)
@given(name=registry_text, value=registry_text)
def test_registry_text_renders_as_python_markdown_renders_it(name: str, value: str) -> None:
    # Python-Markdown looks for raw HTML blocks before it knows code spans, so `<a` in a code span can swallow
    # the blocks after it; the renderer reads the span as a span (test_registry_text_shows_as_written).
    assume(not re.search(r"<[A-Za-z/!?]", name + value))
    text = page_of(name, value)
    want, toc = reference(text, permalink=True)
    got = page_html(text, PERMALINK)
    assert got.html == want
    assert shape(got.toc) == shape(toc)


@settings(max_examples=200, deadline=None)
@given(value=registry_text)
def test_registry_text_shows_as_written(value: str) -> None:
    page = page_html(f"| A | B |\n|---|---|\n| {md(value)} | {md_code(value)} |\n\n<div>x</div>\n", PERMALINK).html
    cells = re.findall(r"<td>(.*?)</td>", page, flags=re.DOTALL)
    shown = [html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in cells]
    one_line = " ".join(value.split())
    assert shown == [one_line, one_line.replace("|", "¦").strip()]
    assert page.endswith("<div>x</div>")  # nothing in a cell opens a block that swallows the next one
