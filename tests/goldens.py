"""Golden files: compare, regenerate on purpose with a visible diff, and split the CLI's JSON into its stages."""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

from layerflow.render.jsontext import dumps_indented

GOLDEN = Path(__file__).resolve().parent / "golden"
REGEN = os.environ.get("LAYERFLOW_REGEN_GOLDEN") == "1"
DIFF_LINES = 40  # of each changed file's diff, in the summary after a regeneration

# What `layerflow check --format json` holds, a golden file a stage: the head, then one per list.
CHECK_HEAD = ("version", "tool", "summary", "problems")
CHECK_STAGES = ("signals", "flows", "findings", "gaps", "changes")
CHECK_JUDGEMENT = ("baseline", "known", "fixed", "suppressed")  # what a baseline or suppressions set aside

changed: list[tuple[str, list[str]]] = []  # (golden name, the start of its diff), for the terminal summary


def compare(name: str, actual: str) -> None:
    """`actual` against tests/golden/<name>; with LAYERFLOW_REGEN_GOLDEN=1 the file is rewritten and the
    change listed (with a short diff) at the end of the run, so nothing is regenerated silently."""
    path = GOLDEN / name
    if REGEN:
        before = path.read_text(encoding="utf-8") if path.exists() else ""
        if before != actual:
            diff = difflib.unified_diff(
                before.splitlines(), actual.splitlines(), f"a/{name}", f"b/{name}", n=1, lineterm=""
            )
            changed.append((name, list(diff)[:DIFF_LINES]))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path}; run with LAYERFLOW_REGEN_GOLDEN=1 on purpose to create it"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs from its golden file; regenerate on purpose if the change is right"


def check_stages(text: str) -> dict[str, str]:
    """The JSON `check` printed, a text per stage (file name -> JSON as the CLI writes it).

    The whole is still checked: its keys in order, and each stage byte for byte; the text is exactly
    what the CLI's writer makes of the document.
    """
    document: dict[str, Any] = json.loads(text)
    assert list(document) == [*CHECK_HEAD, *CHECK_STAGES, *CHECK_JUDGEMENT], list(document)
    assert text == dumps_indented(document) + "\n", "the CLI writes its JSON in one format"
    stages = {"head.json": dumps_indented({key: document[key] for key in CHECK_HEAD}) + "\n"}
    stages.update({f"{stage}.json": dumps_indented(document[stage]) + "\n" for stage in CHECK_STAGES})
    stages["judgement.json"] = dumps_indented({key: document[key] for key in CHECK_JUDGEMENT}) + "\n"
    return stages


def compare_check_json(folder: str, text: str, *, same_as: str = "", same: tuple[str, ...] = ()) -> None:
    """`check --format json` output against the per-stage goldens in tests/golden/<folder>/; the stages
    in `same` (signals, flows...) against the goldens in `same_as` instead: what must not differ there."""
    for name, stage in check_stages(text).items():
        compare(f"{same_as if name.removesuffix('.json') in same else folder}/{name}", stage)
