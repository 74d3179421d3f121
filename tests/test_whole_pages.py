"""The home, report, findings and rules pages rendered by layerflow make the same site as Python-Markdown made.

They are rendered by render/pagehtml only where every Markdown extension of the site is one whose effect the
renderer reproduces (entity_pages.whole_pages_rendered); with any other extension Python-Markdown renders them
with it. Built in-process twice, once as the plugin does and once with the plugin's `whole_page` patched to say
no, under the embedded mkdocs.yml and under another team's project built with a config of the same extensions.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from markdown.extensions.toc import TocExtension
from mkdocs.config import load_config
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from layerflow.adapters import entity_pages, mkdocs_plugin
from tests.test_entity_pages import OTHER_CONFIG, built_in, embedded, northwind, site_bytes

WHOLE = ["findings.md", "index.md", "report.md", "rules.md"]

# Another team's project under a config of only the extensions the renderer reproduces (directory URLs on).
PLAIN_CONFIG = OTHER_CONFIG.split("markdown_extensions:")[0].replace("use_directory_urls: false\n", "") + (
    "markdown_extensions:\n  - toc:\n      permalink: true\n  - pymdownx.superfences\n"
)


def northwind_plain(tmp: Path) -> Path:
    return northwind(tmp, PLAIN_CONFIG)


def rendered_by_layerflow(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages EntityPage.render gives HTML of its own (not handed back to Python-Markdown), as they go."""
    seen: list[str] = []
    render = entity_pages.EntityPage.render
    python_markdown = Page.render

    def spy(page: entity_pages.EntityPage, config: object, files: Files) -> None:
        handed_back: list[bool] = []
        with pytest.MonkeyPatch.context() as inner:
            inner.setattr(Page, "render", lambda *a: (handed_back.append(True), python_markdown(*a))[1])
            render(page, config, files)  # type: ignore[arg-type]
        if not handed_back:
            seen.append(page.file.src_uri)

    monkeypatch.setattr(entity_pages.EntityPage, "render", spy)
    return seen


@pytest.mark.parametrize("project", [embedded, northwind_plain], ids=["embedded", "northwind"])
def test_the_site_is_the_same_whichever_renderer_makes_the_whole_pages(
    project: Callable[[Path], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = built_in(project, tmp_path, monkeypatch)
    seen = rendered_by_layerflow(monkeypatch)
    ours = site_bytes(work, "site-ours")
    assert sorted(p for p in seen if p in WHOLE) == WHOLE
    seen.clear()
    monkeypatch.setattr(mkdocs_plugin, "whole_page", lambda path: False)
    theirs = site_bytes(work, "site-python-markdown")
    assert [p for p in seen if p in WHOLE] == []
    assert ours.keys() == theirs.keys()
    assert [p for p in ours if ours[p] != theirs[p]] == []  # pages, search index and sitemap alike


def test_an_extension_the_renderer_does_not_reproduce_leaves_them_to_python_markdown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = built_in(northwind, tmp_path, monkeypatch)  # attr_list and pymdownx.highlight
    seen = rendered_by_layerflow(monkeypatch)
    site_bytes(work, "site")
    assert "signals/index.md" in seen  # entity pages are still layerflow's
    assert [p for p in seen if p in WHOLE] == []
    assert "attr_list" in OTHER_CONFIG


@pytest.mark.parametrize(
    ("extensions", "rendered"),
    [
        (["toc", "tables", "fenced_code", "admonition", "layerflow.adapters.markdown_escapes"], True),
        (["markdown.extensions.toc", "markdown.extensions.tables", "pymdownx.superfences"], True),
        ([TocExtension(permalink=True), "tables"], True),
        (["toc", "abbr"], False),
        (["toc", "pymdownx.emoji"], False),
        (["toc", "attr_list"], False),
    ],
)
def test_which_extensions_let_layerflow_render_them(tmp_path: Path, extensions: list[object], rendered: bool) -> None:
    config = load_config(str(embedded(tmp_path) / "mkdocs.yml"))
    config.markdown_extensions = extensions
    assert entity_pages.whole_pages_rendered(config) is rendered
