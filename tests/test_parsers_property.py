"""Property tests of the pure parsers: any text gives a value and located problems, never an exception.

Three kinds of input: arbitrary Unicode text; text assembled from the pieces
real registries are made of (pipes, dashes, backticks, SIG ids, headings,
fences, escaped pipes, emoji); and YAML of random shapes. Then round trips: a
generated signal table reads back to the fields it was written from, and
`cells.comparable` does not care about the order of stores or consumers.
"""

from __future__ import annotations

import os
import random
import re
import string
from collections.abc import Sequence

import yaml
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from layerflow.adapters.load import producers_schema
from layerflow.audit.analysis import analyse
from layerflow.errors import Parsed
from layerflow.model import (
    LAYERS,
    NONE,
    UNKNOWN,
    Consumer,
    Inputs,
    Inventory,
    Ledger,
    Persistence,
    Problem,
    Registry,
    Rules,
)
from layerflow.parse import cells, markdown
from layerflow.parse.changes import parse_change
from layerflow.parse.inventory import parse_inventory
from layerflow.parse.ledger import parse_ledger
from layerflow.parse.registry import parse_registry
from layerflow.parse.rules import parse_rules

SCHEMA = producers_schema()
# A registry with an L7 flow of each class and an UNKNOWN, for rules of random shape to be applied to.
REGISTRY = parse_registry(
    [
        (
            "r.md",
            "| UID | Signal | P-Layer | Consumer | C-Layer | Persistence | L2 API | Hops |\n"
            "|---|---|---|---|---|---|---|---|\n"
            "| SIG-1 | A | L7 | a.py (L7) | L7 | PostgreSQL | — | — |\n"
            "| SIG-2 | B | L7 | b.py (L6) | L6 | UNKNOWN | /b | — |\n"
            "| SIG-3 | C | L7 | c.py (L7), d.py (L6) | L7, L6 | Redis | — | L7→L6 |\n"
            "| SIG-4 | D | L7 | — | — | — | — | — |\n",
        )
    ]
).value
# No deadline: a noisy machine must not fail a property. LAYERFLOW_PROPERTY_EXAMPLES=2000 for a long run.
SETTINGS = settings(max_examples=int(os.environ.get("LAYERFLOW_PROPERTY_EXAMPLES", "150")), deadline=None)

# ------------------------------------------------------------- strategies

MARKDOWN_PIECES = [
    "|", "|", "|", " | ", "-", "---", "|---|---|", ":--", "--:", "`", "```", "~~~", "```python", "\\|", "\\",
    "SIG-1", "SIG-100", "SIG-0042", "SIG-", "SIG-1-3", "#", "# ", "## ", "### 2.1 Cost Domain Signals", "#######",
    "**", "*", "_", "__", "**Status:** APPLIED", "**Change ID:** RC-001", "**Status:**", "**Reference:** GAP-001",
    "[", "]", "(", ")", "[a](b)", "<br>", "<br/>", "✅", "⚠️", "❌", "🔴", "🙂", "\ufe0f", "—", "–", "N/A", "None",
    "UNKNOWN", "L6", "L9", "(L6)", "(SIG-011)", "(L6, SIG-011)", ",", ";", "+", " and ", "In-memory", "PostgreSQL",
    "R2 + PostgreSQL (t)", "UID", "Signal", "P-Layer", "C-Layer", "Consumer", "Persistence", "Verified Path",
    "Field", "Before", "After", "Value", "Removed UID", "Version", "Date", "Registry Change:", " ", "  ", "\t",
    "\r", "x", "y", "0", "é", "\u00a0", "\u2028", "\x00", "\x0b",
]  # fmt: skip

markdownish = st.lists(
    st.one_of(st.sampled_from(MARKDOWN_PIECES), st.just("\n"), st.just("\n"), st.text(max_size=3)), max_size=80
).map("".join)

YAML_PIECES = [
    "producers:", "internal:", "gaps:", "schema:", "rules:", "l7_analysis:", "decision_tree:", "q2_l7_to_l6:",
    "ci_gates:", "blocking:", "if_yes:", "check:", "- ", "  ", "    ", "id: ", "key: ", "name: ", "outputs:",
    "kind: file", "signals: [SIG-1]", "consumers:", "layer: L6", "GAP-001", "x", ": ", ":", "{", "}", "[", "]",
    ",", "&a ", "*a", "<<: *a", "!!python/object/apply:os.system", "!!str ", "!!binary ", "!!set ", "? ", "'",
    '"', "|", ">", "#", "%YAML 1.1", "---", "...", "\t", "\\", "~", "null", "true", "1e309", "0x1F", "2025-01-01",
    "\x01", "\ufeff", "é", "🙂",
]  # fmt: skip

