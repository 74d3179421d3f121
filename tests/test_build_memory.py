"""A build lets go of each generated page's Markdown and HTML, and of each diagram, once nothing will read them
again (issue 12: the peak RSS of a large build), and the site it writes is the same as when all is kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.structure.files import Files

from layerflow.adapters import mkdocs_plugin
from layerflow.adapters.fingerprints import GeneratedPage
from tests.test_entity_pages import embedded, northwind, site_bytes


def _keep_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    """The build as it was before pages and diagrams were let go."""
    monkeypatch.setattr(mkdocs_plugin, "_written", lambda page: None)
    monkeypatch.setattr(mkdocs_plugin.LayerflowPlugin, "_count_diagrams", lambda self, keys, *, final: None)


@pytest.mark.parametrize("project", [embedded, northwind], ids=["embedded", "other-team-config"])
def test_letting_go_of_written_pages_writes_the_same_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, project: Any
) -> None:
    work = project(tmp_path)
    released = site_bytes(work, "released")
    with monkeypatch.context() as patch:
        _keep_everything(patch)
        kept = site_bytes(work, "kept")
    assert released == kept


def test_a_written_page_keeps_its_title_and_nothing_holds_its_markdown_html_or_diagrams(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = embedded(tmp_path)
    seen: dict[str, Any] = {}
    on_env = mkdocs_plugin.LayerflowPlugin.on_env

    def remembering(self: mkdocs_plugin.LayerflowPlugin, env: Any, /, *, config: Any, files: Files) -> Any:
        # every page read, before any is written: what it holds and the title the nav shows for it
        seen["plugin"], seen["files"] = self, files
        seen["titles"] = {f.src_uri: f.page.title for f in files.documentation_pages() if f.page is not None}
        seen["diagrams"] = len(self.diagrams)
        generated = [f for f in files.documentation_pages() if isinstance(f, GeneratedPage) and f.page is not None]
        seen["held"] = [f.src_uri for f in generated if f.page is not None and (f.content_string or f.page.markdown)]
        seen["html"] = all(f.page is not None and f.page.content for f in generated)
        return on_env(self, env, config=config, files=files)

    monkeypatch.setattr(mkdocs_plugin.LayerflowPlugin, "on_env", remembering)
    build(load_config(str(work / "mkdocs.yml"), site_dir=str(tmp_path / "site")))

    plugin, files = seen["plugin"], seen["files"]
    # Read, a generated page holds its HTML and title; neither it nor its file holds the Markdown any more.
    assert seen["diagrams"] > 0 and seen["held"] == [] and seen["html"]
    generated = [f for f in files.documentation_pages() if isinstance(f, GeneratedPage)]
    assert len(generated) > 10
    for file in generated:
        page = file.page
        assert page.markdown is None and page.content is None and file.content_string == ""
        assert page.title == seen["titles"][file.src_uri] and page.title
        assert not list(page.toc) and page.present_anchor_ids  # anchors stay for MkDocs to check links
    assert plugin.diagrams == {} and plugin.showing == {}  # each diagram went with the last page showing it
    user = [f for f in files.documentation_pages() if not isinstance(f, GeneratedPage)]
    assert user and all(f.page.content is not None for f in user)  # pages the user wrote are left alone
