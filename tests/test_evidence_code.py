"""Reading Python the way a reviewer does: which calls write, to which store.

Golden files under tests/golden/evidence/ hold the full evidence for each
fixture in tests/fixtures/evidence/; the tests below them pin the cases
that matter most by name, so a golden regenerated carelessly still fails.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layerflow.evidence.code import scan_python
from layerflow.evidence.header import parse_header
from layerflow.evidence.link import link_files
from layerflow.evidence.sql import database_functions, sql_writes
from layerflow.model import Level
from layerflow.model.facts import FileEvidence, WriteSite

FIXTURES = Path(__file__).parent / "fixtures" / "evidence"
EXAMPLE = Path(__file__).parent.parent / "registry" / "example"
FIXTURE_NAMES = sorted(p.stem for p in FIXTURES.glob("*.py"))

Golden = Callable[[str, object], None]


def scan_fixture(name: str) -> FileEvidence:
    path = FIXTURES / f"{name}.py"
    result = scan_python(f"fixtures/evidence/{path.name}", path.read_text(encoding="utf-8"))
    assert result.problems == ()
    return result.value


def site_line(site: WriteSite) -> str:
    """One write site as a reviewable line: every field, in a fixed order."""
    mark = " · async" if site.is_async else ""
    why = f" · {site.reason}" if site.reason else ""
    return f"{site.location.line}: {site.kind} → {site.target} · {site.operation} · {site.detail}{mark}{why}"


def as_data(evidence: FileEvidence) -> dict[str, object]:
    header = evidence.header
    return {
        "path": evidence.path,
        "header": None
        if header is None
        else {"layer": header.layer, "title": header.title, "trigger": header.trigger, "role": header.role},
        "imports": list(evidence.imports),
        "models": [f"{m.class_name} → {m.table} (line {m.location.line})" for m in evidence.models],
        "writes": [site_line(s) for s in evidence.writes],
    }


def writes_of(evidence: FileEvidence, kind: str | None = None) -> list[tuple[str, str, str, bool]]:
    return [(s.target, s.operation, s.detail, s.is_async) for s in evidence.writes if kind in (None, s.kind)]


# ------------------------------------------------------------------ goldens


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_evidence_matches_golden(name: str, golden: Golden) -> None:
    golden(f"evidence/{name}.json", as_data(scan_fixture(name)))


def test_example_code_base_matches_golden(golden: Golden) -> None:
    files = []
    for path in sorted(EXAMPLE.rglob("*.py")):
        result = scan_python(path.relative_to(EXAMPLE).as_posix(), path.read_text(encoding="utf-8"))
        assert result.problems == ()
        files.append(result.value)
    golden("evidence/example_code.json", [as_data(f) for f in link_files(files)])


# ------------------------------------------------------------- the fixtures


def test_sync_orm_writes_name_tables_of_models_defined_in_the_file() -> None:
    writes = writes_of(scan_fixture("sql_sync"))
    assert ("PostgreSQL", "add", "cost_snapshots", False) in writes  # Snapshot.__tablename__
    assert ("PostgreSQL", "merge", "tenant", False) in writes  # SQLModel table=True
    assert ("PostgreSQL", "add", "Run", False) in writes  # a parameter annotated `run: Run`
    assert ("PostgreSQL", "commit", "commit", False) in writes
    add_all = [w for w in writes if w[1] == "add_all"]
    assert [w[2] for w in add_all] == ["AuditEvent", "cost_snapshots"]  # one site per class, deduplicated


def test_core_constructs_and_raw_sql_give_their_tables() -> None:
    writes = [(op, detail) for _, op, detail, _ in writes_of(scan_fixture("sql_sync"))]
    for expected in [
        ("INSERT", "cost_snapshots"),  # insert(Snapshot), pg_insert(...).on_conflict_do_nothing(), __table__.insert()
        ("UPDATE", "Run"),
        ("DELETE", "AuditEvent"),
        ("UPDATE", "tenant"),  # through `stmt = update(Tenant)`
        ("INSERT", "m10_recovery.replay_log"),
        ("DELETE", "run_events"),  # text(PURGE), PURGE a module constant
        ("UPDATE", "runs"),  # cursor.execute("UPDATE ...")
        ("REFRESH", "m10_recovery.mv_rollup"),
        ("TRUNCATE", "staging_rows"),
    ]:
        assert expected in writes
    assert writes.count(("INSERT", "cost_snapshots")) == 3


def test_awaited_calls_are_async_and_plain_add_is_not() -> None:
    writes = writes_of(scan_fixture("sql_async"))
    assert ("PostgreSQL", "add", "GraduationHistory", False) in writes  # AsyncSession.add is not awaited
    assert ("PostgreSQL", "commit", "commit", True) in writes
    assert ("PostgreSQL", "INSERT", "cost_snapshots", True) in writes  # module-level text() run by execute()
    assert ("PostgreSQL", "INSERT", "m10_recovery.outbox", True) in writes  # fetchrow("INSERT ... RETURNING")
    assert ("PostgreSQL", "COPY", "failure_matches", True) in writes
    assert not any(detail == "m10_recovery.outbox" and op == "SELECT" for _, op, detail, _ in writes)


def test_a_text_statement_executed_elsewhere_is_one_write_not_two() -> None:
    evidence = scan_fixture("sql_async")
    inserts = [s for s in evidence.writes if s.detail == "cost_snapshots" and s.operation == "INSERT"]
    assert len(inserts) == 1
    assert inserts[0].location.line == 23  # where it runs, not where the text() is built


def test_redis_writes_by_name_binding_pipeline_and_asyncio() -> None:
    writes = [w for w in writes_of(scan_fixture("redis_writes")) if w[0] == "Redis"]
    operations = {op for _, op, _, _ in writes}
    brief = {"set", "setex", "hset", "xadd", "lpush", "rpush", "sadd", "zadd", "incr", "expire", "delete", "publish"}
    assert brief | {"eval", "evalsha", "register_script", "xack"} <= operations
    assert ("Redis", "set", "m10:lock:{name}", False) in writes  # f-string keys keep their placeholders
    assert ("Redis", "delete", "m10:lock:reclaim_gc", False) in writes  # key through a module constant
    assert ("Redis", "hset", "h", False) in writes  # pipe = r.pipeline()
    assert ("Redis", "set", "async:key", True) in writes
    assert ("Redis", "set", "page:/home", False) in writes  # a receiver called cache
    assert not any(op in {"get", "hgetall", "xreadgroup", "execute"} for _, op, _, _ in writes)


def test_object_store_target_is_r2_when_the_client_says_so() -> None:
    writes = writes_of(scan_fixture("object_store"))
    assert ("R2", "put_object", "failure_catalog/candidate_failure_patterns.json", False) in writes
    assert ("R2", "upload_file", "daily/{day}.csv", False) in writes  # get_r2_client()
    assert ("R2", "upload_fileobj", "latest.csv", False) in writes
    assert ("S3", "put_object", "archive/2025.tar.gz", False) in writes
    assert ("R2", "upload_file", "upload_file", False) in writes  # self.client bound to an r2 endpoint
    assert ("R2", "put_object", "async.json", True) in writes
    assert not any(op in {"get_object", "list_objects_v2"} for _, op, _, _ in writes)


def test_file_writes_follow_paths_and_skip_reads_and_console() -> None:
    writes = writes_of(scan_fixture("file_writes"))
    details = {(op, detail) for _, op, detail, _ in writes}
    assert ("open", "/var/log/m10/stats.csv") in details
    assert ("csv.writer", "/var/log/m10/stats.csv") in details  # the handle's path
    assert ("json.dump", "/var/lib/canary/reports/latest_report.json.partial") in details  # env default followed
    assert ("replace", "/var/lib/canary/reports/latest_report.json") in details
    assert ("write_text", "/opt/agenticverz/state/{day}.uploaded") in details
    assert ("replace", "/opt/agenticverz/state/{day}.uploaded") in details  # tmp.replace(marker)
    assert ("move", "/srv/archive/c") in details
    assert ("File", "open", "/tmp/async.txt", True) in writes  # async with aiofiles.open(...)
    assert not any("/etc/hosts" in detail for _, _, detail, _ in writes)
    assert not any(
        line in {60, 61, 62, 63, 64} for line in (s.location.line for s in scan_fixture("file_writes").writes)
    )


def test_metrics_only_on_objects_built_from_prometheus_constructors() -> None:
    evidence = scan_fixture("metrics")
    names = [(s.operation, s.detail) for s in evidence.writes]
    assert ("inc", "m10_runs_total") in names  # Counter imported under another name, .labels(...).inc()
    assert ("set", "m10_locks_held") in names  # self.locks
    assert ("observe", "m10_batch_size") in names  # name= keyword
    assert ("set_to_current_time", "m10_replay_lag_seconds") in names  # prom.Gauge
    assert ("set", "BY_STREAM['outbox']") in names
    assert ("set", "m10_workers_active") in names  # Gauge from a project's own wrapper module
    assert all(s.target == "Prometheus" and s.kind == "metric" for s in evidence.writes)
    assert len(evidence.writes) == 10  # nothing from collections.Counter or other objects in not_metrics()


def test_comments_docstrings_strings_selects_and_lookalikes_never_count() -> None:
    assert scan_fixture("not_writes").writes == ()


def test_dead_branches_are_skipped_and_their_else_branches_read() -> None:
    keys = [detail for _, _, detail, _ in writes_of(scan_fixture("dead_branches"))]
    assert keys == ["live:type_checking_else", "live:not_type_checking", "live:if_false_else", "live:if_true"]


def test_gap_001_evidence_graduation_evaluator_persists_to_postgresql() -> None:
    files = []
    for path in sorted(EXAMPLE.rglob("*.py")):
        files.append(scan_python(path.relative_to(EXAMPLE).as_posix(), path.read_text(encoding="utf-8")).value)
    by_path = {f.path: f for f in link_files(files)}
    evaluator = by_path["backend/app/jobs/graduation_evaluator.py"]
    assert evaluator.header is not None and evaluator.header.layer == "L5"
    assert "every 15 minutes" in evaluator.header.trigger
    assert evaluator.targets == {"PostgreSQL"}  # not "In-memory"
    tables = {s.detail for s in evaluator.writes}
    assert {"graduation_history", "m25_graduation_status", "capability_lockouts"} <= tables
    assert [s.operation for s in evaluator.writes if s.is_async][-1] == "commit"
    assert evaluator.writes[0].location.line == 37  # the call, not the comment above it or the docstring


def test_the_anomaly_detector_reads_snapshots_and_writes_only_anomalies() -> None:
    path = EXAMPLE / "backend/app/services/cost_anomaly_detector.py"
    evidence = scan_python("detector.py", path.read_text(encoding="utf-8")).value
    assert {s.detail for s in evidence.writes} == {"cost_anomalies", "commit"}


# ------------------------------------------------------------ store classes


def kinds_by_line(evidence: FileEvidence) -> dict[int, str]:
    return {s.location.line: s.kind for s in evidence.writes}


def test_redis_writes_are_classed_as_state_cache_or_pubsub() -> None:
    evidence = scan_fixture("store_classes")
    by_operation = {(s.operation, s.detail): s.kind for s in evidence.writes}
    assert by_operation[("set", "feature:flags")] == "redis_state"
    assert by_operation[("hset", "workers:last_seen")] == "redis_state"
    assert by_operation[("xadd", "events:orders")] == "redis_state"
    assert by_operation[("delete", "feature:flags")] == "redis_state"
    for cached in ("session:{user_id}", "token:partner", "user:{user_id}", "report:daily", "lock:nightly"):
        assert {s.kind for s in evidence.writes if s.detail == cached} == {"redis_cache"}, cached
    assert by_operation[("set", "stats:hour")] == "redis_cache"  # set(name, value, 60): ex by position
    assert by_operation[("set", "stats:total")] == "redis_state"  # ex=None
    # INCR then EXPIRE of the same key, HSET then EXPIRE in a pipeline: a key with a TTL
    assert {s.kind for s in evidence.writes if s.detail in {"ratelimit:{client_id}", "item:{item_id}"}} == {
        "redis_cache"
    }
    # the DEL that invalidates a key the file writes with a TTL elsewhere, spelt the same way
    assert kinds_by_line(evidence)[45] == "redis_cache"
    assert by_operation[("publish", "workers:heartbeat")] == "pubsub"
    assert all(s.target == "Redis" for s in evidence.writes)


def test_in_process_caches_named_cache_are_not_redis() -> None:
    evidence = scan_fixture("store_classes")
    assert not [s for s in evidence.writes if s.location.line >= 56]  # LocalCache of this file, TTLCache, a dict


def test_http_clients_post_put_and_delete_write_nothing() -> None:
    evidence = scan_fixture("http_clients")
    assert [(s.kind, s.operation, s.detail) for s in evidence.writes] == [("redis_cache", "setex", "token:partner")]


# ------------------------------------------------------------ SQL statements


def sql_by_line(evidence: FileEvidence) -> dict[int, WriteSite]:
    return {s.location.line: s for s in evidence.writes if s.kind == "sql"}


def test_committed_database_functions_are_writes_that_say_why() -> None:
    sites = sql_by_line(scan_fixture("sql_statements"))
    committed = sites[21]
    assert (committed.operation, committed.detail) == ("SELECT", "ops.cleanup_expired_sessions")
    assert committed.reason == "calls database function ops.cleanup_expired_sessions() and commits"
    assert sites[27].detail == "maintenance.rebuild_rollups"  # inside `with engine.begin():`
    assert (sites[31].operation, sites[31].detail) == ("CALL", "archive.move_closed_orders")
    assert sites[36].detail == "maintenance.recompute_scores"  # select(func.maintenance.recompute_scores())
    assert sites[44].detail == "ops.expire_tokens"  # psycopg2's `with conn:` commits


def test_database_functions_only_read_and_builtins_are_no_writes() -> None:
    sites = sql_by_line(scan_fixture("sql_statements"))
    assert 48 not in sites  # SELECT * FROM ops.table_health(): not committed
    assert sites[53].operation == "commit" and sites[53].is_commit  # count(*), now(): SQL's own functions
    assert 52 not in sites


def test_a_local_wrapper_of_text_and_statement_helpers_are_followed() -> None:
    sites = sql_by_line(scan_fixture("sql_statements"))
    assert (sites[57].operation, sites[57].detail, sites[57].reason) == ("UPDATE", "orders", "through q()")
    assert (sites[69].operation, sites[69].detail) == ("INSERT", "Order")  # execute(self._upsert(rows))
    assert (sites[75].operation, sites[75].reason) == ("UPDATE", "through _run()")  # self._run(update(...))


def test_a_commit_writes_what_the_function_changed_and_a_bare_commit_writes_nothing() -> None:
    sites = sql_by_line(scan_fixture("sql_statements"))
    assert sites[80].writes_sql and "order.name" in sites[80].reason
    assert sites[83].is_commit and not sites[83].writes_sql


def test_query_bulk_writes_and_dataframe_to_sql() -> None:
    sites = sql_by_line(scan_fixture("sql_statements"))
    assert [(sites[n].operation, sites[n].detail) for n in (87, 88, 94)] == [
        ("update", "Order"),
        ("delete", "Order"),
        ("to_sql", "order_imports"),
    ]


# -------------------------------------------------------- across files


def linked(*files: tuple[str, str]) -> dict[str, FileEvidence]:
    scanned = []
    for path, text in files:
        result = scan_python(path, text)
        assert result.problems == ()
        scanned.append(result.value)
    return {f.path: f for f in link_files(scanned)}


SQL_HELPERS = (
    "backend/app/db/sql.py",
    "from sqlalchemy import text\n\n\ndef sql_text(query):\n    return text(query)\n",
)
DB_PACKAGE = ("backend/app/db/__init__.py", "from .sql import sql_text\n")
METRICS = (
    "backend/app/metrics.py",
    "from prometheus_client import Counter, Gauge\n\nruns_total = Counter('app_runs_total', 'runs', ['job'])\n"
    "DEPTH = Gauge('app_queue_depth', 'depth')\n",
)


@pytest.mark.parametrize("imported", ["from app.db.sql import sql_text", "from app.db import sql_text"])
def test_a_wrapper_of_text_imported_from_another_module_is_followed(imported: str) -> None:
    job = (
        "scripts/ops/purge.py",
        f"{imported}\n\n\ndef run(session):\n"
        '    session.execute(sql_text("DELETE FROM audit_log WHERE created_at < now()"))\n'
        '    session.execute(sql_text("SELECT ops.vacuum_stats()"))\n',
    )
    files = linked(SQL_HELPERS, DB_PACKAGE, job)
    [site] = files["scripts/ops/purge.py"].writes  # the SELECT is not committed: a read
    assert (site.kind, site.operation, site.detail, site.location.line) == ("sql", "DELETE", "audit_log", 5)
    assert site.reason == "through sql_text() of backend/app/db/sql.py"
    assert all(f.pending == () for f in files.values())


def test_a_committed_database_function_through_an_imported_wrapper() -> None:
    job = (
        "scripts/ops/rollup.py",
        "from app.db.sql import sql_text\n\n\ndef run(session):\n"
        '    session.execute(sql_text("SELECT maintenance.rollup()"))\n    session.commit()\n',
    )
    site = linked(SQL_HELPERS, job)["scripts/ops/rollup.py"].writes[0]
    assert (site.operation, site.detail) == ("SELECT", "maintenance.rollup")
    assert site.reason.startswith("calls database function maintenance.rollup() and commits; through sql_text()")


@pytest.mark.parametrize(
    ("imports", "update"),
    [
        ("from app.metrics import runs_total", "runs_total.labels(job='x').inc()"),
        ("import app.metrics as metrics", "metrics.runs_total.labels(job='x').inc()"),
        ("from app import metrics", "metrics.DEPTH.set(3)"),
        ("from .. import metrics", "metrics.DEPTH.set(3)"),
    ],
)
def test_metrics_defined_in_another_module_are_resolved(imports: str, update: str) -> None:
    job = ("backend/app/jobs/refresh.py", f"{imports}\n\n\ndef run():\n    {update}\n")
    [site] = linked(METRICS, job)["backend/app/jobs/refresh.py"].writes
    assert (site.kind, site.target, site.location.line) == ("metric", "Prometheus", 5)
    assert site.detail in {"app_runs_total", "app_queue_depth"}
    assert site.reason == "a metric defined in backend/app/metrics.py"


def test_an_imported_object_that_is_no_metric_is_no_write() -> None:
    job = ("backend/app/jobs/refresh.py", "from app.core import settings\n\nsettings.set('x', 1)\n")
    assert linked(METRICS, ("backend/app/core/__init__.py", "settings = object()\n"), job)[job[0]].writes == ()


def test_sql_constants_imported_from_another_module_write_where_they_run() -> None:
    queries = (
        "backend/app/db/queries.py",
        'from sqlalchemy import text\n\nPURGE = """\n    DELETE FROM sessions WHERE expired\n"""\n'
        'STALE = text("UPDATE sessions SET stale = true")\nCOUNT = "SELECT count(*) FROM sessions"\n',
    )
    job = (
        "scripts/ops/sessions.py",
        "from sqlalchemy import text\n\nfrom app.db.queries import COUNT, PURGE, STALE\n\n\ndef run(session):\n"
        "    session.execute(text(COUNT))\n    session.execute(text(PURGE))\n    session.execute(STALE)\n",
    )
    files = linked(queries, job)
    assert files["backend/app/db/queries.py"].writes == ()  # statements defined, not run
    sites = files["scripts/ops/sessions.py"].writes
    assert [(s.operation, s.detail, s.location.line) for s in sites] == [
        ("DELETE", "sessions", 8),
        ("UPDATE", "sessions", 9),
    ]
    assert sites[0].reason == "runs PURGE of backend/app/db/queries.py"


def test_a_name_from_a_module_outside_the_code_base_is_not_taken_for_ours() -> None:
    # sql_text and runs_total are defined here, but these come from a vendor package
    job = (
        "jobs/x.py",
        "from vendor.sql import sql_text\nfrom vendor.metrics import runs_total\n\n\ndef f(s):\n"
        "    s.execute(sql_text('DELETE FROM t'))\n    runs_total.inc()\n",
    )
    assert linked(SQL_HELPERS, METRICS, job)["jobs/x.py"].writes == ()


# ----------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("def f(:\n    pass\n", 1, "invalid syntax"),
        ("x = 1\n  y = 2\n", 2, "unexpected indent"),
        ("x = (\n", 1, "was never closed"),
        ("x = 1\x00\n", 0, "null bytes"),
        ("x = " + "(" * 300 + "1" + ")" * 300 + "\n", 1, "too many nested parentheses"),
    ],
)
def test_unparsable_python_is_a_located_warning_and_empty_evidence(text: str, line: int, message: str) -> None:
    result = scan_python("jobs/broken.py", text)
    assert result.value.writes == () and result.value.imports == ()
    (problem,) = result.problems
    assert problem.level is Level.WARNING
    assert problem.location.path == "jobs/broken.py" and problem.location.line == line
    assert problem.message.startswith("cannot parse Python: ") and message in problem.message


def test_a_byte_order_mark_is_not_a_syntax_error() -> None:
    result = scan_python("bom.py", "\ufeffsession.add(A())\n")
    assert result.problems == () and len(result.value.writes) == 1


# ------------------------------------------------------------------ header


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "# Layer: L5 — Execution & Workers\n# Temporal:\n#   Trigger: every 15 minutes\n# Role: evaluate\n",
            ("L5", "Execution & Workers", "every 15 minutes", "evaluate", 1),
        ),
        ("#!/usr/bin/env python3\n# layer: l7 - Ops & Scheduling\n", ("L7", "Ops & Scheduling", "", "", 2)),
        ("# Layer: L4: Domain Engines\n# Temporal: on demand\n", ("L4", "Domain Engines", "on demand", "", 1)),
        ('"""Docstring first."""\n# Layer: L6 (Platform)\nimport os\n', ("L6", "Platform", "", "", 2)),
        ("# Layer: L8\n", ("L8", "", "", "", 1)),
    ],
)
def test_header_comments(text: str, expected: tuple[str, str, str, str, int]) -> None:
    result = parse_header("x.py", text)
    header = result.value
    assert result.problems == ()
    assert header is not None
    assert (header.layer, header.title, header.trigger, header.role, header.location.line) == expected


@pytest.mark.parametrize(
    "text",
    [
        "import os\n# Layer: L5 — after the code: not a header\n",
        'X = """\n# Layer: L5 — inside a string\n"""\n',
        "# Just a comment\n",
        "\n" * 45 + "# Layer: L5\n",
    ],
)
def test_no_header(text: str) -> None:
    assert parse_header("x.py", text).value is None