yamlish = st.lists(
    st.one_of(st.sampled_from(YAML_PIECES), st.just("\n"), st.just("\n"), st.text(max_size=3)), max_size=60
).map("".join)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(["L6", "SIG-1", "GAP-1", "x"]),
)
YAML_KEYS = [
    "id", "name", "key", "kind", "outputs", "consumers", "check", "rule",
    "description", "allowed", "note", "value", "python", "expected", "l7_only_exception",
]  # fmt: skip
yaml_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(
                st.sampled_from(YAML_KEYS),
                st.text(max_size=6),
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=20,
)


def _dump(data: object) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


# ----------------------------------------------------------------- checks


def assert_located(parsed: Parsed[object], path: str, text: str) -> None:
    """Every problem names the file and a line that exists in it (0: the whole file)."""
    lines = text.count("\n") + 1
    for problem in parsed.problems:
        assert isinstance(problem, Problem)
        assert problem.location.path == path
        assert 0 <= problem.location.line <= lines + 1, problem
        assert problem.message.strip()
        assert str(problem).startswith(path)


def check_registry(text: str) -> None:
    parsed = parse_registry([("r.md", text)])
    assert isinstance(parsed.value, Registry)
    assert_located(parsed, "r.md", text)
    for signal in parsed.value.signals:
        assert cells.is_uid(signal.uid)
        assert signal.location.path == "r.md"
        assert all(c.layer is None or c.layer in LAYERS for c in signal.consumers)
    uids = [s.uid for s in parsed.value.signals]
    assert len(uids) == len(set(uids))


def check_change(text: str) -> None:
    parsed = parse_change("c.md", text)
    assert_located(parsed, "c.md", text)
    assert (parsed.value is None) == bool(parsed.errors)  # no record without a reason, no errors with one
    if parsed.value is not None:
        assert re.fullmatch(r"SIG-\d+", parsed.value.signal)
        assert re.fullmatch(r"RC-\d+", parsed.value.id)


def check_inventory(text: str) -> None:
    parsed = parse_inventory("p.yaml", text, SCHEMA)
    assert_located(parsed, "p.yaml", text)
    assert (parsed.value is None) == bool(parsed.errors)
    if parsed.value is not None:
        assert isinstance(parsed.value, Inventory)


def check_ledger(text: str) -> None:
    parsed = parse_ledger("g.yaml", text)
    assert isinstance(parsed.value, Ledger)
    assert_located(parsed, "g.yaml", text)
    assert all(re.fullmatch(r"GAP-\d+", e.id) for e in parsed.value.entries)


def check_rules(text: str) -> None:
    parsed = parse_rules("a.yaml", text)
    assert isinstance(parsed.value, Rules)
    assert_located(parsed, "a.yaml", text)
    assert list(parsed.problems) == sorted(parsed.problems)


def check_scan(text: str) -> None:
    doc = markdown.scan(text)
    assert len(doc.lines) == text.count("\n") + 1
    for table in doc.tables:
        assert 1 <= table.line <= len(doc.lines)
        lines = [row.line for row in table.rows]
        assert lines == sorted(set(lines))
        assert all(line > table.line + 1 for line in lines)
    for heading in doc.headings:
        assert 1 <= heading.level <= 6
        assert heading.text == heading.text.strip()
    for fence in doc.fences:
        assert 1 <= fence.line <= len(doc.lines)


