"""Status marks on the site are inline SVG icons; code keeps its characters; the CLI's report keeps its marks."""

from __future__ import annotations

from layerflow.render.marks import ICONS, icon, with_icons


def test_marks_become_icons_outside_code() -> None:
    page = "| ✅ VERIFIED | ⚠️ ORPHAN | ⚠ bare | ❌ FAILING | `✅ in code` |\n"
    out = with_icons(page)
    assert out == (
        f"| {icon('ok')} VERIFIED | {icon('warn')} ORPHAN | {icon('warn')} bare | {icon('fail')} FAILING "
        "| `✅ in code` |\n"
    )
    fenced = "```\n✅ kept\n```\n✅ drawn\n"
    assert with_icons(fenced) == f"```\n✅ kept\n```\n{icon('ok')} drawn\n"
    assert with_icons("no marks | here") == "no marks | here"


def test_icons_are_svg_without_double_quotes_or_pipes() -> None:
    """An icon may land in an admonition title (written in double quotes) or a table cell."""
    for kind, markup in ICONS.items():
        assert markup.startswith(f"<span class='lf-mark lf-mark-{kind}' role='img'") and "<svg " in markup
        assert '"' not in markup and "|" not in markup and "\n" not in markup
