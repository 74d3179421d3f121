"""The built site in headless Chromium: pages and diagrams render, links and search work, names stay text.

Two sites are built once per module: the embedded registry, and a copy of it in
which a signal, a producer, a consumer and a change record's evidence are named
with markup (`HOSTILE`). Both are served over http from 127.0.0.1 and opened in
one shared Chromium (tests/browser/harness.py).
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.harness import browser_page, chromium, serve_directory
from tests.test_site_build import build, project_copy

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

REPORT = "report/"
PRODUCER = "producers/graduation-evaluator/"
SIGNAL = "signals/sig-100/"
CHANGE = "changes/rc-001/"

# Markup in names. `</title>` first: a page's name also lands in the HTML <title>, whose text ends there.
HOSTILE = '</title><script>window.__pwned=1</script> "quoted" ] { } \\ <img src=x onerror="window.__pwned=2">'
SVG_NS = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
# Registry cells are Markdown, so `__pwned ... window.__` reads as bold there and may lose its `__`:
# whichever global a leaked script sets, it is one of these.
PWNED = "[window.__pwned, window.pwned]"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as shared:
        yield shared


@pytest.fixture(scope="module")
def site_url(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = project_copy(root, tmp_path_factory.mktemp("browser-site"))
    result = build(work)
    assert result.returncode == 0, result.stderr
    with serve_directory(work / "site") as base_url:
        yield base_url


def _replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"{path.name} no longer holds {old!r}: update the hostile fixture"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def hostile_registry(registry: Path) -> None:
    """Markup in a signal name and consumer, a producer name and consumer, and change-record evidence."""
    _replace_once(
        registry / "SIGNAL_REGISTRY_PYTHON_BASELINE.md",
        "| SIG-100 | GraduationStatus | derived | scheduled_job | `graduation_evaluator.py` | L5 "
        "| capability_lockouts (L6), integration.py (L2) |",
        f"| SIG-100 | Graduation{HOSTILE}Status | derived | scheduled_job | `graduation_evaluator.py` | L5 "
        f"| capability_lockouts (L6), integration.py (L2), {HOSTILE} (L6) |",
    )
    # json.dumps writes a valid YAML double-quoted scalar (\" and \\ escaped).
    producers = registry / "producers.yaml"
    _replace_once(
        producers, "    name: Graduation Evaluator\n", f"    name: {json.dumps(f'Graduation {HOSTILE} Evaluator')}\n"
    )
    _replace_once(
        producers,
        'consumers: ["capability gating (L6)"]',
        f'consumers: ["capability gating (L6)", {json.dumps(f"{HOSTILE} (L6)")}]',
    )
    _replace_once(
        registry / "REGISTRY_CHANGES/REGISTRY_CHANGE_SIG-100.md",
        "## Evidence\n\n",
        f"## Evidence\n\n{HOSTILE}\n\n- checked by {HOSTILE}\n\n",
    )


@pytest.fixture(scope="module")
def hostile_build(
    root: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[subprocess.CompletedProcess[str], Path]:
    work = project_copy(root, tmp_path_factory.mktemp("browser-hostile"))
    hostile_registry(work / "registry")
    return build(work), work / "site"


@pytest.fixture(scope="module")
def hostile_url(hostile_build: tuple[subprocess.CompletedProcess[str], Path]) -> Iterator[str]:
    result, site = hostile_build
    if not (site / "index.html").is_file():
        pytest.fail(f"the hostile registry built no site:\n{result.stderr}", pytrace=False)
    with serve_directory(site) as base_url:
        yield base_url


@contextmanager
def opened(browser: Browser, url: str) -> Iterator[tuple[Page, list[str]]]:
    """`url` loaded in a fresh page: its scripts ran, its stylesheets and images loaded or failed."""
    with browser_page(browser=browser) as (page, errors):
        page.goto(url, wait_until="load")
        yield page, errors


def heading(page: Page, level: int = 1) -> str:
    """The first visible heading's text, without Material's permalink sign."""
    locator = page.locator(f"article h{level}").first
    assert locator.is_visible(), f"no visible h{level} on {page.url}"
    return locator.inner_text().replace("¶", "").strip()


# --------------------------------------------------------------------------- the embedded registry

PAGES = {
    REPORT: ("L7→L6 Flow Sufficiency Analysis", ["1. Decision Tree (from auditor_rules.yaml)"]),
    PRODUCER: ("Graduation Evaluator", ["Flow diagram", "Outputs", "Decision paths"]),
    SIGNAL: ("SIG-100 GraduationStatus", ["Consumers", "Flows", "Change history"]),
}


@pytest.mark.parametrize("path", list(PAGES))
def test_page_renders_with_its_diagrams(browser: Browser, site_url: str, path: str) -> None:
    title, sections = PAGES[path]
    with opened(browser, site_url + path) as (page, _):
        assert heading(page) == title
        h2 = [t.replace("¶", "").strip() for t in page.locator("article h2").all_inner_texts()]
        for section in sections:
            assert section in h2, f"{path}: no section {section!r} among {h2}"
        diagrams = page.locator("svg.layerflow-diagram")
        assert diagrams.count() >= 1, f"{path} shows no svg.layerflow-diagram (the issue: it renders with its diagrams)"
        for index in range(diagrams.count()):
            diagram = diagrams.nth(index)
            assert diagram.is_visible(), f"{path}: diagram {index} is hidden"
            box = diagram.bounding_box()
            assert box is not None and box["width"] > 0 and box["height"] > 0, f"{path}: diagram {index} box {box}"


def test_producer_page_has_flow_and_decision_diagrams(browser: Browser, site_url: str) -> None:
    with opened(browser, site_url + PRODUCER) as (page, _):
        ids = page.eval_on_selector_all("svg.layerflow-diagram", "els => els.map(e => e.id)")
        assert ids == ["lf-producer-graduation-evaluator", "lf-tree-graduation-evaluator"]


def test_clicking_a_diagram_node_opens_its_page(browser: Browser, site_url: str) -> None:
    with opened(browser, site_url + PRODUCER) as (page, _):
        node = page.locator(
            "xpath=//*[local-name()='svg' and contains(@class, 'layerflow-diagram')]"
            "//*[local-name()='a'][contains(@*[local-name()='href'], '/signals/sig-100/')]"
        )
        assert node.count() == 1, "the flow diagram has no link to SIG-100"
        node.click()
        page.wait_for_url(site_url + SIGNAL)
        assert heading(page) == "SIG-100 GraduationStatus"


@pytest.mark.parametrize("open_search", ["click", "slash"])
def test_search_finds_a_signal(browser: Browser, site_url: str, open_search: str) -> None:
    with opened(browser, site_url) as (page, _):
        search = page.locator(".md-search__input")
        if open_search == "click":
            search.click()
        else:
            # Material binds "/" once its bundle has run; on a loaded machine that can be after "load".
            # Press until the search box has focus, for a bounded time, never typing into it.
            for _ in range(40):
                page.keyboard.press("/")
                if search.evaluate("e => e === document.activeElement"):
                    break
                page.wait_for_timeout(250)
        assert search.evaluate("e => e === document.activeElement"), f"search not focused after {open_search}"
        page.keyboard.type("SIG-100")
        page.locator(".md-search-result__item").first.wait_for(state="visible")
        # Results update as each key lands; wait for the full query's result rather than the first list.
        wanted = page.locator(f'.md-search-result__item a[href^="{site_url + SIGNAL}"]').first
        with contextlib.suppress(PlaywrightTimeout):  # the assertion below names what the list held instead
            wanted.wait_for(state="attached", timeout=10_000)
        hrefs = page.eval_on_selector_all(".md-search-result__item a", "els => els.map(e => e.href)")
        pages = {urlsplit(h)._replace(query="", fragment="").geturl() for h in hrefs}  # ?h=: search.highlight
        assert site_url + SIGNAL in pages, f"no result links to {SIGNAL}: {sorted(pages)}"
        page.locator(f'.md-search-result__item a[href^="{site_url + SIGNAL}"]').first.click()
        page.wait_for_url(re.compile(re.escape(site_url + SIGNAL)))
        assert heading(page) == "SIG-100 GraduationStatus"


CONSOLE_PAGES = ["", REPORT, PRODUCER, SIGNAL, "signals/", CHANGE]


def split_errors(errors: list[str]) -> tuple[list[str], list[str]]:
    """(errors of the page itself, requests that left the machine and what their refusal logged)."""
    blocked = [e.removeprefix("blocked external request: ") for e in errors if e.startswith("blocked external")]
    external = [e for e in errors if e.startswith("blocked external") or any(e.endswith(f"({u})") for u in blocked)]
    return [e for e in errors if e not in external], external


@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_console_shows_no_errors(browser: Browser, site_url: str, path: str) -> None:
    with opened(browser, site_url + path) as (page, errors):
        page.locator(".md-search__input").click()  # starts the search worker, which fetches the index
        page.keyboard.type("graduation")
        page.locator(".md-search-result__item").first.wait_for(state="visible")
        own, _ = split_errors(errors)
        assert own == [], f"{path or 'home'}:\n" + "\n".join(own)


def test_pages_load_nothing_from_the_internet(browser: Browser, site_url: str) -> None:
    fetched: dict[str, list[str]] = {}
    for path in CONSOLE_PAGES:
        with opened(browser, site_url + path) as (_, errors):
            _, external = split_errors(errors)
            if external:
                fetched[path or "home"] = [e for e in external if e.startswith("blocked")]
    assert fetched == {}, "the site needs the internet (served from 127.0.0.1, external requests refused):\n" + (
        "\n".join(f"{page}: {', '.join(urls)}" for page, urls in fetched.items())
    )


def test_signal_table_sorts_by_uid(browser: Browser, site_url: str) -> None:
    with opened(browser, site_url + "signals/index.html") as (page, _):
        table = page.locator("article table").first
        uid = table.locator("thead th", has_text="UID")
        first = table.locator("tbody tr").first.locator("td").first
        uids = table.locator("tbody tr td:first-child").all_inner_texts()
        assert len(uids) == 18
        ascending, descending = min(uids), max(uids)
        assert ascending == "SIG-001" and descending == "SIG-207"
        uid.click()
        assert uid.get_attribute("aria-sort") == "ascending"
        assert first.inner_text() == ascending
        uid.click()
        assert uid.get_attribute("aria-sort") == "descending"
        assert first.inner_text() == descending
        assert table.locator("tbody tr td:first-child").all_inner_texts() == sorted(uids, reverse=True)


def test_diagrams_follow_the_dark_palette(browser: Browser, site_url: str) -> None:
    paint = """() => {
        const fill = (selector) => getComputedStyle(document.querySelector(selector)).fill;
        return {
            text: fill("svg.layerflow-diagram text"),
            producer: fill("svg.layerflow-diagram .lf-producer :is(polygon, path)"),
            page_text: getComputedStyle(document.querySelector("article")).color,
        };
    }"""
    with opened(browser, site_url + PRODUCER) as (page, _):
        assert page.locator("body").get_attribute("data-md-color-scheme") == "default"
        light = page.evaluate(paint)
        toggle = page.locator('label.md-header__button[for^="__palette"]:visible')
        assert toggle.count() == 1
        toggle.click()
        page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
        dark = page.evaluate(paint)
        assert dark["page_text"] != light["page_text"]  # the toggle switched the theme
        unchanged = [key for key in ("text", "producer") if dark[key] == light[key]]
        assert unchanged == [], (
            f"in the dark palette the diagram's {unchanged} keep their light fill: light {light}, dark {dark}"
        )


# --------------------------------------------------------------------------- the hostile registry

HOSTILE_PAGES = [SIGNAL, PRODUCER, REPORT, CHANGE, ""]
NAMED_IN_DIAGRAMS = {PRODUCER, ""}  # the producer's flow diagram and the home page's layer overview


def test_hostile_registry_builds(hostile_build: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, site = hostile_build
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    for path in HOSTILE_PAGES:
        assert (site / path / "index.html").is_file(), path


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_hostile_names_run_no_script(browser: Browser, hostile_url: str, path: str) -> None:
    with opened(browser, hostile_url + path) as (page, _):
        leaked = page.evaluate(
            """() => Array.from(document.querySelectorAll('script, img[src="x"]'))
                 .filter(e => e.tagName === 'IMG' || e.textContent.includes('pwned'))
                 .map(e => `<${e.tagName.toLowerCase()}> in <${e.parentElement.tagName.toLowerCase()}>`)"""
        )
        ran = page.evaluate(PWNED)
        assert (ran, leaked) == ([None, None], []), (
            f"{path}: registry text became elements {leaked} and scripts set {ran}; document.title is {page.title()!r}"
        )


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_hostile_names_show_as_text(browser: Browser, hostile_url: str, path: str) -> None:
    with opened(browser, hostile_url + path) as (page, _):
        article = page.inner_text("article")
        for piece in ("</title><script>window.", '</script> "quoted" ] { } \\ <img src=x onerror=', '2">'):
            assert piece in article, f"{path}: {piece!r} is not shown as text"


def _xml(svg: str, where: str) -> ET.Element:
    if "xlink:" in svg and "xmlns:xlink" not in svg:
        svg = svg.replace("<svg ", f'<svg xmlns:xlink="{XLINK}" ', 1)
    try:
        return ET.fromstring(svg.replace("&nbsp;", "&#160;"))  # the one HTML entity outerHTML writes
    except ET.ParseError as exc:
        pytest.fail(f"{where} is not well-formed XML: {exc}\n{svg[:2000]}", pytrace=False)


def _texts(svg: ET.Element) -> list[str]:
    return ["".join(e.itertext()) for e in svg.iter(f"{{{SVG_NS}}}text")]


def _tags(svg: ET.Element) -> set[str]:
    return {e.tag.split("}")[-1] for e in svg.iter()}


FOREIGN = {"script", "img", "foreignObject", "iframe", "style"}


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_hostile_diagrams_are_well_formed(browser: Browser, hostile_url: str, path: str) -> None:
    with urllib.request.urlopen(hostile_url + path, timeout=10) as response:
        source = response.read().decode("utf-8")
    raw = re.findall(r'<svg\b[^>]*\bclass="layerflow-diagram".*?</svg>', source, re.DOTALL)
    written = [_xml(svg, f"{path or 'home'}: diagram {i} as written") for i, svg in enumerate(raw)]
    with opened(browser, hostile_url + path) as (page, _):
        dom = page.eval_on_selector_all("svg.layerflow-diagram", "els => els.map(e => e.outerHTML)")
    assert len(dom) == len(raw), f"{path}: {len(raw)} diagrams written, {len(dom)} in the DOM"
    for index, (svg, tree) in enumerate(zip(dom, written, strict=True)):
        parsed = _xml(svg, f"{path or 'home'}: diagram {index} as the browser parsed it")
        assert _texts(parsed) == _texts(tree), f"{path}: diagram {index} lost text when parsed as HTML"
        assert not (_tags(tree) | _tags(parsed)) & FOREIGN, f"{path}: diagram {index} holds {_tags(parsed)}"
    if path in NAMED_IN_DIAGRAMS:
        labels = [text for tree in written for text in _texts(tree)]
        assert any("<script>window." in text for text in labels), f"{path}: no diagram shows the hostile name"


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("SIG-100", SIGNAL),
        ("GraduationStatus", SIGNAL),
        ("GAP-002", "gaps/gap-002/"),
        ("RC-001", CHANGE),
        ("Graduation Evaluator", PRODUCER),
        ("cost_snapshots", "stores/postgresql-cost-snapshots/"),
    ],
)
def test_an_entity_page_is_the_first_hit_for_its_id_or_name(
    browser: Browser, site_url: str, query: str, first: str
) -> None:
    """The report and the indexes name every entity too; the entity's own page comes first (search boost)."""
    with opened(browser, site_url) as (page, _):
        page.locator(".md-search__input").click()
        page.keyboard.type(query)
        # Results update per key typed: a shorter query's list may hold the page lower down, so wait until the
        # list's first hit is the page (the last query's results come last), bounded; the assertion says what came.
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(
                "([selector, wanted]) => { const a = document.querySelector(selector);"
                " return a !== null && a.href.split(/[?#]/)[0] === wanted; }",
                arg=[".md-search-result__item > a", site_url + first],
                timeout=10_000,
            )
        hrefs = page.eval_on_selector_all(".md-search-result__item > a", "els => els.map(e => e.href)")
    pages = [urlsplit(h)._replace(query="", fragment="").geturl() for h in hrefs]
    assert pages and pages[0] == site_url + first, f"{query!r}: {pages[:3]}"
