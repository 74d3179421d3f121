"""`mkdocs serve` on loopback: a registry edit shows in the served page; a broken edit shows its error."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.test_site_build import QUIET, project_copy

pytestmark = pytest.mark.site
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""


def wait_for(url: str, predicate: object, seconds: float = 90) -> str:
    """Poll until the page satisfies the predicate; bounded, so a broken server fails the test."""
    deadline = time.monotonic() + seconds
    text = ""
    while time.monotonic() < deadline:
        text = fetch(url)
        if callable(predicate) and predicate(text):
            return text
        time.sleep(0.3)
    raise AssertionError(f"{url} never showed what was expected; last page:\n{text[:2000]}")


@contextmanager
def serve(work: Path) -> Iterator[str]:
    """`properdocs serve` of the project on a free loopback port; the base URL. No traceback on the way out."""
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "properdocs"), "serve", "-f", str(work / "mkdocs.yml"), "--dev-addr", f"127.0.0.1:{port}"],
        cwd=work,
        env=QUIET,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        assert "Traceback" not in output, output


@pytest.fixture
def served(root: Path, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    work = project_copy(root, tmp_path)
    with serve(work) as base:
        yield work, base


def test_edit_shows_without_restart(served: tuple[Path, str]) -> None:
    work, base = served
    page = base + "signals/sig-100/"
    wait_for(page, lambda text: "GraduationStatus" in text)
    registry = work / "registry/SIGNAL_REGISTRY_PYTHON_BASELINE.md"
    registry.write_text(registry.read_text(encoding="utf-8").replace("GraduationStatus", "GraduationLevel"), "utf-8")
    os.utime(registry)
    wait_for(page, lambda text: "GraduationLevel" in text)


def test_broken_edit_shows_located_error_and_recovers(served: tuple[Path, str]) -> None:
    work, base = served
    wait_for(base, lambda text: "Open gaps" in text)
    rules = work / "registry/auditor_rules.yaml"
    good = rules.read_text(encoding="utf-8")
    rules.write_text("schema: [unclosed\n", encoding="utf-8")
    broken = wait_for(base, lambda text: "lf-broken" in text)
    assert "registry/auditor_rules.yaml:" in broken
    assert "Open gaps" in broken, "the last good page stays, under the banner"
    rules.write_text(good, encoding="utf-8")
    wait_for(base, lambda text: "Open gaps" in text and "lf-broken" not in text)


def test_broken_from_the_start_says_so_and_recovers(root: Path, tmp_path: Path) -> None:
    """No good build to keep: the home page lists the problems until the input reads."""
    work = project_copy(root, tmp_path)
    rules = work / "registry/auditor_rules.yaml"
    good = rules.read_text(encoding="utf-8")
    rules.write_text("schema: [unclosed\n", encoding="utf-8")
    with serve(work) as base:
        broken = wait_for(base, lambda text: "cannot be read" in text)
        assert "registry/auditor_rules.yaml:" in broken
        rules.write_text(good, encoding="utf-8")
        wait_for(base, lambda text: "Open gaps" in text)


@pytest.mark.browser
def test_a_broken_edit_keeps_every_page_under_a_banner_and_the_fix_reloads_it(served: tuple[Path, str]) -> None:
    """A reader on an entity page while the registry is broken, then fixed: never a 404, no reload by hand."""
    from tests.browser.harness import browser_page

    work, base = served
    signal, producer = base + "signals/sig-100/", base + "producers/graduation-evaluator/"
    wait_for(signal, lambda text: "GraduationStatus" in text)
    registry = work / "registry/SIGNAL_REGISTRY_PYTHON_BASELINE.md"
    good = registry.read_text(encoding="utf-8")
    row = next(line for line in good.splitlines() if line.startswith("| SIG-100 |"))
    line = good.splitlines().index(row) + 1
    with browser_page() as (page, _errors):
        statuses: list[int] = []
        page.on("response", lambda r: statuses.append(r.status) if r.request.resource_type == "document" else None)
        page.goto(signal)
        page.wait_for_selector("svg.layerflow-diagram")
        # One cell too many: the row's own error, and the change record that then names a signal no file defines.
        registry.write_text(good.replace(row, row + " x |"), encoding="utf-8")
        page.wait_for_selector(".lf-broken", timeout=90_000)  # the live reload brought the banner
        problems = page.locator(".lf-broken li").all_inner_texts()
        assert problems == [
            f"registry/SIGNAL_REGISTRY_PYTHON_BASELINE.md:{line}: row has 11 cells but the header has 10; "
            "is a '|' unescaped?",
            "registry/REGISTRY_CHANGES/REGISTRY_CHANGE_SIG-100.md:1: RC-001 corrects SIG-100, which no registry "
            "file defines",
        ], "causes before knock-ons, characters as in the file"
        assert "GraduationStatus" in page.locator("h1").inner_text(), "the last good page, under the banner"
        assert page.locator("svg.layerflow-diagram").count() >= 1, "with its diagrams"
        other = fetch(producer)
        assert "lf-broken" in other and "Graduation Evaluator" in other, "every page keeps its content"
        registry.write_text(good, encoding="utf-8")
        page.wait_for_selector(".lf-broken", state="detached", timeout=90_000)  # reloaded by itself
        assert "GraduationStatus" in page.locator("h1").inner_text()
        assert statuses and 404 not in statuses, statuses
