"""`--code` and `--ops` at the edge: reading code roots and ops directories, the CLI and the plugin options.

Goldens in tests/golden/evidence_audit/ hold the CLI's answers over the
embedded example; without the flags the answers stay those of tests/golden/cli/.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from layerflow.adapters.cli import main
from tests.goldens import compare_check_json

EXAMPLE_CODE = "registry/example"
EXAMPLE_OPS = "registry/example/scripts/ops/systemd"
EVIDENCE = ["--code", EXAMPLE_CODE, "--ops", EXAMPLE_OPS]
ORIGINAL_SIG_100 = (
    "| SIG-100 | GraduationStatus | derived | evaluation_job | graduation_engine.py | L4 | integration.py | L2 "
    "| /integration/graduation | In-memory |"
)

Golden = Callable[[str, object], None]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def as_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code, out = run(capsys, *argv, "--format", "json")
    return code, json.loads(out)


# ------------------------------------------------------ the embedded example


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_check_with_code_and_ops_matches_golden(
    fmt: str, root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], golden: Golden
) -> None:
    monkeypatch.chdir(root)
    code, out = run(capsys, "check", *EVIDENCE, "--format", fmt)
    assert code == 1
    if fmt == "json":
        # A golden file per stage; the evidence adds findings and changes no signal, flow, gap or record here.
        compare_check_json(
            "evidence_audit/check", out, same_as="cli/check", same=("signals", "flows", "gaps", "changes")
        )
    else:
        golden(f"evidence_audit/check.{fmt}", out)


def test_report_with_code_and_ops_matches_golden(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], golden: Golden
) -> None:
    monkeypatch.chdir(root)
    code, out = run(capsys, "report", *EVIDENCE)
    assert code == 0
    golden("evidence_audit/report.md", out)


def test_the_seed_holds_with_code_and_ops(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(root)
    code, data = as_json(capsys, "check", *EVIDENCE)
    summary = data["summary"]
    assert code == 1 and summary["exit_code"] == 1
    assert summary["l7_producers"] == 8
    flows = summary["flows"]
    assert (flows["l7_l6"], flows["l7_l6_verified"], flows["l7_l6_deferred"], flows["l7_l7"], flows["l7_l8"]) == (
        5,
        4,
        1,
        21,
        1,
    )
    gaps = {g["id"]: (g["priority"], g["status"], g["resolved_by"]) for g in data["gaps"]}
    assert gaps == {
        "GAP-001": ("P1", "resolved", "RC-001"),
        "GAP-002": ("P2", "open", None),
        "GAP-003": ("P3", "open", None),
    }
    # The two prose gates are decided from the evidence now, and pass: no "check it by hand" notes.
    assert not [f for f in data["findings"] if f["rule"] == "gate.not-machine-checkable"]


def test_without_the_flags_check_is_unchanged(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(root)
    _, out = run(capsys, "check", "--format", "json")
    compare_check_json("cli/check", out)


# ------------------------------------------------- the registry before RC-001


def registry_before_rc001(root: Path, tmp_path: Path, *, inventory: bool) -> Path:
    """A copy of registry/ with SIG-100's original row written back and RC-001 left out."""
    copy = tmp_path / "registry"
    shutil.copytree(root / "registry", copy)
    baseline = copy / "SIGNAL_REGISTRY_PYTHON_BASELINE.md"
    lines = baseline.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("| SIG-100 "))
    lines[index] = ORIGINAL_SIG_100
    baseline.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (copy / "REGISTRY_CHANGES" / "REGISTRY_CHANGE_SIG-100.md").unlink()
    if not inventory:
        (copy / "producers.yaml").unlink()
    return copy


