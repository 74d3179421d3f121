"""End to end: the MkDocs site builds from registry/, links hold, the strict gate fails on open gaps."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

pytestmark = pytest.mark.site

BIN = Path(sys.executable).parent
QUIET = {**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}


def project_copy(root: Path, tmp: Path) -> Path:
    """mkdocs.yml, docs/ and registry/ in a scratch folder, so tests may edit the registry."""
    work = tmp / "project"
    work.mkdir()
    shutil.copy(root / "mkdocs.yml", work / "mkdocs.yml")
    shutil.copytree(root / "docs", work / "docs")
    shutil.copytree(root / "registry", work / "registry", ignore=shutil.ignore_patterns("__pycache__"))
    return work


def build(work: Path, *extra: str, tool: str = "properdocs") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / tool), "build", "-f", str(work / "mkdocs.yml"), "-d", str(work / "site"), *extra],
        check=False,  # the exit code is what several tests assert
        cwd=work,
        env=QUIET,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def built(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = project_copy(root, tmp_path_factory.mktemp("site"))
    result = build(work)
    assert result.returncode == 0, result.stderr
    return work / "site"


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "xlink:href") and value and tag == "a":
                self.hrefs.append(value)


def local_targets(site: Path, page: Path) -> list[Path]:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    url = "http://site/" + str(page.relative_to(site)).replace("index.html", "")
    out = []
    for href in parser.hrefs:
        target = urlparse(urljoin(url, href))
        if target.netloc != "site":
            continue
        path = site / target.path.lstrip("/")
        out.append(path / "index.html" if target.path.endswith("/") or path.is_dir() else path)
    return out


def test_every_entity_has_a_page(built: Path) -> None:
    for page in (
        "index.html",
        "report/index.html",
        "producers/index.html",
        "producers/graduation-evaluator/index.html",
        "producers/cost-snapshot-job/index.html",
        "signals/index.html",
        "signals/sig-100/index.html",
        "signals/sig-206/index.html",
        "gaps/gap-001/index.html",
        "gaps/gap-002/index.html",
        "changes/rc-001/index.html",
        "changes/rc-002/index.html",
    ):
        assert (built / page).is_file(), page
    assert len(list((built / "signals").glob("sig-*/index.html"))) == 18
    assert len(list((built / "producers").glob("*/index.html"))) == 8


def test_no_link_is_broken(built: Path) -> None:
    broken = []
    for page in built.rglob("*.html"):
        if "assets" in page.parts or "search" in page.parts:
            continue
        for target in local_targets(built, page):
            if not target.exists():
                broken.append(f"{page.relative_to(built)} -> {target.relative_to(built)}")
    assert broken == []


def test_diagrams_are_inline_and_link_to_pages(built: Path) -> None:
    page = built / "producers/graduation-evaluator/index.html"
    html = page.read_text(encoding="utf-8")
    assert html.count('class="layerflow-diagram"') == 2  # flow diagram and decision paths
    assert "lf-fragment" not in html  # every placeholder was replaced
    svg_links = re.findall(r'xlink:href="([^"]+)"', html)
    assert "../../signals/sig-100/" in svg_links
    assert "../../producers/graduation-evaluator/" in svg_links
    home = (built / "index.html").read_text(encoding="utf-8")
    assert 'id="lf-overview"' in home
    report = (built / "report/index.html").read_text(encoding="utf-8")
    assert 'id="lf-decision-tree"' in report


def test_pages_say_what_the_registry_says(built: Path) -> None:
    signal = (built / "signals/sig-100/index.html").read_text(encoding="utf-8")
    assert "GraduationStatus" in signal
    assert '<code class="lf-path">registry/<wbr>SIGNAL_REGISTRY_PYTHON_BASELINE.md:' in signal  # breaks at '/'
    signal = signal.replace("<wbr>", "")
    assert "RC-001" in signal and "In-memory" in signal  # the change history, before and after
    change = (built / "changes/rc-001/index.html").read_text(encoding="utf-8")
    assert "graduation_evaluator.py" in change
    assert '<code class="language-python">' in change  # evidence sections rendered
    gap = (built / "gaps/gap-002/index.html").read_text(encoding="utf-8")
    assert "SIG-017" in gap and "CostSnapshot" in gap


def test_write_sites_link_to_their_source_lines(built: Path) -> None:
    page = built / "producers/graduation-evaluator/index.html"
    links = [h for h in re.findall(r'href="([^"]+)"', page.read_text(encoding="utf-8")) if "/source/" in h]
    assert links, "the producer page links its write sites into the source"
    for href in links:
        target, _, anchor = urljoin("http://site/producers/graduation-evaluator/", href).partition("#")
        source = built / urlparse(target).path.lstrip("/") / "index.html"
        assert source.is_file(), href
        assert f'id="{anchor}"' in source.read_text(encoding="utf-8"), href
    index = (built / "search/search_index.json").read_text(encoding="utf-8")
    assert "source/registry/example" not in index  # code pages stay out of search


def test_search_index_holds_signals(built: Path) -> None:
    index = (built / "search/search_index.json").read_text(encoding="utf-8")
    for term in ("SIG-100", "GraduationStatus", "capability_lockouts", "Cost Snapshot Job"):
        assert term in index


def digest(site: Path) -> dict[str, str]:
    return {
        str(p.relative_to(site)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file() and not p.name.endswith(".gz") and p.name != "sitemap.xml"
    }


def test_same_inputs_same_bytes(root: Path, tmp_path: Path) -> None:
    work = project_copy(root, tmp_path)
    assert build(work).returncode == 0
    first = digest(work / "site")
    shutil.rmtree(work / "site")
    shutil.rmtree(work / ".layerflow-cache", ignore_errors=True)  # diagrams rendered afresh
    assert build(work).returncode == 0
    assert digest(work / "site") == first


def test_strict_build_fails_on_open_gaps(root: Path, tmp_path: Path) -> None:
    work = project_copy(root, tmp_path)
    result = build(work, "--strict")
    assert result.returncode != 0
    gate_lines = [line for line in result.stderr.splitlines() if "layerflow" in line or "GAP-" in line]
    assert any("GAP-002 P2 open: Cost Snapshot Job" in line for line in gate_lines), result.stderr
    assert any("GAP-003 P3 open: M10 Maintenance Orchestrator" in line for line in gate_lines), result.stderr
    assert "Traceback" not in result.stderr


def test_fail_on_p2_ignores_p3(root: Path, tmp_path: Path) -> None:
    work = project_copy(root, tmp_path)
    config = (work / "mkdocs.yml").read_text(encoding="utf-8").replace("fail_on: P3", "fail_on: P2")
    (work / "mkdocs.yml").write_text(config, encoding="utf-8")
    result = build(work, "--strict")
    assert "GAP-002" in result.stderr
    assert "GAP-003" not in result.stderr


def test_strict_build_passes_when_gaps_close(root: Path, tmp_path: Path) -> None:
    work = project_copy(root, tmp_path)
    config = (work / "mkdocs.yml").read_text(encoding="utf-8").replace("fail_on: P3", "fail_on: none")
    (work / "mkdocs.yml").write_text(config, encoding="utf-8")
    result = build(work, "--strict")
    assert result.returncode == 0, result.stderr
    assert not re.search(r"GAP-\d+ P\d open", result.stderr), result.stderr  # no open gap fails it any more
    assert (work / "site/gaps/index.html").is_file()  # and the site, open gaps shown, is written


def test_invalid_input_stops_with_located_errors(root: Path, tmp_path: Path) -> None:
    work = project_copy(root, tmp_path)
    (work / "registry/auditor_rules.yaml").write_text("schema: [unclosed\n", encoding="utf-8")
    baseline = work / "registry/SIGNAL_REGISTRY_PYTHON_BASELINE.md"
    lines = baseline.read_text(encoding="utf-8").splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("| SIG-002 "))
    lines[row] += " extra | cells |"
    baseline.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = build(work)
    assert result.returncode != 0
    assert "registry/auditor_rules.yaml:" in result.stderr
    assert f"registry/SIGNAL_REGISTRY_PYTHON_BASELINE.md:{row + 1}:" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (work / "site/index.html").exists()  # no half-written site


def test_a_base_that_does_not_exist_fails_the_build_without_strict(root: Path, tmp_path: Path) -> None:
    """A wrong path must not publish an empty audit: PluginError, with what was looked for and where."""
    work = project_copy(root, tmp_path)
    config = (work / "mkdocs.yml").read_text(encoding="utf-8")
    (work / "mkdocs.yml").write_text(config.replace("base: registry ", "base: no-such-registry "), encoding="utf-8")
    result = build(work)
    assert result.returncode != 0
    assert f"no such base directory ({work / 'no-such-registry'})" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (work / "site/index.html").exists()


def test_input_warnings_are_logged_by_the_build(root: Path, tmp_path: Path) -> None:
    """What `layerflow check` prints as an input warning, `mkdocs build` logs, so `--strict` counts it."""
    work = project_copy(root, tmp_path)
    config = (work / "mkdocs.yml").read_text(encoding="utf-8").replace("fail_on: P3", "fail_on: none")
    (work / "mkdocs.yml").write_text(config, encoding="utf-8")  # no gap fails the build: only the warnings can
    baseline = work / "registry/SIGNAL_REGISTRY_PYTHON_BASELINE.md"
    text = baseline.read_text(encoding="utf-8")
    short = "| SIG-005 | WorkerHeartbeat | raw | timer | `worker_pool.py` | L5 | pool_supervisor.py |"
    text = text.replace(short + " L6 | — | Redis (worker:hb) |", short)
    text = text.replace(
        "| SIG-003 | StepTrace | raw | worker_event | `tracer.py` | L5 |",
        "| SIG-003 | StepTrace | raw | worker_event | `tracer.py` | L9 |",
    )
    baseline.write_text(text, encoding="utf-8")
    lines = text.split("\n")
    at = {
        uid: next(n for n, line in enumerate(lines, 1) if line.startswith(f"| {uid} |"))
        for uid in ("SIG-003", "SIG-005")
    }
    path = "registry/SIGNAL_REGISTRY_PYTHON_BASELINE.md"
    result = build(work, "--strict")
    assert result.returncode != 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING -  ")]
    assert f"WARNING -  {path}:{at['SIG-005']}: SIG-005: row has 7 cells but the header has 10; " in "\n".join(warnings)
    assert any(
        line.startswith(f"WARNING -  {path}:{at['SIG-003']}: SIG-003: P-Layer 'L9' is not a layer") for line in warnings
    )
    assert "Traceback" not in result.stderr


def test_build_never_writes_into_the_registry(root: Path, tmp_path: Path) -> None:
    work = project_copy(root, tmp_path)
    before = digest(work / "registry")
    assert build(work).returncode == 0
    assert digest(work / "registry") == before


@pytest.mark.parametrize("tool", ["mkdocs", "properdocs"])
def test_quiet_under_both_drivers(root: Path, tmp_path: Path, tool: str) -> None:
    work = project_copy(root, tmp_path)
    result = build(work, tool=tool)
    assert result.returncode == 0, result.stderr
    noise = [
        line for line in result.stderr.splitlines() if line.strip() and not line.startswith(("INFO", "WARNING -  GAP-"))
    ]
    assert noise == []
