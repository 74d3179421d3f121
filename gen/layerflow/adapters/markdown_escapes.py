"""A Python-Markdown extension: `\\~` and `\\$` mean `~` and `$`, as every backslash escape layerflow writes.

render.escape escapes `~` and `$` in registry text, because pymdownx's tilde and arithmatex would read them
as strike-through and maths; plain Python-Markdown does not count them as escapable and kept the backslash
("\\~5 min"). The plugin adds this extension to the site's, so the report and every page show the text as
written, and so the Markdown pages agree with the entity pages layerflow renders itself (render/pagehtml.py).
"""

from __future__ import annotations

from markdown import Markdown
from markdown.extensions import Extension

NAME = "layerflow.adapters.markdown_escapes"
_ESCAPED = ("~", "$")


class EscapesExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.ESCAPED_CHARS = [*md.ESCAPED_CHARS, *(c for c in _ESCAPED if c not in md.ESCAPED_CHARS)]


def makeExtension(**kwargs: object) -> EscapesExtension:
    return EscapesExtension(**kwargs)
