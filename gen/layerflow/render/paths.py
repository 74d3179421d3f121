"""Paths that break at '/' on the site, and nowhere else.

A code span of a path (`registry/example/backend/app/jobs/graduation_evaluator.py:37`) in a narrow table
column wrapped a character per line; the stylesheet now keeps code in tables whole, and each path gets a
break opportunity (`<wbr>`) after every '/'. The span becomes inline HTML `<code>` with the same text,
escaped as Markdown and HTML both (Markdown still reads the text between inline tags).
"""

from __future__ import annotations

import re

from layerflow.render.escape import md
from layerflow.render.markup import outside_fences

# A single-backtick code span holding a path: a '/', no whitespace, no backtick.
_PATH_SPAN = re.compile(r"(?<!`)`([^`\s/]*/[^`\s]+)`(?!`)")


def _breakable(match: re.Match[str]) -> str:
    parts = match.group(1).split("/")
    return '<code class="lf-path">' + "/<wbr>".join(md(part) for part in parts) + "</code>"  # md() escapes HTML too


def with_breakable_paths(markdown: str) -> str:
    """The page with each path code span (outside fenced blocks and raw HTML) breakable after its slashes."""
    if "/" not in markdown or "`" not in markdown:
        return markdown
    return outside_fences(markdown, _breakable_line)


def _breakable_line(line: str) -> str:
    if line.startswith("<"):  # a raw HTML block (a source page's lines): Markdown never reads it
        return line
    return _PATH_SPAN.sub(_breakable, line)
