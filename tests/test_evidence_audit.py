"""Checks from code and ops evidence: the registry held against what the code base does.

Built cases are small in-memory code bases (scan_python on strings) and
registries (parse_registry on Markdown), so each check is shown to fire on
one case and to stay quiet on its clean twin. The seed's GAP-001 is found
from code on the registry as it stood before RC-001, with and without the
producer inventory.
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from layerflow.adapters.application import load
from layerflow.adapters.load import Sources
from layerflow.audit.analysis import analyse, detect
from layerflow.audit.code_index import code_index, file_references, same_file
from layerflow.audit.evidence import assess
from layerflow.audit.gaps import code_gaps, merge_gaps
from layerflow.audit.gates import EVALUATED_FROM
from layerflow.audit.history import states
from layerflow.evidence.code import scan_python
from layerflow.evidence.link import link_files
from layerflow.evidence.units import pair_jobs, parse_crontab, parse_unit
from layerflow.model import (
    Analysis,
    Finding,
    FlowKind,
    GapCandidate,
    Gate,
    GateLevel,
    Inputs,
    Inventory,
    Location,
    Output,
    Persistence,
    Producer,
    Rules,
    Severity,
    Store,
)
from layerflow.model.facts import CodeEvidence, EvidenceSet, OpsEvidence
from layerflow.model.summary import summarize
from layerflow.parse.registry import parse_registry
from layerflow.render.marks import icon
from layerflow.render.paths import with_breakable_paths
from layerflow.render.report import render_report
from layerflow.render.site import build_site

EXAMPLE_CODE = "registry/example"
EXAMPLE_OPS = "registry/example/scripts/ops/systemd"
HEADER = "| UID | Signal | Producer | P-Layer | Consumer | C-Layer | Persistence |\n|---|---|---|---|---|---|---|\n"

WRITER_GATE = Gate(
    "UNREGISTERED_DB_WRITER",
    "every new session.add/execute must be registered (grep for session.add/execute not in registry)",
    "Block merge",
    GateLevel.BLOCKING,
    Location("rules.yaml", 3),
)
JOB_GATE = Gate(
    "NEW_L7_JOB", "new L7 job without signal registration", "Register it", GateLevel.WARNING, Location("rules.yaml", 9)
)

WRITES_PG = (
    "from sqlalchemy import text\n\ndef save(session):\n    session.execute(text('INSERT INTO things VALUES (1)'))\n"
)
WRITES_REDIS = "import redis\n\nr = redis.Redis()\n\ndef beat():\n    r.set('hb', 1)\n"
WRITES_FILE = "def dump():\n    with open('/var/tmp/out.csv', 'w') as fh:\n        fh.write('x')\n"
NO_WRITES = "def compute(x):\n    return x + 1\n"


# ------------------------------------------------------------------ helpers


def registry_of(*rows: str) -> Inputs:
    parsed = parse_registry([("reg.md", "## Test Signals\n\n" + HEADER + "\n".join(rows) + "\n")])
    assert not parsed.errors, parsed.problems
    return Inputs(registry=parsed.value)


def code(*files: tuple[str, str], scripts: Sequence[str] = ()) -> CodeEvidence:
    scanned = []
    for path, text in files:
        result = scan_python(path, text)
        scanned.append(result.value)
    return CodeEvidence(("src",), link_files(scanned), tuple(scripts))


def ops(*units: tuple[str, str], cron: tuple[str, str] | None = None) -> OpsEvidence:
    parsed = [parse_unit(path, text).value for path, text in units]
    jobs = list(pair_jobs(parsed).value)
    if cron is not None:
        jobs += parse_crontab(*cron).value
    return OpsEvidence(("ops",), tuple(jobs), tuple(p for p, _ in units))


def with_evidence(
    inputs: Inputs, code_part: CodeEvidence | None = None, ops_part: OpsEvidence | None = None, **changes: object
) -> Inputs:
    return replace(inputs, evidence=EvidenceSet(code=code_part, ops=ops_part), **changes)  # type: ignore[arg-type]


def findings(analysis: Analysis, rule: str) -> list[Finding]:
    return [f for f in analysis.findings if f.rule == rule]


def inventory_of(*producers: Producer) -> Inventory:
    return Inventory(producers=producers)


def producer(
    pid: str,
    sources: Sequence[str] = (),
    units: Sequence[str] = (),
    signals: Sequence[str] = (),
    persistence: str = "PostgreSQL",
) -> Producer:
    output = Output(
        name=f"{pid} output",
        kind="record",
        persistence=Persistence(persistence, (Store(persistence),)),
        signals=tuple(signals),
        consumers=(),
        flow=FlowKind.DIRECT,
        location=Location("producers.yaml", 1),
    )
    return Producer(
        pid,
        pid.title(),
        "systemd timer",
        "",
        tuple(sources),
        (output,),
        Location("producers.yaml", 1),
        units=tuple(units),
    )


SERVICE = "[Unit]\nDescription=x\n[Service]\nExecStart=/usr/bin/python /opt/app/scripts/ops/{script}\n"
TIMER = "[Timer]\nOnCalendar=*:0/5\n"


# ------------------------------------------------------- the embedded example


@pytest.fixture(scope="module")
def example() -> Iterator[Inputs]:
    cwd = os.getcwd()
    os.chdir(Path(__file__).resolve().parent.parent)
    try:
        loaded = load(Sources(code=(EXAMPLE_CODE,), ops=(EXAMPLE_OPS,)))
    finally:
        os.chdir(cwd)
    assert not loaded.errors and not loaded.problems, loaded.problems
    yield loaded.inputs


@pytest.fixture(scope="module")
def before_rc001(example: Inputs) -> Inputs:
    """The registry as it stood before RC-001 (SIG-100 "In-memory"), with the change records left out."""
    pre = states(example.registry, example.changes)[0]
    assert pre.by_uid()["SIG-100"].persistence == Persistence("In-memory", (Store("In-memory"),))
    return replace(example, registry=pre, changes=())


def test_gap_001_is_found_from_code_on_the_registry_before_rc001(before_rc001: Inputs) -> None:
    analysis = analyse(before_rc001)
    gap = analysis.gap("GAP-001")
    assert gap is not None
    assert (gap.key, gap.priority, gap.status) == ("persistence-contradiction:SIG-100", "P1", "open")
    # The inventory's check found it too: one gap, its words, and the code lines added to its detail.
    assert gap.title.endswith("but Graduation Evaluator writes PostgreSQL")
    code_lines = [d for d in gap.detail if d.startswith("Code: ")]
    assert code_lines[0].startswith("Code: registry/example/backend/app/jobs/graduation_evaluator.py:37 add")
    assert [g.key for g in analysis.gaps].count(gap.key) == 1
    assert analysis.exit_code == 2


def test_gap_001_is_found_from_code_alone_without_an_inventory(before_rc001: Inputs) -> None:
    analysis = analyse(replace(before_rc001, inventory=None))
    gap = analysis.gap("GAP-001")
    assert gap is not None and gap.in_ledger
    assert (gap.key, gap.priority, gap.status) == ("persistence-contradiction:SIG-100", "P1", "open")
    assert "graduation_evaluator.py writes PostgreSQL" in gap.title
    # graduation_engine.py (the producer the old row names) does not exist; the GraduationStatus table does.
    assert any("m25_graduation_status" in d and "GraduationStatus table" in d for d in gap.detail)
    assert any("graduation_engine.py" in f.message for f in findings(analysis, "evidence.producer-not-found"))


def test_without_an_inventory_rc001_still_resolves_gap_001(example: Inputs) -> None:
    analysis = analyse(replace(example, inventory=None))
    gap = analysis.gap("GAP-001")
    assert gap is not None and (gap.status, gap.resolved_by) == ("resolved", "RC-001")
    assert next(c for c in analysis.changes if c.id == "RC-001").resolves == ("GAP-001",)


def test_the_embedded_example_keeps_the_seed_with_code_and_ops(example: Inputs) -> None:
    analysis = analyse(example)
    s = summarize(analysis)
    assert (s.l7_producers, s.l7_l6, s.l7_l6_verified, s.l7_l6_deferred, s.l7_l7, s.l7_l8) == (8, 5, 4, 1, 21, 1)
    gaps = {g.id: (g.priority, g.status, g.resolved_by) for g in analysis.gaps}
    assert gaps == {
        "GAP-001": ("P1", "resolved", "RC-001"),
        "GAP-002": ("P2", "open", ""),
        "GAP-003": ("P3", "open", ""),
    }
    assert analysis.exit_code == 1
    # The one thing the example copy lacks: the synthetic-traffic script its unit runs (an L7-internal service).
    [missing] = [f for f in analysis.findings if f.rule.startswith("evidence.")]
    assert (missing.rule, missing.subject) == ("evidence.unit-script-missing", "m10-synthetic-traffic.service")
    decided = {g.rule: g for g in analysis.gates if g.reason.startswith(EVALUATED_FROM)}
    assert sorted(decided) == ["NEW_L7_JOB", "UNREGISTERED_DB_WRITER"]
    assert all(g.machine_checkable and not g.matched for g in decided.values())
    assert not findings(analysis, "gate.not-machine-checkable")


def test_the_gap_002_writer_is_tied_to_its_gap_not_reported_again(example: Inputs) -> None:
    found = assess(example)
    assert found is not None
    writer = next(w for w in found.writers if w.path.endswith("integrations/cost_snapshots.py"))
    assert (writer.status, writer.producers) == ("inventory", ("cost-snapshot-job",))
    report = render_report(analyse(example))
    assert "| `registry/example/backend/app/integrations/cost_snapshots.py` | 5 | PostgreSQL |" in report
    assert "Cost Snapshot Job: tracked by GAP-002" in report


def test_evidence_adds_nothing_to_detect_when_absent(example: Inputs) -> None:
    plain = replace(example, evidence=None)
    pre = states(example.registry, example.changes)[0]
    assert code_gaps(plain, pre) == []
    without = detect(plain, pre)
    with_code = detect(example, pre)
    assert [c.key for c in without] == [c.key for c in with_code]
    assert [c.title for c in without] == [c.title for c in with_code]


# -------------------------------------------------------------- built cases


def test_a_named_producer_writing_postgresql_contradicts_in_memory() -> None:
    inputs = registry_of("| SIG-001 | Thing | `writer.py` | L5 | api.py | L2 | In-memory |")
    analysis = analyse(with_evidence(inputs, code(("src/app/writer.py", WRITES_PG))))
    [gap] = analysis.gaps
    assert (gap.key, gap.kind, gap.priority, gap.status) == (
        "persistence-contradiction:SIG-001",
        "persistence-contradiction",
        "P1",
        "open",
    )
    assert gap.location == Location("reg.md", 5)
    assert any("src/app/writer.py:4" in d and "registry's producer" in d for d in gap.detail)
    assert findings(analysis, "gap.persistence-contradiction")[0].severity is Severity.BLOCKING


def test_no_contradiction_when_the_claim_is_durable_or_unknown() -> None:
    for claim in ("PostgreSQL", "UNKNOWN"):
        inputs = registry_of(f"| SIG-001 | Thing | `writer.py` | L5 | api.py | L2 | {claim} |")
        analysis = analyse(with_evidence(inputs, code(("src/app/writer.py", WRITES_PG))))
        assert analysis.gaps == ()
        assert not [f for f in analysis.findings if f.rule.startswith("evidence.")]


def test_a_persistence_of_none_contradicted_by_a_redis_write() -> None:
    inputs = registry_of("| SIG-001 | Beat | `pool.py` | L5 | sup.py | L6 | — |")
    [gap] = analyse(with_evidence(inputs, code(("src/pool.py", WRITES_REDIS)))).gaps
    assert gap.title == "Registry said SIG-001 persistence = 'none' but pool.py writes Redis"


def test_file_and_metric_writes_do_not_contradict_in_memory() -> None:
    inputs = registry_of("| SIG-001 | Thing | `dump.py` | L5 | api.py | L2 | In-memory |")
    assert analyse(with_evidence(inputs, code(("src/dump.py", WRITES_FILE)))).gaps == ()


def test_a_durable_write_in_a_merely_imported_module_is_not_a_contradiction() -> None:
    script = "from app.store import save\n\nsave(None)\n"
    inputs = registry_of("| SIG-001 | Gadget | `job.py` | L7 | api.py | L2 | In-memory |")
    evidence = code(("src/ops/job.py", script), ("src/app/store.py", WRITES_PG))
    found = assess(with_evidence(inputs, evidence))
    assert found is not None and found.signals["SIG-001"].imported == ("src/app/store.py",)
    assert analyse(with_evidence(inputs, evidence)).gaps == ()
    # ... unless the write is to the signal's own table: "Thing" is kept in `things`.
    thing = registry_of("| SIG-001 | Thing | `job.py` | L7 | api.py | L2 | In-memory |")
    [gap] = analyse(with_evidence(thing, evidence)).gaps
    assert gap.detail[-1] == "Code: src/app/store.py:4 INSERT things → PostgreSQL (writes the Thing table)"


def test_a_claimed_store_with_no_write_is_a_warning() -> None:
    inputs = registry_of("| SIG-001 | Thing | `writer.py` | L5 | api.py | L2 | Redis (things) |")
    analysis = analyse(with_evidence(inputs, code(("src/writer.py", WRITES_PG))))
    [finding] = findings(analysis, "evidence.persistence-unwritten")
    assert finding.severity is Severity.WARNING and finding.location == Location("reg.md", 5)
    assert "writes no Redis" in finding.message


def test_a_claimed_store_written_through_an_imported_module_is_written() -> None:
    script = "from app.store import save\n\nsave(None)\n"
    inputs = registry_of("| SIG-001 | Thing | `job.py` | L7 | api.py | L2 | PostgreSQL |")
    analysis = analyse(with_evidence(inputs, code(("src/ops/job.py", script), ("src/app/store.py", WRITES_PG))))
    assert not findings(analysis, "evidence.persistence-unwritten")
    assert not findings(analysis, "evidence.unregistered-writer")  # store.py is the producer's code


def test_an_unregistered_database_writer_is_a_warning_without_the_gate() -> None:
    inputs = registry_of("| SIG-001 | Thing | `writer.py` | L5 | api.py | L2 | PostgreSQL |")
    evidence = code(("src/writer.py", WRITES_PG), ("src/rogue.py", WRITES_PG), ("src/files.py", WRITES_FILE))
    analysis = analyse(with_evidence(inputs, evidence))
    [finding] = findings(analysis, "evidence.unregistered-writer")
    assert finding.subject == "src/rogue.py" and finding.location == Location("src/rogue.py", 4)
    assert "no signal's producer" in finding.message


def test_redis_state_is_a_database_write_only_where_the_registry_keeps_signals_in_redis() -> None:
    evidence = code(("src/writer.py", WRITES_PG), ("src/rogue.py", WRITES_REDIS))
    sql_only = registry_of("| SIG-001 | Thing | `writer.py` | L5 | api.py | L2 | PostgreSQL |")
    assert not findings(analyse(with_evidence(sql_only, evidence)), "evidence.unregistered-writer")
    found = assess(with_evidence(sql_only, evidence))
    assert found is not None
    rogue = next(w for w in found.writers if w.path == "src/rogue.py")
    assert (rogue.status, rogue.database) == ("unregistered", False)  # shown, not flagged
    with_redis = registry_of(
        "| SIG-001 | Thing | `writer.py` | L5 | api.py | L2 | PostgreSQL |",
        "| SIG-002 | Beat | `pool.py` | L5 | sup.py | L6 | Redis (hb) |",
    )
    [finding] = findings(analyse(with_evidence(with_redis, evidence)), "evidence.unregistered-writer")
    assert finding.location == Location("src/rogue.py", 6)


def test_the_writer_gate_is_evaluated_from_code_and_reports_instead() -> None:
    inputs = replace(
        registry_of("| SIG-001 | Thing | `writer.py` | L5 | api.py | L2 | PostgreSQL |"),
        rules=Rules(gates=(WRITER_GATE,)),
    )
    analysis = analyse(with_evidence(inputs, code(("src/writer.py", WRITES_PG), ("src/rogue.py", WRITES_PG))))
    [gate] = analysis.gates
    assert gate.machine_checkable and gate.reason.startswith(EVALUATED_FROM + "code evidence")
    assert gate.matched == (("src/rogue.py", Location("src/rogue.py", 4)),)
    [finding] = findings(analysis, "gate.UNREGISTERED_DB_WRITER")
    assert finding.severity is Severity.BLOCKING
    assert not findings(analysis, "evidence.unregistered-writer")  # one report, not two
    clean = analyse(with_evidence(inputs, code(("src/writer.py", WRITES_PG))))
    assert clean.gates[0].machine_checkable and clean.gates[0].matched == ()
    assert clean.exit_code == 0


def test_without_code_the_writer_gate_stays_not_machine_checkable() -> None:
    inputs = replace(
        registry_of("| SIG-001 | T | `w.py` | L5 | a.py | L2 | PostgreSQL |"), rules=Rules(gates=(WRITER_GATE,))
    )
    for evidence in (None, EvidenceSet(ops=ops())):
        [gate] = analyse(replace(inputs, evidence=evidence)).gates
        assert not gate.machine_checkable


def test_an_inventory_source_file_is_no_unregistered_writer() -> None:
    inputs = replace(
        registry_of("| SIG-001 | Thing | `writer.py` | L5 | api.py | L2 | PostgreSQL |"),
        inventory=inventory_of(producer("snap-job", sources=["jobs/snap.py"])),
    )
    analysis = analyse(with_evidence(inputs, code(("src/writer.py", WRITES_PG), ("src/jobs/snap.py", WRITES_PG))))
    assert not findings(analysis, "evidence.unregistered-writer")
    found = assess(with_evidence(inputs, code(("src/writer.py", WRITES_PG), ("src/jobs/snap.py", WRITES_PG))))
    assert found is not None
    assert [(w.path, w.status) for w in found.writers] == [
        ("src/jobs/snap.py", "inventory"),
        ("src/writer.py", "registered"),
    ]


def test_a_producer_no_file_matches_is_reported() -> None:
    inputs = registry_of(
        "| SIG-001 | Thing | `ghost.py` | L5 | api.py | L2 | PostgreSQL |",
        "| SIG-002 | Other | `writer.py` | L5 | api.py | L2 | PostgreSQL |",
    )
    analysis = analyse(with_evidence(inputs, code(("src/writer.py", WRITES_PG))))
    [finding] = findings(analysis, "evidence.producer-not-found")
    assert finding.subject == "ghost.py" and finding.location == Location("reg.md", 5)
    assert finding.message == "SIG-001 names producer ghost.py, which matches no file under src"


def test_an_inventory_source_file_no_file_matches_is_reported() -> None:
    inputs = replace(registry_of(), inventory=inventory_of(producer("snap-job", sources=["jobs/snap.py", "run.sh"])))
    analysis = analyse(with_evidence(inputs, code(("src/jobs/snap.py", NO_WRITES))))
    [finding] = findings(analysis, "evidence.producer-not-found")
    assert finding.subject == "snap-job" and "run.sh" in finding.message
    clean = analyse(with_evidence(inputs, code(("src/jobs/snap.py", NO_WRITES), scripts=["src/run.sh"])))
    assert not findings(clean, "evidence.producer-not-found")


def test_two_files_of_one_name_are_ambiguous() -> None:
    inputs = registry_of("| SIG-001 | Thing | `job.py` | L7 | api.py | L6 | PostgreSQL |")
    analysis = analyse(with_evidence(inputs, code(("src/a/job.py", WRITES_PG), ("src/b/job.py", WRITES_PG))))
    [finding] = findings(analysis, "evidence.producer-ambiguous")
    assert "matches 2 files (src/a/job.py, src/b/job.py)" in finding.message
    assert not findings(analysis, "evidence.layer-mismatch")  # which file's header? neither is checked


def test_a_path_in_the_registry_settles_two_files_of_one_name() -> None:
    inputs = registry_of("| SIG-001 | Thing | `b/job.py` | L7 | api.py | L6 | PostgreSQL |")
    found = assess(with_evidence(inputs, code(("src/a/job.py", WRITES_PG), ("src/b/job.py", WRITES_PG))))
    assert found is not None
    [match] = found.references
    assert (match.candidates, match.files, match.ambiguous) == (("src/b/job.py",), ("src/b/job.py",), False)


def test_the_header_layer_settles_two_files_of_one_name() -> None:
    inputs = registry_of("| SIG-001 | Thing | `job.py` | L7 | api.py | L6 | PostgreSQL |")
    evidence = code(
        ("src/backend/job.py", "# Layer: L5 — Workers\n" + WRITES_PG), ("src/ops/job.py", "# Layer: L7 — Ops\n")
    )
    found = assess(with_evidence(inputs, evidence))
    assert found is not None
    [match] = found.references
    assert (match.files, match.settled_by) == (("src/ops/job.py",), "header")
    analysis = analyse(with_evidence(inputs, evidence))
    assert not findings(analysis, "evidence.producer-ambiguous")
    assert not findings(analysis, "evidence.layer-mismatch")


def test_the_inventory_settles_two_files_of_one_name() -> None:
    inputs = replace(
        registry_of("| SIG-001 | Thing | `job.py` | L7 | api.py | L6 | PostgreSQL |"),
        inventory=inventory_of(producer("the-job", sources=["b/job.py"], signals=["SIG-001"])),
    )
    found = assess(with_evidence(inputs, code(("src/a/job.py", WRITES_PG), ("src/b/job.py", WRITES_PG))))
    assert found is not None
    assert (found.references[0].files, found.references[0].settled_by) == (("src/b/job.py",), "inventory")


def test_a_layer_header_contradicting_the_registry_is_a_warning() -> None:
    inputs = registry_of("| SIG-001 | Thing | `job.py` | L7 | api.py | L6 | PostgreSQL |")
    analysis = analyse(with_evidence(inputs, code(("src/job.py", "# Layer: L5 — Execution & Workers\n" + WRITES_PG))))
    [finding] = findings(analysis, "evidence.layer-mismatch")
    assert finding.location == Location("src/job.py", 1) and finding.severity is Severity.WARNING
    assert "declares layer L5 (Execution & Workers) but the registry says it produces at L7" in finding.message
    clean = analyse(with_evidence(inputs, code(("src/job.py", "# Layer: L7 — Ops\n" + WRITES_PG))))
    assert not findings(clean, "evidence.layer-mismatch")


def test_a_file_that_does_not_parse_is_no_crash() -> None:
    inputs = registry_of("| SIG-001 | Thing | `broken.py` | L5 | api.py | L2 | PostgreSQL |")
    broken = scan_python("src/broken.py", "def broken(:\n")
    assert broken.problems[0].location == Location("src/broken.py", 1)
    analysis = analyse(with_evidence(inputs, code(("src/broken.py", "def broken(:\n"))))
    assert analysis.exit_code == 1  # the claim cannot be confirmed: a warning, nothing worse


def test_the_finding_points_at_the_first_sql_write_not_an_earlier_redis_line() -> None:
    rogue = (
        "import redis\nfrom sqlalchemy import text\n\nr = redis.Redis()\n\n\ndef run(session, key):\n"
        "    r.setex(key, 60, 'x')\n    r.set('flags', '1')\n    session.execute(text('DELETE FROM t'))\n"
    )
    inputs = replace(
        registry_of("| SIG-001 | Beat | `pool.py` | L5 | sup.py | L6 | Redis (hb) |"), rules=Rules(gates=(WRITER_GATE,))
    )
    [gate] = analyse(with_evidence(inputs, code(("src/rogue.py", rogue)))).gates
    assert gate.matched == (("src/rogue.py", Location("src/rogue.py", 10)),)  # not the SETEX of line 8, nor line 9


def test_caches_messages_files_and_metrics_are_shown_but_not_flagged() -> None:
    cache_only = (
        "import redis\n\nr = redis.Redis()\n\n\ndef warm(k):\n    r.setex(k, 60, 'v')\n    r.publish('hb', 1)\n"
    )
    commit_only = (
        "async def get_db(maker):\n    async with maker() as session:\n        yield session\n"
        "        await session.commit()\n"
    )
    inputs = registry_of("| SIG-001 | Thing | `writer.py` | L5 | api.py | L2 | PostgreSQL |")
    evidence = code(("src/writer.py", WRITES_PG), ("src/cache.py", cache_only), ("src/db/session.py", commit_only))
    analysis = analyse(with_evidence(inputs, evidence))
    assert not findings(analysis, "evidence.unregistered-writer")
    report = render_report(analysis)
    shown = "unregistered; not flagged: writes only Redis cache (TTL), pub/sub"
    assert f"| `src/cache.py` | 2 | Redis cache (TTL), Redis pub/sub | {shown} |" in report
    assert "| `src/db/session.py` | 1 | PostgreSQL | unregistered; not flagged: writes only commits |" in report
    assert "**2** are unregistered: **0** write to a database" in report


def test_tests_and_migrations_are_not_unregistered_writers() -> None:
    inputs = registry_of("| SIG-001 | Thing | `writer.py` | L5 | api.py | L2 | PostgreSQL |")
    evidence = code(
        ("src/writer.py", WRITES_PG),
        ("src/tests/test_things.py", WRITES_PG),
        ("src/conftest.py", WRITES_PG),
        ("src/alembic/versions/0001_things.py", WRITES_PG),
    )
    analysis = analyse(with_evidence(inputs, evidence))
    assert not findings(analysis, "evidence.unregistered-writer")
    found = assess(with_evidence(inputs, evidence))
    assert found is not None
    assert {w.path: w.status for w in found.writers} == {
        "src/alembic/versions/0001_things.py": "migration",
        "src/conftest.py": "test",
        "src/tests/test_things.py": "test",
        "src/writer.py": "registered",
    }


def test_a_prometheus_claim_written_through_an_imported_metric_is_written() -> None:
    metrics = ("src/app/metrics.py", "from prometheus_client import Counter\n\nruns_total = Counter('runs', 'runs')\n")
    job = ("src/app/jobs/refresh.py", "from app.metrics import runs_total\n\n\ndef run():\n    runs_total.inc()\n")
    inputs = registry_of("| SIG-001 | Runs | `refresh.py` | L7 | grafana | L8 | Prometheus |")
    analysis = analyse(with_evidence(inputs, code(metrics, job)))
    assert not findings(analysis, "evidence.persistence-unwritten")


@pytest.mark.parametrize(
    ("files", "suggestion"),
    [
        # renamed, class kept: the file that defines UserWriteService
        (
            (
                ("src/backend/app/drivers/user_write_driver.py", "class UserWriteService:\n    pass\n"),
                ("src/backend/app/services/user_service.py", NO_WRITES),
            ),
            "; perhaps src/backend/app/drivers/user_write_driver.py, which defines UserWriteService",
        ),
        # ... or the function named like the file's stem
        (
            (("src/jobs/writer_jobs.py", "def user_write_service():\n    pass\n"),),
            "; perhaps src/jobs/writer_jobs.py, which defines user_write_service",
        ),
        # nothing defines it: the closest file name
        (
            (("src/backend/app/drivers/user_write_driver.py", NO_WRITES),),
            "; perhaps src/backend/app/drivers/user_write_driver.py",
        ),
        # nothing close: no suggestion
        ((("src/backend/app/billing.py", NO_WRITES),), ""),
    ],
)
def test_a_producer_no_file_matches_gets_a_suggestion(files: tuple[tuple[str, str], ...], suggestion: str) -> None:
    inputs = registry_of("| SIG-001 | Thing | `user_write_service.py` | L5 | api.py | L2 | PostgreSQL |")
    [finding] = findings(analyse(with_evidence(inputs, code(*files))), "evidence.producer-not-found")
    assert (
        finding.message == "SIG-001 names producer user_write_service.py, which matches no file under src" + suggestion
    )


def test_an_inventory_source_file_no_file_matches_gets_a_suggestion_too() -> None:
    inputs = replace(registry_of(), inventory=inventory_of(producer("snap-job", sources=["jobs/snapshot_service.py"])))
    evidence = code(("src/jobs/snapshot_driver.py", "class SnapshotService:\n    pass\n"))
    [finding] = findings(analyse(with_evidence(inputs, evidence)), "evidence.producer-not-found")
    assert finding.message.endswith("; perhaps src/jobs/snapshot_driver.py, which defines SnapshotService")
    report = render_report(analyse(with_evidence(inputs, evidence)))
    assert (
        "- snap-job: `jobs/snapshot_service.py`; perhaps `src/jobs/snapshot_driver.py`, which defines `SnapshotService`"
        in report
    )


def test_a_file_that_does_not_parse_is_listed_once_in_the_report() -> None:
    inputs = registry_of("| SIG-001 | Thing | `writer.py` | L5 | api.py | L2 | PostgreSQL |")
    analysis = analyse(with_evidence(inputs, code(("src/writer.py", WRITES_PG), ("src/broken.py", "def broken(:\n"))))
    report = render_report(analysis)
    assert "**1** Python file(s) could not be read, so their writes are unknown:" in report
    assert report.count("`src/broken.py:1`") == 1
    assert "| `src/broken.py:1` | cannot parse Python: invalid syntax |" in report


# -------------------------------------------------------------------- ops


def test_a_job_nobody_knows_is_a_new_l7_job() -> None:
    inputs = registry_of("| SIG-001 | Thing | `writer.py` | L5 | api.py | L2 | PostgreSQL |")
    evidence = ops(("ops/mystery.service", SERVICE.format(script="mystery.py")), ("ops/mystery.timer", TIMER))
    analysis = analyse(with_evidence(inputs, ops_part=evidence))
    [finding] = findings(analysis, "evidence.new-l7-job")
    assert finding.subject == "mystery.service" and finding.location == Location("ops/mystery.service", 4)
    assert "(every 5 minutes): new L7 job without signal registration" in finding.message


def test_the_job_gate_is_evaluated_from_ops_and_reports_instead() -> None:
    inputs = replace(registry_of(), rules=Rules(gates=(JOB_GATE,)))
    evidence = ops(("ops/mystery.service", SERVICE.format(script="mystery.py")))
    analysis = analyse(with_evidence(inputs, ops_part=evidence))
    [gate] = analysis.gates
    assert gate.machine_checkable and gate.matched == (("mystery.service", Location("ops/mystery.service", 4)),)
    assert [f.severity for f in findings(analysis, "gate.NEW_L7_JOB")] == [Severity.WARNING]
    assert not findings(analysis, "evidence.new-l7-job")


@pytest.mark.parametrize(
    ("inventory", "row"),
    [
        (inventory_of(producer("snap", units=["snap.timer"])), ""),  # the inventory lists its timer
        (inventory_of(producer("snap", sources=["scripts/ops/snap.py"])), ""),  # ... or the script it runs
        (None, "| SIG-001 | Thing | `snap.py` | L7 | api.py | L6 | PostgreSQL |"),  # the registry names the script
    ],
)
def test_a_known_job_is_no_new_job(inventory: Inventory | None, row: str) -> None:
    inputs = replace(registry_of(*([row] if row else [])), inventory=inventory)
    evidence = ops(("ops/snap.service", SERVICE.format(script="snap.py")), ("ops/snap.timer", TIMER))
    analysis = analyse(with_evidence(inputs, ops_part=evidence))
    assert not findings(analysis, "evidence.new-l7-job")


def test_a_cron_job_is_discovered_and_known_by_its_script() -> None:
    crontab = ("ops/jobs.crontab", "*/15 * * * * /opt/venv/bin/python /opt/app/scripts/ops/snap.py\n")
    unknown = analyse(with_evidence(registry_of(), ops_part=ops(cron=crontab)))
    [finding] = findings(unknown, "evidence.new-l7-job")
    assert finding.subject == "jobs.crontab:1" and "(every 15 minutes)" in finding.message
    inputs = replace(registry_of(), inventory=inventory_of(producer("snap", sources=["scripts/ops/snap.py"])))
    found = assess(with_evidence(inputs, ops_part=ops(cron=crontab)))
    assert found is not None and found.schedules["snap"][0].unit == "jobs.crontab:1"


def test_an_inventory_unit_not_found_is_a_warning_and_a_found_one_gives_the_schedule() -> None:
    inputs = replace(registry_of(), inventory=inventory_of(producer("snap", units=["snap.timer", "gone.timer"])))
    evidence = ops(("ops/snap.service", SERVICE.format(script="snap.py")), ("ops/snap.timer", TIMER))
    analysis = analyse(with_evidence(inputs, ops_part=evidence))
    [finding] = findings(analysis, "evidence.unit-not-found")
    assert finding.subject == "snap" and "gone.timer" in finding.message
    report = render_report(analysis)
    assert "| Schedule (units) |" in report
    assert "| every 5 minutes; ⚠️ unit not found |" in report


def test_a_unit_whose_script_or_module_is_missing_from_the_code_roots_is_reported() -> None:
    units = (
        ("ops/gone.service", SERVICE.format(script="gone_job.py")),
        ("ops/here.service", SERVICE.format(script="here_job.py")),
        ("ops/mod.service", "[Service]\nExecStart=/usr/bin/python -m app.jobs.vanished\n"),
        ("ops/pkg.service", "[Service]\nExecStart=/usr/bin/python -m app.tools\n"),
        ("ops/tool.service", "[Service]\nExecStart=/usr/local/bin/backup-tool --now\n"),
    )
    evidence = code(
        ("src/scripts/ops/here_job.py", NO_WRITES),
        ("src/scripts/ops/gone_jobs.py", NO_WRITES),
        ("src/app/tools/__main__.py", NO_WRITES),
    )
    analysis = analyse(with_evidence(registry_of(), evidence, ops(*units)))
    missing = {f.subject: f for f in findings(analysis, "evidence.unit-script-missing")}
    assert sorted(missing) == ["gone.service", "mod.service"]  # a program is not the code base's to hold
    assert missing["gone.service"].severity is Severity.WARNING
    assert missing["gone.service"].location == Location("ops/gone.service", 4)
    assert missing["gone.service"].message == (
        "gone.service runs /opt/app/scripts/ops/gone_job.py, which matches no file under src; "
        "perhaps src/scripts/ops/gone_jobs.py"
    )
    assert missing["mod.service"].message.startswith("mod.service runs module app.jobs.vanished, which matches no file")
    assert "⚠️ not in the code roots" in render_report(analysis)
    # without --code there is nothing to hold the scripts against
    assert not findings(analyse(with_evidence(registry_of(), ops_part=ops(*units))), "evidence.unit-script-missing")


# ---------------------------------------------------------------- matching


def test_file_references_in_producer_cells() -> None:
    assert file_references("`runner.py`") == ("runner.py",)
    assert file_references("a.py, scripts/b.sh + c.py (helper)") == ("a.py", "scripts/b.sh", "c.py")
    assert file_references("DL processor") == ()
    assert file_references("retry_local_fallback()") == ()
    assert file_references(".py") == ()


def test_same_file_compares_directory_by_directory() -> None:
    assert same_file("/opt/app/scripts/ops/x.py", "scripts/ops/x.py")
    assert same_file("app/jobs/x.py", "backend/app/jobs/x.py")
    assert same_file("x.py", "deep/down/x.py")
    assert not same_file("canary_runner.py", "runner.py")
    assert not same_file("a/x.py", "b/x.py")


def test_deploy_paths_match_the_file_with_the_longest_common_tail() -> None:
    index = code_index(code(("src/scripts/ops/x.py", NO_WRITES), ("src/backend/jobs/x.py", NO_WRITES)))
    assert index.find("/opt/app/scripts/ops/x.py") == ("src/scripts/ops/x.py",)
    assert index.find("x.py") == ("src/backend/jobs/x.py", "src/scripts/ops/x.py")
    assert index.find("jobs/x.py") == ("src/backend/jobs/x.py",)
    assert index.find("other/x.py") == ()


def test_imports_resolve_to_files_of_the_code_base_one_hop() -> None:
    files = (
        ("src/pkg/job.py", "from .helper import h\nfrom .sub.deep import d\nfrom app.store import save\nimport json\n"),
        ("src/pkg/helper.py", "from app.store import save\n"),
        ("src/pkg/sub/deep.py", NO_WRITES),
        ("src/pkg/json.py", NO_WRITES),
        ("src/backend/app/store.py", WRITES_PG),
    )
    index = code_index(code(*files))
    # `import json` beside the file finds the sibling json.py: a script's own module, as Python would.
    assert set(index.imported("src/pkg/job.py")) == {
        "src/pkg/helper.py",
        "src/pkg/sub/deep.py",
        "src/backend/app/store.py",
        "src/pkg/json.py",
    }
    assert index.imported("src/pkg/helper.py") == ("src/backend/app/store.py",)


def test_merge_gaps_keeps_the_first_words_and_adds_code_lines() -> None:
    first = GapCandidate("k", "persistence-contradiction", "P1", "SIG-1", "inventory words", ("a",), Location("x", 1))
    second = GapCandidate(
        "k", "persistence-contradiction", "P1", "SIG-1", "code words", ("a", "Code: y:2"), Location("y")
    )
    other = replace(second, key="j")
    merged = merge_gaps([first], [second, other])
    assert [(g.key, g.title, g.detail) for g in merged] == [
        ("k", "inventory words", ("a", "Code: y:2")),
        ("j", "code words", ("a", "Code: y:2")),
    ]


# ----------------------------------------------------------------- rendering


def test_pages_show_write_sites_and_schedules(example: Inputs) -> None:
    site = build_site(analyse(example), lambda text: text)
    producer_page = site.pages["producers/graduation-evaluator.md"]
    assert "## Code evidence" in producer_page
    assert "**Schedule (from the units):** every 15 minutes" in producer_page
    write_site = "| `registry/example/backend/app/jobs/graduation_evaluator.py:37` | `add` | PostgreSQL |"
    assert with_breakable_paths(write_site) in producer_page  # the path breaks at '/' on the site
    signal_page = site.pages["signals/sig-100.md"]
    assert f"**Persistence:** {icon('ok')} consistent" in signal_page  # an icon on the site, not an emoji
    assert with_breakable_paths("`registry/example/backend/app/jobs/graduation_evaluator.py:38`") in signal_page
    plain = build_site(analyse(replace(example, evidence=None)), lambda text: text)
    assert "Code evidence" not in plain.pages["producers/graduation-evaluator.md"]
    assert "Code evidence" not in plain.pages["signals/sig-100.md"]


def test_report_numbering_with_and_without_evidence(example: Inputs) -> None:
    with_code = render_report(analyse(example))
    headings = [line for line in with_code.splitlines() if line.startswith("## ")]
    assert headings[-4:] == ["## 5. Change Records", "## 6. Code Evidence", "## 7. Recommendations", "## 8. Summary"]
    assert "Of **15** files that write, **12** are registered as signal producers" in with_code
    without = render_report(analyse(replace(example, evidence=None)))
    assert [line for line in without.splitlines() if line.startswith("## ")][-2:] == [
        "## 6. Recommendations",
        "## 7. Summary",
    ]


def test_a_contradicted_claim_is_shown_as_such_on_the_signal_page(before_rc001: Inputs) -> None:
    analysis = analyse(replace(before_rc001, inventory=None))
    page = build_site(analysis, lambda text: text).pages["signals/sig-100.md"]
    assert f"**Persistence:** {icon('fail')} contradicted ([GAP-001](../gaps/gap-001.md))" in page
    assert "writes the GraduationStatus table" in page


# -------------------------------------------------------------------- purity


def test_checks_and_rendering_touch_no_file(example: Inputs, monkeypatch: pytest.MonkeyPatch) -> None:
    """Everything after loading works on values: no open(), no stat, no directory listing."""
    before = states(example.registry, example.changes)[0]

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"I/O in the pure core: {args!r}")

    for target, name in ((builtins, "open"), (os, "stat"), (os, "listdir"), (os, "scandir"), (os, "walk")):
        monkeypatch.setattr(target, name, refuse)
    monkeypatch.setattr(Path, "read_bytes", refuse)
    monkeypatch.setattr(Path, "read_text", refuse)
    for inputs in (example, replace(example, registry=before, changes=())):
        analysis = analyse(inputs)
        render_report(analysis)
        build_site(analysis, lambda text: text)


def test_large_registries_list_only_the_claims_that_need_attention() -> None:
    rows = [f"| SIG-{n:03d} | Thing{n} | `w.py` | L5 | api.py | L2 | PostgreSQL |" for n in range(1, 102)]
    rows.append("| SIG-200 | Odd | `w.py` | L5 | api.py | L2 | Redis |")
    report = render_report(analyse(with_evidence(registry_of(*rows), code(("src/w.py", WRITES_PG)))))
    assert "101 consistent claims are not listed." in report
    assert "| SIG-200 | Redis | `src/w.py` | PostgreSQL | ⚠️ no Redis write |" in report
    assert "| SIG-001 |" not in report