@pytest.mark.parametrize("inventory", [True, False], ids=["with-inventory", "code-alone"])
def test_gap_001_from_code_on_the_registry_before_rc001(
    inventory: bool, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    registry_before_rc001(root, tmp_path, inventory=inventory)
    monkeypatch.chdir(tmp_path)
    code, data = as_json(capsys, "check", *EVIDENCE)
    assert code == 2
    gap = next(g for g in data["gaps"] if g["id"] == "GAP-001")
    assert (gap["key"], gap["priority"], gap["status"], gap["in_ledger"]) == (
        "persistence-contradiction:SIG-100",
        "P1",
        "open",
        True,
    )
    blocking = [f for f in data["findings"] if f["severity"] == "blocking"]
    assert any(f["rule"] == "gap.persistence-contradiction" and f["subject"] == "GAP-001" for f in blocking)


@pytest.mark.parametrize("inventory", [True, False], ids=["with-inventory", "code-alone"])
def test_before_rc001_text_matches_golden(
    inventory: bool,
    root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    golden: Golden,
) -> None:
    registry_before_rc001(root, tmp_path, inventory=inventory)
    monkeypatch.chdir(tmp_path)
    code, out = run(capsys, "check", *EVIDENCE)
    assert code == 2
    golden(f"evidence_audit/before-rc001-{'inventory' if inventory else 'code-alone'}.text", out)


def test_without_code_the_registry_before_rc001_hides_gap_001_when_there_is_no_inventory(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    registry_before_rc001(root, tmp_path, inventory=False)
    monkeypatch.chdir(tmp_path)
    _, data = as_json(capsys, "check")
    assert not [g for g in data["gaps"] if g["kind"] == "persistence-contradiction"]


# ------------------------------------------------------ reading, best-effort


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with a one-signal registry and an empty code root."""
    (tmp_path / "registry").mkdir()
    (tmp_path / "registry" / "reg.md").write_text(
        "## Test Signals\n\n| UID | Signal | Producer | P-Layer | Consumer | C-Layer | Persistence |\n"
        "|---|---|---|---|---|---|---|\n| SIG-001 | Thing | `writer.py` | L5 | api.py | L2 | PostgreSQL |\n",
        encoding="utf-8",
    )
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "writer.py").write_text(
        "from sqlalchemy import text\n\n\ndef save(s):\n    s.execute(text('INSERT INTO things VALUES (1)'))\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_files_that_cannot_be_read_are_located_warnings(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tiny / "src" / "broken.py").write_text("def broken(:\n    pass\n", encoding="utf-8")
    (tiny / "src" / "latin1.py").write_bytes(b"# caf\xe9\nx = 1\n")
    code, data = as_json(capsys, "check", "--code", "src")
    assert code == 1  # warnings, never "invalid input"
    inputs = {
        (f["location"]["path"], f["location"]["line"]): f["message"] for f in data["findings"] if f["rule"] == "input"
    }
    assert inputs[("src/broken.py", 1)].startswith("cannot parse Python")
    assert inputs[("src/latin1.py", 1)].startswith("not UTF-8 text")


def test_a_file_under_overlapping_roots_is_read_and_listed_once(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tiny / "src" / "jobs").mkdir()
    (tiny / "src" / "jobs" / "broken.py").write_text("def broken(:\n    pass\n", encoding="utf-8")
    (tiny / "src" / "jobs" / "alias.py").symlink_to(tiny / "src" / "writer.py")
    code, data = as_json(capsys, "check", "--code", ".", "--code", "src", "--code", "src/jobs")
    assert code == 1
    unread = [f for f in data["findings"] if f["rule"] == "input" and f["message"].startswith("cannot parse")]
    assert [(f["location"]["path"], f["location"]["line"]) for f in unread] == [("src/jobs/broken.py", 1)]
    assert not [f for f in data["findings"] if f["rule"] == "evidence.producer-ambiguous"]  # writer.py read once
    _, report = run(capsys, "report", "--code", ".", "--code", "src")
    assert report.count("`src/jobs/broken.py:1`") == 1


def test_virtualenvs_and_caches_are_not_scanned(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for skipped in (".venv/lib", "node_modules/pkg", ".git/hooks", "src/__pycache__"):
        folder = tiny / skipped
        folder.mkdir(parents=True)
        (folder / "rogue.py").write_text("import redis\nr = redis.Redis()\nr.set('x', 1)\nx = (\n", encoding="utf-8")
    code, data = as_json(capsys, "check", "--code", ".")
    assert code == 0, data["findings"]  # the rogue files would be an unregistered writer and a parse warning
    assert "rogue.py" not in json.dumps(data)
    _, report = run(capsys, "report", "--code", ".")
    assert "rogue.py" not in report
    assert "Read 1 Python file(s) under `.`" in report  # src/writer.py alone


def test_an_unregistered_writer_from_the_cli(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tiny / "src" / "rogue.py").write_text(
        "import redis\nfrom sqlalchemy import text\n\nr = redis.Redis()\n\n\ndef run(db):\n"
        "    r.setex('seen', 60, 1)\n    db.execute(text('DELETE FROM seen_events'))\n",
        encoding="utf-8",
    )
    (tiny / "src" / "beat.py").write_text("import redis\n\nr = redis.Redis()\nr.set('x', 1)\n", encoding="utf-8")
    _, data = as_json(capsys, "check", "--code", "src")
    # The SQL write, not the Redis cache line above it; Redis state alone is no database writer here.
    [finding] = [f for f in data["findings"] if f["rule"] == "evidence.unregistered-writer"]
    assert finding["location"] == {"path": "src/rogue.py", "line": 9}


def test_a_missing_root_is_a_warning_and_decides_no_gate(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(root)
    code, data = as_json(capsys, "check", "--code", "no/such/root", "--ops", "no/such/ops")
    assert code == 1
    messages = {f["location"]["path"]: f["message"] for f in data["findings"] if f["rule"] == "input"}
    assert messages == {
        "no/such/root": "no such code root; no evidence read from it",
        "no/such/ops": "no such ops directory; no evidence read from it",
    }
    assert len([f for f in data["findings"] if f["rule"] == "gate.not-machine-checkable"]) == 2


def test_ops_directories_hold_units_and_cron_files(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ops = tiny / "ops"
    (ops / "cron.d").mkdir(parents=True)
    (ops / "nightly.service").write_text("[Service]\nExecStart=/usr/bin/python /srv/app/nightly.py\n", encoding="utf-8")
    (ops / "nightly.timer").write_text("[Timer]\nOnCalendar=*-*-* 03:00:00\n", encoding="utf-8")
    (ops / "cron.d" / "backup").write_text("@daily root /srv/app/backup.sh\n", encoding="utf-8")
    (ops / "README.md").write_text("not a unit\n", encoding="utf-8")
    _, data = as_json(capsys, "check", "--ops", "ops")
    jobs = sorted((f["subject"], f["location"]["path"]) for f in data["findings"] if f["rule"] == "evidence.new-l7-job")
    assert jobs == [("backup:1", "ops/cron.d/backup"), ("nightly.service", "ops/nightly.service")]


# ------------------------------------------------------------------ plugin


def test_the_plugin_passes_code_and_ops_and_watches_them(root: Path) -> None:
    from mkdocs.config.defaults import MkDocsConfig

    from layerflow.adapters.mkdocs_plugin import LayerflowPlugin

    plugin = LayerflowPlugin()
    errors, _ = plugin.load_config({"code": [EXAMPLE_CODE], "ops": [EXAMPLE_OPS]})
    assert not errors
    plugin.on_config(MkDocsConfig(config_file_path=str(root / "mkdocs.yml")))
    assert plugin.sources.code == (str(root / EXAMPLE_CODE),)
    assert plugin.sources.ops == (str(root / EXAMPLE_OPS),)
    assert {str(root / EXAMPLE_CODE), str(root / EXAMPLE_OPS)} <= set(plugin.watch)
