"""Packaging as a user meets it: ranges not pins, one version, `python -m layerflow`, an sdist whose tests run,
and a wheel that installs in a fresh virtualenv next to the newest PyYAML, MkDocs, ProperDocs and mkdocs-material.

The sdist and the wheel are built once per module (`python -m build`: the sdist, then the wheel from it). The
fresh-virtualenv test reaches the package index, as `make setup` does; nothing else leaves the machine.
"""

from __future__ import annotations

import email.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import layerflow
from tests.goldens import compare_check_json

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# What a user's pip and MkDocs see: no pins of ours, no checkout on the path, no MkDocs 2 notices.
CLEAN = {k: v for k, v in os.environ.items() if k not in ("PIP_CONSTRAINT", "PIP_BUILD_CONSTRAINT", "PYTHONPATH")}
QUIET = {**CLEAN, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
# The directories the test suite reads; the sdist must carry all of them.
TEST_INPUTS = ("tests", "registry", "docs", "bench")
GENERATED = re.compile(r"(^|/)(__pycache__|\.hypothesis|\.layerflow-cache|\.pytest_cache)(/|$)|\.py[cod]$|^bench/out/")
CURRENT_RELEASES = ("pyyaml", "mkdocs", "properdocs", "mkdocs-material")


def run(argv: list[str | Path], *, cwd: Path, env: dict[str, str] | None = None, timeout: int = 600) -> str:
    """Run a command that must succeed; its output is in the assertion message when it does not."""
    done = subprocess.run(
        [str(a) for a in argv], cwd=cwd, env=env or CLEAN, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{argv} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def requirements() -> list[tuple[str, Requirement]]:
    """Every requirement pyproject.toml states, with where: runtime, each extra, the build system."""
    found = [("dependencies", Requirement(r)) for r in PYPROJECT["project"]["dependencies"]]
    for extra, reqs in PYPROJECT["project"]["optional-dependencies"].items():
        found += [(f"[{extra}]", Requirement(r)) for r in reqs]
    found += [("build-system", Requirement(r)) for r in PYPROJECT["build-system"]["requires"]]
    return found


def constraints() -> dict[str, str]:
    pins: dict[str, str] = {}
    for number, line in enumerate((ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            name, sep, version = line.partition("==")
            assert sep and version, f"constraints.txt:{number}: {line!r} is not an exact pin"
            pins[canonicalize_name(name)] = version
    return pins


# ------------------------------------------------------------------ ranges, the lock, the version


def test_every_dependency_is_a_range_with_a_floor_and_a_cap() -> None:
    for where, req in requirements():
        operators = {spec.operator for spec in req.specifier}
        assert not operators & {"==", "==="}, f"{where}: {req} pins; a library states a range"
        assert operators & {"~=", ">="}, f"{where}: {req} has no floor"
        assert operators & {"~=", "<"}, f"{where}: {req} has no cap below the next breaking release"


def test_constraints_pin_every_dependency_inside_its_range() -> None:
    pins = constraints()
    for where, req in requirements():
        name = canonicalize_name(req.name)
        assert name in pins, f"{where}: {req.name} is not pinned in constraints.txt"
        assert req.specifier.contains(pins[name]), f"constraints.txt pins {req.name}=={pins[name]}, outside {req}"


def test_the_dev_environment_is_the_locked_one() -> None:
    """`make setup` installed from constraints.txt: what runs these tests is what the lock says."""
    from importlib.metadata import distributions

    pins = constraints()
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in distributions()}
    for _, req in requirements():
        name = canonicalize_name(req.name)
        if name in installed and name != "setuptools":  # setuptools here is the venv's own; the lock's builds
            assert installed[name] == pins[name], (
                f"{req.name} {installed[name]} installed, constraints.txt: {pins[name]}"
            )


def test_setup_reinstalls_from_the_constraints_when_they_change(tmp_path: Path) -> None:
    for name in ("Makefile", "pyproject.toml", "constraints.txt", "gen/layerflow/__init__.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
        os.utime(tmp_path / name, (1_000_000_000, 1_000_000_000))
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv/.installed").touch()  # a set-up machine: the stamp is newer than its inputs
    up_to_date = run(["make", "-n", ".venv/.installed"], cwd=tmp_path)
    assert "pip install" not in up_to_date
    for changed in ("constraints.txt", "pyproject.toml", "gen/layerflow/__init__.py"):
        plan = run(["make", "-n", "-W", changed, ".venv/.installed"], cwd=tmp_path)
        installs = [line for line in plan.splitlines() if "pip install" in line]
        assert installs, f"changing {changed} does not re-run setup:\n{plan}"
        assert all("-c constraints.txt" in line for line in installs), f"setup installs without the lock:\n{plan}"
        assert any("--build-constraint constraints.txt" in line and "-e '.[site,dev]'" in line for line in installs)


def test_the_version_is_written_once() -> None:
    from importlib.metadata import version

    assert "version" not in PYPROJECT["project"]
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "layerflow.__version__"}
    assert version("layerflow") == layerflow.__version__  # the installed metadata was derived from it


# ------------------------------------------------------------------ python -m layerflow


def test_python_m_layerflow_is_the_cli_with_its_exit_codes(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "registry", tmp_path / "registry")
    as_module = [sys.executable, "-m", "layerflow"]
    version = subprocess.run([*as_module, "--version"], capture_output=True, text=True, check=False)
    assert (version.returncode, version.stdout) == (0, f"layerflow {layerflow.__version__}\n")
    codes = []
    for args in (["check", "--format", "json"], ["check", "--rules", "no-such-rules.yaml"]):
        module = subprocess.run([*as_module, *args], cwd=tmp_path, capture_output=True, text=True, check=False)
        script = subprocess.run([BIN / "layerflow", *args], cwd=tmp_path, capture_output=True, text=True, check=False)
        assert (module.returncode, module.stdout, module.stderr) == (script.returncode, script.stdout, script.stderr)
        codes.append(module.returncode)
        if args[-1] == "json":
            assert module.returncode == json.loads(module.stdout)["summary"]["exit_code"]
    assert codes[1] == 3, "a rules file that does not exist is invalid input"


# ------------------------------------------------------------------ the sdist and the wheel


@dataclass(frozen=True)
class Dist:
    source: Path  # the tree the distributions were built from (a copy of ROOT)
    sdist: Path
    wheel: Path


_LOCAL = shutil.ignore_patterns(".git", ".venv*", "site", "dist", "build", ".*cache", ".hypothesis")


def _not_source(folder: str, names: list[str]) -> set[str]:
    """What a checkout holds beside its source: environments and outputs at the top, caches anywhere."""
    local = _LOCAL(folder, names) if Path(folder) == ROOT else set()
    return local | {n for n in names if n == "__pycache__" or n.endswith(".egg-info")}


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    """sdist and wheel built from a copy of the source tree, with the build backend constraints.txt pins."""
    scratch = tmp_path_factory.mktemp("dist")
    source = scratch / "source"
    shutil.copytree(ROOT, source, ignore=_not_source)
    out = scratch / "out"
    run(
        [sys.executable, "-m", "build", "--outdir", out, source],
        cwd=scratch,
        env={**CLEAN, "PIP_CONSTRAINT": str(ROOT / "constraints.txt")},
    )
    (sdist,) = out.glob("layerflow-*.tar.gz")
    (wheel,) = out.glob("layerflow-*.whl")
    return Dist(source, sdist, wheel)


def sdist_files(dist: Dist) -> set[str]:
    with tarfile.open(dist.sdist) as archive:
        top = f"layerflow-{layerflow.__version__}/"
        names = {m.name for m in archive.getmembers() if m.isfile()}
    assert all(n.startswith(top) for n in names), "an sdist unpacks into one folder named after name and version"
    return {n.removeprefix(top) for n in names}


def test_sdist_ships_the_tests_with_everything_they_read(dist: Dist) -> None:
    shipped = sdist_files(dist)
    expected = {
        p.relative_to(dist.source).as_posix()
        for folder in TEST_INPUTS
        for p in (dist.source / folder).rglob("*")
        if p.is_file()
    }
    expected = {name for name in expected if not GENERATED.search(name)}
    assert {"tests/conftest.py", "tests/browser/harness.py"} <= expected  # the list is what we think it is
    assert any(name.startswith("tests/fixtures/") for name in expected)
    assert any(name.startswith("tests/golden/") for name in expected)
    missing = sorted(expected - shipped)
    assert not missing, f"the sdist lacks what its tests read: {missing[:20]}"
    top = {"pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", "Makefile", "mkdocs.yml", "constraints.txt"}
    assert top <= shipped
    assert not [n for n in shipped if GENERATED.search(n) or n.startswith((".ci/", ".venv", "site/", ".git"))]


def test_tests_run_from_the_unpacked_sdist(dist: Dist, tmp_path: Path) -> None:
    with tarfile.open(dist.sdist) as archive:
        archive.extractall(tmp_path, filter="data")
    unpacked = tmp_path / f"layerflow-{layerflow.__version__}"
    env = {**QUIET, "PYTHONPATH": str(unpacked / "gen")}  # the sdist's own package, not this checkout's
    imported = run([sys.executable, "-c", "import layerflow; print(layerflow.__file__)"], cwd=unpacked, env=env)
    assert Path(imported.strip()).is_relative_to(unpacked)
    # Tests that lean on conftest's fixtures, the golden files, tests/fixtures/, the registry and mkdocs.yml.
    chosen = ["test_golden_outputs.py", "test_evidence_code.py", "test_evidence_cli.py", "test_seed_analysis.py"]
    out = run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *(f"tests/{t}" for t in chosen)],
        cwd=unpacked,
        env=env,
    )
    assert re.search(r"^\d+ passed in ", out, re.MULTILINE), out
    assert not re.search(r"\b(failed|error|skipped)\b", out.splitlines()[-1]), out


def wheel_metadata(dist: Dist) -> tuple[set[str], email.message.Message]:
    with zipfile.ZipFile(dist.wheel) as archive:
        names = set(archive.namelist())
        info = f"layerflow-{layerflow.__version__}.dist-info"
        metadata = email.parser.Parser().parsestr(archive.read(f"{info}/METADATA").decode())
        assert archive.read(f"{info}/licenses/LICENSE") == (ROOT / "LICENSE").read_bytes()
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert "layerflow = layerflow.adapters.cli:entry" in entry_points
    assert "layerflow = layerflow.adapters.mkdocs_plugin:LayerflowPlugin" in entry_points
    return names, metadata


def test_wheel_holds_the_package_its_license_and_ranges(dist: Dist) -> None:
    names, metadata = wheel_metadata(dist)
    assert {"layerflow/__main__.py", "layerflow/py.typed", "layerflow/schemas/producers.schema.json"} <= names
    assert {"layerflow/assets/layerflow.css", "layerflow/assets/layerflow.js"} <= names, "the plugin's CSS and JS"
    assert not [n for n in names if n.startswith(("tests/", "registry/", "docs/", "bench/"))]
    assert metadata["Version"] == layerflow.__version__
    assert metadata["License-Expression"] == "MIT"
    requires = [Requirement(r) for r in metadata.get_all("Requires-Dist") or []]
    assert not [r for r in requires if {s.operator for s in r.specifier} & {"==", "==="}]
    site = {canonicalize_name(r.name) for r in requires if r.marker and r.marker.evaluate({"extra": "site"})}
    runtime = {canonicalize_name(r.name) for r in requires if not r.marker}
    assert site - runtime >= {"mkdocs", "properdocs", "mkdocs-material"}, "layerflow[site] is what the plugin needs"


def test_wheel_installs_next_to_the_newest_releases(dist: Dist, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv], cwd=tmp_path)
    pip = [venv / "bin/python", "-m", "pip", "--quiet"]
    run([*pip, "install", f"{dist.wheel}[site]"], cwd=tmp_path)
    assert set(CURRENT_RELEASES) <= frozen(venv).keys(), "`pip install layerflow[site]` brings what the plugin needs"
    # The newest releases, whatever our ranges say; a cap or floor that excludes one breaks `pip check`.
    run([*pip, "install", "--upgrade", *CURRENT_RELEASES], cwd=tmp_path)
    versions = frozen(venv)
    checked = run([venv / "bin/python", "-m", "pip", "check"], cwd=tmp_path)
    assert "No broken requirements" in checked, f"{checked} with {versions}"

    work = tmp_path / "work"
    shutil.copytree(ROOT / "registry", work / "registry")
    where = run([venv / "bin/python", "-c", "import layerflow; print(layerflow.__file__)"], cwd=work)
    assert Path(where.strip()).is_relative_to(venv), "the wheel's package, not this checkout"
    said = run([venv / "bin/python", "-m", "layerflow", "--version"], cwd=work)
    assert said == f"layerflow {layerflow.__version__}\n"

    check = subprocess.run(
        [venv / "bin/layerflow", "check", "--base", "registry", "--format", "json"],
        cwd=work,
        env=CLEAN,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert check.stdout, check.stderr
    compare_check_json("cli/check", check.stdout)  # the same answer as this checkout's, stage by stage
    assert check.returncode == json.loads(check.stdout)["summary"]["exit_code"]

    # The README's "Use it in your project": an empty docs/ and the two-line config, nothing of this repository's.
    (work / "docs").mkdir()
    (work / "mkdocs.yml").write_text(readme_config(), encoding="utf-8")
    built = subprocess.run(
        [venv / "bin/properdocs", "build", "-f", "mkdocs.yml"],
        cwd=work,
        env=QUIET,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    log = built.stdout + built.stderr
    assert built.returncode == 0 and "Traceback" not in log, f"{log}\nwith {versions}"
    assert "GAP-002 P2 open" in log, "the plugin's gate ran"
    assert_two_line_site(work / "site")


def readme_config() -> str:
    """The minimal mkdocs.yml the README's "Use it in your project" section shows."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Use it in your project", 1)[1].split("\n## ", 1)[0]
    (config,) = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert "plugins: [search, layerflow]" in config
    return config


def assert_two_line_site(site: Path) -> None:
    """What a reader of a site from the two-line config sees: every page, admonitions, our CSS and JS, a short nav."""
    home = (site / "index.html").read_text(encoding="utf-8")
    assert (site / "producers/index.html").is_file()
    assert len(list((site / "signals").glob("*/index.html"))) >= 18  # the embedded registry's signals
    assert '<div class="admonition warning">' in home and "!!! " not in home, "admonitions rendered"
    for asset in ("layerflow.css", "layerflow.js"):
        shipped = (Path(layerflow.__file__).parent / "assets" / asset).read_text(encoding="utf-8")
        assert (site / "assets/layerflow" / asset).read_text(encoding="utf-8") == shipped
        assert f"assets/layerflow/{asset}" in home, f"{asset} is linked from the page"
    sidebar = home.split("md-nav--primary", 1)[1].split("md-sidebar--secondary", 1)[0]
    linked = set(re.findall(r'href="([^"#]*)"', sidebar))
    assert {"report/", "producers/", "signals/", "gaps/", "changes/"} <= linked, linked
    entity = sorted(u for u in linked if re.match(r"(producers|signals|gaps|changes|source)/.+/", u))
    assert not entity, f"entity pages in the sidebar: {entity}"


def frozen(venv: Path) -> dict[str, str]:
    out = run([venv / "bin/python", "-m", "pip", "freeze", "--all"], cwd=venv)
    pairs = (line.split("==", 1) for line in out.splitlines() if "==" in line)
    return {canonicalize_name(name): version for name, version in pairs}


# ------------------------------------------------------------------ license and changelog


def test_license_and_changelog_are_there_and_linked() -> None:
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert license_text.startswith("MIT License\n") and PYPROJECT["project"]["license"] == "MIT"
    assert "Copyright (c) 2026 the layerflow authors" in license_text
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](CHANGELOG.md)" in readme and "## Install" in readme
