"""Bad input through the CLI: exit 3, every problem located as `path:line: message`, no traceback.

Each case copies the embedded registry/ into a temporary directory, breaks one
thing (or several), runs `layerflow check --base <tmp>/registry` in process and
reads stderr. The working directory is the temporary one, so paths in messages
are shown relative to it (`registry/auditor_rules.yaml:16: ...`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from layerflow.adapters.cli import main

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "registry"

RULES = "registry/auditor_rules.yaml"
PRODUCERS = "registry/producers.yaml"
BASELINE = "registry/SIGNAL_REGISTRY_PYTHON_BASELINE.md"
COMPLETE = "registry/SIGNAL_REGISTRY_COMPLETE.md"
RC_001 = "registry/REGISTRY_CHANGES/REGISTRY_CHANGE_SIG-100.md"

_PROBLEM = re.compile(r"^(?P<path>[^:]+?)(?::(?P<line>\d+))?: (?P<message>.+)$")
_SUMMARY = re.compile(r"^layerflow: (\d+) problem\(s\) in the input; nothing was analysed$")


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def problems(self) -> list[tuple[str, int, str]]:
        """(path, line, message) of every problem line on stderr; line 0 when none is given."""
        found: list[tuple[str, int, str]] = []
        for text in self.err.splitlines():
            if _SUMMARY.match(text):
                continue
            match = _PROBLEM.match(text)
            assert match, f"stderr line is not 'path:line: message': {text!r}"
            found.append((match["path"], int(match["line"] or 0), match["message"]))
        return found


@pytest.fixture
def reg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of registry/; the working directory is its parent."""
    target = tmp_path / "registry"
    shutil.copytree(SOURCE, target)
    monkeypatch.chdir(tmp_path)
    return target


def check(capsys: pytest.CaptureFixture[str], reg: Path, *extra: str) -> Run:
    code = main(["check", "--base", str(reg), *extra])
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    """1-based line of the only line containing needle."""
    hits = [n for n, text in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1) if needle in text]
    assert len(hits) == 1, f"{needle!r} is on lines {hits} of {path}"
    return hits[0]


def assert_invalid(run: Run, *expected: tuple[str, int, str], exact: bool = True) -> list[tuple[str, int, str]]:
    """Exit 3, nothing analysed, no traceback, and each (path, line, fragment) reported at that place."""
    assert run.code == 3, run.err
    assert "Traceback" not in run.out + run.err
    assert run.out == "", "nothing is analysed, so nothing is printed on stdout"
    problems = run.problems()
    summary = run.err.splitlines()[-1]
    match = _SUMMARY.match(summary)
    assert match, summary
    assert int(match.group(1)) == len(problems)
    for path, line, fragment in expected:
        assert any(p == path and n == line and fragment in m for p, n, m in problems), (
            f"no problem {path}:{line} containing {fragment!r} in:\n{run.err}"
        )
    if exact:
        assert len(problems) == len(expected), run.err
    return problems


# ------------------------------------------------------------------- YAML


