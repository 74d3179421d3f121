"""The Markdown blocks every page is made of, each defined once: tables, admonitions and fragment placeholders.

A placeholder is a block the MkDocs plugin swaps for an HTML fragment (an SVG
diagram, user-written evidence) once Markdown has run, so big SVGs and
user-written text never pass through the Markdown engine. Its format is
written and read only here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence

from layerflow.render.escape import attr

FRAGMENT_MARK = "lf-fragment"  # in the HTML of every page that still holds a placeholder
_PLACEHOLDER = re.compile(r'<div class="lf-fragment" data-lf="([^"]+)"></div>')


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A pipe table from cells that are already escaped; an empty cell shows as "—"."""
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out.extend("| " + " | ".join(cell or "—" for cell in row) + " |" for row in rows)
    return out


def admonition(kind: str, title: str, body: Iterable[str]) -> list[str]:
    """A Material admonition (`!!! warning "title"`); `title` and `body` are escaped Markdown, `body` one
    line each, indented under the title. The title's double quotes are the caller's to encode."""
    return [f'!!! {kind} "{title}"', "", *(f"    {line}" for line in body)]


def placeholder(key: str) -> str:
    """A block the plugin replaces with fragment `key` once Markdown has run."""
    return f'<div class="{FRAGMENT_MARK}" data-lf="{attr(key)}"></div>'


def fragment_keys(text: str) -> list[str]:
    """The fragment keys of the placeholders in `text` (Markdown or the HTML made from it), in order."""
    return [html.unescape(key) for key in _PLACEHOLDER.findall(text)]


def swap_fragments(text: str, fragment: Callable[[str, str], str]) -> str:
    """`text` with each placeholder replaced by `fragment(key, placeholder)`."""
    return _PLACEHOLDER.sub(lambda match: fragment(html.unescape(match.group(1)), match.group(0)), text)


def outside_fences(markdown: str, transform: Callable[[str], str]) -> str:
    """The page with each line outside fenced code blocks passed through `transform`; fences kept as written."""
    lines, fenced = [], False
    for line in markdown.split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            lines.append(line)
        else:
            lines.append(line if fenced else transform(line))
    return "\n".join(lines)