def check_cells(cell: str, layer_cell: str) -> None:
    consumers, why = cells.consumers(cell, layer_cell)
    assert all(isinstance(c, Consumer) for c in consumers)
    assert all(c.layer is None or c.layer in LAYERS for c in consumers)
    assert all(c.signal_ref is None or cells.is_uid(c.signal_ref) for c in consumers)
    # The two notes cells.consumers writes when consumers and layers do not line up: counts that differ, or
    # consumers without a layer of their own that the C-Layer cell cannot assign (`|,(L6)` with `L6`).
    assert why is None or "cannot pair" in why or "cannot tell the layer of" in why
    persistence = cells.persistence(cell)
    assert isinstance(persistence, Persistence)
    stored = cells.value(cell)
    assert persistence.unknown == (stored == UNKNOWN)
    if stored == NONE:
        assert persistence.is_none
    elif stored != UNKNOWN and any(ch.isalnum() for ch in stored):
        assert persistence.stores  # a cell that names anything names a store ("," alone names none)
    for field in ("persistence", "consumer", "c_layer", "name"):
        assert isinstance(cells.comparable(field, cell), str)


# -------------------------------------------------------- never raise: text


@SETTINGS
@given(st.text())
def test_registry_any_text(text: str) -> None:
    check_registry(text)


@SETTINGS
@given(markdownish)
def test_registry_markdownish(text: str) -> None:
    check_registry(text)


@SETTINGS
@given(st.lists(markdownish, min_size=2, max_size=3))
def test_registry_several_files(texts: list[str]) -> None:
    parsed = parse_registry([(f"r{i}.md", t) for i, t in enumerate(texts)])
    assert parsed.value.files == tuple(f"r{i}.md" for i in range(len(texts)))
    for conflict in parsed.value.conflicts:
        assert conflict.first_at != conflict.second_at


@SETTINGS
@given(st.text())
def test_change_any_text(text: str) -> None:
    check_change(text)


@SETTINGS
@given(markdownish)
def test_change_markdownish(text: str) -> None:
    check_change(text)


@SETTINGS
@given(markdownish)
def test_change_with_a_valid_head(body: str) -> None:
    check_change("# Registry Change: SIG-7 Thing\n\n**Change ID:** RC-9\n**Status:** APPLIED\n\n" + body)


@SETTINGS
@given(st.text())
def test_scan_any_text(text: str) -> None:
    check_scan(text)


@SETTINGS
@given(markdownish)
def test_scan_markdownish(text: str) -> None:
    check_scan(text)


@SETTINGS
@given(st.text(), st.text(max_size=20))
def test_cells_any_text(cell: str, layer_cell: str) -> None:
    check_cells(cell, layer_cell)


@SETTINGS
@given(markdownish, st.sampled_from(["", "L6", "L6, L2", "L7, L6, L2", "UNKNOWN", "—", "L9"]))
@example("|,(L6)", "L6")  # found by Hypothesis: one consumer names L6, the other has none left to take
def test_cells_markdownish(cell: str, layer_cell: str) -> None:
    check_cells(cell, layer_cell)


@SETTINGS
@given(st.text())
def test_yaml_parsers_any_text(text: str) -> None:
    check_inventory(text)
    check_ledger(text)
    check_rules(text)


@SETTINGS
@given(yamlish)
def test_yaml_parsers_yamlish(text: str) -> None:
    check_inventory(text)
    check_ledger(text)
    check_rules(text)


@SETTINGS
@given(markdownish)
def test_yaml_parsers_on_markdown(text: str) -> None:
    check_inventory(text)
    check_ledger(text)
    check_rules(text)


# ------------------------------------------------- never raise: YAML shapes


@SETTINGS
@given(yaml_values)
def test_inventory_of_any_shape(data: object) -> None:
    for shaped in (data, {"producers": data}, {"producers": [{"id": "a", "name": "A", "outputs": data}]}):
        check_inventory(_dump(shaped))


@SETTINGS
@given(yaml_values)
def test_ledger_of_any_shape(data: object) -> None:
    for shaped in (data, {"gaps": data}, {"gaps": [data]}):
        check_ledger(_dump(shaped))


@SETTINGS
@given(yaml_values)
def test_rules_of_any_shape(data: object) -> None:
    shapes: Sequence[object] = (
        data,
        {"schema": data},
        {"rules": data},
        {"l7_analysis": {"decision_tree": data}},
        {"l7_analysis": {"decision_tree": {"q1_l7_only": data, "q2_l7_to_l6": data, "q3_l7_to_both": data}}},
        {"ci_gates": data},
        {"ci_gates": {"blocking": data, "warning": [data]}},
        {"verification": data},
        {"auditor_interface": data},
        {"auditor_interface": {"exit_codes": data}},
    )
    for shaped in shapes:
        check_rules(_dump(shaped))


