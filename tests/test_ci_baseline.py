"""Baselines on a code base that is not ours: hundreds of unregistered database writers, as a team has on day one.

Expectations worked out by hand: the embedded registry's rules have the
blocking prose gate UNREGISTERED_DB_WRITER ("every new session.add/execute
must be registered"), which --code decides per file; each writer file below
calls session.add in a function named after it, and no registry row or
inventory job names any of them, so each is one blocking finding located on
its session.add line (line 5), subject the file.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from layerflow.adapters.cli import main
from layerflow.model.fingerprint import VERSION_KEY

WRITERS = 240  # the Done-when code base; the other tests need only a few (SMALL)
SMALL = 12
GATE = "gate.UNREGISTERED_DB_WRITER"
WRITER = "from app.db import session\n\n\ndef save_{n}(row):\n    session.add(row)\n    session.commit()\n"


def _writer(folder: Path, name: str) -> None:
    (folder / f"{name}.py").write_text(WRITER.format(n=name), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path, root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(root / "registry", tmp_path / "registry", ignore=shutil.ignore_patterns("example"))
    writers = tmp_path / "app" / "writers"
    writers.mkdir(parents=True)
    for n in range(SMALL):
        _writer(writers, f"w{n:03d}")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _grow(project: Path) -> None:
    for n in range(SMALL, WRITERS):
        _writer(project / "app" / "writers", f"w{n:03d}")


def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", "--code", "app", *args])
    return code, capsys.readouterr().out


def _check_err(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", "--code", "app", *args])
    return code, capsys.readouterr().err


def test_without_a_baseline_every_writer_blocks(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _grow(project)
    code, out = _check(capsys, "--format", "json")
    data = json.loads(out)
    writers = [f for f in data["findings"] if f["rule"] == GATE]
    assert code == 2
    assert len(writers) == WRITERS
    assert {f["location"]["line"] for f in writers} == {5}
    assert data["baseline"] is None and data["summary"]["judgement"]["new"] is None


def test_baseline_then_one_new_writer_then_one_removed(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _grow(project)
    assert main(["baseline", "--code", "app"]) == 0
    said = capsys.readouterr().out
    written = json.loads((project / "registry" / "layerflow-baseline.json").read_text(encoding="utf-8"))
    assert sum(1 for e in written["findings"] if e["rule"] == GATE) == WRITERS
    assert f"({WRITERS} blocking" in said
    assert all("line" not in e for e in written["findings"])  # fingerprints and entries carry no line numbers

    code, out = _check(capsys)
    assert code in (0, 1)  # the embedded registry's own warnings are baselined too: 0
    assert f"0 new, {len(written['findings'])} known, 0 fixed" in out.splitlines()[-1]

    _writer(project / "app" / "writers", "late_arrival")
    code, out = _check(capsys, "--format", "json")
    data = json.loads(out)
    assert code == 2
    assert [f["location"]["path"] for f in data["findings"]] == ["app/writers/late_arrival.py"]
    assert len(data["known"]) == len(written["findings"])

    code, out = _check(capsys, "--format", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    states = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r["baselineState"] for r in results}
    assert states.pop("app/writers/late_arrival.py") == "new"
    assert {s for uri, s in states.items() if uri.startswith("app/")} == {"unchanged"}
    assert all(VERSION_KEY in r["partialFingerprints"] for r in results)

    (project / "app" / "writers" / "w007.py").unlink()
    code, out = _check(capsys)
    assert code == 2
    fixed = out.split("Fixed (1,")[1]
    assert "app/writers/w007.py" in fixed.splitlines()[1]
    assert "layerflow baseline" in fixed  # the hint to refresh
    assert out.splitlines()[-1].count("1 new") == 1 and f"{len(written['findings']) - 1} known, 1 fixed" in out


def test_moving_code_keeps_findings_known(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["baseline", "--code", "app"]) == 0
    capsys.readouterr()
    target = project / "app" / "writers" / "w010.py"
    target.write_text("# moved down by a refactor\n\n\n" + target.read_text(encoding="utf-8"), encoding="utf-8")
    code, out = _check(capsys)
    assert code == 0, out
    assert "0 new" in out.splitlines()[-1]


def test_no_baseline_and_explicit_baseline(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["baseline", "--code", "app", "--output", "accepted.json"]) == 0
    capsys.readouterr()
    assert not (project / "registry" / "layerflow-baseline.json").exists()
    assert _check(capsys)[0] == 2  # the default place holds none
    assert _check(capsys, "--baseline", "accepted.json")[0] == 0
    shutil.copy(project / "accepted.json", project / "registry" / "layerflow-baseline.json")
    assert _check(capsys)[0] == 0
    assert _check(capsys, "--no-baseline")[0] == 2


def test_a_baseline_that_is_not_one_is_invalid_input(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "registry" / "layerflow-baseline.json").write_text('{"findings": [{"rule": "x"}', encoding="utf-8")
    code, err = _check_err(capsys)
    assert code == 3
    assert "registry/layerflow-baseline.json:1: not a layerflow baseline: invalid JSON" in err
    code, err = _check_err(capsys, "--baseline", "missing.json")
    assert code == 3
    assert "missing.json: no such baseline file" in err


def test_known_findings_annotate_nothing_and_fail_no_strict_build(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A known finding is no longer judged anywhere: not in the github annotations, not in the plugin's gate."""
    from layerflow.adapters.application import load_and_analyse
    from layerflow.adapters.judge import Judging, judged
    from layerflow.adapters.load import Sources
    from layerflow.adapters.mkdocs_plugin import LayerflowPlugin

    assert main(["baseline", "--code", "app"]) == 0
    capsys.readouterr()
    _, out = _check(capsys, "--format", "github")
    assert out.splitlines()[:-1] == []  # nothing new: the only line is the summary notice
    sources = Sources(code=("app",))
    analysis, _ = load_and_analyse(sources)
    assert analysis is not None
    plain_gate, baselined = analysis, judged(analysis, sources, Judging())[0]
    assert baselined is not None and not baselined.findings and baselined.known

    logged: list[str] = []
    plugin = LayerflowPlugin()
    plugin.load_config({})
    monkeypatch.setattr("layerflow.adapters.mkdocs_plugin.log.warning", logged.append)
    plugin._gate(baselined)
    assert logged == []  # a strict build passes: every finding and gap is known
    plugin._gate(plain_gate)
    assert sum(GATE.removeprefix("gate.") in line for line in logged) == SMALL


def test_a_new_note_is_not_counted_as_new(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A suppression that matches nothing is a note (info): listed, but `N new` counts what can fail a build."""
    assert main(["baseline", "--code", "app"]) == 0
    capsys.readouterr()
    target = project / "app" / "writers" / "w003.py"
    target.write_text(
        target.read_text(encoding="utf-8") + "# layerflow: ignore[gate.NO_SUCH_GATE] kept from an old rules file\n",
        encoding="utf-8",
    )
    code, out = _check(capsys, "--format", "json")
    data = json.loads(out)
    notes = [f for f in data["findings"] if f["severity"] == "info"]
    assert code == 0
    assert len(notes) == 1 and notes[0]["location"]["path"] == "app/writers/w003.py"
    assert data["summary"]["judgement"]["new"] == 0
    code, out = _check(capsys)
    assert code == 0 and "0 new," in out.splitlines()[-1]
