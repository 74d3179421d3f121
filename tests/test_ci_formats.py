"""What CI systems read, checked against their own definitions on projects that are not ours.

SARIF against the official OASIS 2.1.0 schema (tests/schemas, vendored from a
PyPI wheel, see its README); `--format github` against the workflow-command
grammar the runner reads; `--format gitlab` against the Code Quality fields
GitLab documents; `--format json` against the schema layerflow publishes.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest

from layerflow.adapters.cli import main
from layerflow.model import Finding, Location, Severity
from layerflow.render.github import annotation

HERE = Path(__file__).parent
SARIF_SCHEMA = json.loads((HERE / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
PROJECTS = HERE / "fixtures" / "projects"
RUNS = {
    "northwind": ["--base", "registry", "--code", "src", "--ops", "deploy/systemd"],
    "harbor": ["--base", "registry", "--code", "src", "--ops", "deploy"],
    "tidepool": ["--base", "registry"],
    "no_signals": ["--base", "registry"],  # invalid input (exit 3): the problems document
}
# ::error file=F,line=N,title=T::message — properties are key=value, escaped so no raw ',' ':' or newline remains.
COMMAND = re.compile(r"^::(error|warning|notice)(?: ((?:[a-z]+=[^,:\r\n]*)(?:,[a-z]+=[^,:\r\n]*)*))?::([^\r\n]*)$")


def _schema() -> dict:  # type: ignore[type-arg]
    path = HERE.parent / "gen" / "layerflow" / "schemas" / "check.schema.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.fixture(params=sorted(RUNS))
def project(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[str]]:
    name = request.param
    shutil.copytree(PROJECTS / name, tmp_path / name)
    monkeypatch.chdir(tmp_path / name)
    return name, RUNS[name]


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def test_sarif_validates_against_the_official_schema(
    project: tuple[str, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, args = project
    code, out = _run(capsys, "check", *args, "--format", "sarif", "--site-url", "https://docs.example.org/registry/")
    sarif = json.loads(out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert set(result["partialFingerprints"]) == {"layerflow/v1"}
        assert "baselineState" not in result  # no baseline judged this run
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
        assert rule["helpUri"].startswith("https://docs.example.org/registry/findings/#rule-")
    assert (code == 3) == (not run["invocations"][0]["executionSuccessful"])


def test_sarif_with_baseline_and_suppressions_validates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    """Northwind: baseline, then one writer fixed, one suppressed: unchanged, absent and suppressed results."""
    shutil.copytree(PROJECTS / "northwind", tmp_path / "nw")
    monkeypatch.chdir(tmp_path / "nw")
    args = RUNS["northwind"]
    assert main(["baseline", *args]) == 0
    capsys.readouterr()
    Path("src/app/services/user_write_driver.py").unlink()  # its unregistered-writer finding is fixed
    store = Path("src/app/cache/session_store.py")
    store.write_text("# layerflow: ignore[evidence.unregistered-writer] sessions\n" + store.read_text(encoding="utf-8"))
    _, out = _run(capsys, "check", *args, "--format", "sarif")
    sarif = json.loads(out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    results = sarif["runs"][0]["results"]
    absent = [r for r in results if r.get("baselineState") == "absent"]
    assert [a["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for a in absent] == [
        "src/app/services/user_write_driver.py"
    ]
    assert absent[0]["kind"] == "pass" and absent[0]["level"] == "none"
    suppressed = [r for r in results if "suppressions" in r]
    assert [s["suppressions"][0]["justification"] for s in suppressed] == ["sessions"]
    states = {r.get("baselineState") for r in results if r not in absent and r not in suppressed}
    assert states == {"unchanged"}
    text = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert "allowed: false" not in text["layer-constraint.l7-as-consumer"]["help"]["text"]
    assert text["layer-constraint.l7-as-consumer"]["help"]["text"].startswith(
        "Ops jobs read their own L7-private state"
    )


def test_gate_rules_carry_the_rules_files_words(root: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(root)
    _, out = _run(capsys, "check", "--format", "sarif", "--site-url", "")
    rules = {r["id"]: r for r in json.loads(out)["runs"][0]["tool"]["driver"]["rules"]}
    gate = rules["gate.UNKNOWN_FIELDS"]
    assert gate["fullDescription"]["text"] == "Check: any field=UNKNOWN"
    assert gate["help"]["text"] == "Research the UNKNOWN fields and resolve them in a registry change"
    assert "helpUri" not in gate


def test_github_output_is_workflow_commands(project: tuple[str, list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    name, args = project
    code, out = _run(capsys, "check", *args, "--format", "github")
    if code == 3:
        return  # invalid input: messages on stderr, as for text
    lines = out.splitlines()
    assert lines, name
    for line in lines:
        assert COMMAND.match(line), line
    _, data = _run(capsys, "check", *args, "--format", "json")
    assert len(lines) - 1 == len(json.loads(data)["findings"])  # one annotation per finding, then the summary
    assert lines[-1].startswith("::notice title=layerflow::")


def test_github_escaping() -> None:
    finding = Finding("gate.X", Severity.BLOCKING, "s", "50% of rows\nsay: a, b", Location("dir,x/a:b.md", 7))
    line = annotation(finding)
    assert line == "::error file=dir%2Cx/a%3Ab.md,line=7,title=layerflow gate.X::50%25 of rows%0Asay: a, b"
    assert COMMAND.match(line)


def test_gitlab_code_quality(project: tuple[str, list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    _, args = project
    code, out = _run(capsys, "check", *args, "--format", "gitlab")
    if code == 3:
        return
    issues = json.loads(out)
    assert isinstance(issues, list)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    for issue in issues:
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["description"] and issue["check_name"]
        assert issue["location"]["path"] and issue["location"]["lines"]["begin"] >= 1


def test_json_output_validates_against_the_published_schema(
    project: tuple[str, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, args = project
    _, out = _run(capsys, "check", *args, "--format", "json")
    jsonschema.Draft202012Validator(_schema()).validate(json.loads(out))
    if main(["baseline", *args]) == 0:  # and judged against a baseline, with something fixed
        capsys.readouterr()
        baseline = Path("registry/layerflow-baseline.json")
        data = json.loads(baseline.read_text(encoding="utf-8"))
        if data["findings"]:
            data["findings"].append({**data["findings"][0], "fingerprint": "0" * 32})  # an entry nothing matches
        baseline.write_text(json.dumps(data), encoding="utf-8")
        _, out = _run(capsys, "check", *args, "--format", "json")
        judged = json.loads(out)
        jsonschema.Draft202012Validator(_schema()).validate(judged)
        assert judged["summary"]["judgement"]["new"] == 0
        assert len(judged["fixed"]) == (1 if data["findings"] else 0)


def test_the_published_schema_is_the_packaged_one(root: Path) -> None:
    package = (root / "gen/layerflow/schemas/check.schema.json").read_bytes()
    assert (root / "docs/schemas/check.schema.json").read_bytes() == package
    jsonschema.Draft202012Validator.check_schema(json.loads(package))