def test_a_header_naming_no_layer_is_reported() -> None:
    result = parse_header("x.py", "# Purpose: demo\n# Layer: workers\n")
    assert result.value is not None and result.value.layer == "" and result.value.title == "workers"
    (problem,) = result.problems
    assert (problem.location.line, problem.level) == (2, Level.WARNING)


# --------------------------------------------------------------------- SQL


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("INSERT INTO cost_snapshots (id) VALUES (:id)", [("INSERT", "cost_snapshots")]),
        ("  update ONLY m10_recovery.outbox SET x = 1", [("UPDATE", "m10_recovery.outbox")]),
        ('DELETE FROM "m10_recovery"."locks" WHERE 1', [("DELETE", "m10_recovery.locks")]),
        ("INSERT INTO {table} VALUES (1)", [("INSERT", "{table}")]),
        (
            "WITH moved AS (DELETE FROM q RETURNING *) INSERT INTO a SELECT * FROM moved",
            [("DELETE", "q"), ("INSERT", "a")],
        ),
        ("REFRESH MATERIALIZED VIEW CONCURRENTLY mv_x; DELETE FROM a", [("REFRESH", "mv_x"), ("DELETE", "a")]),
        ("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET x = 1", [("MERGE", "t")]),
        ("COPY t FROM STDIN", [("COPY", "t")]),
        ("CREATE TABLE IF NOT EXISTS foo (x int)", [("CREATE", "foo")]),
        ("SELECT * FROM t FOR UPDATE", []),
        ("SELECT 'INSERT INTO x', inserted_at, updated_by FROM t", []),
        ("-- UPDATE t SET x = 1\nSELECT 1", []),
        ("/* DELETE FROM t */ SELECT 1", []),
        ("SELECT $$INSERT INTO t$$", []),
        ("COPY t TO STDOUT", []),
        ("", []),
    ],
)
def test_sql_writes(sql: str, expected: list[tuple[str, str]]) -> None:
    assert list(sql_writes(sql)) == expected


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT m10_recovery.cleanup_expired(30)", ("m10_recovery.cleanup_expired",)),
        ("SELECT * FROM archive_old_runs(:days)", ("archive_old_runs",)),
        ("CALL ops.rotate_partitions()", ("ops.rotate_partitions",)),
        ('SELECT "ops"."purge"()', ("ops.purge",)),
        ("WITH x AS (SELECT 1) SELECT refresh_stats()", ("refresh_stats",)),
        ("SELECT count(*) FROM runs WHERE created_at < now()", ()),
        ("SELECT coalesce(max(id), 0) FROM t WHERE id = ANY(:ids) AND x IN (1, 2)", ()),
        ("SELECT pg_advisory_lock(42)", ()),
        ("SELECT pg_catalog.pg_size_pretty(1)", ()),
        ("SELECT EXISTS (SELECT 1 FROM t)", ()),
        ("INSERT INTO t SELECT f()", ()),  # writes anyway: sql_writes says so
        ("SELECT 'cleanup()' AS label", ()),
    ],
)
def test_database_functions(sql: str, expected: tuple[str, ...]) -> None:
    assert database_functions(sql) == expected


# ---------------------------------------------------------------- property

_FRAGMENTS = [
    "import redis\n",
    "from sqlalchemy import text\n",
    "from prometheus_client import Gauge\n",
    "G = Gauge('g', 'g')\n",
    "async def f(session):\n",
    "def g(r, db: AsyncSession):\n",
    "    await session.commit()\n",
    "    session.add(Model(x=1))\n",
    "    r.set(f'k:{x}', 1)\n",
    "    db.execute(text('INSERT INTO t VALUES (1)'))\n",
    "    with open(p / 'x', 'w') as fh:\n",
    "        json.dump(d, fh)\n",
    "    G.labels(a=1).set(2)\n",
    "if TYPE_CHECKING:\n",
    "else:\n",
    "    pass\n",
    "x = y = z\n",
    "# Layer: L5 — Workers\n",
    '"""doc"""\n',
    "s = 'a' + b + f'{c}'\n",
    "(((\n",
    "\t\x00\n",
]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(st.sampled_from(_FRAGMENTS), max_size=25).map("".join)))
def test_scan_python_never_raises(text: str) -> None:
    result = scan_python("any.py", text)
    assert isinstance(result.value, FileEvidence)
    assert all(p.level is Level.WARNING for p in result.problems)
