"""The fast paths agree with the slow references they replaced, over generated input.

The registry reader cleans each cell once per parse (a memo) and reads consumers
and persistence from the cleaned values; `tests/reference/registry_before.py`
is the reader as it was, cleaning every cell as it met it. `cells.split_list`
jumps between punctuation instead of walking every character. `load_yaml`
builds its tree from libyaml's events and leaves every file it does not read
the same way to `load_yaml_composed`, the composer path it had before.
`dumps_indented` writes what `json.dumps(indent=2, ensure_ascii=False)` writes.
A gate check evaluated over all subjects at once answers what `evaluate` answers for each.
"""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from layerflow.audit.gates import FieldValue, MappingFields, evaluate, evaluate_all
from layerflow.audit.subjects import SignalColumns, SignalFields
from layerflow.parse import cells, yamllines, yamlsrc
from layerflow.parse.expr import CANONICAL_FIELDS, And, AnyField, Compare, Expr, Not, Or
from layerflow.parse.registry import parse_registry
from layerflow.parse.yamlsrc import load_yaml, load_yaml_composed
from layerflow.render.jsontext import dumps_indented
from tests.conftest import ROOT
from tests.reference.registry_before import parse_registry as parse_registry_before
from tests.test_parsers_property import markdownish, signal_table, yaml_values, yamlish

SETTINGS = settings(max_examples=int(os.environ.get("LAYERFLOW_PROPERTY_EXAMPLES", "150")), deadline=None)

# Header cells: every alias family, a duplicate meaning, unknown columns, a removed table and a version table.
HEADERS = [
    "UID", "Signal UID", "ID", "Signal", "Name", "Class", "Trigger", "Producer", "Source", "P-Layer",
    "Producer Layer", "X-Layer", "Hops", "Persistence", "Consumer", "Consumers", "C-Layer", "Consumer Layer",
    "Exposure", "L2 API", "Verified Path", "Form", "Owner", "Notes", "**Persistence**", "`UID`",
]  # fmt: skip
# Cell pieces that exercise every cleaning rule, layer note, store separator and none marker.
CELL_PIECES = [
    "SIG-1", "SIG-2", "SIG-3", "SIG-001", "SIG-1-3", "SIG-", "x.py", "a_b.py", "(L6)", "(L9)", "(L2a)", "(SIG-2)",
    "(L6, SIG-3)", "(note)", "(", ")", ",", ";", " , ", "+", " + ", " and ", "L6", "L7", "L7b", "L0", "L10", "L2",
    "PostgreSQL", "postgres", "Redis", "R2", "In-memory", "S3 (bucket, x)", "UNKNOWN", "unknown", "—", "-", "N/A",
    "none", "`code`", "``", "**bold**", "*it*", "__u__", "[link](u)", "[a](b(c))", "<br>", "\\|", "\\", "✅", "⚠️",
    "🔴", "\ufe0f", " ", "  ", "\t", "é", "x", "0",
]  # fmt: skip

cell = st.lists(st.sampled_from(CELL_PIECES), max_size=5).map("".join)


@st.composite
def registry_files(draw: st.DrawFn) -> list[tuple[str, str]]:
    """One to three files of signal tables whose rows repeat UIDs (merges, conflicts), run short or long."""
    files = []
    for number in range(draw(st.integers(1, 3))):
        lines = ["# Registry", "", "**Status:** VERIFIED", ""]
        for table in range(draw(st.integers(1, 3))):
            header = draw(st.lists(st.sampled_from(HEADERS), min_size=2, max_size=7))
            if draw(st.booleans()):
                header = ["UID", *header]
            lines += [f"### {table + 1}.1 {draw(st.sampled_from(['Cost', 'Ops', '']))} Domain Signals", ""]
            lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            for _ in range(draw(st.integers(0, 6))):
                width = len(header) + draw(st.sampled_from([0, 0, 0, -1, 1]))
                uid = draw(st.sampled_from(["SIG-1", "SIG-2", "SIG-3", "SIG-01", "SIG-1-3", "x"]))
                row = [uid, *(draw(cell) for _ in range(max(0, width - 1)))]
                lines.append("| " + " | ".join(row) + " |")
            lines.append("")
        if draw(st.booleans()):
            lines += ["| Removed UID | Reason |", "|---|---|", "| SIG-9 | gone |", ""]
        files.append((f"r{number}.md", "\n".join(lines)))
    return files


@SETTINGS
@given(registry_files())
def test_the_single_pass_reader_gives_what_the_cell_by_cell_reader_gave(files: list[tuple[str, str]]) -> None:
    assert parse_registry(files) == parse_registry_before(files)


