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
_RAW_WITH_CODE = re.compile(r"^<[^\n]*`", re.MULTILINE)  # a raw HTML line (left alone) with a backtick in it


def _breakable(match: re.Match[str]) -> str:
    parts = match.group(1).split("/")
    return '<code class="lf-path">' + "/<wbr>".join(md(part) for part in parts) + "</code>"  # md() escapes HTML too


def with_breakable_paths(markdown: str) -> str:
    """The page with each path code span (outside fenced blocks and raw HTML) breakable after its slashes."""
    if "/" not in markdown or "`" not in markdown:
        return markdown
    if "```" not in markdown and not _RAW_WITH_CODE.search(markdown):
        # No fence, and no raw HTML line with a backtick: a path span ends in its line (it holds no whitespace),
        # so the page is read as one line, in C; a 10k-signal site spent 0.9 s on its lines one by one.
        return _PATH_SPAN.sub(_breakable, markdown)
    return outside_fences(markdown, _breakable_line)


def _breakable_line(line: str) -> str:
    if line.startswith("<"):  # a raw HTML block (a source page's lines): Markdown never reads it
        return line
    return _PATH_SPAN.sub(_breakable, line)
