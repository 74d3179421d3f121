"""`--code` measured against a code base whose truth is known: a small run of bench/code_precision.py.

bench/synth_code.py writes a FastAPI/SQLAlchemy backend with ops scripts and
records, from its own knowledge of what it wrote, which files are
unregistered SQL writers; the real loader and audit run on it, and the
UNREGISTERED_DB_WRITER gate's files are scored against that list. The full
measurement (about 2,000 files, with times and memory) is in the README;
this one is about 200 files and asserts no time.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from code_precision import Score, measure
from synth_code import build, write_project

FILES = 200


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("synthetic")
    write_project(where, FILES, seed=5)
    return where


@pytest.fixture(scope="module")
def score(project: Path) -> Score:
    return measure(project)


def test_the_unregistered_writer_gate_has_the_precision_and_recall_it_claims(score: Score) -> None:
    assert score.files >= FILES
    assert score.truth >= 20  # enough writers to make the fractions mean something
    assert score.precision >= 0.95, score.false_positives
    assert score.recall >= 0.95, score.false_negatives


def test_each_finding_points_at_the_first_sql_write(score: Score) -> None:
    assert score.lines_right == score.sql_found


def test_renamed_producers_are_suggested_and_prometheus_claims_are_written(score: Score) -> None:
    assert score.renamed >= 1 and score.suggestions_right == score.renamed
    assert score.prometheus_unwritten == ()


def test_files_that_do_not_parse_are_listed_once(score: Score) -> None:
    assert score.unread >= 2 and score.unread_listed_once


def test_with_a_signal_in_redis_redis_state_writers_are_found_too(tmp_path: Path) -> None:
    write_project(tmp_path, FILES, seed=5, redis_signal=True)
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert truth["unregistered_redis_state_writers"]
    scored = measure(tmp_path, redis_signal=True)
    assert scored.precision >= 0.95 and scored.recall >= 0.95, (scored.false_positives, scored.false_negatives)


def test_the_truth_comes_from_the_generator_and_is_deterministic(project: Path) -> None:
    truth = json.loads((project / "truth.json").read_text(encoding="utf-8"))
    again = build(FILES, seed=5).truth()
    assert truth == json.loads(json.dumps(again))
    files = truth["files"]
    roles = {f["role"] for f in files.values()}
    assert {"runtime", "test", "migration", "unparsable"} <= roles
    writes = {w for f in files.values() for w in f["writes"]}
    assert {"sql", "redis_state", "redis_cache", "pubsub", "object_store", "file", "metric"} <= writes
    for path in truth["unregistered_sql_writers"]:
        assert files[path]["role"] == "runtime" and "sql" in files[path]["writes"] and not files[path]["registered"]