@SETTINGS
@given(st.lists(markdownish, min_size=1, max_size=3))
def test_the_single_pass_reader_agrees_on_any_markdownish_text(texts: list[str]) -> None:
    files = [(f"r{i}.md", text) for i, text in enumerate(texts)]
    assert parse_registry(files) == parse_registry_before(files)


@SETTINGS
@given(signal_table())
def test_the_single_pass_reader_agrees_on_generated_tables(table: tuple[list[str], list[tuple[str, ...]], str]) -> None:
    files = [("t.md", table[2])]
    assert parse_registry(files) == parse_registry_before(files)


def _split_list_before(text: str) -> list[str]:
    """cells.split_list as it was: one step per character."""
    items: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch in ",;" and depth == 0:
            items.append(text[start:i].strip())
            start = i + 1
    items.append(text[start:].strip())
    return [item for item in items if item]


@SETTINGS
@given(st.one_of(cell, markdownish, st.text()))
def test_split_list_jumps_to_the_same_items(text: str) -> None:
    assert cells.split_list(text) == _split_list_before(text)


# ------------------------------------------------------------------- YAML


def _same_yaml(text: str) -> None:
    assert load_yaml("f.yaml", text) == load_yaml_composed("f.yaml", text)


@SETTINGS
@given(st.one_of(yamlish, st.text()))
def test_the_event_reader_agrees_on_any_text(text: str) -> None:
    _same_yaml(text)


@SETTINGS
@given(yaml_values, st.sampled_from([None, False, True]), st.sampled_from(["\n", "\r\n", "\r", "\u2028"]))
def test_the_event_reader_agrees_on_data_of_any_shape(data: object, flow: bool | None, newline: str) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=flow)
    _same_yaml(text)
    _same_yaml(text.replace("\n", newline))


EDGES = {
    "anchor and alias": "a: &x [1, 2]\nb: *x\n",
    "merge key": "base: &b {x: 1}\nitem:\n  <<: *b\n  y: 2\n",
    "merge without alias": "item:\n  <<: {x: 1}\n  y: 2\n",
    "explicit tags": "a: !!str 1\nb: !!python/object:os.system x\nc: !custom [1]\n",
    "repeated key": "a: 1\nb: {c: 1, c: [x]}\na: 2\n",
    "mapping key": "? [a, b]\n: c\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "empty": "",
    "only a comment": "# nothing\n",
    "empty document": "---\n...\n",
    "value tag and merge as values": "a: =\nb: <<\n",
    "numbers and dates": "a: 0x1F\nb: 1e309\nc: 2025-01-01\nd: 1_000\ne: .inf\nf: ~\ng: yes\nh: 0o17\n",
    "odd line breaks": "a: 1\u2028b: 2\r\nc: [x,\ry]\x85d: 4\n",
    "syntax error": "a: [1, 2\nb: 3\n",
    "control character": "a: \x01\n",
    "deep": "a: " + "[" * 60 + "]" * 60 + "\n",
    "empty values": "a:\nb: []\nc: {}\nd: ''\n- x\n",
    "sequence root": "- a\n- {b: c}\n-\n  - d\n",
}


@pytest.mark.parametrize("text", EDGES.values(), ids=EDGES.keys())
def test_the_event_reader_agrees_where_yaml_is_unusual(text: str) -> None:
    _same_yaml(text)


def test_the_event_reader_answers_plain_files_itself_and_hands_the_rest_on() -> None:
    assert yamlsrc._from_events("f.yaml", "a: [1, {b: c}]\nd: 2025-01-01\n") is not None
    for name in ("anchor and alias", "merge without alias", "explicit tags", "repeated key", "two documents"):
        assert yamlsrc._from_events("f.yaml", EDGES[name]) is None, name


# ------------------------------------------------------------------- JSON

json_leaves = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(), st.sampled_from(["\x00", "\u2028", '"\\', "é🙂", "\ud800"])
)
json_data = st.recursive(
    json_leaves,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4)),
    max_leaves=30,
)
odd_json = st.recursive(  # what the fast writer hands to json.dumps: floats, tuples, non-text keys
    st.one_of(json_leaves, st.floats(allow_nan=True)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.dictionaries(st.one_of(st.text(max_size=3), st.integers(), st.booleans(), st.none()), inner, max_size=3),
    ),
    max_leaves=12,
)


