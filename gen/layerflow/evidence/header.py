"""A source file's header comment: the layer, trigger and role it claims.

ast drops comments, so this is the one place that reads comments. The
tokenize module finds them, which keeps "# Layer:" inside a string from
counting. A header is at the top: only comments before the first line of
code (a docstring may come first), within HEADER_LINES lines, are read.

    # Layer: L5 — Execution & Workers
    # Temporal:
    #   Trigger: scheduler (every 15 minutes)
    # Role: Evaluate graduation gates and persist the outcome
"""

from __future__ import annotations

import re
import tokenize
from collections.abc import Iterator

from layerflow.errors import Parsed, warning
from layerflow.model import Location, Problem
from layerflow.model.facts import LayerHeader

HEADER_LINES = 40

_FIELD = re.compile(r"^#+\s*(?P<key>layer|temporal|trigger|role)\s*:\s*(?P<value>.*)$", re.IGNORECASE)
# "L5 — Execution & Workers", "L5: Execution", "L5 - Workers", "L5 (Execution)", "L5"
_LAYER = re.compile(r"^(?P<layer>L\d+)\b\s*[—–:|(-]*\s*(?P<title>.*?)\)?\s*$", re.IGNORECASE)


def parse_header(path: str, text: str) -> Parsed[LayerHeader | None]:
    """The header a file declares, or None when it has no "# Layer:" comment."""
    fields: dict[str, tuple[str, int]] = {}
    if "layer" not in text[:8192].lower():  # no header to find: skip tokenizing (most of a large code base)
        return Parsed(None)
    for line, comment in _leading_comments(text):
        match = _FIELD.match(comment.strip())
        if match:
            key = match.group("key").lower()
            fields.setdefault(key, (match.group("value").strip(), line))
    if "layer" not in fields:
        return Parsed(None)
    value, line = fields["layer"]
    trigger = fields.get("trigger", fields.get("temporal", ("", 0)))[0]
    role = fields.get("role", ("", 0))[0]
    layer_match = _LAYER.match(value)
    problems: tuple[Problem, ...] = ()
    if layer_match:
        layer, title = layer_match.group("layer").upper(), layer_match.group("title").strip()
    else:
        layer, title = "", value
        problems = (warning(path, line, f"header names layer {value!r}; expected a layer such as L5"),)
    return Parsed(LayerHeader(layer, title, trigger, Location(path, line), role), problems)


def _leading_comments(text: str) -> Iterator[tuple[int, str]]:
    """(line, text) of each comment before the first code, in the first HEADER_LINES lines."""
    lines = iter(text.splitlines(keepends=True)[:HEADER_LINES])
    try:
        for token in tokenize.generate_tokens(lambda: next(lines, "")):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.string
            elif token.type in {tokenize.NAME, tokenize.OP}:
                return  # code has started: the header is behind us
    except (tokenize.TokenError, SyntaxError):
        return  # the header is above whatever tokenize choked on; what we have is what there is
