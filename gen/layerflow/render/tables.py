"""A Markdown pipe table from cells that are already escaped; an empty cell shows as "—"."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out.extend("| " + " | ".join(cell or "—" for cell in row) + " |" for row in rows)
    return out
