"""The pre-commit hook and the GitHub Action, run for real outside the services that host them.

The hook runs through `pre-commit try-repo` (which clones this repository,
builds a virtualenv and pip-installs layerflow into it, as a user's pre-commit
does) in a temporary git repository holding the Tidepool fixture registry:
green as it is (notes only, exit 0), red once its rules file stops parsing
(exit 3, the problem located). The Action's script steps run with the
environment GitHub gives them (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) pointed at
files.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
TIDEPOOL = ROOT / "tests" / "fixtures" / "projects" / "tidepool" / "registry"
BIN = Path(sys.executable).parent  # layerflow and pre-commit as this environment installed them
IS_GIT = (ROOT / ".git").exists()


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)


def _project(where: Path) -> Path:
    where.mkdir()
    shutil.copytree(TIDEPOOL, where / "registry")
    (where / "README.md").write_text("# tidepool\n", encoding="utf-8")
    _git(where, "init", "-q")
    _git(where, "add", "-A")
    _git(where, "commit", "-q", "-m", "registry")
    return where


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")  # one hook environment for the module's runs


def _try_repo(project: Path, home: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        [str(BIN / "pre-commit"), "try-repo", str(ROOT), "layerflow-check", *extra],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.skipif(not IS_GIT, reason="pre-commit try-repo clones this checkout; an unpacked sdist is no git repo")
def test_pre_commit_hook_green_then_red(tmp_path: Path, pre_commit_home: Path) -> None:
    project = _project(tmp_path / "tidepool")
    green = _try_repo(project, pre_commit_home, "--all-files")
    assert green.returncode == 0, green.stdout + green.stderr
    assert re.search(r"^layerflow check\.+Passed$", green.stdout, re.MULTILINE), green.stdout

    rules = project / "registry" / "auditor_rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8") + "\nrules: [unclosed\n", encoding="utf-8")
    _git(project, "add", "-A")
    red = _try_repo(project, pre_commit_home, "--all-files")
    assert red.returncode == 1, red.stdout + red.stderr
    assert re.search(r"^layerflow check\.+Failed$", red.stdout, re.MULTILINE)
    assert "- exit code: 3" in red.stdout
    assert "registry/auditor_rules.yaml:" in red.stdout  # the problem, located, in the hook's output


@pytest.mark.skipif(not IS_GIT, reason="pre-commit try-repo clones this checkout; an unpacked sdist is no git repo")
def test_pre_commit_hook_skips_commits_without_registry_files(tmp_path: Path, pre_commit_home: Path) -> None:
    project = _project(tmp_path / "tidepool")
    (project / "README.md").write_text("# tidepool, the harbour's tide tables\n", encoding="utf-8")
    _git(project, "add", "README.md")
    skipped = _try_repo(project, pre_commit_home)
    assert skipped.returncode == 0
    assert re.search(r"^layerflow check\.+\(no files to check\)Skipped$", skipped.stdout, re.MULTILINE), skipped.stdout


def test_hook_file_pattern_matches_the_inputs_only() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "layerflow-check" and hook["pass_filenames"] is False
    pattern = re.compile(hook["files"])
    for path in (
        "registry/SIGNAL_REGISTRY_COMPLETE.md",
        "docs/registry/signals.md",
        "registry/REGISTRY_CHANGES/REGISTRY_CHANGE_SIG-100.md",
        "registry/auditor_rules.yaml",
        "registry/producers.yaml",
        "registry/gaps.yaml",
        "registry/layerflow-baseline.json",
    ):
        assert pattern.search(path), path
    for path in ("README.md", "src/app/registry.py", "docs/index.md", "registry/example/backend/app.py"):
        assert not pattern.search(path), path


# ----------------------------------------------------------------- the Action


def test_action_yml_steps_name_scripts_that_exist_and_inputs_it_declares() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    used = set(re.findall(r"inputs\.([a-z-]+)", text))
    assert used <= set(action["inputs"]), used - set(action["inputs"])
    scripts = re.findall(r'"\$GITHUB_ACTION_PATH/(action/[a-z]+\.sh)"', text)
    assert scripts == ["action/check.sh", "action/summary.sh", "action/verdict.sh"]
    assert all((ROOT / s).is_file() for s in scripts)
    uses = [s["uses"] for s in action["runs"]["steps"] if "uses" in s]
    assert uses == ["actions/setup-python@v5", "github/codeql-action/upload-sarif@v3"]


def _step(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **env}
    return subprocess.run(
        ["bash", str(ROOT / "action" / script)], cwd=cwd, env=full, capture_output=True, text=True, check=False
    )


def test_action_scripts_outside_github(tmp_path: Path) -> None:
    project = _project(tmp_path / "tidepool")
    table = project / "registry" / "signals.md"
    before = table.read_text(encoding="utf-8")
    assert before.count("| PostgreSQL (tide_table) |") == 1
    table.write_text(before.replace("| PostgreSQL (tide_table) |", "| In-memory |"), encoding="utf-8")
    output, summary = tmp_path / "output", tmp_path / "summary.md"
    github = {"GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary)}

    check = _step("check.sh", project, {**github, "LAYERFLOW_ARGS": "--base registry", "LAYERFLOW_SARIF": "out.sarif"})
    assert check.returncode == 0, check.stderr
    code = int(output.read_text(encoding="utf-8").strip().removeprefix("exit-code="))
    assert code == 2  # SIG-001 TideTable is L7 feeding L6: In-memory opens a P1 persistence gap
    sarif = json.loads((project / "out.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    assert any(line.startswith("::error ") for line in check.stdout.splitlines())

    diff = _step("summary.sh", project, {**github, "LAYERFLOW_ARGS": "--base registry", "LAYERFLOW_DIFF_BASE": "HEAD"})
    assert diff.returncode == 0, diff.stderr
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("### layerflow: registry diff HEAD → the working tree")
    assert "| SIG-001 TideTable | persistence | PostgreSQL (tide\\_table) | In-memory |" in written

    missing = _step("summary.sh", project, {**github, "LAYERFLOW_DIFF_BASE": "no-such-rev"})
    assert missing.returncode == 0
    assert "no registry diff against no-such-rev" in summary.read_text(encoding="utf-8")

    assert _step("verdict.sh", project, {"LAYERFLOW_EXIT": "2"}).returncode == 1
    assert _step("verdict.sh", project, {"LAYERFLOW_EXIT": "1"}).returncode == 0
    assert _step("verdict.sh", project, {"LAYERFLOW_EXIT": "1", "LAYERFLOW_FAIL_ON": "warning"}).returncode == 1
    assert _step("verdict.sh", project, {"LAYERFLOW_EXIT": "0", "LAYERFLOW_FAIL_ON": "warning"}).returncode == 0
