"""`serve --dirty` keeps the last build's files of unchanged entity pages (adapters/fingerprints.py KeptFiles):
one given back is, attribute for attribute, what making it again gives, whatever the last build did to it."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files, InclusionLevel
from mkdocs.structure.nav import Section

from layerflow.adapters import entity_pages
from layerflow.adapters.fingerprints import GeneratedPage, KeptFiles
from layerflow.render.pagehtml import HtmlOptions

ROOT = Path(__file__).resolve().parent.parent
MARKDOWN = "# SIG\\-1 Probe\n\n## Flows\n\n[SIG\\-2](../signals/sig-2.md#flows)\n"


def config(tmp_path: Path) -> MkDocsConfig:
    return load_config(str(ROOT / "mkdocs.yml"), site_dir=str(tmp_path / "site"))


def made(cfg: MkDocsConfig, options: HtmlOptions) -> GeneratedPage:
    cfg.plugins._current_plugin = "layerflow"  # as during the plugin's on_files, which makes these files
    file = GeneratedPage.generated(cfg, "signals/sig-1.md", content=MARKDOWN, inclusion=InclusionLevel.NOT_IN_NAV)
    assert isinstance(file, GeneratedPage)
    entity_pages.EntityPage(file, cfg, options)
    return file


def state(file: GeneratedPage) -> tuple[dict[str, object], dict[str, object]]:
    """The file's and its page's attributes, the references between the two left out."""
    assert file.page is not None
    return (
        {k: v for k, v in vars(file).items() if k != "page"},
        {k: v for k, v in vars(file.page).items() if k not in ("file", "options")},
    )


def config_and_options(tmp: Path) -> tuple[MkDocsConfig, HtmlOptions]:
    cfg = config(tmp)
    options = entity_pages.html_options(cfg)
    assert options is not None
    return cfg, options


def test_a_kept_file_is_given_back_as_it_was_made(tmp_path: Path) -> None:
    cfg, options = config_and_options(tmp_path)
    kept = KeptFiles()
    kept.start("signature")
    file = made(cfg, options)
    kept.keep(file)
    page = file.page
    assert isinstance(page, entity_pages.EntityPage)
    # What a build does to a file and page, and what a theme or another plugin might.
    page.read_source(cfg)
    page.render(cfg, Files([file]))
    page.title = "Set by hand"
    page.meta["template"] = "other.html"
    page.parent = Section("Somewhere", [])
    page.active = True
    file.content_string = ""
    file.same_as_last = True
    assert file.url and file.abs_dest_path  # worked out and cached on the file

    kept.start("signature")
    again_options = entity_pages.html_options(cfg)
    given = kept.get("signals/sig-1.md", MARKDOWN, options=again_options)
    assert given is file and given.page is page
    assert page.options is again_options  # this build's renderer options
    fresh = state(made(cfg, options))
    for mine, theirs in zip(state(given), fresh, strict=True):
        assert sorted(mine) == sorted(theirs)
        assert [(k, mine[k], theirs[k]) for k in mine if mine[k] != theirs[k]] == []
    assert given.content_string == MARKDOWN
    assert page.markdown is None and page.content is None and page.parent is None and not page.active
    new_page = made(cfg, options).page
    assert new_page is not None
    assert page.title == new_page.title  # the title set by hand is gone


def test_nothing_is_given_back_under_another_signature_or_twice(tmp_path: Path) -> None:
    cfg, options = config_and_options(tmp_path)
    kept = KeptFiles()
    kept.start("one")
    kept.keep(made(cfg, options))
    kept.start("two")  # the config changed: a file made under it could differ
    assert kept.get("signals/sig-1.md", MARKDOWN) is None
    kept.start("two")
    assert kept.get("signals/sig-1.md", MARKDOWN) is None  # not kept by the build in between
    kept.keep(made(cfg, options))
    kept.start("two")
    assert kept.get("signals/sig-1.md", MARKDOWN) is not None
    assert kept.get("signals/sig-1.md", MARKDOWN) is None  # one build, one file per page
    assert kept.get("signals/sig-9.md", MARKDOWN) is None
