"""`serve`: code blocks as the site's Markdown engine wrote them in the last build, given back in the next.

The report shows each open gap's proposed registry row as a code block, and each block goes through the site's
own Markdown engine and its highlighter (entity_pages._site_fences): 500 blocks at 10k signals, 0.4 s of every
rebuild that touches the report, for blocks of which an edit changes one or two. A block's HTML is a function of
its text and of the site's Markdown settings, so the last build's HTML for the same text is the one this build
would make while the settings are the same (`settings_key`). Settings that hold anything but plain data and
functions or classes named at a module's top level (an extension object, a closure made with arguments) cannot
be compared from build to build: then nothing is kept.
"""

from __future__ import annotations

import json
import types
from collections.abc import Callable
from typing import Any

from mkdocs.config.defaults import MkDocsConfig


class KeptFences:
    __slots__ = ("_key", "_last", "_this")

    def __init__(self) -> None:
        self._key: str | None = None
        self._last: dict[str, str] = {}
        self._this: dict[str, str] = {}

    def start(self, key: str | None) -> None:
        """A build begins under settings `key` (None: not comparable); the last build's blocks are kept only for
        the same settings, older ones dropped."""
        if key is None or key != self._key:
            self._last, self._this = {}, {}
        elif self._this:
            self._last, self._this = self._this, {}
        self._key = key

    def converter(self, convert: Callable[[str], str]) -> Callable[[str], str]:
        """`convert`, giving back the last build's HTML of a block it converted then."""
        if self._key is None:
            return convert

        def kept(code: str) -> str:
            found = self._this.get(code)
            if found is None:
                found = self._last.get(code)
                if found is None:
                    found = convert(code)
                self._this[code] = found
            return found

        return kept


def settings_key(config: MkDocsConfig) -> str | None:
    """The site's Markdown extensions and their settings as one comparable text; None when they hold an object."""
    try:
        return json.dumps([config.markdown_extensions, config.mdx_configs], sort_keys=True, default=_named)
    except (TypeError, ValueError):
        return None


def _named(value: Any) -> str:
    """A function or class by its module and name, when that names one object of the process; else TypeError
    (a bound method or a partial carries state its name does not say; a nested function is made anew)."""
    if not isinstance(value, (types.FunctionType, type)) or "<" in value.__qualname__:
        raise TypeError(f"not comparable across builds: {value!r}")
    return f"{value.__module__}:{value.__qualname__}"


_KEPT: dict[str, KeptFences] = {}  # site_dir -> its code blocks, while serving


def kept_fences(site_dir: str, config: MkDocsConfig) -> KeptFences:
    """The site's kept code blocks, started for this build's settings."""
    kept = _KEPT.setdefault(site_dir, KeptFences())
    kept.start(settings_key(config))
    return kept
