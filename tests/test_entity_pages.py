"""Entity pages rendered by layerflow make the same site, byte for byte, as Python-Markdown made.

Built in-process twice, once with every entity page an EntityPage and once with MkDocs' own pages for them
(the plugin's `in_page_dialect` patched to say no), under the embedded mkdocs.yml and under a config of
another team's (permalink text, toc depth, highlighted code blocks, directory URLs off).
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.structure.files import File, Files

from layerflow.adapters import entity_pages, mkdocs_plugin
from layerflow.render.pagehtml import HtmlOptions
from tests.test_site_build import project_copy

ROOT = Path(__file__).resolve().parent.parent
NORTHWIND = ROOT / "tests" / "fixtures" / "projects" / "northwind"

OTHER_CONFIG = """\
site_name: Northwind signals
use_directory_urls: false
theme: {name: material, font: false}
plugins:
  - search
  - layerflow:
      base: registry
      code: [src]
      ops: [deploy]
      fail_on: none
markdown_extensions:
  - toc:
      permalink: "#"
      permalink_title: Link here
      toc_depth: 3
  - pymdownx.highlight
  - pymdownx.superfences
  - attr_list
"""


def embedded(tmp: Path) -> Path:
    return project_copy(ROOT, tmp)


def northwind(tmp: Path, config: str = OTHER_CONFIG) -> Path:
    work = tmp / "northwind"
    shutil.copytree(NORTHWIND, work)
    (work / "docs").mkdir()
    (work / "mkdocs.yml").write_text(config, encoding="utf-8")
    return work


def site_bytes(work: Path, out: str) -> dict[str, str]:
    site = work / out
    build(load_config(str(work / "mkdocs.yml"), site_dir=str(site)))
    return {
        str(p.relative_to(site)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def built_in(project: Callable[[Path], Path], tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project made in `tmp`, the working directory there, MkDocs 2's notice off: ready for site_bytes."""
    work = project(tmp)
    monkeypatch.chdir(work)
    monkeypatch.setenv("DISABLE_MKDOCS_2_WARNING", "true")
    return work


