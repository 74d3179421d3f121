"""What every part of the model stands on: layers, places in a user's file, problems found there."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum

from layerflow.model.quick import quick_init

# A cell that says "none" ("—", "-", "N/A", "None", "") is stored as NONE;
# "UNKNOWN" stays "UNKNOWN"; a column a table lacks has no key at all.
NONE = ""
UNKNOWN = "UNKNOWN"

LAYERS: tuple[str, ...] = tuple(f"L{n}" for n in range(1, 9))
# A layer as registries write it: "L6", a sub-layer "L2a" / "L7b", or a number that is no layer ("L9", "L10").
LAYER_TOKEN = re.compile(r"\bL(\d+)([A-Za-z])?\b")
RUNTIME_LAYERS = frozenset({"L4", "L5", "L6"})  # what the decision tree calls "required by L6"
_LAYER_DIGITS = frozenset("12345678")


@functools.lru_cache(maxsize=4096)  # a registry writes the same few layer cells ("L4, L6") on thousands of rows
def named_layers(text: str) -> tuple[str, ...]:
    """The layers L1..L8 a text names, in order, without repeats; a sub-layer reads as its layer ("L2a" -> "L2")."""
    if "L" not in text:
        return ()
    found: dict[str, None] = {}
    for match in LAYER_TOKEN.finditer(text):
        if match.group(1) in _LAYER_DIGITS:
            found.setdefault("L" + match.group(1))
    return tuple(found)


@quick_init
@dataclass(frozen=True, order=True, slots=True)
class Location:
    """A place in a user's file. line 0 means the file as a whole."""

    path: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


class Level(StrEnum):
    ERROR = "error"  # the input cannot be read as meant: exit 3
    WARNING = "warning"  # read, but something was odd and is reported
    NOTE = "note"  # read as the author wrote it, in a shape worth a word; an info finding, never the exit code


@quick_init
@dataclass(frozen=True, order=True, slots=True)
class Problem:
    """Something wrong with an input file, located so a person can fix it."""

    location: Location
    message: str
    level: Level = Level.ERROR
    signals: tuple[str, ...] = ()  # the UIDs it is about, when a row of one signal is at fault

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """A name as an id in paths and anchors: "Cost Snapshot Job" -> "cost-snapshot-job"."""
    return _SLUG.sub("-", text.lower()).strip("-") or "x"
