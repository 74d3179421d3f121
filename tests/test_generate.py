"""`layerflow generate`: the plugin's page set as plain files, built by plain MkDocs, by the gen-files recipe of
the README and by Zensical (in a virtualenv of its own, installed from the package index as `make setup` does)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.test_site_build import QUIET, build, local_targets, project_copy

pytestmark = pytest.mark.site
BIN = Path(sys.executable).parent
ZENSICAL = "zensical==0.0.73"  # 0.1.x needs zensical-ui, which the package index here does not have
INPUTS = ["--base", "registry", "--code", "registry/example", "--ops", "registry/example/scripts/ops/systemd"]


def generate(work: Path, out: str = "generated", *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "layerflow"), "generate", out, *INPUTS, *extra],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("index.html")} - {"index.html"} | {"index.html"}


def plain_config(work: Path, docs: str, *, plugins: str = "[search]") -> None:
    """A mkdocs.yml without the layerflow plugin: the generated nav snippet merged into a minimal config."""
    snippet = yaml.safe_load((work / docs / "layerflow-nav.yml").read_text(encoding="utf-8"))
    config = {"site_name": "Generated", "docs_dir": docs, "theme": {"name": "material", "font": False}, **snippet}
    text = yaml.safe_dump(config, sort_keys=False) + f"plugins: {plugins}\n"
    (work / "mkdocs.yml").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def plugin_pages(root: Path, tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    work = project_copy(root, tmp_path_factory.mktemp("plugin"))
    (work / "docs/about.md").unlink()  # the repository's own page, not a generated one
    result = build(work)
    assert result.returncode == 0, result.stderr
    return pages(work / "site")


def assert_readable(site: Path) -> None:
    """Diagrams inline with links that hold, the CSS and JS linked, admonitions rendered."""
    producer = (site / "producers/graduation-evaluator/index.html").read_text(encoding="utf-8")
    assert len(re.findall(r"<svg [^>]*class=\"layerflow-diagram\"", producer)) >= 2 and "lf-fragment" not in producer
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<div class="admonition warning">' in home and "!!! " not in home
    assert "assets/layerflow/layerflow.css" in home and "assets/layerflow/layerflow.js" in home
    broken = [
        f"{page.relative_to(site)} -> {target.relative_to(site)}"
        for page in site.rglob("*.html")
        if "assets" not in page.parts and "search" not in page.parts
        for target in local_targets(site, page)
        if not target.exists()
    ]
    assert broken == []


def test_generate_builds_under_plain_mkdocs_with_the_plugins_pages(
    root: Path, tmp_path: Path, plugin_pages: set[str]
) -> None:
    work = project_copy(root, tmp_path)
    done = generate(work)
    assert done.returncode == 0, done.stderr
    assert re.match(r"layerflow: wrote \d+ pages and 3 other files to generated\n$", done.stderr)
    plain_config(work, "generated")
    result = build(work, "--strict")
    assert result.returncode == 0, result.stderr
    assert pages(work / "site") == plugin_pages
    assert_readable(work / "site")


def test_generate_keeps_the_users_files_and_removes_pages_gone(root: Path, tmp_path: Path) -> None:
    work = project_copy(root, tmp_path)
    (work / "docs/runbook.md").write_text("# Runbook\n", encoding="utf-8")
    assert generate(work, "docs").returncode == 0
    assert (work / "docs/signals/sig-206.md").is_file()
    registry = work / "registry/SIGNAL_REGISTRY_COMPLETE.md"
    text = registry.read_text(encoding="utf-8")
    registry.write_text("\n".join(ln for ln in text.split("\n") if not ln.startswith("| SIG-206 ")), "utf-8")
    assert generate(work, "docs").returncode == 0
    assert not (work / "docs/signals/sig-206.md").exists(), "a signal removed from the registry loses its page"
    assert (work / "docs/runbook.md").read_text(encoding="utf-8") == "# Runbook\n"
    assert (work / "docs/about.md").is_file()


def test_generate_with_broken_input_writes_nothing_and_exits_3(root: Path, tmp_path: Path) -> None:
    work = project_copy(root, tmp_path)
    (work / "registry/auditor_rules.yaml").write_text("schema: [unclosed\n", encoding="utf-8")
    done = generate(work)
    assert done.returncode == 3 and "registry/auditor_rules.yaml:" in done.stderr
    assert not (work / "generated").exists()


def test_the_readmes_gen_files_recipe_builds_the_same_pages(root: Path, tmp_path: Path, plugin_pages: set[str]) -> None:
    readme = (root / "README.md").read_text(encoding="utf-8")
    (script,) = re.findall(r"```python\n# gen_pages.py\n(.*?)```", readme, re.DOTALL)
    work = project_copy(root, tmp_path)
    (work / "docs/about.md").unlink()
    (work / "gen_pages.py").write_text(script, encoding="utf-8")
    assert generate(work, "snippet").returncode == 0  # only for its nav snippet; the pages come from the script
    shutil.move(work / "snippet/layerflow-nav.yml", work / "docs/layerflow-nav.yml")
    plain_config(work, "docs", plugins="[search, {gen-files: {scripts: [gen_pages.py]}}]")
    result = build(work, "--strict")
    assert result.returncode == 0, result.stderr
    assert pages(work / "site") == plugin_pages
    assert_readable(work / "site")


def test_zensical_builds_the_generated_folder(root: Path, tmp_path: Path, plugin_pages: set[str]) -> None:
    venv = tmp_path / "zensical"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    installed = subprocess.run(
        [str(venv / "bin/python"), "-m", "pip", "install", "--quiet", ZENSICAL],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    work = project_copy(root, tmp_path)
    assert generate(work, "generated").returncode == 0
    plain_config(work, "generated")
    built = subprocess.run(
        [str(venv / "bin/zensical"), "build", "-f", "mkdocs.yml"],
        cwd=work,
        env=QUIET,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert pages(work / "site") == plugin_pages
    producer = (work / "site/producers/graduation-evaluator/index.html").read_text(encoding="utf-8")
    assert len(re.findall(r"<svg [^>]*class=\"layerflow-diagram\"", producer)) >= 2
    assert (work / "site/assets/layerflow/layerflow.css").is_file()


@pytest.mark.parametrize(
    ("path", "url", "root"),
    [
        ("index.md", "", "./"),
        ("report.md", "report/", "../"),
        ("signals/index.md", "signals/", "../"),
        ("signals/sig-100.md", "signals/sig-100/", "../../"),
        ("source/registry/example/app/x.py.md", "source/registry/example/app/x.py/", "../../../../../"),
    ],
)
def test_links_in_generated_html_start_from_the_pages_url(path: str, url: str, root: str) -> None:
    from layerflow.render.standalone import page_url, root_from

    assert (page_url(path), root_from(path)) == (url, root)