@SETTINGS
@given(st.one_of(json_data, odd_json))
def test_the_json_writer_writes_what_json_dumps_writes(data: object) -> None:
    assert dumps_indented(data) == json.dumps(data, indent=2, ensure_ascii=False)


def test_the_json_writer_on_a_real_analysis_takes_its_own_path(monkeypatch: pytest.MonkeyPatch) -> None:
    from layerflow.adapters.application import load_and_analyse
    from layerflow.adapters.load import Sources
    from layerflow.render import jsontext
    from layerflow.render.machine import to_json_data

    analysis, _ = load_and_analyse(Sources(base="registry", code=("registry/example",)))
    assert analysis is not None
    data = to_json_data(analysis)
    expected = json.dumps(data, indent=2, ensure_ascii=False)
    monkeypatch.setattr(jsontext.json, "dumps", None)  # no fallback: the fast path writes it all
    assert dumps_indented(data) == expected


@pytest.mark.parametrize("project", ["registry", "tests/fixtures/projects/harbor", "synthetic"])
def test_the_records_written_from_templates_are_what_the_generic_writer_writes(project: str, tmp_path: Path) -> None:
    """render.jsonrecords writes signals, flows and findings itself; the whole stays dumps_indented(data)."""
    import sys

    from layerflow.adapters.application import load_and_analyse
    from layerflow.adapters.load import Sources
    from layerflow.render.machine import to_json, to_json_data

    if project == "synthetic":
        sys.path.insert(0, str(ROOT / "bench"))
        from synth import write_project

        base = str(write_project(tmp_path / "synthetic", signals=400, producers=40) / "registry")
        sources = Sources(base=base)
    elif project == "registry":
        sources = Sources(base="registry", code=("registry/example",))
    else:
        sources = Sources(base=str(ROOT / project / "registry"))
    analysis, problems = load_and_analyse(sources)
    assert analysis is not None, problems[:3]
    assert analysis.inputs.registry.signals and analysis.flows and analysis.findings
    assert to_json(analysis) == dumps_indented(to_json_data(analysis)) + "\n"


# ------------------------------------------------------------------ gates

GATE_FIELDS = ["uid", "p_layer", "c_layer", "consumer", "exposure"]
GATE_WORDS = ["L7", "l7", "L6", "x", "X", "none", "—", "N/A", "", "UNKNOWN", "ß", "SS", "İ", "i̇"]
field_value = st.one_of(
    st.sampled_from(GATE_WORDS),
    st.text(max_size=4),
    st.lists(st.sampled_from(GATE_WORDS), max_size=3).map(tuple),
)
atoms = st.one_of(
    st.builds(
        Compare, st.sampled_from(GATE_FIELDS), st.sampled_from(["=", "!=", "contains"]), st.sampled_from(GATE_WORDS)
    ),
    st.builds(AnyField, st.sampled_from(["=", "!=", "contains"]), st.sampled_from(GATE_WORDS)),
)
expressions = st.recursive(
    atoms,
    lambda inner: st.one_of(
        st.builds(Not, inner),
        st.lists(inner, min_size=2, max_size=3).map(lambda os_: And(tuple(os_))),
        st.lists(inner, min_size=2, max_size=3).map(lambda os_: Or(tuple(os_))),
    ),
    max_leaves=8,
)


@SETTINGS
@given(expressions, st.lists(st.dictionaries(st.sampled_from(GATE_FIELDS), field_value, max_size=5), max_size=6))
def test_a_check_over_all_subjects_answers_what_evaluate_answers_for_each(
    expr: Expr, rows: list[dict[str, FieldValue]]
) -> None:
    subjects = [MappingFields(values) for values in rows]
    expected = [evaluate(expr, subject) for subject in subjects]
    assert evaluate_all(expr, subjects) == expected
    assert evaluate_all(expr, subjects, lambda field: [row.get(field) for row in rows]) == expected


def _check_columns(files: list[tuple[str, str]]) -> None:
    signals = parse_registry(files).value.signals
    columns = SignalColumns(signals)
    for field in (*CANONICAL_FIELDS, "exposure", "no_such_field"):
        assert columns(field) == [SignalFields(s).value(field) for s in signals], field
        assert columns(field) is columns(field)  # worked out once


def test_signal_columns_are_what_each_signal_says() -> None:
    files = sorted((ROOT / "registry").glob("*.md"))
    _check_columns([(p.name, p.read_text(encoding="utf-8")) for p in files])


@SETTINGS
@given(registry_files())
def test_signal_columns_of_generated_registries(files: list[tuple[str, str]]) -> None:
    _check_columns(files)


