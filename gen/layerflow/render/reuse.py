"""Pages and diagrams an earlier build of the same site made, reused when everything they show is equal.

`serve` rebuilds the whole site after each edit, and a one-row edit changes a
handful of its 13,000 pages at 10k signals; making every page again was most of
such a rebuild. A builder's output depends on the Analysis only through what it
looks up there, so each entity page is made under a key that holds those values
(the signal, its flows, their gaps, ...): when the key equals the last build's,
the last build's text is the text this build would make. Keys are compared,
never hashed, so model values need not be hashable, and the key of this build
replaces the last one, so no older Analysis stays alive through them.

What every page of a kind reads (layer names, links, the code evidence, the
rules) is the context: when it differs, nothing is reused. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable

_NOTHING = object()  # the context of a Reuse that reuses nothing


class Reuse:
    """Made text by name and key, from the last build that used this object into this one."""

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self._context: object = _NOTHING
        self._last: dict[str, tuple[object, str]] = {}
        self._this: dict[str, tuple[object, str]] = {}
        self.made = 0  # texts made by this build, not reused (tests and the progress line read it)

    def start(self, context: object) -> None:
        """A build begins; the last build's texts count only when its context equals this one."""
        if not self.enabled or context != self._context:
            self._last = {}
        self._context = context if self.enabled else _NOTHING
        self._this = {}
        self.made = 0

    def text(self, name: str, key: object, make: Callable[[], str]) -> str:
        """The last build's text for `name` when it was made under an equal key, else `make()`."""
        last = self._last.get(name)
        if last is not None and last[0] == key:
            made = last[1]
        else:
            made = make()
            self.made += 1
        if self.enabled:
            self._this[name] = (key, made)
        return made

    def finish(self) -> None:
        """The build is done: what it made is what the next build may reuse."""
        self._last, self._this = self._this, {}