# Sections whose every shape is readable: no value under them can make the analysis impossible.
TOLERANT_SHAPES = (
    lambda d: {"schema": d},
    lambda d: {"schema": {"columns": d, "frozen": d}},
    lambda d: {"rules": d},
    lambda d: {"rules": {"signal_definition": d, "orphan_detection": d, "unknown_handling": d}},
    lambda d: {"rules": {"layer_constraints": d}},
    lambda d: {"rules": {"layer_constraints": {"l7_as_consumer": d, "l8_as_consumer": d, "l2_is_boundary": d}}},
    lambda d: {"rules": {"unknown_handling": {"fields_that_can_be_unknown": d, "expected_rate": d, "allowed": d}}},
    lambda d: {"l7_analysis": {"description": d, "l7_output_definition": d}},
    lambda d: {"l7_analysis": {"decision_tree": {"q1_l7_only": {"question": d, "criteria": d, "if_yes": d}}}},
    lambda d: {"l7_analysis": {"decision_tree": {"q3_l7_to_both": {"requirements": d, "valid": d, "exposure": d}}}},
    lambda d: {"l7_analysis": {"decision_tree": {"q2_l7_to_l6": {"if_yes": {k: d for k in VOCABULARY}}}}},
    lambda d: {"verification": d},
    lambda d: {"verification": {"entry": d, "other": [d]}},
    lambda d: {"auditor_interface": d},
    lambda d: {"auditor_interface": {"input": d, "outputs": d, "exit_codes": d}},
)
VOCABULARY = ("exposure", "l2_api", "consumer_layer", "intermediary_hops", "check", "severity", "fail_conditions")


@SETTINGS
@given(yaml_values, st.sampled_from(TOLERANT_SHAPES))
def test_rules_of_any_readable_shape_are_notes_never_errors(data: object, shape: object) -> None:
    """Outside the tree's nodes and the gates, no shape is an error; the notes are kept in Rules; analysis runs."""
    text = _dump(shape(data))  # type: ignore[operator]
    parsed = parse_rules("a.yaml", text)
    assert parsed.errors == (), parsed.errors
    assert_located(parsed, "a.yaml", text)
    assert parsed.value.notes == tuple(p for p in parsed.problems if p.level.value == "note")
    assert [p for p in parsed.problems if p.level.value == "warning"] == []  # unknown keys are no problem
    analysis = analyse(Inputs(registry=REGISTRY, rules=parsed.value), parsed.problems)
    assert {f.severity.value for f in analysis.findings if f.rule.startswith("rules.")} <= {"info"}


# -------------------------------------------------------------- round trip

HEADER_NAMES = {
    "uid": ["UID", "Signal UID", "ID"],
    "name": ["Signal", "Signal Name", "Name"],
    "class": ["Class", "Signal Class"],
    "trigger": ["Trigger"],
    "producer": ["Producer", "Source"],
    "p_layer": ["P-Layer", "Producer Layer"],
    "processor": ["Processor"],
    "x_layer": ["X-Layer"],
    "intermediary_hops": ["Intermediary Hops", "Hops"],
    "output_artifact": ["Output Artifact"],
    "form": ["Form"],
    "persistence": ["Persistence"],
    "consumer": ["Consumer", "Consumers"],
    "c_layer": ["C-Layer", "Consumer Layer"],
    "exposure": ["Exposure"],
    "l2_api": ["L2 API", "API"],
    "verified_path": ["Verified Path", "Verified"],
    "source_files": ["Source Files"],
    "confidence": ["Confidence"],
}
EXTRA_HEADERS = ["Owner Team", "Notes", "Last Reviewed"]


@st.composite
def header_spelling(draw: st.DrawFn, name: str) -> str:
    """A header as people write it: any case, with '-', '_', ' ' or nothing between the words."""
    words = re.split(r"[\s-]+", name)
    joiner = draw(st.sampled_from([" ", "-", "_", "", " / "]))
    cased = [draw(st.sampled_from([w, w.lower(), w.upper(), w.title()])) for w in words]
    text = joiner.join(cased)
    return draw(st.sampled_from([text, f"**{text}**", f" {text} "]))


