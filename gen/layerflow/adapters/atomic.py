"""Files written whole or not at all: the one atomic writer the caches use."""

from __future__ import annotations

import os
import tempfile


def write_atomically(path: str, text: str) -> None:
    """Write a temporary file beside `path`, then rename it over `path`, so a reader (or a build killed
    half-way) never sees half a file. Raises OSError; the temporary file never stays behind."""
    directory, name = os.path.split(path)
    fd, temporary = tempfile.mkstemp(dir=directory or ".", prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