# The line scanner (yamllines): documents in and around the subset it reads, with the scalars
# YAML 1.1 resolves or quotes in surprising ways. It must give None or exactly what the composer gives.
TRICKY = [
    "yes", "no", "on", "Off", "true", "0x1F", "1_000", "1e3", "1.5", ".inf", "-.inf", ".nan", "~", "null", "",
    "2024-01-01", "2024-01-01 10:00:00", "12:30", "-1", "+2", "0o7", "07", "=", "<<", "a: b", "a #b", "a#b",
    " #", "'q'", "'it''s'", '"d\\"q"', '"a\\\\b"', '"\\n\\t"', '"\\x41"', "x  ", "key with spaces", "é ünï",
    "[a, b]", "{a: 1}", "[]", "{}", "[a,]", "{a: }", "[a: b]", "- x", "-x", "&a", "*a", "!t x", "|", ">",
    "@x", "`x", "%x", "?x", ":x", "a,b", "[x] #c", "{'k': v}", '{"k": [1, "2"]}', "a:b", "http://x",
]  # fmt: skip
tricky = st.sampled_from(TRICKY)
keys = st.sampled_from(["a", "b", "id", "key with spaces", "'q k'", '"d k"', "1", "true", "<<", "a b", "é"])


@st.composite
def subset_documents(draw: st.DrawFn) -> str:
    lines: list[str] = []

    def block(indent: int, depth: int) -> None:
        pad = " " * indent
        if draw(st.booleans()):  # a mapping
            for key in draw(st.lists(keys, min_size=1, max_size=4)):
                if depth < 3 and draw(st.integers(0, 3)) == 0:
                    lines.append(f"{pad}{key}:")
                    block(indent + draw(st.sampled_from([0, 2, 4])), depth + 1)
                else:
                    lines.append(
                        f"{pad}{key}: {draw(tricky)}".rstrip(" ") + draw(st.sampled_from(["", "", " # c", "  "]))
                    )
        else:
            for _ in range(draw(st.integers(1, 4))):
                if depth < 3 and draw(st.integers(0, 3)) == 0:
                    key = draw(keys)
                    lines.append(f"{pad}- {key}: {draw(tricky)}")
                    lines.append(f"{pad}  {draw(keys)}: {draw(tricky)}")
                else:
                    lines.append(f"{pad}- {draw(tricky)}")
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.sampled_from(["", "# note", "   # deeper note", "  stray", "\t", "---"])))

    block(draw(st.sampled_from([0, 0, 1])), 0)
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))


def _scanner_agrees(text: str) -> None:
    scanned = yamllines.scan_yaml("f.yaml", text)
    if scanned is not None:
        composed = load_yaml_composed("f.yaml", text)
        assert (scanned[0], scanned[1]) == (composed.value, composed.problems)


@SETTINGS
@given(subset_documents())
def test_the_line_scanner_agrees_on_documents_in_and_around_its_subset(text: str) -> None:
    _scanner_agrees(text)
    _same_yaml(text)


@SETTINGS
@given(st.one_of(yamlish, st.text()))
def test_the_line_scanner_agrees_on_any_text(text: str) -> None:
    _scanner_agrees(text)


def test_the_line_scanner_reads_the_repository_and_synthetic_inventories() -> None:
    files = sorted({*ROOT.glob("registry/**/*.yaml"), *ROOT.glob("tests/fixtures/**/*.yaml")})
    assert files
    for path in files:
        _scanner_agrees(path.read_text(encoding="utf-8"))
    assert yamllines.scan_yaml("r.yaml", (ROOT / "registry" / "producers.yaml").read_text(encoding="utf-8"))
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from synth import producers_yaml
    finally:
        sys.path.remove(str(ROOT / "bench"))
    text = producers_yaml(200, 40, random.Random(7))
    assert yamllines.scan_yaml("p.yaml", text) is not None
    _scanner_agrees(text)


def test_the_line_scanner_hands_on_what_it_does_not_read() -> None:
    for text in ["a: |\n  x\n", "a: &x 1\nb: *x\n", "a: !t 1\n", "a: b\n  c\n", "a: 1\na: 2\n", "<<: {a: 1}\n",
                 "? a\n: b\n", "a: 'x\n  y'\n", "---\na: 1\n", "a:\tb\n", "\ufeffa: 1\n", "a: 1\r\n", "x"]:  # fmt: skip
        assert yamllines.scan_yaml("f.yaml", text) is None, text
    assert yamllines.scan_yaml("f.yaml", "a: [1, {b: c}]\nd: 2025-01-01\n") is not None