def test_broken_yaml_in_rules_names_its_line(reg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = reg / "auditor_rules.yaml"
    line = line_of(rules, "  frozen: true")
    replace_once(rules, "  frozen: true\n", "  frozen: true: yes\n")
    assert_invalid(check(capsys, reg), (RULES, line, "invalid YAML: mapping values are not allowed"))


def test_python_tag_in_producers_is_refused_and_nothing_runs(
    reg: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []
    monkeypatch.setattr(os, "system", lambda *a, **k: calls.append(a) or 0)
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: calls.append(a))
    marker = reg.parent / "pwned"
    producers = reg / "producers.yaml"
    replace_once(producers, 'version: "2025-12-31"', 'version: !!python/object/apply:os.system ["echo hi"]')
    replace_once(
        producers,
        "    schedule: daily 02:00 UTC\n",
        f'    schedule: !!python/object/apply:os.system ["touch {marker}"]\n',
    )
    first = line_of(producers, '["echo hi"]')
    second = line_of(producers, "touch ")

    code = main(["check", "--base", str(reg)])
    captured = capfd.readouterr()  # file-descriptor level: a shell's "hi" would show up here
    run = Run(code, captured.out, captured.err)

    assert_invalid(
        run,
        (PRODUCERS, first, "unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'"),
        (PRODUCERS, second, "unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'"),
    )
    assert calls == []
    assert not marker.exists()
    assert "hi" not in captured.out.split()


def test_yaml_alias_bomb_is_stopped(reg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    (reg / "producers.yaml").write_text("\n".join(levels) + "\n", encoding="utf-8")  # 9**9 strings if expanded
    problems = assert_invalid(check(capsys, reg), exact=False)
    assert len(problems) == 1
    path, line, message = problems[0]
    assert path == PRODUCERS
    assert 1 <= line <= len(levels)
    assert message.startswith("YAML expands to more than ")
    assert message.endswith(" nodes (an alias bomb?)")


# --------------------------------------------------------------- registry


def test_row_with_too_many_cells(reg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    baseline = reg / "SIGNAL_REGISTRY_PYTHON_BASELINE.md"
    line = line_of(baseline, "| SIG-002 |")
    replace_once(baseline, "| SIG-002 | RunCompleted |", "| SIG-002 | RunCompleted | stray |")
    assert_invalid(
        check(capsys, reg),
        (BASELINE, line, "row has 11 cells but the header has 10; is a '|' unescaped?"),
    )


def test_non_utf8_byte_names_its_line(reg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    complete = reg / "SIGNAL_REGISTRY_COMPLETE.md"
    line = line_of(complete, "| SIG-111 |")
    data = complete.read_bytes()
    needle = b"M10DeadLetterCount"
    complete.write_bytes(data.replace(needle, needle + b" \xff\xfe"))
    assert_invalid(check(capsys, reg), (COMPLETE, line, "not UTF-8 text: byte 0xff cannot be decoded"))


def test_binary_registry_file(reg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (reg / "SIGNAL_REGISTRY_COMPLETE.md").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)) * 4)
    run = check(capsys, reg)
    assert_invalid(run, (COMPLETE, 0, "binary file (NUL bytes): expected UTF-8 text"))
    assert run.err.startswith(f"{COMPLETE}: binary file")  # a whole-file problem has no ':line'


def test_text_that_turns_binary_after_a_heading(reg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (reg / "SIGNAL_REGISTRY_COMPLETE.md").write_bytes(b"# Signals\n\n| UID | Name |\n\x00\x00\x00")
    assert_invalid(check(capsys, reg), (COMPLETE, 0, "binary file (NUL bytes): expected UTF-8 text"))


def test_missing_explicit_rules_path(reg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert not Path("nope.yaml").exists()
    assert_invalid(check(capsys, reg, "--rules", "nope.yaml"), ("nope.yaml", 0, "no such file"))


def test_missing_explicit_registry_and_changes_paths_are_all_reported(
    reg: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = check(capsys, reg, "--registry", "gone.md", "--changes", "no-dir", "--ledger", "gaps-nope.yaml")
    assert_invalid(
        run,
        ("gone.md", 0, "no such registry file or directory"),
        ("no-dir", 0, "no such change-record directory"),
        ("gaps-nope.yaml", 0, "no such file"),
    )


# ------------------------------------------------------------------- rules


def test_decision_tree_node_of_the_wrong_shape(reg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = reg / "auditor_rules.yaml"
    text = rules.read_text(encoding="utf-8")
    start = text.index("    q2_l7_to_l6:\n")
    end = text.index("    # Q3 states its outcome inline")
    rules.write_text(text[:start] + "    q2_l7_to_l6:\n      - question\n      - criteria\n\n" + text[end:])
    line = line_of(rules, "q2_l7_to_l6:")
    assert_invalid(
        check(capsys, reg),
        (RULES, line, "l7_analysis.decision_tree.q2_l7_to_l6 must be a mapping with question, criteria and an outcome"),
    )


def test_malformed_gate_expression(reg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = reg / "auditor_rules.yaml"
    replace_once(
        rules,
        'check: "p_layer=L7 AND c_layer contains L6 AND verified_path!=YES"',
        'check: "p_layer=L7 AND (c_layer contains"',
    )
    line = line_of(rules, "(c_layer contains")
    problems = assert_invalid(
        check(capsys, reg),
        (RULES, line, "gate L7_TO_L6_UNVERIFIED: check 'p_layer=L7 AND (c_layer contains' is not a valid expression"),
    )
    assert "column 33: expected a value, found the end of the check" in problems[0][2]


# ---------------------------------------------------------- change records


def test_unknown_change_status(reg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = reg / "REGISTRY_CHANGES" / "REGISTRY_CHANGE_SIG-100.md"
    replace_once(record, "**Status:** APPLIED", "**Status:** DONE")
    assert_invalid(
        check(capsys, reg),
        (RC_001, line_of(record, "**Status:**"), "unknown change status 'DONE'; expected one of APPLIED, PROPOSED"),
    )


def test_applied_change_for_a_signal_the_registry_lacks(reg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = reg / "REGISTRY_CHANGES" / "REGISTRY_CHANGE_SIG-999.md"
    record.write_text(
        "# Registry Change: SIG-999 Phantom\n\n"
        "**Change ID:** RC-003\n**Date:** 2026-01-09\n**Status:** APPLIED\n\n"
        "| Field | Before | After |\n|---|---|---|\n| Persistence | In-memory | PostgreSQL |\n",
        encoding="utf-8",
    )
    assert_invalid(
        check(capsys, reg),
        ("registry/REGISTRY_CHANGES/REGISTRY_CHANGE_SIG-999.md", 1, "RC-003 corrects SIG-999, which no registry file"),
    )


def test_proposed_change_for_an_unknown_signal_is_not_an_error(reg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Only an APPLIED correction must find its signal; a proposal may name one not yet registered."""
    (reg / "REGISTRY_CHANGES" / "REGISTRY_CHANGE_SIG-999.md").write_text(
        "# Registry Change: SIG-999 Phantom\n\n**Change ID:** RC-003\n**Status:** PROPOSED\n\n"
        "| Field | Before | After |\n|---|---|---|\n| Persistence | In-memory | PostgreSQL |\n",
        encoding="utf-8",
    )
    run = check(capsys, reg)
    assert run.code in (0, 1, 2)
    assert "Traceback" not in run.err


# --------------------------------------------------------------- inventory


def test_inventory_schema_violations_at_the_offending_nodes(reg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    producers = reg / "producers.yaml"
    replace_once(
        producers,
        "    trigger: systemd timer\n    schedule: daily 02:00 UTC\n",
        "    trigger: systemd timer\n    owner: ops-team\n    schedule: daily 02:00 UTC\n",
    )
    replace_once(
        producers,
        "  - id: graduation-evaluator\n    name: Graduation Evaluator\n",
        "  - id: graduation-evaluator\n    name: Graduation Evaluator\n    layer: L9\n",
    )
    replace_once(producers, "signals: [SIG-100]", "signals: [SIG-x]")
    assert_invalid(
        check(capsys, reg),
        (PRODUCERS, line_of(producers, "owner: ops-team"), "producers.0: unknown key ('owner' was unexpected)"),
        (PRODUCERS, line_of(producers, "layer: L9"), "producers.1.layer: 'L9' does not match '^L[1-8]$'"),
        (PRODUCERS, line_of(producers, "[SIG-x]"), "producers.1.outputs.0.signals.0: 'SIG-x' does not match"),
    )


# ------------------------------------------------------- all problems at once


def test_every_broken_file_is_reported_in_one_run(reg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = reg / "auditor_rules.yaml"
    baseline = reg / "SIGNAL_REGISTRY_PYTHON_BASELINE.md"
    replace_once(rules, "  frozen: true\n", "  frozen: true: yes\n")
    replace_once(baseline, "| SIG-002 | RunCompleted |", "| SIG-002 | RunCompleted | stray |")
    assert_invalid(
        check(capsys, reg),
        (RULES, line_of(rules, "frozen: true: yes"), "invalid YAML"),
        (BASELINE, line_of(baseline, "| SIG-002 |"), "row has 11 cells"),
    )


def test_four_files_broken_four_problems(reg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = reg / "auditor_rules.yaml"
    baseline = reg / "SIGNAL_REGISTRY_PYTHON_BASELINE.md"
    producers = reg / "producers.yaml"
    record = reg / "REGISTRY_CHANGES" / "REGISTRY_CHANGE_SIG-017.md"
    replace_once(
        rules,
        'check: "consumer=NONE AND exposure!=internal-only"\n      action: "Flag',
        'check: "consumer=="\n      action: "Flag',
    )
    replace_once(baseline, "| SIG-003 | StepTrace |", "| SIG-003 | StepTrace | x | y |")
    replace_once(producers, "  - id: costsim-canary-runner\n", "  - id: Costsim Canary\n")
    replace_once(record, "**Status:** PROPOSED", "**Status:** MAYBE")
    assert_invalid(
        check(capsys, reg),
        (RULES, line_of(rules, 'check: "consumer=="'), "gate ORPHANED_SIGNAL: check 'consumer==' is not a valid"),
        (BASELINE, line_of(baseline, "| SIG-003 |"), "row has 12 cells"),
        (PRODUCERS, line_of(producers, "id: Costsim Canary"), "producers.6.id: 'Costsim Canary' does not match"),
        ("registry/REGISTRY_CHANGES/REGISTRY_CHANGE_SIG-017.md", line_of(record, "**Status:**"), "'MAYBE'"),
    )


# ----------------------------------------------------------- hostile sizes
#
# Sizes are checked in a child process with a timeout: an in-process hang
# (a regex gone quadratic) could not be interrupted and would stall the suite.

HOSTILE = {
    "plain": "x",
    "brackets": "[",
    "inline-markdown": "`*[\\|",
    "link-openers": "[a](",
    "commas": "a, ",
    "layer-notes": "(L6)",
}
TWO_MB = 2 * 1024 * 1024
SIG_015_ROW = (
    "| SIG-015 | CostSimCanaryReport | derived | `canary_runner.py` | L7 | costsim.py | L6 | "
    "PostgreSQL (costsim_canary_reports) | indirect | ✅ YES | /costsim/canary |"
)


def _cli(tmp: Path, *args: str) -> Run:
    code = "import sys\nfrom layerflow.adapters.cli import main\nsys.exit(main(sys.argv[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=tmp, capture_output=True, text=True, timeout=120, check=False
    )
    return Run(done.returncode, done.stdout, done.stderr)


def _big(unit: str) -> str:
    return (unit * (TWO_MB // len(unit) + 1))[:TWO_MB].strip()


@pytest.mark.parametrize("unit", list(HOSTILE.values()), ids=list(HOSTILE))
def test_two_megabyte_cell_in_a_bad_row_is_reported(reg: Path, unit: str) -> None:
    baseline = reg / "SIGNAL_REGISTRY_PYTHON_BASELINE.md"
    line = line_of(baseline, "| SIG-002 |")
    replace_once(baseline, "| SIG-002 | RunCompleted |", f"| SIG-002 | {_big(unit)} | stray |")
    run = _cli(reg.parent, "check", "--base", str(reg))
    assert_invalid(run, (BASELINE, line, "row has 11 cells but the header has 10"))


@pytest.mark.parametrize("unit", list(HOSTILE.values()), ids=list(HOSTILE))
def test_two_megabyte_cells_in_a_valid_row_are_read(reg: Path, unit: str) -> None:
    """Name, consumers and persistence of an L7→L6 signal, each 2 MB of hostile text: read, not hung."""
    cells = SIG_015_ROW.split(" | ")
    for index in (1, 5, 7):  # name, consumers, persistence
        cells[index] = _big(unit)
    complete = reg / "SIGNAL_REGISTRY_COMPLETE.md"
    replace_once(complete, SIG_015_ROW, " | ".join(cells))
    run = _cli(reg.parent, "check", "--base", str(reg))
    assert "Traceback" not in run.out + run.err
    assert run.err == ""
    # The inventory says the canary runner writes PostgreSQL for SIG-015; the huge claim does not say so.
    assert run.code == 2
    assert "[gap.persistence-contradiction]" in run.out
    assert "(P1, SIG-015)" in run.out


def test_two_megabyte_heading_and_blank_lines_are_read(reg: Path) -> None:
    complete = reg / "SIGNAL_REGISTRY_COMPLETE.md"
    with complete.open("a", encoding="utf-8") as out:
        out.write("\n## Notes" + " " * TWO_MB + "end ##\n\n" + " \t" * (TWO_MB // 2) + "\n\n")
        out.write("# " + "#" * TWO_MB + "x\n" + "- " + " " * TWO_MB + "**Key:** value\n")
    run = _cli(reg.parent, "check", "--base", str(reg))
    assert "Traceback" not in run.out + run.err
    assert run.code == 1, run.err  # the embedded registry's own result: warnings only
    assert "18 signals" in run.out


def test_cli_process_prints_no_traceback_on_bad_input(reg: Path) -> None:
    rules = reg / "auditor_rules.yaml"
    replace_once(rules, "  frozen: true\n", "  frozen: true: yes\n")
    run = _cli(reg.parent, "check", "--base", str(reg))
    assert_invalid(run, (RULES, line_of(rules, "frozen: true: yes"), "invalid YAML"))


# -------------------------------------------------------- read-only inputs


def _snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(path.relative_to(root)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    } | {str(path.relative_to(root)) + "/": (b"", path.stat().st_mtime_ns) for path in root.rglob("*") if path.is_dir()}


@pytest.mark.parametrize(
    "argv",
    [["check"], ["check", "--format", "json"], ["check", "--format", "sarif"], ["report"], ["ledger"]],
    ids=["check", "json", "sarif", "report", "ledger"],
)
def test_the_build_never_writes_into_the_registry(
    reg: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    before = _snapshot(reg)
    root_mtime = reg.stat().st_mtime_ns
    code = main([argv[0], "--base", str(reg), *argv[1:]])
    captured = capsys.readouterr()
    assert code in (0, 1, 2)
    assert captured.out  # it did run and print something
    assert _snapshot(reg) == before
    assert reg.stat().st_mtime_ns == root_mtime  # no file created or removed at the top either
    assert sorted(p.name for p in reg.parent.iterdir()) == ["registry"]  # and nothing written next to it


def test_a_failed_run_writes_nothing_either(reg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    replace_once(reg / "auditor_rules.yaml", "  frozen: true\n", "  frozen: true: yes\n")
    before = _snapshot(reg)
    assert check(capsys, reg).code == 3
    assert _snapshot(reg) == before


# ----------------------------------------------------------- nothing to audit
#
# A CI job whose path is wrong must not go green forever: no signal table in
# any input, or a base directory named that does not exist, is invalid input.


def test_check_in_an_empty_directory_is_invalid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["check"])
    captured = capsys.readouterr()
    assert_invalid(
        Run(code, captured.out, captured.err),
        ("registry", 0, f"no signal table found; looked for *.md in {tmp_path / 'registry'} (no such directory)"),
    )


def test_a_base_that_does_not_exist_is_invalid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["check", "--base", "no-such-dir"])
    captured = capsys.readouterr()
    assert_invalid(
        Run(code, captured.out, captured.err),
        ("no-such-dir", 0, f"no such base directory ({tmp_path / 'no-such-dir'})"),
    )


def test_an_absolute_base_that_does_not_exist_is_invalid(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such"
    code = main(["check", "--base", str(missing)])
    captured = capsys.readouterr()
    assert_invalid(Run(code, captured.out, captured.err), (str(missing), 0, "no such base directory"))


def test_a_named_base_that_does_not_exist_is_invalid_even_when_every_input_is_named(
    reg: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = Run(main(["check", "--base", "gone", "--registry", str(reg)]), *capsys.readouterr())
    assert_invalid(run, ("gone", 0, "no such base directory"))


def test_registry_files_without_a_signal_table_are_invalid(reg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for path in reg.glob("*.md"):
        path.unlink()
    (reg / "NOTES.md").write_text("# Notes\n\n| Owner | Team |\n|---|---|\n| ops | L7 |\n", encoding="utf-8")
    (reg / "README.md").write_text("| UID | Signal |\n|---|---|\n| SIG-001 | A |\n", encoding="utf-8")  # never read
    run = check(capsys, reg)
    (problem,) = assert_invalid(
        run, ("registry", 0, f"no signal table found; looked for *.md in {reg} (read NOTES.md)")
    )
    assert "a UID column and another known column" in problem[2]


def test_a_named_registry_file_without_a_signal_table_is_invalid(reg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notes = reg.parent / "notes.md"
    notes.write_text("Just prose.\n", encoding="utf-8")
    run = check(capsys, reg, "--registry", "notes.md")
    assert_invalid(run, ("notes.md", 0, f"no signal table found; looked for {notes} (read)"))


def test_a_signal_table_with_no_rows_yet_is_not_an_error(reg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A team starting out has a header and no signals: that is a registry, not a wrong path."""
    for path in reg.glob("*.md"):
        path.unlink()
    (reg / "REGISTRY.md").write_text("| UID | Signal | P-Layer |\n|---|---|---|\n", encoding="utf-8")
    shutil.rmtree(reg / "REGISTRY_CHANGES")  # its records correct signals this registry does not have yet
    run = check(capsys, reg)
    assert run.code != 3, run.err
    assert "0 signals" in run.out


# ------------------------------------------------ invalid input, machine-readable
#
# With --format json or sarif, invalid input still prints a document on stdout, so
# a SARIF upload never gets an empty file; the problems are on stderr as always.


def test_json_on_invalid_input_is_a_document_of_the_problems(reg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = reg / "auditor_rules.yaml"
    line = line_of(rules, "  frozen: true")
    replace_once(rules, "  frozen: true\n", "  frozen: true: yes\n")
    run = check(capsys, reg, "--format", "json")
    assert run.code == 3
    assert run.err.splitlines()[-1] == "layerflow: 1 problem(s) in the input; nothing was analysed"
    document = json.loads(run.out)
    assert document["version"] == 1
    assert document["tool"]["name"] == "layerflow"
    assert document["summary"] == {"exit_code": 3, "problems": 1}
    (problem,) = document["problems"]
    assert (problem["path"], problem["line"]) == (RULES, line)
    assert problem["message"].startswith("invalid YAML: mapping values are not allowed")
    assert "findings" not in document  # nothing was analysed, so nothing is reported as if it had been


def test_sarif_on_invalid_input_is_an_unsuccessful_invocation(reg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    baseline = reg / "SIGNAL_REGISTRY_PYTHON_BASELINE.md"
    line = line_of(baseline, "| SIG-002 |")
    replace_once(baseline, "| SIG-002 | RunCompleted |", "| SIG-002 | RunCompleted | stray |")
    run = check(capsys, reg, "--format", "sarif")
    assert run.code == 3
    sarif = json.loads(run.out)
    assert sarif["version"] == "2.1.0"
    (sarif_run,) = sarif["runs"]
    assert sarif_run["results"] == []
    assert sarif_run["tool"]["driver"]["name"] == "layerflow"
    (invocation,) = sarif_run["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["exitCode"] == 3
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["message"]["text"] == "row has 11 cells but the header has 10; is a '|' unescaped?"
    (location,) = note["locations"]
    assert location == {"physicalLocation": {"artifactLocation": {"uri": BASELINE}, "region": {"startLine": line}}}


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_nothing_to_audit_is_a_document_too(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["check", "--format", fmt])
    document = json.loads(capsys.readouterr().out)
    assert code == 3
    if fmt == "json":
        messages = [p["message"] for p in document["problems"]]
    else:
        (invocation,) = document["runs"][0]["invocations"]
        assert invocation["executionSuccessful"] is False
        messages = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
        # a whole-file problem has no region: SARIF regions start at line 1
        assert all(
            "region" not in loc["physicalLocation"]
            for n in invocation["toolExecutionNotifications"]
            for loc in n["locations"]
        )
    assert messages == [f"no signal table found; looked for *.md in {tmp_path / 'registry'} (no such directory)"]
