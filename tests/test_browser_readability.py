"""Diagrams a reader can read, in the light and the dark palette; text that needs no emoji font.

The site of the embedded registry is built once and opened in Chromium with
the reader's system set to light, then dark (Material's palette follows
prefers-color-scheme). On every page that has a diagram, each SVG `<text>` is
scrolled into view and, at the centre of each of its characters, the browser
says what is on top (`elementFromPoint`): the text, or something painted over
it. Its contrast with what is behind it is computed from the computed colours
(tests/browser/contrast.py) and must meet WCAG AA for normal text.

The checks are first shown to catch what they are for, on pages made here:
text under a shape, the lane fill that hid every consumer (issue 11), low
contrast, emoji.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pytest

from tests.browser.contrast import AA_NORMAL_TEXT, WHITE, Rgba, contrast_ratio, flatten, parse_color
from tests.browser.harness import browser_page, chromium, serve_directory
from tests.browser.readability import DiagramText, diagram_texts, emoji_in, emoji_in_visible_text
from tests.browser.screenshots import SHOTS, take
from tests.test_site_build import build, project_copy

if TYPE_CHECKING:
    from playwright.sync_api import Browser

Palette = Literal["light", "dark"]
SCHEMES = {"light": "default", "dark": "slate"}  # the Material scheme each system preference selects


def _page(body: str) -> str:
    return f'<!doctype html>\n<html><head><meta charset="utf-8"><title>t</title></head>\n<body>{body}</body></html>\n'


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as shared:
        yield shared


# --------------------------------------------------------------------------- contrast arithmetic (no browser)


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    black, grey = Rgba(0, 0, 0), parse_color("#777777")
    assert grey is not None
    assert math.isclose(contrast_ratio(black, WHITE), 21.0)
    assert math.isclose(contrast_ratio(WHITE, WHITE), 1.0)
    assert round(contrast_ratio(grey, WHITE), 2) == 4.48  # the classic grey that just fails AA
    assert round(contrast_ratio(Rgba(0x76, 0x76, 0x76), WHITE), 2) == 4.54  # and the one that just passes
    assert contrast_ratio(grey, WHITE) == contrast_ratio(WHITE, grey)


def test_translucent_colours_are_composited_before_comparing() -> None:
    ink = parse_color("rgba(0, 0, 0, 0.5)")
    assert ink == Rgba(0, 0, 0, 0.5)
    half_grey = ink.over(WHITE)
    assert (round(half_grey.r), half_grey.a) == (128, 1.0)
    assert math.isclose(contrast_ratio(ink, WHITE), contrast_ratio(half_grey, WHITE))
    # Layers top-down: a transparent box over a half-transparent red over the white canvas.
    assert flatten([Rgba(0, 0, 0, 0), Rgba(255, 0, 0, 0.5)]) == Rgba(255, 127.5, 127.5, 1.0)
    assert flatten([Rgba(10, 20, 30), Rgba(255, 0, 0)]) == Rgba(10, 20, 30)


@pytest.mark.parametrize(
    ("text", "colour"),
    [
        ("rgb(21, 101, 192)", Rgba(21, 101, 192)),
        ("#1565c0", Rgba(21, 101, 192)),
        ("#fff", WHITE),
        ("rgba(226, 228, 233, 0.82)", Rgba(226, 228, 233, 0.82)),
        ("transparent", Rgba(0, 0, 0, 0)),
        ("none", None),
        ('url("#gradient")', None),
    ],
)
def test_computed_colours_are_read(text: str, colour: Rgba | None) -> None:
    assert parse_color(text) == colour


def test_an_unknown_colour_syntax_is_an_error_not_a_pass() -> None:
    with pytest.raises(ValueError, match="cannot read"):
        parse_color("color(display-p3 1 0 0)")


def test_emoji_code_points_are_told_from_symbols_the_stock_fonts_draw() -> None:
    assert emoji_in("✅ pass, ❌ fail, ⚠️ careful, 🚦") == "✅❌⚠\ufe0f🚦"
    assert emoji_in("L7→L6 ▲ ▼ — · … ¶ “quoted” SIG-100") == ""


# --------------------------------------------------------------------------- the checks catch what they are for

COVERED_SVG = """<svg xmlns="http://www.w3.org/2000/svg" class="layerflow-diagram" id="fixture" viewBox="0 0 300 120"
 width="600" height="240">
