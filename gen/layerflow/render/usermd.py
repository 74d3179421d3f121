"""User-written Markdown (change-record evidence) to HTML, with raw HTML escaped.

mistune is used here because this is prose, not a table whose lines matter;
`escape=True` turns any `<script>` a record holds into text.
"""

from __future__ import annotations

import mistune

_MARKDOWN = mistune.create_markdown(escape=True, hard_wrap=False, plugins=["table", "strikethrough", "url"])


def user_markdown_html(text: str) -> str:
    html = _MARKDOWN(text)
    return html if isinstance(html, str) else ""
