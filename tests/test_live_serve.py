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


@pytest.fixture
def served(root: Path, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    work = project_copy(root, tmp_path)
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
        yield work, f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        assert "Traceback" not in output, output


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
    broken = wait_for(base, lambda text: "cannot be read" in text)
    assert "registry/auditor_rules.yaml:" in broken
    rules.write_text(good, encoding="utf-8")
    wait_for(base, lambda text: "Open gaps" in text)