# Cell values that mean exactly what they say: no inline Markdown, no none marker, pipes allowed,
# and no "L0" / "L9" where a layer column would rightly warn that it is no layer.
cell_text = (
    st.text(alphabet=string.ascii_letters + string.digits + " .:/()|", min_size=1, max_size=20)
    .map(lambda s: " ".join(s.split()))
    .filter(lambda s: s and s.lower() not in {"na", "n/a", "none", "nil", "unknown"} and s.strip("-") != "")
    .filter(lambda s: not cells.not_layers(s))
)


@st.composite
def signal_table(draw: st.DrawFn) -> tuple[list[str], list[tuple[str, ...]], str]:
    """(canonical column per header, rows of raw values, Markdown text of the table)."""
    fields = draw(st.lists(st.sampled_from(sorted(set(HEADER_NAMES) - {"uid"})), min_size=1, max_size=8, unique=True))
    extras = draw(st.lists(st.sampled_from(EXTRA_HEADERS), max_size=2, unique=True))
    columns = draw(st.permutations(["uid", *fields, *extras]))
    headers = [
        draw(header_spelling(c))
        if c in EXTRA_HEADERS
        else draw(header_spelling(draw(st.sampled_from(HEADER_NAMES[c]))))
        for c in columns
    ]
    numbers = draw(st.lists(st.integers(0, 99999), min_size=1, max_size=6, unique=True))
    rows = [tuple(f"SIG-{n:03d}" if c == "uid" else draw(cell_text) for c in columns) for n in numbers]
    outer = draw(st.booleans())  # leading and trailing pipes are optional

    def line(cells_: Sequence[str]) -> str:
        body = " | ".join(cells_)
        return f"| {body} |" if outer else body

    escaped = [[cell.replace("|", "\\|") for cell in row] for row in rows]
    text = "\n".join(
        [
            "# Registry",
            "",
            "### 2.4 Round Trip Domain Signals",
            "",
            line(headers),
            line(["---"] * len(headers)),
            *(line(row) for row in escaped),
            "",
        ]
    )
    return columns, rows, text


@SETTINGS
@given(signal_table())
def test_generated_signal_table_reads_back(table: tuple[list[str], list[tuple[str, ...]], str]) -> None:
    columns, rows, text = table
    parsed = parse_registry([("rt.md", text)])
    assert parsed.problems == ()
    by_uid = parsed.value.by_uid()
    assert sorted(by_uid, key=cells.uid_number) == sorted((r[columns.index("uid")] for r in rows), key=cells.uid_number)
    for offset, values in enumerate(rows):
        signal = by_uid[values[columns.index("uid")]]
        assert signal.domain == "Round Trip"
        assert signal.location.line == 7 + offset
        for column, raw in zip(columns, values, strict=True):
            if column == "uid":
                continue
            if column in EXTRA_HEADERS:
                assert list(signal.extra.values()).count(raw) >= 1
                continue
            assert signal.get(column) == raw, (column, raw, signal.fields)
        expected_header = tuple(c for c in columns if c not in EXTRA_HEADERS)
        assert signal.header == expected_header
        assert len(signal.extra) == sum(1 for c in columns if c in EXTRA_HEADERS)
        if "persistence" in columns:
            assert signal.persistence is not None
            assert signal.persistence.text == values[columns.index("persistence")]
        else:
            assert signal.persistence is None


@SETTINGS
@given(signal_table(), st.randoms(use_true_random=False))
def test_row_order_and_file_split_do_not_change_the_signals(
    table: tuple[list[str], list[tuple[str, ...]], str], rnd: random.Random
) -> None:
    """The same rows in another order, or split across two files, are the same signals."""
    _, _, text = table
    lines = text.split("\n")
    head, body = lines[:6], [line for line in lines[6:] if line]
    assume(len(body) >= 2)
    shuffled = body[:]
    rnd.shuffle(shuffled)
    one = parse_registry([("a.md", text)]).value
    two = parse_registry([("a.md", "\n".join([*head, *shuffled, ""]))]).value
    split = parse_registry([("a.md", "\n".join([*head, *body[:1], ""])), ("b.md", "\n".join([*head, *body[1:], ""]))])
    assert split.problems == ()
    for other in (two, split.value):
        assert [(s.uid, dict(s.fields), dict(s.extra)) for s in other.signals] == [
            (s.uid, dict(s.fields), dict(s.extra)) for s in one.signals
        ]


