"""The plugin adds what its pages need to a user's config, and nothing of the user's is lost or doubled."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

from layerflow.adapters.mkdocs_setup import SCRIPT, STYLESHEET, add_to_config, nav_inclusion
from tests.test_site_build import build


def config_of(tmp_path: Path, text: str) -> MkDocsConfig:
    (tmp_path / "docs").mkdir(exist_ok=True)
    (tmp_path / "mkdocs.yml").write_text(text, encoding="utf-8")
    return load_config(str(tmp_path / "mkdocs.yml"))


def scripts(config: MkDocsConfig) -> list[str]:
    return [str(getattr(s, "path", s)) for s in config.extra_javascript]


def test_a_bare_config_gets_the_css_js_and_admonitions(tmp_path: Path) -> None:
    config = config_of(tmp_path, "site_name: x\n")
    assert add_to_config(config) == [STYLESHEET, SCRIPT]
    assert config.extra_css == [STYLESHEET]
    assert scripts(config) == [SCRIPT]
    assert "admonition" in config.markdown_extensions


def test_the_users_entries_stay_first_and_are_not_doubled(tmp_path: Path) -> None:
    text = (
        "site_name: x\nextra_css: [css/ours.css]\nextra_javascript: [js/ours.js]\n"
        "markdown_extensions: [{admonition: {}}, {toc: {permalink: true}}]\n"
    )
    config = config_of(tmp_path, text)
    add_to_config(config)
    assert config.extra_css == ["css/ours.css", STYLESHEET]
    assert scripts(config) == ["js/ours.js", SCRIPT]
    assert config.markdown_extensions.count("admonition") == 1
    assert config.mdx_configs["toc"] == {"permalink": True}


def test_a_copy_of_our_files_in_the_users_docs_replaces_ours(tmp_path: Path) -> None:
    config = config_of(tmp_path, "site_name: x\nextra_css: [style/layerflow.css]\nextra_javascript: [layerflow.js]\n")
    assert add_to_config(config) == []
    assert config.extra_css == ["style/layerflow.css"]
    assert scripts(config) == ["layerflow.js"]


@pytest.mark.parametrize(
    ("path", "in_nav"),
    [
        ("index.md", True),
        ("report.md", True),
        ("signals/index.md", True),
        ("signals/sig-100.md", False),
        ("producers/graduation-evaluator.md", False),
        ("gaps/gap-001.md", False),
        ("changes/rc-001.md", False),
        ("source/registry/example/app/x.py.md", False),
    ],
)
def test_only_index_pages_go_in_an_automatic_nav(path: str, in_nav: bool) -> None:
    assert nav_inclusion(path).is_not_in_nav() is not in_nav


@pytest.mark.site
def test_the_users_nav_palette_and_css_keep_working(root: Path, tmp_path: Path) -> None:
    work = tmp_path / "project"
    shutil.copytree(root / "registry", work / "registry")
    (work / "docs/css").mkdir(parents=True)
    (work / "docs/css/team.css").write_text(".md-header { background: teal; }\n", encoding="utf-8")
    (work / "docs/runbook.md").write_text("# Runbook\n\nSee the [signals](signals/index.md).\n", encoding="utf-8")
    (work / "mkdocs.yml").write_text(
        "site_name: Team registry\n"
        "theme: {name: material, palette: {scheme: slate, primary: teal}}\n"
        "nav: [{Home: index.md}, {Runbook: runbook.md}, {Signals: signals/index.md}]\n"
        "plugins: [search, layerflow]\n"
        "extra_css: [css/team.css]\n",
        encoding="utf-8",
    )
    result = build(work)
    assert result.returncode == 0, result.stderr
    omitted = result.stderr.split("not included in the", 1)[-1]
    assert "signals/sig-" not in omitted and "producers/" not in omitted.replace("producers/index.md", "")
    home = (work / "site/index.html").read_text(encoding="utf-8")
    assert 'data-md-color-scheme="slate"' in home and 'data-md-color-primary="teal"' in home
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', home)
    assert [s for s in sheets if "css/team.css" in s or "layerflow.css" in s] == [
        "css/team.css",
        "assets/layerflow/layerflow.css",
    ]
    sidebar = home.split("md-nav--primary", 1)[1].split("md-sidebar--secondary", 1)[0]
    linked = set(re.findall(r'href="([^"#]*)"', sidebar))
    assert {"runbook/", "signals/"} <= linked and not {"report/", "gaps/"} & linked, "the user's nav, as written"
