"""The nav and tabs of generated pages outside the nav are rendered once per folder, and the site is the same.

Each site is built twice in process, with the shared partials and without, and compared file by file: the
embedded mkdocs.yml (tabs on), another team's (directory URLs off, no tabs), and one with every Material nav
feature on and an explicit nav that lists an entity page and a page under an entity page's URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from layerflow.adapters import shared_partials
from tests.test_entity_pages import embedded, northwind, site_bytes

FEATURES_CONFIG = """\
site_name: Signals
theme:
  name: material
  font: false
  features: [navigation.tabs, navigation.sections, navigation.indexes, navigation.expand, navigation.prune,
             toc.integrate, navigation.path]
plugins:
  - search
  - layerflow
nav:
  - Home: index.md
  - Report: report.md
  - Signals:
      - signals/index.md
      - signals/sig-001.md
  - Under a signal: signals/sig-002/notes.md
"""


def every_feature(tmp: Path) -> Path:
    work = embedded(tmp)
    (work / "mkdocs.yml").write_text(FEATURES_CONFIG, encoding="utf-8")
    (work / "docs" / "signals" / "sig-002").mkdir(parents=True)
    (work / "docs" / "signals" / "sig-002" / "notes.md").write_text("# Notes\n\nOn SIG-002.\n", encoding="utf-8")
    return work


def _count_shared(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    keys: list[str] = []
    once = shared_partials._once_per_key

    def counting(render: Any, key_of: Any) -> Any:
        def key(context: Any) -> str | None:
            found = key_of(context)
            if found is not None:
                page = context["page"]
                assert all(page is not listed for listed in context["nav"].pages), page  # never a nav page's
                keys.append(page.file.src_uri)
            return found

        return once(render, key)

    monkeypatch.setattr(shared_partials, "_once_per_key", counting)
    return keys


@pytest.mark.parametrize(
    "project", [embedded, northwind, every_feature], ids=["embedded", "other-team-config", "every-nav-feature"]
)
def test_sharing_the_nav_of_pages_outside_it_writes_the_same_site(
    project: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = project(tmp_path)
    monkeypatch.chdir(work)
    monkeypatch.setenv("DISABLE_MKDOCS_2_WARNING", "true")
    shared_for = _count_shared(monkeypatch)
    shared = site_bytes(work, "shared")
    assert len(shared_for) >= 20  # the entity pages took the shared path
    assert not {"index.md", "report.md", "signals/index.md"} & set(shared_for)
    if project is every_feature:
        assert "signals/sig-001.md" not in shared_for  # listed in the nav
        assert "signals/sig-002.md" not in shared_for  # a nav page lies under its URL
        assert "signals/sig-003.md" in shared_for
    monkeypatch.setattr(shared_partials, "share", lambda env: None)
    rendered_each_time = site_bytes(work, "each")
    assert shared == rendered_each_time


def test_a_theme_override_of_the_nav_turns_sharing_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = embedded(tmp_path)
    overrides = work / "overrides" / "partials"
    overrides.mkdir(parents=True)
    # An override that shows something of the page itself: shared, every page would show the first one's title.
    (overrides / "nav.html").write_text('<nav class="custom">{{ page.title | e }}</nav>\n', encoding="utf-8")
    config = (work / "mkdocs.yml").read_text(encoding="utf-8")
    overridden = config.replace("  name: material\n", "  name: material\n  custom_dir: overrides\n")
    (work / "mkdocs.yml").write_text(overridden, encoding="utf-8")
    monkeypatch.chdir(work)
    shared_for = _count_shared(monkeypatch)
    site_bytes(work, "site")
    assert shared_for == []
    page = (work / "site" / "signals" / "sig-001" / "index.html").read_text(encoding="utf-8")
    assert '<nav class="custom">SIG-001' in page
