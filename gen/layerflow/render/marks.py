"""Status marks as inline SVG icons, so no page needs a font the reader may lack.

The renderers write ✅, ⚠️ and ❌ as status marks (the CLI's Markdown report keeps them: a terminal or a
Markdown viewer has the fonts). On the site they would be empty boxes on a machine without an emoji font (a
stock Debian CI runner or server), so every page's Markdown has them swapped for an inline SVG icon (paths
from the Material Design Icons set the Material theme ships), coloured by the site's stylesheet. Registry
text with the same marks ("✅ YES") gets the same icon. Code spans and fenced blocks keep their characters.
"""

from __future__ import annotations

import re

from layerflow.render.markup import outside_fences

_PATHS = {
    "ok": "M12 2C6.5 2 2 6.5 2 12s4.5 10 10 10 10-4.5 10-10S17.5 2 12 2m-2 15-5-5 1.41-1.41L10 14.17l7.59-7.59L19 8z",
    "warn": "M13 14h-2V9h2m0 9h-2v-2h2M1 21h22L12 2z",
    "fail": "M12 2C6.47 2 2 6.47 2 12s4.47 10 10 10 10-4.47 10-10S17.53 2 12 2m5 13.59L15.59 17 12 13.41 8.41 17 "
    "7 15.59 10.59 12 7 8.41 8.41 7 12 10.59 15.59 7 17 8.41 13.41 12z",
}
_WORDS = {"ok": "ok", "warn": "warning", "fail": "failed"}
_KIND = {"✅": "ok", "⚠️": "warn", "⚠": "warn", "❌": "fail"}
_MARK = re.compile("✅|❌|⚠\ufe0f?")
_CODE_SPAN = re.compile(r"(`+).*?\1")
# A code span (kept as written) or a mark outside one, found left to right as `_outside_code` finds them.
_SPAN_OR_MARK = re.compile(r"(`+).*?\1|✅|❌|⚠\ufe0f?")
# Single quotes only: an icon may land inside an admonition title, which is written in double quotes.
ICONS = {
    kind: (
        f"<span class='lf-mark lf-mark-{kind}' role='img' aria-label='{_WORDS[kind]}'>"
        f"<svg viewBox='0 0 24 24' width='1.1em' height='1.1em' aria-hidden='true'><path d='{path}'/></svg></span>"
    )
    for kind, path in _PATHS.items()
}


def icon(kind: str) -> str:
    """The inline icon for "ok", "warn" or "fail"."""
    return ICONS[kind]


def _swap(text: str) -> str:
    return _MARK.sub(lambda m: ICONS[_KIND[m.group(0)]], text)


def _kept_or_icon(match: re.Match[str]) -> str:
    found = match.group(0)
    return found if match.group(1) else ICONS[_KIND[found]]


def _outside_code(line: str) -> str:
    out, at = [], 0
    for span in _CODE_SPAN.finditer(line):
        out += [_swap(line[at : span.start()]), span.group(0)]
        at = span.end()
    return "".join([*out, _swap(line[at:])])


def with_icons(markdown: str) -> str:
    """The page with every status mark outside code drawn as an icon."""
    if not _MARK.search(markdown):
        return markdown
    if "```" not in markdown:  # no fence: a code span ends in its line, so the page is read as one text, in C
        return _SPAN_OR_MARK.sub(_kept_or_icon, markdown)
    return outside_fences(markdown, _outside_code)
