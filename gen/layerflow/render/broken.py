"""What a served site shows while its input is broken: the last good pages under a banner of the problems.

The banner is raw HTML, not Markdown: each problem is shown with the characters the file and the console
have (a `|` stays `|`, where a Markdown table cell would need another character), escaped once.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

BANNER_CLASS = "lf-broken"
BANNER_TITLE = "The input is broken: this page shows the last good build. Fix these problems, in this order"


def banner(problems: Iterable[str], title: str = BANNER_TITLE) -> str:
    """A block Markdown passes through untouched: an admonition of the located problems, in the order given."""
    items = "".join(f"<li><code>{html.escape(p, quote=False)}</code></li>" for p in problems)
    title = html.escape(title, quote=False)
    return (
        f'<div class="admonition failure {BANNER_CLASS}" role="alert">'
        f'<p class="admonition-title">{title}</p><ol>{items}</ol></div>'
    )


def under_banner(markdown: str, block: str) -> str:
    """The page with the banner right under its title (or on top, for a page without a `# ` title)."""
    lines = markdown.split("\n")
    at = next((i + 1 for i, line in enumerate(lines) if line.startswith("# ")), _after_front_matter(lines))
    return "\n".join([*lines[:at], "", block, "", *lines[at:]])


def _after_front_matter(lines: list[str]) -> int:
    if lines and lines[0] == "---":
        return next((i + 1 for i, line in enumerate(lines[1:], 1) if line == "---"), 0)
    return 0


def pages_under_banner(pages: Mapping[str, str], problems: Iterable[str]) -> dict[str, str]:
    """Every page of the last good build, each under the same banner."""
    block = banner(problems)
    return {path: under_banner(markdown, block) for path, markdown in pages.items()}
