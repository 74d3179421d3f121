"""Open a built static site in Debian's headless Chromium, for pytest.

    with serve_directory(site_dir) as base_url, browser_page() as (page, errors):
        page.goto(base_url + "flows/")
        ...
        assert errors == []

Starting Chromium takes about a second; tests that open many pages can share
one browser (each page still gets a fresh context: no shared cookies or
storage):

    @pytest.fixture(scope="module")
    def browser() -> Iterator[Browser]:
        with chromium() as browser:
            yield browser

    def test_x(browser: Browser) -> None:
        with browser_page(browser=browser) as (page, errors): ...

Playwright drives the system Chromium (`/usr/bin/chromium`, from
`make browser-deps`, or $LAYERFLOW_CHROMIUM); it never downloads a browser of
its own, so never run `playwright install`. Without Chromium the test fails,
saying how to install it: a browser test that skips would pass without
testing anything.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Route

CHROMIUM = os.environ.get("LAYERFLOW_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = "install it with `make browser-deps` (apt-get install chromium chromium-driver)"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves files without logging each request to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a browser closing a connection early is not news


@contextmanager
def serve_directory(path: str | os.PathLike[str]) -> Iterator[str]:
    """Serve `path` over HTTP on 127.0.0.1 at a free port; yields the base URL, ending in "/"."""
    root = os.fspath(path)
    if not os.path.isdir(root):
        raise FileNotFoundError(f"no directory to serve: {root}")
    server = _QuietServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=root))
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"serve {root}", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def require_chromium(executable: str = CHROMIUM) -> str:
    """The Chromium to drive, or a failed test that says how to install it."""
    if not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
        pytest.fail(f"Chromium not found at {executable}: {INSTALL_HINT}", pytrace=False)
    return executable


@contextmanager
def chromium(*, executable: str = CHROMIUM) -> Iterator[Browser]:
    """A headless Chromium driven by Playwright, closed on exit."""
    require_chromium(executable)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the dev extra installs it
        pytest.fail("the playwright package is missing: pip install -e '.[dev]'", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def browser_page(
    *,
    browser: Browser | None = None,
    executable: str = CHROMIUM,
    allow_external: bool = False,
    timeout_ms: float = 15_000,
    color_scheme: Literal["light", "dark"] = "light",
    viewport: tuple[int, int] = (1280, 720),
) -> Iterator[tuple[Page, list[str]]]:
    """A fresh page, and a list that fills with what went wrong in it.

    The list collects console errors ("console.error: ...", which includes
    resources that failed to load) and uncaught exceptions ("pageerror: ...").
    Unless `allow_external`, requests to any host but this machine are refused
    and listed too ("blocked external request: ..."): a built site must not
    need the internet. Uses `browser` when given, else starts its own Chromium.
    `color_scheme` is the reader's system preference (prefers-color-scheme),
    which the site's palette follows; `viewport` is the window's (width, height).
    """
    if browser is None:
        with (
            chromium(executable=executable) as own,
            browser_page(
                browser=own,
                allow_external=allow_external,
                timeout_ms=timeout_ms,
                color_scheme=color_scheme,
                viewport=viewport,
            ) as opened,
        ):
            yield opened
        return
    errors: list[str] = []
    width, height = viewport
    context = browser.new_context(color_scheme=color_scheme, viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.set_default_timeout(timeout_ms)
        page.on("console", lambda message: _console(message, errors))
        page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
        if not allow_external:
            page.route("**/*", lambda route: _local_only(route, errors))
        yield page, errors
    finally:
        context.close()


def _console(message: ConsoleMessage, errors: list[str]) -> None:
    if message.type == "error":
        where = message.location.get("url", "")
        errors.append(f"console.error: {message.text}" + (f" ({where})" if where else ""))


def _local_only(route: Route, errors: list[str]) -> None:
    url = route.request.url
    parts = urlsplit(url)
    if parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname not in LOCAL_HOSTS:
        errors.append(f"blocked external request: {url}")
        route.abort()
    else:
        route.continue_()
