"""Registry text is data: it is escaped for every place it lands."""

from __future__ import annotations

import functools
import html

_MD_SPECIAL = str.maketrans(
    {
        "\\": "\\\\",
        "|": "\\|",
        "`": "\\`",
        "*": "\\*",
        "_": "\\_",
        "[": "\\[",
        "]": "\\]",
        "#": "\\#",
        "{": "\\{",
        "}": "\\}",
        "!": "\\!",
        "~": "\\~",
        "$": "\\$",
    }
)


# A site writes the same texts many times (producer names, layers, stores, each signal on its page and in the
# indexes): at 10k signals 625,000 calls for 93,000 distinct texts; and `serve` writes the last build's texts again
# after an edit. Pure, so memoised; `forget_escapes` lets the texts go when no build will ask for them again.
@functools.lru_cache(maxsize=1 << 18)
def md(text: str) -> str:
    """Text safe inside Markdown inline content and table cells: no markup, no HTML, no line breaks."""
    one_line = " ".join(text.split())
    # Markdown escapes first: the entities html.escape writes must keep their '#' and ';'.
    return html.escape(one_line.translate(_MD_SPECIAL), quote=False)


def forget_escapes() -> None:
    """Drop the memo of `md`: a build that is not followed by another in this process need not hold its texts."""
    md.cache_clear()


def md_code(text: str, *, in_table: bool = True) -> str:
    """Text as an inline code span that cannot be closed early and (`in_table`) stays in its table cell."""
    one_line = " ".join(text.split())
    if in_table:
        one_line = one_line.replace("|", "¦")
    fence = "`"
    while fence in one_line:
        fence += "`"
    pad = " " if one_line.startswith("`") or one_line.endswith("`") else ""
    return f"{fence}{pad}{one_line}{pad}{fence}" if one_line else ""


def attr(text: str) -> str:
    return html.escape(text, quote=True)
