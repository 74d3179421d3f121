"""Material's page frame (head blocks, header, footer, config, scripts) rendered once per folder: the same site.

Each site is built twice in process, with the shared frame and without, and compared file by file (pages,
search index, sitemap, diagrams): the embedded mkdocs.yml, another team's (directory URLs off, no tabs), and
every nav feature with a site_url (canonical URLs), sticky tabs (drawn in the header) and the footer's
previous/next links. A Material file other than the one read, or a theme override, turns it off.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mkdocs.config import load_config

from layerflow.adapters import shared_blocks
from tests.test_entity_pages import embedded, northwind, site_bytes
from tests.test_shared_partials import FEATURES_CONFIG, every_feature


def every_feature_with_urls(tmp: Path) -> Path:
    work = every_feature(tmp)
    config = FEATURES_CONFIG.replace("site_name: Signals\n", "site_name: Signals\nsite_url: https://example.org/s/\n")
    config = config.replace("navigation.path]", "navigation.path, navigation.tabs.sticky, navigation.footer]")
    (work / "mkdocs.yml").write_text(config, encoding="utf-8")
    return work


def _count(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Which pages took the shared header, the shared blocks and the shared content frame."""
    seen: dict[str, list[str]] = {"header": [], "blocks": [], "content": []}
    for name, kind in (("_header_once", "header"), ("_block_once", "blocks"), ("_content_once", "content")):
        made = getattr(shared_blocks, name)

        def counting(render: Any, key_of: Any, made: Any = made, kind: str = kind) -> Any:
            def key(context: Any) -> str | None:
                found = key_of(context)
                plain = {"header": True, "blocks": shared_blocks._plain, "content": shared_blocks._bare}[kind]
                if found is not None and (plain is True or plain(context)):
                    seen[kind].append(context["page"].file.src_uri)
                return found

            return made(render, key)

        monkeypatch.setattr(shared_blocks, name, counting)
    return seen


@pytest.mark.parametrize(
    "project",
    [embedded, northwind, every_feature_with_urls],
    ids=["embedded", "other-team-config", "every-feature-site-url-footer"],
)
def test_sharing_the_page_frame_writes_the_same_site(
    project: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = project(tmp_path)
    monkeypatch.chdir(work)
    monkeypatch.setenv("DISABLE_MKDOCS_2_WARNING", "true")
    seen = _count(monkeypatch)
    shared = site_bytes(work, "shared")
    assert len(set(seen["header"])) >= 20  # the entity pages took the shared header
    assert set(seen["content"]) <= set(seen["header"])  # and the shared content frame
    assert len(set(seen["content"])) >= 20
    assert not {"index.md", "report.md", "signals/index.md"} & set(seen["header"] + seen["blocks"])
    if project is every_feature_with_urls:
        assert seen["blocks"] == []  # every page has a canonical URL: no head block is shared
        assert "signals/sig-001.md" not in seen["header"]  # in the nav
        assert "signals/sig-003.md" in seen["header"]
    else:
        assert len(set(seen["blocks"])) >= 20
    monkeypatch.setattr(shared_blocks, "share", lambda env: None)
    assert shared == site_bytes(work, "each")


def test_another_material_file_turns_it_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = embedded(tmp_path)
    monkeypatch.chdir(work)
    seen = _count(monkeypatch)
    monkeypatch.setitem(shared_blocks.PINNED, "partials/header.html", "0" * 64)  # as if Material had changed it
    site_bytes(work, "site")
    assert seen == {"header": [], "blocks": [], "content": []}


def test_a_theme_override_of_the_header_turns_it_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = embedded(tmp_path)
    overrides = work / "overrides" / "partials"
    overrides.mkdir(parents=True)
    # An override that shows more of the page than its title: shared, every page would show the first one's URL.
    (overrides / "copyright.html").write_text('<div class="custom">{{ page.url }}</div>\n', encoding="utf-8")
    config = (work / "mkdocs.yml").read_text(encoding="utf-8")
    overridden = config.replace("  name: material\n", "  name: material\n  custom_dir: overrides\n")
    (work / "mkdocs.yml").write_text(overridden, encoding="utf-8")
    monkeypatch.chdir(work)
    seen = _count(monkeypatch)
    site_bytes(work, "site")
    assert seen == {"header": [], "blocks": [], "content": []}
    page = (work / "site" / "signals" / "sig-001" / "index.html").read_text(encoding="utf-8")
    assert '<div class="custom">signals/sig-001/</div>' in page


class _Page:
    def __init__(self, title: str | None, content: str) -> None:
        self.title, self.content, self.meta, self.edit_url = title, content, {"title": title}, None


@pytest.mark.parametrize(
    ("title", "content"),
    [
        ("SIG-001 <b>Bold</b> & co", "<p>No heading here</p>"),
        (None, "<p>No title: the site name is the H1</p>"),
        ("With a heading", '<h1 id="x">With a heading</h1><p>text</p>'),
        ("Only an h1 in text", "<p>&lt;h1 is text, <code><h1</code></p>"),
    ],
)
def test_the_content_frame_is_materials_for_pages_with_and_without_an_h1(
    title: str | None, content: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = embedded(tmp_path)
    monkeypatch.chdir(work)
    config = load_config(str(work / "mkdocs.yml"))
    template = config.theme.get_env().get_template(shared_blocks.CONTENT)
    shared = shared_blocks._content_once(template.root_render_func, lambda context: "one folder")
    first = _Page("Another page", "<p>rendered first, with its own H1 case</p>")
    outputs = []
    for page in (first, _Page(title, content)):
        context = template.new_context({"page": page, "config": config, "features": []})
        outputs.append(("".join(shared(context)), "".join(template.root_render_func(context))))
    assert outputs[1][0] == outputs[1][1]
    assert outputs[0][0] == outputs[0][1]
    assert content in outputs[1][0]


def test_an_escaping_environment_turns_it_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = embedded(tmp_path)
    monkeypatch.chdir(work)
    env = load_config(str(work / "mkdocs.yml")).theme.get_env()
    template = env.get_template(shared_blocks.HEADER)
    before = template.root_render_func
    env.autoescape = True
    shared_blocks.share(env)
    assert template.root_render_func is before
    env.autoescape = False
    shared_blocks.share(env)
    assert template.root_render_func is not before  # the same environment unescaped is shared
