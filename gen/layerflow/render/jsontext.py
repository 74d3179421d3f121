"""`json.dumps(data, indent=2, ensure_ascii=False)`, byte for byte, at a fraction of its time.

The standard library encodes with indentation in pure Python, one generator
step per value: writing the 15 MB document of a 10k-signal analysis took
longer than the analysis. This writer walks the same dicts and lists directly
and leaves string escaping to the same C function. Anything but str, int, bool,
None, dict (with text keys) and list (a float, a tuple, an enum) goes to
`json.dumps` itself, so the output is always exactly what it would write.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from json.encoder import encode_basestring  # the C escaper json.dumps uses with ensure_ascii=False
from typing import Any


class _Unsupported(Exception):
    pass


def dumps_indented(data: Any) -> str:
    parts: list[str] = []
    try:
        _write(data, "\n", parts.append)
    except (_Unsupported, RecursionError):
        return json.dumps(data, indent=2, ensure_ascii=False)
    return "".join(parts)


def dumps_with(data: dict[str, Any], written: Mapping[str, str]) -> str | None:
    """`dumps_indented(data)` where the values of the keys in `written` come already written, as it would
    write them one level in (render.jsonrecords); `data` holds a placeholder for each. None when another
    value is of a type only json.dumps writes: the caller then writes the whole the generic way."""
    parts: list[str] = []
    separator = "{\n  "
    try:
        for key, value in data.items():
            parts.append(separator + encode_basestring(key) + ": ")
            if key in written:
                parts.append(written[key])
            else:
                _write(value, "\n  ", parts.append)
            separator = ",\n  "
    except (_Unsupported, RecursionError):
        return None
    return "".join(parts) + "\n}" if parts else "{}"


def scalar_text(value: Any) -> str:
    """A str, None, bool or int as JSON (anything else: _Unsupported)."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    raise _Unsupported


def _write(value: Any, newline: str, out: Any) -> None:  # noqa: PLR0912
    """`value` at the indentation `newline` opens ("\\n" and two spaces per level).

    Dicts and lists inline, their common item types first: this runs for every value of the JSON
    contract, and a call per item was what made the writer no faster than json.dumps.
    """
    kind = type(value)
    if kind is dict:
        if not value:
            out("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            if type(key) is not str:
                raise _Unsupported
            item_kind = type(item)
            if item_kind is str:  # the common case first, in one piece
                out(separator + encode_basestring(key) + ": " + encode_basestring(item))
            elif item_kind is dict or item_kind is list:
                out(separator + encode_basestring(key) + ": ")
                _write(item, inner, out)
            else:
                out(separator + encode_basestring(key) + ": " + scalar_text(item))
            separator = "," + inner
        out(newline + "}")
    elif kind is list:
        if not value:
            out("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            item_kind = type(item)
            if item_kind is str:
                out(separator + encode_basestring(item))
            elif item_kind is dict or item_kind is list:
                out(separator)
                _write(item, inner, out)
            else:
                out(separator + scalar_text(item))
            separator = "," + inner
        out(newline + "]")
    else:
        out(scalar_text(value))