# -------------------------------------------------------------- comparable

word = st.text(alphabet=string.ascii_letters + string.digits + "_.", min_size=1, max_size=10).filter(
    lambda w: w.lower() not in {"and", "na", "none", "nil", "unknown"} and "__" not in w and not w.startswith("_")
)
store_item = st.one_of(
    st.sampled_from(["PostgreSQL", "postgres", "Redis", "R2", "S3", "In-memory", "Prometheus", "File", "SQLite"]),
    word,
).flatmap(lambda name: st.one_of(st.just(name), word.map(lambda detail: f"{name} ({detail})")))
consumer_item = word.flatmap(
    lambda name: st.sampled_from([name, f"{name}.py", f"{name} (L6)", f"{name} (SIG-011)", f"{name}.py (L2, SIG-9)"])
)


@SETTINGS
@given(
    st.lists(store_item, min_size=1, max_size=5),
    st.randoms(use_true_random=False),
    st.sampled_from([" + ", ", ", " and "]),
)
def test_comparable_persistence_ignores_order(stores: list[str], rnd: random.Random, joiner: str) -> None:
    shuffled = stores[:]
    rnd.shuffle(shuffled)
    first, second = joiner.join(stores), " + ".join(shuffled)
    assert cells.comparable("persistence", first) == cells.comparable("persistence", second)
    assert cells.persistence(first).store_names == cells.persistence(second).store_names


@SETTINGS
@given(st.lists(consumer_item, min_size=1, max_size=5), st.randoms(use_true_random=False))
def test_comparable_consumers_ignore_order_and_notes(consumers: list[str], rnd: random.Random) -> None:
    shuffled = consumers[:]
    rnd.shuffle(shuffled)
    first, second = ", ".join(consumers), ", ".join(shuffled)
    assert cells.comparable("consumer", first) == cells.comparable("consumer", second)
    bare = ", ".join(re.sub(r"\s*\([^)]*\)$", "", c) for c in shuffled)  # "x.py (SIG-011)" names x.py
    assert cells.comparable("consumer", first) == cells.comparable("consumer", bare)


def test_comparable_still_tells_different_claims_apart() -> None:
    assert cells.comparable("persistence", "R2 + PostgreSQL") == cells.comparable("persistence", "postgres, R2")
    assert cells.comparable("persistence", "R2 + PostgreSQL") != cells.comparable("persistence", "PostgreSQL")
    assert cells.comparable("persistence", "In-memory") != cells.comparable("persistence", "—")
    assert cells.comparable("persistence", "UNKNOWN") != cells.comparable("persistence", "None")
    assert cells.comparable("consumer", "a.py, b.py") != cells.comparable("consumer", "a.py")
    assert cells.comparable("c_layer", "L6, L2") == cells.comparable("c_layer", "L2 / L6")


# ------------------------------------------------ commas inside parentheses


@SETTINGS
@given(st.lists(word, min_size=2, max_size=4), word)
def test_commas_inside_parentheses_do_not_split_stores(details: list[str], other: str) -> None:
    text = f"PostgreSQL ({', '.join(details)}) + {other}"
    stores = cells.persistence(text).stores
    assert len(stores) == 2
    assert stores[0].name == "PostgreSQL"
    assert stores[0].detail == ", ".join(details)


# ------------------------------------------------------- YAML line numbers


def test_yaml_lines_are_counted_as_editors_count_them() -> None:
    """YAML 1.1 also breaks lines at NEL, U+2028 and U+2029; a person's editor does not."""
    text = (
        'version: "one\u2028two\u2029three\x85four"\n'  # line 1, though YAML sees four
        "producers:\n  - id: job\n    name: Job\n    owner: x\n    outputs: []\n"
    )
    parsed = parse_inventory("p.yaml", text, SCHEMA)
    assert [(p.location.line, p.message) for p in parsed.problems] == [
        (5, "producers.0: unknown key ('owner' was unexpected)")
    ]
    assert [p.location.line for p in parse_ledger("g.yaml", "a: 1\u2028\nb: [\n").problems] == [3]
    rules = parse_rules("a.yaml", "# \u2028\u2028\nschema:\n  frozen: maybe\n")
    assert any(
        p.location.line == 3 and "schema.frozen is 'maybe', not true or false" in p.message for p in rules.problems
    )
