"""A page per code file that evidence points into, each line an anchor."""

from __future__ import annotations

import html

from layerflow.render.escape import md


def source_page(path: str, text: str) -> str:
    """A code file, each line an anchor (#L12) that evidence links point at; kept out of search.

    Raw HTML, escaped line by line: no line is ever blank, so Markdown leaves the block alone,
    and MkDocs sees the ids, so a link to a line that is not there fails `--strict`.
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    body = "\n".join(f'<span id="L{n}">{html.escape(line)}</span>' for n, line in enumerate(lines, 1))
    out = ["---", "search:", "  exclude: true", "---", "", f"# {md(path)}", ""]
    out += [f"{len(lines)} lines, as read by `--code`. Evidence links point at single lines.", ""]
    out.append(f'<pre class="lf-source"><code>{body}</code></pre>')
    return "\n".join(out) + "\n"
