"""Shared test helpers: golden files and paths."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
REGEN = os.environ.get("LAYERFLOW_REGEN_GOLDEN") == "1"


def _compare(name: str, actual: str) -> None:
    path = GOLDEN / name
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path}; run with LAYERFLOW_REGEN_GOLDEN=1 on purpose to create it"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs from its golden file; regenerate on purpose if the change is right"


@pytest.fixture
def golden() -> Callable[[str, object], None]:
    """golden("stage/case.json", value): compare value (text, or data as JSON) with tests/golden/<name>.

    Regenerate on purpose with LAYERFLOW_REGEN_GOLDEN=1, then review the diff.
    """

    def check(name: str, value: object) -> None:
        text = (
            value if isinstance(value, str) else json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        )
        _compare(name, text)

    return check


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
