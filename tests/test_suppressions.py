"""Reasoned suppressions, written into a copy of the Northwind fixture project the way its team would.

What each comment must cover was worked out by hand from Northwind's
EXPECTED.md and `layerflow check --base registry --code src --ops
deploy/systemd` on the untouched copy (see EXPECTED.md §4-5):

- SIG-303's row (northwind-signals.md:22, a table without outer pipes) has
  unknown.not-allowed and layer-constraint.l7-as-consumer on the row; the
  comment names only the first, so the second stays.
- SIG-309's row (ops-signals.md:11) names `gap.orphan q1_l7_only.*`: it covers
  q1_l7_only.expect.exposure and .expect.l2_api on the row, and, through the
  row's signal, gap.orphan and q1_l7_only.orphan located in producers.yaml:16.
- ledger_sync.py:11 (`session.execute(`) carries a line comment for its
  unregistered-writer finding; a second one on line 13 covers nothing: a note.
- session_store.py's header comment covers its unregistered writer (line 7,
  8 once the comment is added); legacy-export.service's header covers the
  unit's new-l7-job and unit-script-missing findings.
That is 1 + 4 + 1 + 1 + 2 = 9 suppressed of the 22 findings.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layerflow.adapters.cli import main
from layerflow.parse.markdown import split_row
from layerflow.parse.suppressions import code_suppressions, registry_suppressions

NORTHWIND = Path(__file__).parent / "fixtures" / "projects" / "northwind"
ARGS = ["--base", "registry", "--code", "src", "--ops", "deploy/systemd"]


def _edit(path: Path, line: int, suffix: str = "", *, before: str = "") -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    if before:
        lines.insert(line - 1, before)
    else:
        lines[line - 1] += suffix
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture
def northwind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "northwind"
    shutil.copytree(NORTHWIND, copy)
    monkeypatch.chdir(copy)
    return copy


def _suppress_all(project: Path) -> None:
    registry = project / "registry"
    _edit(
        registry / "northwind-signals.md",
        22,
        " <!-- layerflow: ignore unknown.not-allowed -- partner feed; UNKNOWN until it ships -->",
    )
    _edit(
        registry / "ops-signals.md",
        11,
        " <!-- layerflow: ignore gap.orphan q1_l7_only.* -- auditors read the trail by hand, once a year -->",
    )
    code = project / "src" / "app"
    _edit(
        code / "billing" / "ledger_sync.py",
        11,
        "  # layerflow: ignore[evidence.unregistered-writer] the ledger team's copy",
    )
    _edit(code / "billing" / "ledger_sync.py", 13, "  # layerflow: ignore[evidence.unregistered-writer] stale")
    _edit(
        code / "cache" / "session_store.py",
        1,
        before="# layerflow: ignore[evidence.unregistered-writer] web sessions are no signal",
    )
    _edit(
        project / "deploy" / "systemd" / "legacy-export.service",
        1,
        before="# layerflow: ignore[evidence.new-l7-job, evidence.unit-script-missing] retired in Q3; for rollback",
    )


def _json(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main(["check", *ARGS, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_untouched_copy_has_the_findings_the_comments_aim_at(
    northwind: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, data = _json(capsys)
    assert len(data["findings"]) == 22 and data["suppressed"] == []


def test_each_comment_covers_what_it_names(northwind: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _suppress_all(northwind)
    code, data = _json(capsys)
    hidden = sorted((s["rule"], s["location"]["path"], s["suppressed_at"]["line"]) for s in data["suppressed"])
    assert hidden == [
        ("evidence.new-l7-job", "deploy/systemd/legacy-export.service", 1),
        ("evidence.unit-script-missing", "deploy/systemd/legacy-export.service", 1),
        ("evidence.unregistered-writer", "src/app/billing/ledger_sync.py", 11),
        ("evidence.unregistered-writer", "src/app/cache/session_store.py", 1),
        ("gap.orphan", "registry/producers.yaml", 11),
        ("q1_l7_only.expect.exposure", "registry/ops-signals.md", 11),
        ("q1_l7_only.expect.l2_api", "registry/ops-signals.md", 11),
        ("q1_l7_only.orphan", "registry/producers.yaml", 11),
        ("unknown.not-allowed", "registry/northwind-signals.md", 22),
    ]
    reasons = {s["rule"]: s["reason"] for s in data["suppressed"]}
    assert reasons["gap.orphan"] == "auditors read the trail by hand, once a year"
    rules = [f["rule"] for f in data["findings"]]
    assert "layer-constraint.l7-as-consumer" in rules  # on SIG-303's row, but not named by its comment
    unused = [f for f in data["findings"] if f["rule"] == "suppression.unused"]
    assert [(u["location"]["path"], u["location"]["line"]) for u in unused] == [("src/app/billing/ledger_sync.py", 13)]
    assert len(data["findings"]) == 22 - 9 + 1
    assert code == 1  # warnings remain
    signals = {s["uid"]: s for s in data["signals"]}
    assert signals["SIG-303"]["persistence"] == "UNKNOWN"  # the comment is no cell: the row reads as before


def test_text_and_report_show_the_reasons(northwind: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _suppress_all(northwind)
    main(["check", *ARGS])
    out = capsys.readouterr().out
    assert "Suppressed (9, each with its reason):" in out
    assert "retired in Q3; for rollback" in out
    assert out.splitlines()[-1].endswith("; 9 suppressed: warnings only")
    main(["report", *ARGS])
    report = capsys.readouterr().out
    assert "## Findings set aside" in report
    assert "auditors read the trail by hand, once a year" in report


def test_site_findings_page_lists_them_escaped(northwind: Path) -> None:
    from layerflow.adapters.application import load_and_analyse
    from layerflow.adapters.judge import Judging, judged
    from layerflow.adapters.load import Sources
    from layerflow.render.site import build_site

    _edit(
        northwind / "registry" / "ops-signals.md",
        11,
        " <!-- layerflow: ignore gap.orphan -- read by <script>alert(1)</script> auditors -->",
    )
    sources = Sources(base="registry", base_given=True)
    analysis, _ = load_and_analyse(sources)
    assert analysis is not None
    analysis, _ = judged(analysis, sources, Judging())
    assert analysis is not None
    page = build_site(analysis, lambda text: text).pages["findings.md"]
    assert "read by &lt;script&gt;alert(1)&lt;/script&gt; auditors" in page
    assert "<script>" not in page
    assert '<a id="rule-gap-orphan"></a>' in page


@pytest.mark.parametrize(
    ("file", "line", "text", "message"),
    [
        ("registry/northwind-signals.md", 22, " <!-- layerflow: ignore unknown.not-allowed -->", "without a reason"),
        ("registry/northwind-signals.md", 22, " <!-- layerflow: ignore -- because -->", "names no rule"),
        (
            "src/app/billing/ledger_sync.py",
            11,
            "  # layerflow: ignore[evidence.unregistered-writer]",
            "without a reason",
        ),
    ],
)
def test_a_suppression_without_reason_or_rule_is_invalid_input(
    northwind: Path, capsys: pytest.CaptureFixture[str], file: str, line: int, text: str, message: str
) -> None:
    _edit(northwind / file, line, text)
    assert main(["check", *ARGS]) == 3
    err = capsys.readouterr().err
    assert f"{file}:{line}: layerflow: ignore" in err and message in err


# ------------------------------------------------------------ the parser


_RULE = st.from_regex(r"[A-Za-z][A-Za-z0-9_.\-]{0,20}\*?", fullmatch=True)
_REASON = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40).filter(
    lambda t: t.strip() and "-->" not in t and "]" not in t
)


@settings(max_examples=150, deadline=None)
@given(rules=st.lists(_RULE, min_size=1, max_size=3), reason=_REASON)
def test_code_comment_round_trip(rules: list[str], reason: str) -> None:
    text = f"x = 1\nsave(x)  # layerflow: ignore[{', '.join(rules)}] {reason}\n"
    parsed = code_suppressions("app/x.py", text)
    assert parsed.problems == ()
    (found,) = parsed.value
    assert found.rules == tuple(rules)
    assert found.reason == " ".join(reason.split())
    assert (found.location.line, found.scope) == (2, "line")


@settings(max_examples=150, deadline=None)
@given(rules=st.lists(_RULE, min_size=1, max_size=3), reason=_REASON.filter(lambda t: "--" not in t and "|" not in t))
def test_registry_comment_round_trip_and_no_cell(rules: list[str], reason: str) -> None:
    row = f"| SIG-001 | Tide | <!-- layerflow: ignore {' '.join(rules)} -- {reason} -->"
    parsed = registry_suppressions("r.md", f"# Registry\n\n{row}\n")
    assert parsed.problems == ()
    (found,) = parsed.value
    assert (found.rules, found.reason, found.location.line) == (tuple(rules), " ".join(reason.split()), 3)
    assert split_row(row) == ("SIG-001", "Tide")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("#[]-<>!| \n\tlayerflow:ignore,.*x\"'")), max_size=120))
def test_parsers_never_raise_and_locate_every_problem(text: str) -> None:
    lines = len(text.splitlines()) or 1
    for parse, path in ((code_suppressions, "a.py"), (code_suppressions, "a.service"), (registry_suppressions, "r.md")):
        parsed = parse(path, "layerflow:" + text)
        for problem in parsed.problems:
            assert problem.location.path == path and 1 <= problem.location.line <= lines
        for found in parsed.value:
            assert found.reason and found.rules


def test_a_hash_in_a_python_string_is_no_comment() -> None:
    text = 'query = "# layerflow: ignore[x] not a comment"\n'
    assert code_suppressions("a.py", text).value == ()
