"""Bytes to text, with the problems a person can act on (encoding, binary files)."""

from __future__ import annotations

from layerflow.errors import Parsed, error

MAX_INPUT_BYTES = 64 * 1024 * 1024  # a registry this size is a mistake, not a registry


def decode(path: str, data: bytes) -> Parsed[str]:
    """UTF-8 text of a file, or a located error saying why it is not text."""
    if len(data) > MAX_INPUT_BYTES:
        return Parsed("", (error(path, 0, f"file is {len(data)} bytes; the limit is {MAX_INPUT_BYTES}"),))
    if b"\x00" in data[:8192]:
        return Parsed("", (error(path, 0, "binary file (NUL bytes): expected UTF-8 text"),))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return Parsed("", (error(path, line, f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded"),))
    return Parsed(text.replace("\r\n", "\n").replace("\r", "\n"))
