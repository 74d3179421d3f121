"""Shared test helpers: golden files and paths."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import goldens

ROOT = Path(__file__).resolve().parent.parent


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """After LAYERFLOW_REGEN_GOLDEN=1: which golden files changed, each with the start of its diff."""
    if not goldens.REGEN:
        return
    terminalreporter.section("golden files regenerated")
    if not goldens.changed:
        terminalreporter.write_line("none changed")
    for name, diff in goldens.changed:
        terminalreporter.write_line(f"changed: tests/golden/{name}")
        for line in diff:
            terminalreporter.write_line(f"    {line}")


@pytest.fixture
def golden() -> Callable[[str, object], None]:
    """golden("stage/case.json", value): compare value (text, or data as JSON) with tests/golden/<name>.

    Regenerate on purpose with LAYERFLOW_REGEN_GOLDEN=1, then review the diff.
    """

    def check(name: str, value: object) -> None:
        text = (
            value if isinstance(value, str) else json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        )
        goldens.compare(name, text)

    return check


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