@pytest.mark.parametrize("project", [embedded, northwind], ids=["embedded", "other-team-config"])
def test_the_site_is_the_same_whichever_renderer_makes_entity_pages(
    project: Callable[[Path], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = built_in(project, tmp_path, monkeypatch)
    rendered: list[str] = []
    page_html = entity_pages.page_html

    def counted(markdown: str, options: HtmlOptions, href: object, rows: object = None) -> object:
        rendered.append(markdown)
        return page_html(markdown, options, href, rows)  # type: ignore[arg-type]

    monkeypatch.setattr(entity_pages, "page_html", counted)
    ours = site_bytes(work, "site-ours")
    assert len(rendered) >= 20  # every entity page went through the renderer
    monkeypatch.setattr(mkdocs_plugin, "in_page_dialect", lambda path: False)
    theirs = site_bytes(work, "site-python-markdown")
    assert ours.keys() == theirs.keys()
    assert [p for p in ours if ours[p] != theirs[p]] == []


def test_a_page_outside_the_dialect_falls_back_to_python_markdown(tmp_path: Path) -> None:
    work = embedded(tmp_path)
    config = load_config(str(work / "mkdocs.yml"))
    (work / "docs" / "signals").mkdir()
    (work / "docs" / "signals" / "odd.md").write_text("# Odd\n\nSome *emphasis*.\n", encoding="utf-8")
    file = File("signals/odd.md", src_dir=str(work / "docs"), dest_dir=str(tmp_path / "site"), use_directory_urls=True)
    options = entity_pages.html_options(config)
    assert options is not None
    page = entity_pages.EntityPage(file, config, options)
    assert file.page is page
    page.read_source(config)
    page.render(config, Files([file]))
    assert page.content is not None
    assert "<em>emphasis</em>" in page.content
    assert page.title == "Odd"


@pytest.mark.parametrize(
    ("toc", "expected"),
    [
        ({"permalink": True}, ("&para;", 1, 6)),
        ({"permalink": "<#>", "toc_depth": "2-4"}, ("&lt;#&gt;", 2, 4)),
        ({"toc_depth": 2}, (None, 1, 2)),
    ],
)
def test_toc_settings_are_read(tmp_path: Path, toc: dict[str, object], expected: tuple[object, ...]) -> None:
    config = load_config(str(embedded(tmp_path) / "mkdocs.yml"))
    config.mdx_configs["toc"] = toc
    options = entity_pages.html_options(config)
    assert options is not None
    assert (options.permalink, options.toc_top, options.toc_bottom) == expected


@pytest.mark.parametrize(
    "toc", [{"baselevel": 2}, {"anchorlink": True}, {"permalink": True, "permalink_leading": True}]
)
def test_toc_settings_it_cannot_follow_leave_pages_to_python_markdown(tmp_path: Path, toc: dict[str, object]) -> None:
    config = load_config(str(embedded(tmp_path) / "mkdocs.yml"))
    config.mdx_configs["toc"] = toc
    assert entity_pages.html_options(config) is None


def test_a_custom_slugify_is_used(tmp_path: Path) -> None:
    config = load_config(str(embedded(tmp_path) / "mkdocs.yml"))
    config.mdx_configs["toc"] = {"slugify": lambda value, separator: "x" + separator + str(len(value))}
    options = entity_pages.html_options(config)
    assert options is not None
    assert options.slugify("abc", "-") == "x-3"


@pytest.mark.parametrize("use_directory_urls", [True, False])
def test_the_fast_link_resolver_gives_what_mkdocs_gives(
    tmp_path: Path, use_directory_urls: bool, caplog: pytest.LogCaptureFixture
) -> None:
    """Every kind of link, resolved by entity_pages' resolver and by MkDocs' own: the same URL, the same anchors
    registered for MkDocs' anchor check, the same warnings."""
    from mkdocs.structure.files import InclusionLevel
    from mkdocs.structure.pages import _RelativePathTreeprocessor

    config = load_config(str(embedded(tmp_path) / "mkdocs.yml"))
    config.use_directory_urls = use_directory_urls
    docs, site = str(tmp_path / "docs"), str(tmp_path / "site")
    names = ["index.md", "signals/index.md", "signals/sig-1.md", "signals/sig-2.md", "stores/redis.md", "draft.md"]
    files = Files([File(n, src_dir=docs, dest_dir=site, use_directory_urls=use_directory_urls) for n in names])
    files.get_file_from_path("draft.md").inclusion = InclusionLevel.EXCLUDED  # type: ignore[union-attr]
    page = files.get_file_from_path("signals/sig-1.md")
    assert page is not None
    links = [
        "sig-2.md", "sig-2.md#flows", "../stores/redis.md", "../stores/redis.md#who-writes", "index.md", "../index.md",
        "sig-1.md#self", "sig-2.md#", "./sig-2.md", "../signals/../signals/sig-2.md", "missing.md", "../draft.md",
        "#anchor", "https://example.com/x.md", "/signals/sig-2.md", "sig%202.md", "sig-2.md?x=1", "../../x.md",
        "sig-2", "mailto:a@b.c", "../stores/",
    ]  # fmt: skip
    handed_on: list[str] = []  # the links our resolver leaves to MkDocs
    mkdocs_path_to_url = _RelativePathTreeprocessor.path_to_url

    def spy(resolver: _RelativePathTreeprocessor, url: str) -> str:
        handed_on.append(url)
        return mkdocs_path_to_url(resolver, url)

    for link in links:
        caplog.clear()
        ours = entity_pages._Links(page, files, config)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_RelativePathTreeprocessor, "path_to_url", spy)
            url = ours.path_to_url(link)
        our_log = [(r.levelno, r.getMessage()) for r in caplog.records]
        caplog.clear()
        theirs = _RelativePathTreeprocessor(page, files, config)
        assert (link, url) == (link, theirs.path_to_url(link))
        assert ours.links_to_anchors == theirs.links_to_anchors, link
        assert our_log == [(r.levelno, r.getMessage()) for r in caplog.records], link
    # Every link to a page that exists and is not excluded is resolved without MkDocs; everything else is not.
    assert handed_on == [
        "missing.md", "../draft.md", "#anchor", "https://example.com/x.md", "/signals/sig-2.md", "sig%202.md",
        "sig-2.md?x=1", "../../x.md", "sig-2", "mailto:a@b.c", "../stores/",
    ]  # fmt: skip
