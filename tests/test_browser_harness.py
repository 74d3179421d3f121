"""The browser harness works: it serves a directory, drives Chromium, follows SVG links and hears errors."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from layerflow.adapters.graphviz import render_svgs
from layerflow.render.svg import dot_quote, inline_svg
from tests.browser.harness import browser_page, chromium, serve_directory

if TYPE_CHECKING:
    from playwright.sync_api import Browser

SVG = """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 200 100"
 class="layerflow-diagram" role="img" aria-label="A flow">
<g id="d-node1" class="node">
<a xlink:href="target.html" id="node-link">
<ellipse cx="100" cy="50" rx="90" ry="40" fill="#eef" stroke="black"/>
<text x="100" y="55" text-anchor="middle">producer</text>
</a>
</g>
</svg>"""


def _page(body: str, title: str = "page") -> str:
    head = f'<meta charset="utf-8"><title>{title}</title>'
    return f"<!doctype html>\n<html><head>{head}</head>\n<body>{body}</body></html>\n"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as shared:
        yield shared


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_text(_page(f"<h1>Flows</h1>\n<div>{SVG}</div>", "index"), encoding="utf-8")
    (tmp_path / "target.html").write_text(_page("<h1 id='arrived'>Target</h1>", "target"), encoding="utf-8")
    (tmp_path / "noisy.html").write_text(
        _page(
            "<script>console.error('deliberate failure', 42); setTimeout(() => { throw new Error('boom'); });</script>"
        ),
        encoding="utf-8",
    )
    (tmp_path / "online.html").write_text(
        _page('<img src="http://example.invalid/pixel.png" alt="">'), encoding="utf-8"
    )
    return tmp_path


def test_serve_directory_serves_files_and_stops(site: Path) -> None:
    with serve_directory(site) as base_url:
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/")
        with urllib.request.urlopen(base_url + "target.html", timeout=10) as response:
            assert b"Target" in response.read()
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(base_url + "missing.html", timeout=10)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(base_url + "target.html", timeout=5)


@pytest.mark.browser
def test_a_click_on_a_link_inside_an_inline_svg_navigates(site: Path) -> None:
    with serve_directory(site) as base_url, browser_page() as (page, errors):
        page.goto(base_url)
        assert page.locator("svg.layerflow-diagram").get_attribute("aria-label") == "A flow"
        page.locator("svg text", has_text="producer").click()
        page.wait_for_url(base_url + "target.html")
        assert page.locator("#arrived").inner_text() == "Target"
        assert errors == []


@pytest.mark.browser
def test_console_errors_and_page_errors_are_collected(site: Path, browser: Browser) -> None:
    with serve_directory(site) as base_url, browser_page(browser=browser) as (page, errors):
        page.goto(base_url + "noisy.html")
        for _ in range(100):  # the exception is thrown from a timer, after load
            if any("boom" in e for e in errors):
                break
            page.wait_for_timeout(20)
        assert any("console.error: deliberate failure 42" in e for e in errors), errors
        assert any("pageerror: " in e and "boom" in e for e in errors), errors


@pytest.mark.browser
def test_requests_that_leave_the_machine_are_refused_and_reported(site: Path, browser: Browser) -> None:
    with serve_directory(site) as base_url, browser_page(browser=browser) as (page, errors):
        page.goto(base_url + "online.html")
        assert "blocked external request: http://example.invalid/pixel.png" in errors


@pytest.mark.browser
def test_a_graphviz_diagram_link_works_end_to_end(tmp_path: Path, browser: Browser) -> None:
    source = (
        f'digraph {dot_quote("Flow <A>")} {{ job [URL="target.html", label={dot_quote("job & <b>")}]; job -> out }}'
    )
    svg = inline_svg(render_svgs({"flow": source}, None)["flow"], "flow-a")
    (tmp_path / "index.html").write_text(_page(f"<div>\n{svg}\n</div>"), encoding="utf-8")
    (tmp_path / "target.html").write_text(_page("<p id='arrived'>ok</p>", "target"), encoding="utf-8")
    with serve_directory(tmp_path) as base_url, browser_page(browser=browser) as (page, errors):
        page.goto(base_url)
        diagram = page.locator("#flow-a")
        assert diagram.get_attribute("aria-label") == "Flow <A>"
        assert diagram.locator("text", has_text="job & <b>").count() == 1
        box = diagram.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0
        diagram.locator("a").first.click()
        page.wait_for_url(base_url + "target.html")
        assert errors == []


def test_a_missing_chromium_fails_with_the_install_hint(tmp_path: Path) -> None:
    with (
        pytest.raises(pytest.fail.Exception, match="make browser-deps"),
        browser_page(executable=str(tmp_path / "no-chromium")),
    ):
        pass