<rect x="0" y="0" width="300" height="120" fill="#ffffff"/>
<g class="node"><text x="10" y="30" font-size="14" fill="#202020">clear text</text></g>
<g class="node"><a href="#x"><text x="10" y="60" font-size="14" fill="#202020">linked text</text></a></g>
<g class="node"><text x="10" y="90" font-size="14" fill="#202020">hidden text</text>
<rect class="cover" x="5" y="75" width="120" height="20" fill="#ffffff"/></g>
<g class="node"><text x="160" y="30" font-size="14" fill="#202020">half hidden</text>
<rect class="cover" x="200" y="15" width="90" height="20" fill="#ffffff"/></g>
<g class="node"><text x="160" y="60" font-size="14" fill="#777777">pale text</text></g>
<g class="node"><rect x="155" y="75" width="120" height="22" fill="#1565c0"/>
<text x="160" y="90" font-size="14" fill="#0d2b52">dark on blue</text></g>
</svg>"""


@pytest.mark.browser
def test_text_painted_over_is_found_and_contrast_is_measured(tmp_path: Path, browser: Browser) -> None:
    (tmp_path / "index.html").write_text(_page(f"<div style='height:1500px'></div>{COVERED_SVG}"), encoding="utf-8")
    with serve_directory(tmp_path) as base_url, browser_page(browser=browser) as (page, errors):
        page.goto(base_url)
        found = {text.text: text for text in diagram_texts(page)}
        assert errors == []
    assert list(found) == ["clear text", "linked text", "hidden text", "half hidden", "pale text", "dark on blue"]
    assert found["clear text"].covered == () and found["linked text"].covered == ()
    assert found["hidden text"].covered == ('<rect.cover> fill rgb(255, 255, 255) in <g class="node">',)
    assert found["half hidden"].covered and len(found["half hidden"].backgrounds) < len("half hidden")
    assert round(found["clear text"].contrast, 1) == round(contrast_ratio(Rgba(0x20, 0x20, 0x20), WHITE), 1)
    assert round(found["pale text"].contrast, 2) == 4.48  # measured in the browser, as the arithmetic says
    assert found["dark on blue"].contrast < 2.5  # the shape behind the text counts, not the page
    assert found["dark on blue"].lowest_background == Rgba(0x15, 0x65, 0xC0)


@pytest.mark.browser
def test_the_old_lane_fill_is_caught_on_a_real_producer_page(browser: Browser, site_url: str) -> None:
    """Main's stylesheet painted every path of a lane, also Graphviz's unfilled border drawn after the text."""
    old_rule = ".layerflow-diagram .lf-lane path[fill] { fill: var(--lf-paper); }"  # as specific as the fix, later
    with browser_page(browser=browser) as (page, _):
        page.goto(site_url + PRODUCER, wait_until="load")
        before = [text for text in diagram_texts(page) if text.covered]
        page.add_style_tag(content=old_rule)
        after = [text for text in diagram_texts(page) if text.covered]
    assert before == []
    hidden = {text.text for text in after}
    assert {"capability gating", "capability_lockouts", "integration.py", "L2 Product APIs"} <= hidden
    assert all("lf-lane" in where for text in after for where in text.covered), [t.covered for t in after]


@pytest.mark.browser
def test_low_contrast_is_caught_on_a_real_producer_page(browser: Browser, site_url: str) -> None:
    with browser_page(browser=browser) as (page, _):
        page.goto(site_url + PRODUCER, wait_until="load")
        page.add_style_tag(content=".layerflow-diagram text { fill: #999999; }")  # 2.85:1 on white
        texts = diagram_texts(page)
    assert texts and all(text.contrast < AA_NORMAL_TEXT for text in texts), [(str(t), t.contrast) for t in texts]
    assert max(text.contrast for text in texts) == pytest.approx(contrast_ratio(Rgba(0x99, 0x99, 0x99), WHITE))


EMOJI_PAGE = """<h1>Status</h1><table><tr><td>✅ pass</td><td>⚠️ careful</td></tr></table>
<p style="display:none">❌ hidden, not seen</p><p hidden>🚦 hidden too</p>
<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text x="5" y="20">🔴 red</text></svg>"""
PLAIN_PAGE = "<h1>Status</h1><p>L7→L6 ▲ ▼ — pass · “quoted”</p><svg width='10' height='10'><text>ok</text></svg>"


@pytest.mark.browser
def test_visible_emoji_are_found_in_html_and_svg_text(tmp_path: Path, browser: Browser) -> None:
    (tmp_path / "emoji.html").write_text(_page(EMOJI_PAGE), encoding="utf-8")
    (tmp_path / "plain.html").write_text(_page(PLAIN_PAGE), encoding="utf-8")
    with serve_directory(tmp_path) as base_url, browser_page(browser=browser) as (page, errors):
        page.goto(base_url + "emoji.html")
        found = emoji_in_visible_text(page)
        page.goto(base_url + "plain.html")
        plain = emoji_in_visible_text(page)
        assert errors == []
    assert [(e.element, e.marks, e.text) for e in found] == [
        ("td", "✅", "✅ pass"),
        ("td", "⚠\ufe0f", "⚠️ careful"),
        ("text", "🔴", "🔴 red"),
    ]
    assert "U+26A0 U+FE0F" in str(found[1])
    assert plain == []


# --------------------------------------------------------------------------- the site of the embedded registry

PRODUCER = "producers/graduation-evaluator/"


@pytest.fixture(scope="module")
def built_site(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = project_copy(root, tmp_path_factory.mktemp("readable-site"))
    result = build(work)
    assert result.returncode == 0, result.stderr
    return work / "site"


@pytest.fixture(scope="module")
def site_url(built_site: Path) -> Iterator[str]:
    with serve_directory(built_site) as base_url:
        yield base_url


def diagram_pages(site: Path) -> list[str]:
    """Every page of the built site that holds a diagram, as a path from the root ("" for the home page)."""
    pages = []
    for html in sorted(site.rglob("index.html")):
        if 'class="layerflow-diagram"' in html.read_text(encoding="utf-8"):
            folder = html.parent.relative_to(site).as_posix()
            pages.append("" if folder == "." else folder + "/")
    return pages


def test_every_producer_signal_and_home_page_has_a_diagram(built_site: Path) -> None:
    """So the sweep below covers them all: a page that lost its diagram would otherwise pass unread."""
    pages = set(diagram_pages(built_site))
    for kind in ("producers", "signals"):
        entities = {f"{kind}/{p.parent.name}/" for p in (built_site / kind).glob("*/index.html")}
        assert len(entities) >= 8, f"only {sorted(entities)} under {kind}/"
        assert entities <= pages, f"{kind} pages without a diagram: {sorted(entities - pages)}"
    assert "" in pages


@pytest.fixture(scope="module", params=["light", "dark"])
def palette(request: pytest.FixtureRequest) -> Palette:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def readings(browser: Browser, built_site: Path, site_url: str, palette: Palette) -> dict[str, list[DiagramText]]:
    """Every diagram text of every page that has a diagram, as the reader sees it in `palette`."""
    seen: dict[str, list[DiagramText]] = {}
    with browser_page(browser=browser, color_scheme=palette) as (page, errors):
        for path in diagram_pages(built_site):
            page.goto(site_url + path, wait_until="load")
            scheme = page.evaluate("document.body.dataset.mdColorScheme")
            assert scheme == SCHEMES[palette], f"{path or 'home'}: the {palette} system preference gave {scheme}"
            seen[path] = diagram_texts(page)
            assert seen[path], f"{path or 'home'}: its diagrams hold no text"
        assert errors == []
    return seen


def _where(path: str, text: DiagramText) -> str:
    return f"{path or 'home'} {text}"


def test_every_diagram_text_is_what_the_reader_sees(palette: Palette, readings: dict[str, list[DiagramText]]) -> None:
    hidden = [
        f"{_where(path, text)} is under {', '.join(text.covered)}"
        for path, texts in readings.items()
        for text in texts
        if text.covered
    ]
    total = sum(len(texts) for texts in readings.values())
    assert not hidden, f"{palette}: {len(hidden)} of {total} diagram texts are painted over:\n" + "\n".join(hidden)


def test_diagram_text_meets_wcag_aa_contrast(palette: Palette, readings: dict[str, list[DiagramText]]) -> None:
    low = [
        f"{_where(path, text)}: {text.contrast:.2f}:1, {text.color} on {text.lowest_background}"
        for path, texts in readings.items()
        for text in texts
        if text.contrast < AA_NORMAL_TEXT
    ]
    assert not low, f"{palette}: diagram text below {AA_NORMAL_TEXT}:1 (WCAG AA):\n" + "\n".join(low)
    unmeasured = [_where(path, text) for path, texts in readings.items() for text in texts if not text.backgrounds]
    assert not unmeasured, f"{palette}: no character of these shows, so no contrast to measure:\n" + "\n".join(
        unmeasured
    )


# --------------------------------------------------------------------------- the README's screenshots

README_IMAGE = re.compile(r"!\[[^\]]+\]\((docs/images/[a-z-]+\.png)\)")


def test_readme_opens_with_the_committed_screenshots(root: Path) -> None:
    readme = (root / "README.md").read_text(encoding="utf-8")
    before_install = readme.split("\n## ", 1)[0]
    shown = README_IMAGE.findall(before_install)
    assert shown == [f"docs/images/{shot.file}" for shot in SHOTS], shown
    for image in shown:
        assert (root / image).read_bytes().startswith(b"\x89PNG\r\n\x1a\n"), image


@pytest.mark.browser
def test_the_screenshot_tool_writes_the_readme_pictures(built_site: Path, tmp_path: Path, browser: Browser) -> None:
    written = take(built_site, tmp_path, browser=browser)
    assert [path.name for path in written] == [shot.file for shot in SHOTS]
    for path in written:
        data = path.read_bytes()
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")  # the IHDR chunk
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and width == 1280 and 600 < height < 4000, (path, width, height)


@pytest.mark.browser
def test_no_page_needs_an_emoji_font(browser: Browser, built_site: Path, site_url: str) -> None:
    """Status marks are inline SVG icons (render/marks.py): no visible text on any page needs an emoji font."""
    pages = sorted(p.parent.relative_to(built_site).as_posix() for p in built_site.rglob("index.html"))
    found, icons = [], 0
    with browser_page(browser=browser) as (page, _):
        for path in ("" if folder == "." else folder + "/" for folder in pages):
            page.goto(site_url + path, wait_until="load")
            found += [f"{path or 'home'}: {text}" for text in emoji_in_visible_text(page)]
            icons += page.locator(".lf-mark svg").count()
    assert not found, "text the stock Debian fonts draw as empty boxes:\n" + "\n".join(found)
    assert icons >= 100, "the marks are drawn, not dropped"
