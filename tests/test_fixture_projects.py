"""Projects that are not ours, checked against expectations derived by hand.

Each project under tests/fixtures/projects/ imitates another team's files
(registry Markdown, change records, rules, inventory, code, units); its
EXPECTED.md derives every value asserted here from those files and the spec
(FORMATS.md). Nothing here was copied from layerflow's output: where a test
fails, read EXPECTED.md before touching either side.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from layerflow.adapters.cli import main

PROJECTS = Path(__file__).resolve().parent / "fixtures" / "projects"
ARGS = {
    "northwind": ("--base", "registry", "--code", "src", "--ops", "deploy/systemd"),
    "harbor": ("--base", "registry", "--code", "src", "--ops", "deploy/cron.d"),
    "tidepool": ("--base", "registry"),
    "no_signals": ("--base", "registry"),
}

Key = tuple[str, str, int]  # rule, path, line


def run(where: Path, *argv: str) -> tuple[int, str]:
    """layerflow in-process, from `where` (paths in its output are relative to it); exit code and stdout."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(where), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue()


@functools.cache
def checked(project: str, fmt: str = "json") -> tuple[int, str]:
    return run(PROJECTS / project, "check", *ARGS[project], "--format", fmt)


@functools.cache
def document(project: str) -> dict[str, Any]:
    code, out = checked(project)
    assert out.strip(), f"{project}: nothing on stdout (exit {code})"
    loaded: dict[str, Any] = json.loads(out)
    return loaded


def findings(project: str, severity: str | None = None) -> list[dict[str, Any]]:
    return [f for f in document(project)["findings"] if severity is None or f["severity"] == severity]


def where(finding: dict[str, Any]) -> Key:
    return (finding["rule"], finding["location"]["path"], finding["location"]["line"])


def by_key(found: list[dict[str, Any]]) -> dict[Key, dict[str, Any]]:
    return {where(f): f for f in found}


def one(project: str, key: Key) -> dict[str, Any]:
    """The single finding of this rule at this place."""
    found = [f for f in findings(project) if where(f) == key]
    assert len(found) == 1, f"{key}: {len(found)} findings; rules there: {[where(f) for f in findings(project)]}"
    return found[0]


# ================================================================ Northwind
# A billing platform: inventory, ledger, mapping-shaped rules, systemd units.

NW_SIGNALS = "registry/northwind-signals.md"
NW_OPS = "registry/ops-signals.md"
NW_INV = "registry/producers.yaml"
NW_RULES = "registry/auditor_rules.yaml"

NW_WARNINGS: dict[Key, list[str]] = {
    ("q1_l7_only.orphan", NW_INV, 16): ["SIG-309"],
    ("gap.orphan", NW_INV, 16): ["SIG-309"],
    ("q3_l7_to_both.explicit_hops", NW_INV, 41): ["SIG-321"],
    ("gap.q3-failure", NW_INV, 41): ["SIG-321"],
    ("gap.unregistered-flow", NW_INV, 53): [],
    ("gap.unregistered-flow", NW_INV, 57): [],
    ("unknown.not-allowed", NW_SIGNALS, 22): ["SIG-303"],
    ("layer-constraint.l7-as-consumer", NW_SIGNALS, 22): ["SIG-303"],
    ("layer-constraint.l7-as-consumer", NW_SIGNALS, 30): ["SIG-321"],
    ("layer-constraint.l8-as-consumer", NW_SIGNALS, 23): ["SIG-304"],
    ("q1_l7_only.expect.exposure", NW_OPS, 11): ["SIG-309"],
    ("q1_l7_only.expect.l2_api", NW_OPS, 11): ["SIG-309"],
    ("q2_l7_to_l6.expect.exposure", NW_OPS, 10): ["SIG-302"],
    ("evidence.producer-not-found", NW_SIGNALS, 29): ["SIG-320"],
    ("evidence.unregistered-writer", "src/app/billing/ledger_sync.py", 11): [],
    ("evidence.unregistered-writer", "src/app/cache/session_store.py", 7): [],
    ("evidence.unregistered-writer", "src/app/services/user_write_driver.py", 10): [],
    ("evidence.unit-script-missing", "deploy/systemd/legacy-export.service", 9): [],
    ("evidence.new-l7-job", "deploy/systemd/legacy-export.service", 9): [],
}
NW_UNKNOWN_KEYS = {"schema.owner": 5, "review_cadence": 18, "auditor_interface.exit_code": 114}


def test_northwind_exit_code_is_warnings_only() -> None:
    code, _ = checked("northwind")
    assert code == 1
    assert document("northwind")["summary"]["exit_code"] == 1


def test_northwind_summary() -> None:
    summary = document("northwind")["summary"]
    assert summary["signals"] == 7
    assert summary["l7_producers"] == 4
    assert summary["flows"] == {
        "l7_l6": 3,
        "l7_l6_verified": 2,
        "l7_l6_deferred": 1,
        "l7_l7": 3,
        "l7_l8": 0,
        "l7_both": 1,
        "unclassified": 0,
        "l7_l7_by_category": {"other": 1, "service": 1, "checkpoint": 1},
    }
    assert summary["gaps"] == {"total": 5, "open": 4, "resolved": 1}
    assert summary["findings"]["blocking"] == 0
    assert summary["findings"]["warning"] == len(NW_WARNINGS)


def test_northwind_signals_are_read_from_both_files_in_their_own_columns() -> None:
    signals = {s["uid"]: s for s in document("northwind")["signals"]}
    assert sorted(signals) == ["SIG-301", "SIG-302", "SIG-303", "SIG-304", "SIG-309", "SIG-320", "SIG-321"]
    assert "SIG-300" not in signals  # listed in the "Removed UID" table
    where_defined = {uid: (s["location"]["path"], s["location"]["line"], s["domain"]) for uid, s in signals.items()}
    assert where_defined == {
        "SIG-301": (NW_SIGNALS, 21, "Billing"),  # table without outer pipes
        "SIG-303": (NW_SIGNALS, 22, "Billing"),
        "SIG-304": (NW_SIGNALS, 23, "Billing"),
        "SIG-320": (NW_SIGNALS, 29, "Identity"),
        "SIG-321": (NW_SIGNALS, 30, "Identity"),
        "SIG-302": (NW_OPS, 10, "Ops"),
        "SIG-309": (NW_OPS, 11, "Ops"),
    }
    assert signals["SIG-301"]["producer"] == "invoice_rollup.py"  # `Source`, backticks dropped
    assert signals["SIG-301"]["p_layer"] == "L7"  # `Producer Layer`
    assert signals["SIG-303"]["persistence"] == "UNKNOWN"
    assert signals["SIG-320"]["persistence"] == "PostgreSQL (users) + Redis (profile:*)"


def _consumers(project: str, uid: str) -> list[tuple[str, str | None, str | None]]:
    signal = next(s for s in document(project)["signals"] if s["uid"] == uid)
    return [(c["name"], c["layer"], c["signal"]) for c in signal["consumers"]]


def test_northwind_consumers_pair_layers_and_read_sub_layers() -> None:
    assert _consumers("northwind", "SIG-301") == [("billing_engine.py", "L4", None), ("billing_api.py", "L2", None)]
    assert _consumers("northwind", "SIG-304") == [("dispute_worker.py", "L5", None), ("risk_dashboard", "L8", None)]
    assert _consumers("northwind", "SIG-309") == []
    # Sub-layers: the name loses its "(L2a)", the layer is L2a as written or L2 as read.
    (guard, admin) = _consumers("northwind", "SIG-302")
    assert guard == ("quota_guard.py", "L6", None)
    assert admin[0] == "admin_api.py" and admin[1] in ("L2", "L2a")
    (gate, reaper) = _consumers("northwind", "SIG-321")
    assert gate[0] == "auth_gate.py" and gate[1] in ("L6", "L6b")
    assert reaper == ("session_reaper.py", "L7", None)


def _flows(project: str) -> dict[str, tuple[str, str, list[str], str, str | None]]:
    return {
        f["id"]: (f["class"], f["status"], f["signals"], f["flow"], f["category"]) for f in document(project)["flows"]
    }


def test_northwind_flows() -> None:
    assert _flows("northwind") == {
        "invoice-rollup/invoice-totals": ("l7_l6", "verified", ["SIG-301"], "direct", None),
        "invoice-rollup/rollup-audit-trail": ("l7_l7", "orphan", ["SIG-309"], "direct", "other"),
        "quota-snapshot/quota-snapshots": ("l7_l6", "verified", ["SIG-302"], "direct", None),
        "session-reaper/revoked-sessions": ("l7_both", "failing", ["SIG-321"], "direct", None),
        "usage-export/usage-daily-records": ("l7_l6", "unregistered", [], "direct", None),
        "usage-export/partner-reconciliation-batch": ("l7_l6", "unregistered", [], "deferred", None),
        "quota-snapshot/service-quota-snapshot-service": ("l7_l7", "valid", [], "direct", "service"),
        "session-reaper/checkpoint-reaper-cursor": ("l7_l7", "valid", [], "direct", "checkpoint"),
    }


def test_northwind_l7_both_flow_took_q3_and_failed_only_on_hops() -> None:
    flow = next(f for f in document("northwind")["flows"] if f["id"] == "session-reaper/revoked-sessions")
    assert [(d["node"], d["answer"]) for d in flow["decision"]] == [
        ("q1_l7_only", False),
        ("q2_l7_to_l6", True),
        ("q3_l7_to_both", True),
    ]
    assert {c["name"]: c["passed"] for c in flow["checks"]} == {
        "persistence": True,
        "dual_consumers": True,
        "explicit_hops": False,
    }


def _gaps(project: str) -> dict[str, tuple[Any, ...]]:
    """id -> (key, priority, status, resolved_by, path, line), in the order the JSON lists them."""
    gaps = document(project)["gaps"]
    for gap in gaps:
        assert gap["kind"] == gap["key"].split(":", 1)[0], gap  # the kind is the key's first part
    return {
        g["id"]: (g["key"], g["priority"], g["status"], g["resolved_by"], g["location"]["path"], g["location"]["line"])
        for g in gaps
    }


def test_northwind_gaps_keep_ledger_ids_and_number_the_rest() -> None:
    gaps = _gaps("northwind")
    assert gaps == {
        "GAP-014": ("persistence-contradiction:SIG-302", "P1", "resolved", "RC-107", NW_OPS, 10),
        "GAP-015": ("unregistered-flow:usage-export/usage-daily-records", "P2", "open", None, NW_INV, 53),
        "GAP-016": ("orphan:invoice-rollup/rollup-audit-trail", "P3", "open", None, NW_INV, 16),
        "GAP-017": ("q3-failure:session-reaper/revoked-sessions:explicit_hops", "P3", "open", None, NW_INV, 41),
        "GAP-018": ("unregistered-flow:usage-export/partner-reconciliation-batch", "P3", "open", None, NW_INV, 57),
    }
    assert list(gaps) == ["GAP-014", "GAP-015", "GAP-016", "GAP-017", "GAP-018"]
    assert [g["in_ledger"] for g in document("northwind")["gaps"]] == [True, True, False, False, False]


def test_northwind_gaps_carry_their_signals_and_name_them() -> None:
    gaps = {g["id"]: g for g in document("northwind")["gaps"]}
    assert {gid: g.get("signals") for gid, g in gaps.items()} == {
        "GAP-014": ["SIG-302"],
        "GAP-015": [],
        "GAP-016": ["SIG-309"],
        "GAP-017": ["SIG-321"],
        "GAP-018": [],
    }
    assert "SIG-302 TenantQuotaSnapshot" in gaps["GAP-014"]["title"]
    assert "SIG-309 RollupAuditTrail" in gaps["GAP-016"]["title"]
    assert "SIG-321 SessionRevocation" in gaps["GAP-017"]["title"]


def test_northwind_change_records() -> None:
    changes = {c["id"]: c for c in document("northwind")["changes"]}
    assert sorted(changes) == ["RC-107", "RC-108"]
    applied = changes["RC-107"]
    assert (applied["signal"], applied["status"], applied["reflected"], applied["drift"], applied["resolves"]) == (
        "SIG-302",
        "APPLIED",
        True,
        [],
        ["GAP-014"],
    )
    proposed = changes["RC-108"]
    assert (proposed["signal"], proposed["status"], proposed["reflected"], proposed["resolves"]) == (
        "SIG-330",
        "PROPOSED",
        False,
        [],
    )
    assert not [f for f in findings("northwind") if f["rule"] == "change.drift"]


def test_northwind_warnings_and_blocking_findings_are_exactly_the_derived_ones() -> None:
    found = [f for f in findings("northwind") if f["severity"] in ("warning", "blocking")]
    assert [where(f) for f in found if f["severity"] == "blocking"] == []
    assert Counter(where(f) for f in found) == Counter(list(NW_WARNINGS))  # each once


def test_northwind_findings_carry_their_signals() -> None:
    found = by_key(findings("northwind", "warning"))
    assert {key: found[key].get("signals") for key in NW_WARNINGS if key in found} == {
        key: signals for key, signals in NW_WARNINGS.items() if key in found
    }
    assert all(isinstance(f.get("signals"), list) for f in findings("northwind"))


def test_northwind_vocabulary_findings_name_field_and_signal() -> None:
    unknown = one("northwind", ("unknown.not-allowed", NW_SIGNALS, 22))["message"]
    assert "persistence" in unknown and "SIG-303" in unknown
    assert not [f for f in findings("northwind") if f["rule"] == "unknown.rate"]  # 1.3% of cells, 14% of signals


def test_northwind_unknown_keys_are_one_info_each_with_a_hint_for_the_typo() -> None:
    notes = [f for f in findings("northwind") if f["rule"] == "rules.unknown-key"]
    assert {f["subject"]: (f["severity"], f["location"]["path"], f["location"]["line"]) for f in notes} == {
        key: ("info", NW_RULES, line) for key, line in NW_UNKNOWN_KEYS.items()
    }
    assert len(notes) == len(NW_UNKNOWN_KEYS)
    hints = {f["subject"]: "did you mean" in f["message"] for f in notes}
    assert hints == {"schema.owner": False, "review_cadence": False, "auditor_interface.exit_code": True}
    assert "exit_codes" in next(f["message"] for f in notes if f["subject"] == "auditor_interface.exit_code")
    # Counted once: nothing else is reported at those lines (no warning beside the note).
    at_keys = [f for f in findings("northwind") if (f["location"]["path"], f["location"]["line"]) in
               {(NW_RULES, line) for line in NW_UNKNOWN_KEYS.values()}]  # fmt: skip
    assert [f["rule"] for f in at_keys] == ["rules.unknown-key"] * 3


def test_northwind_no_rule_shape_is_more_than_a_note() -> None:
    at_rules = [f for f in findings("northwind") if f["location"]["path"] == NW_RULES]
    assert {f["severity"] for f in at_rules} == {"info"}


def test_northwind_unregistered_writers_are_exactly_the_state_writers_nobody_accounts_for() -> None:
    writers = sorted(where(f)[1:] for f in findings("northwind") if f["rule"] == "evidence.unregistered-writer")
    assert writers == [
        ("src/app/billing/ledger_sync.py", 11),  # the SQL line, not the publish above it
        ("src/app/cache/session_store.py", 7),  # Redis state, and the registry persists signals to Redis
        ("src/app/services/user_write_driver.py", 10),
    ]
    paths = {f["location"]["path"] for f in findings("northwind")}
    assert "src/app/cache/price_cache.py" not in paths  # caches with TTL and pub/sub only
    assert not [f for f in findings("northwind") if f["rule"] == "evidence.persistence-unwritten"]


def test_northwind_renamed_producer_is_found_by_its_class() -> None:
    message = one("northwind", ("evidence.producer-not-found", NW_SIGNALS, 29))["message"]
    assert "user_write_service.py" in message
    assert "user_write_driver.py" in message


def test_northwind_text_lines_name_the_signal() -> None:
    code, text = checked("northwind", "text")
    assert code == 1
    orphan = [line for line in text.splitlines() if "[q1_l7_only.orphan]" in line]
    assert len(orphan) == 1 and "SIG-309 RollupAuditTrail" in orphan[0]
    gap = [line for line in text.splitlines() if "[gap.orphan]" in line]
    assert len(gap) == 1 and "SIG-309 RollupAuditTrail" in gap[0]


def test_northwind_report_says_the_randomized_delay() -> None:
    code, report = run(PROJECTS / "northwind", "report", *ARGS["northwind"])
    assert code == 0
    jobs = [line for line in report.splitlines() if line.startswith("|") and "`/srv/northwind/" in line]  # Ops jobs
    rows = [line for line in jobs if "`invoice-rollup.service`" in line]
    assert len(rows) == 1, report
    # RandomizedDelaySec=15min is part of the schedule in words (how it is worded is the tool's choice).
    assert "01:00" in rows[0] and re.search(r"\b15\s*min", rows[0]), rows[0]
    quota = [line for line in jobs if "`quota-snapshot.service`" in line]
    assert len(quota) == 1 and "every 10 minutes" in quota[0]


# =================================================================== Harbor
# A tracking service: no inventory, no ledger, sentence-shaped rules, expression and prose gates, cron.

HB_SIGNALS = "registry/SIGNALS.md"
HB_JOBS = "registry/SIGNALS_JOBS.md"
HB_RULES = "registry/auditor_rules.yaml"
HB_BLOCKING: dict[Key, list[str]] = {
    ("q2_l7_to_l6.not_implemented", HB_JOBS, 10): ["SIG-410"],
    ("gap.q2-failure", HB_JOBS, 10): ["SIG-410"],
    ("gate.L7_TO_L6_UNVERIFIED", HB_JOBS, 10): ["SIG-410"],
    ("gate.UNREGISTERED_DB_WRITER", "src/harbor/jobs/partition_maint.py", 10): [],
    ("gate.UNREGISTERED_DB_WRITER", "src/harbor/jobs/retention_sweep.py", 8): [],
}
HB_WARNINGS: dict[Key, list[str]] = {
    ("q1_l7_only.orphan", HB_JOBS, 13): ["SIG-413"],
    ("gap.orphan", HB_JOBS, 13): ["SIG-413"],
    ("gate.ORPHANED_SIGNAL", HB_JOBS, 13): ["SIG-413"],
    ("q1_l7_only.boundary_only", HB_JOBS, 14): ["SIG-414"],
    ("change.drift", "registry/REGISTRY_CHANGES/REGISTRY_CHANGE_SIG-401.md", 1): ["SIG-401"],
    ("unknown.not-allowed", HB_SIGNALS, 22): ["SIG-402"],
    ("evidence.producer-not-found", HB_SIGNALS, 22): ["SIG-402"],
    ("evidence.new-l7-job", "deploy/cron.d/harbor", 10): [],
}
# Warnings whose rule id the spec leaves open: only the place and the words are given.
HB_LAYER_WARNING = (HB_SIGNALS, 23)  # C-Layer L9
HB_PARSE_WARNING = ("src/harbor/legacy/edi_export.py", 6)


def test_harbor_exit_code_is_blocking() -> None:
    code, _ = checked("harbor")
    assert code == 2
    assert document("harbor")["summary"]["exit_code"] == 2


def test_harbor_summary() -> None:
    summary = document("harbor")["summary"]
    assert summary["signals"] == 9
    assert summary["l7_producers"] == 6
    assert summary["flows"] == {
        "l7_l6": 3,
        "l7_l6_verified": 2,
        "l7_l6_deferred": 0,
        "l7_l7": 1,
        "l7_l8": 1,
        "l7_both": 0,
        "unclassified": 1,
        "l7_l7_by_category": {"other": 1},
    }
    assert summary["gaps"] == {"total": 3, "open": 2, "resolved": 1}
    assert summary["findings"]["blocking"] == len(HB_BLOCKING)
    assert summary["findings"]["warning"] == len(HB_WARNINGS) + 2


def test_harbor_signals_and_consumers() -> None:
    signals = {s["uid"]: s for s in document("harbor")["signals"]}
    assert {uid: (s["location"]["path"], s["location"]["line"], s["domain"]) for uid, s in signals.items()} == {
        "SIG-401": (HB_SIGNALS, 21, "Shipment"),
        "SIG-402": (HB_SIGNALS, 22, "Shipment"),
        "SIG-403": (HB_SIGNALS, 23, "Shipment"),
        "SIG-410": (HB_JOBS, 10, "Scheduling"),
        "SIG-411": (HB_JOBS, 11, "Scheduling"),
        "SIG-412": (HB_JOBS, 12, "Scheduling"),
        "SIG-413": (HB_JOBS, 13, "Scheduling"),
        "SIG-414": (HB_JOBS, 14, "Scheduling"),
        "SIG-415": (HB_JOBS, 20, "Customs"),
    }
    assert _consumers("harbor", "SIG-401") == [
        ("tracking_projector.py", "L5", None),
        ("manifest_digest.py", "L7", "SIG-410"),
        ("shipments_api.py", "L2", None),
    ]
    assert _consumers("harbor", "SIG-402") == []  # UNKNOWN
    assert _consumers("harbor", "SIG-413") == []  # —
    assert signals["SIG-402"]["persistence"] == "UNKNOWN"
    (status_api,) = _consumers("harbor", "SIG-414")
    assert status_api[0] == "status_api.py" and status_api[1] in ("L2", "L2a")


def test_harbor_flows_are_the_l7_rows() -> None:
    assert _flows("harbor") == {
        "manifest-digest-py/sig-410": ("l7_l6", "failing", ["SIG-410"], "direct", None),
        "berth-schedule-py/sig-411": ("l7_l6", "verified", ["SIG-411"], "direct", None),
        "dock-metrics-py/sig-412": ("l7_l8", "valid", ["SIG-412"], "direct", None),
        "health-digest-py/sig-413": ("l7_l7", "orphan", ["SIG-413"], "direct", "other"),
        "yard-status-py/sig-414": ("unclassified", "failing", ["SIG-414"], "direct", None),
        "customs-sync-py/sig-415": ("l7_l6", "verified", ["SIG-415"], "direct", None),
    }


def test_harbor_gaps_are_numbered_in_order_and_replayed() -> None:
    assert _gaps("harbor") == {
        "GAP-001": ("orphan:health-digest-py/sig-413", "P3", "open", None, HB_JOBS, 13),
        "GAP-002": ("q2-failure:berth-schedule-py/sig-411:not_implemented", "P1", "resolved", "RC-21", HB_JOBS, 11),
        "GAP-003": ("q2-failure:manifest-digest-py/sig-410:not_implemented", "P1", "open", None, HB_JOBS, 10),
    }
    assert [g["id"] for g in document("harbor")["gaps"]] == ["GAP-001", "GAP-002", "GAP-003"]
    gaps = {g["id"]: g for g in document("harbor")["gaps"]}
    assert {gid: g.get("signals") for gid, g in gaps.items()} == {
        "GAP-001": ["SIG-413"],
        "GAP-002": ["SIG-411"],
        "GAP-003": ["SIG-410"],
    }
    assert "SIG-413 HealthDigest" in gaps["GAP-001"]["title"]
    assert "SIG-411 BerthSchedule" in gaps["GAP-002"]["title"]
    assert "SIG-410 ManifestDigest" in gaps["GAP-003"]["title"]


def test_harbor_change_records() -> None:
    changes = {c["id"]: c for c in document("harbor")["changes"]}
    summary = {cid: (c["signal"], c["status"], c["reflected"], c["resolves"]) for cid, c in changes.items()}
    assert summary == {
        "RC-21": ("SIG-411", "APPLIED", True, ["GAP-002"]),  # fenced original and corrected rows
        "RC-22": ("SIG-415", "APPLIED", True, []),  # Field | Value registration
        "RC-23": ("SIG-401", "APPLIED", False, []),  # Before | After the registry does not show
    }
    assert len(changes["RC-23"]["drift"]) == 1 and "S3" in changes["RC-23"]["drift"][0]


def test_harbor_blocking_and_warning_findings_are_exactly_the_derived_ones() -> None:
    found = [f for f in findings("harbor") if f["severity"] in ("warning", "blocking")]
    open_rule = {HB_LAYER_WARNING, HB_PARSE_WARNING}
    named = [f for f in found if (f["location"]["path"], f["location"]["line"]) not in open_rule]
    assert Counter(where(f) for f in named if f["severity"] == "blocking") == Counter(list(HB_BLOCKING))
    assert Counter(where(f) for f in named if f["severity"] == "warning") == Counter(list(HB_WARNINGS))
    layer = [f for f in found if (f["location"]["path"], f["location"]["line"]) == HB_LAYER_WARNING]
    assert [f["severity"] for f in layer] == ["warning"] and "L9" in layer[0]["message"]
    parse = [f for f in found if f["location"]["path"] == HB_PARSE_WARNING[0]]  # the whole file: listed once
    assert [(f["severity"], f["location"]["line"]) for f in parse] == [("warning", 6)]
    assert "cannot parse Python" in parse[0]["message"]


def test_harbor_findings_carry_their_signals() -> None:
    expected = {**HB_BLOCKING, **HB_WARNINGS}
    found = by_key([f for f in findings("harbor") if f["severity"] in ("warning", "blocking")])
    assert {key: found[key].get("signals") for key in expected if key in found} == {
        key: signals for key, signals in expected.items() if key in found
    }
    assert all(isinstance(f.get("signals"), list) for f in findings("harbor"))


def test_harbor_gates_report_undecided_and_prose() -> None:
    undecided = one("harbor", ("gate.undecided", HB_RULES, 53))
    assert undecided["severity"] == "info"
    assert undecided["subject"] == "L7_TO_L6_UNVERIFIED" and "SIG-415" in undecided["message"]
    assert undecided.get("signals") == ["SIG-415"]
    prose = one("harbor", ("gate.not-machine-checkable", HB_RULES, 63))
    assert (prose["subject"], prose["severity"]) == ("NEW_JOB_FILE", "info")
    assert [f["rule"] for f in findings("harbor") if f["rule"].startswith("gate.undecided")] == ["gate.undecided"]
    assert not [f for f in findings("harbor") if f["rule"] == "evidence.unregistered-writer"]  # the gate says it


def test_harbor_vocabulary() -> None:
    message = one("harbor", ("unknown.not-allowed", HB_SIGNALS, 22))["message"]
    assert "persistence" in message and "SIG-402" in message
    # Above "< 2%" however the share is taken (5.2% of cells, 11% of signals, each field's share): a note,
    # one or one per field.
    rate = [f for f in findings("harbor") if f["rule"] == "unknown.rate"]
    assert rate and {f["severity"] for f in rate} == {"info"}
    rules = {f["rule"] for f in findings("harbor")}
    assert not {r for r in rules if r.startswith("layer-constraint.") or ".expect." in r}
    assert "rules.unknown-key" not in rules
    assert {f["severity"] for f in findings("harbor") if f["location"]["path"] == HB_RULES} == {"info"}


def test_harbor_code_evidence() -> None:
    paths = {f["location"]["path"] for f in findings("harbor")}
    assert "src/harbor/cache/route_cache.py" not in paths  # Redis state, but no signal persists to Redis
    assert "src/harbor/db.py" not in paths
    assert not [f for f in findings("harbor") if f["rule"] == "evidence.persistence-unwritten"]  # imported metric
    assert "eta_model.py" in one("harbor", ("evidence.producer-not-found", HB_SIGNALS, 22))["message"]


def test_harbor_text_lines_name_the_signal() -> None:
    code, text = checked("harbor", "text")
    assert code == 2
    orphan = [line for line in text.splitlines() if "[q1_l7_only.orphan]" in line]
    assert len(orphan) == 1 and "SIG-413 HealthDigest" in orphan[0]


def test_harbor_sarif_results_carry_signals() -> None:
    code, out = checked("harbor", "sarif")
    assert code == 2
    results = json.loads(out)["runs"][0]["results"]
    sarif = Counter(
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            tuple(r["properties"].get("signals", ["<none>"])),
        )
        for r in results
    )
    from_json = Counter(
        (f["rule"], f["location"]["path"], tuple(f.get("signals", ["<none>"]))) for f in findings("harbor")
    )
    assert sarif == from_json
    assert ("gate.L7_TO_L6_UNVERIFIED", HB_JOBS, ("SIG-410",)) in sarif


# ============================================================ other projects


def test_clean_registry_with_unfamiliar_keys_passes() -> None:
    code, _ = checked("tidepool")
    assert code == 0
    doc = document("tidepool")
    assert {f["severity"] for f in doc["findings"]} <= {"info"}
    notes = [f for f in doc["findings"] if f["rule"] == "rules.unknown-key"]
    assert sorted((f["subject"], f["location"]["line"]) for f in notes) == [("rules.housekeeping", 16), ("team", 2)]
    assert doc["summary"]["flows"]["l7_l6"] == 1 and doc["summary"]["flows"]["l7_l6_verified"] == 1
    assert doc["gaps"] == []


@pytest.mark.parametrize("fmt", ["json", "sarif", "text"])
def test_no_signal_table_anywhere_is_invalid_input(fmt: str) -> None:
    code, out = checked("no_signals", fmt)
    assert code == 3
    if fmt == "json":
        problems = json.loads(out)["problems"]
        assert problems and {p["path"] for p in problems} <= {"registry", "registry/OVERVIEW.md"}
        assert all(set(p) >= {"path", "line", "message"} and p["message"] for p in problems)
    if fmt == "sarif":
        invocation = json.loads(out)["runs"][0]["invocations"][0]
        assert invocation["executionSuccessful"] is False
        assert invocation["toolExecutionNotifications"]


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_missing_base_is_invalid_input(fmt: str, tmp_path: Path) -> None:
    code, out = run(tmp_path, "check", "--base", "nowhere", "--format", fmt)
    assert code == 3
    if fmt == "json":
        assert "nowhere" in {p["path"] for p in json.loads(out)["problems"]}
    else:
        invocation = json.loads(out)["runs"][0]["invocations"][0]
        assert invocation["executionSuccessful"] is False
        assert invocation["toolExecutionNotifications"]


# Northwind's rules with one edit each: only these make the analysis impossible (FORMATS §3, "Tolerance").
_TREE = re.compile(r"^  decision_tree:\n(?:    .*\n|\n)*", re.MULTILINE)
_TAG = 'review_cadence: !!python/object/apply:os.system ["true"]'
RULE_ERRORS = {
    "yaml-syntax": (lambda t: t.replace("review_cadence: weekly", "review_cadence: [weekly"), None),
    "yaml-tag": (lambda t: t.replace("review_cadence: weekly", _TAG), 18),
    "tree-not-mapping": (lambda t: _TREE.sub("  decision_tree:\n    - q1_l7_only\n    - q2_l7_to_l6\n\n", t), None),
    "gate-expression": (lambda t: t.replace('"p_layer=L7 AND c_layer', '"p_layer=L7 AND (c_layer'), 90),
}


@pytest.mark.parametrize("case", sorted(RULE_ERRORS))
def test_rules_errors_are_only_what_makes_the_analysis_impossible(case: str, tmp_path: Path) -> None:
    edit, line = RULE_ERRORS[case]
    shutil.copytree(PROJECTS / "northwind" / "registry", tmp_path / "registry")
    rules = tmp_path / "registry" / "auditor_rules.yaml"
    original = rules.read_text(encoding="utf-8")
    edited = edit(original)
    assert edited != original
    rules.write_text(edited, encoding="utf-8")
    code, out = run(tmp_path, "check", "--base", "registry", "--format", "json")
    assert code == 3
    problems = json.loads(out)["problems"]
    assert {p["path"] for p in problems} == {NW_RULES}
    if line is not None:
        assert line in {p["line"] for p in problems}


def test_northwind_rules_alone_are_no_error() -> None:
    code, out = run(PROJECTS / "northwind", "check", "--base", "registry", "--format", "json")
    assert code == 1  # the warnings of the tree and the vocabulary; no rules shape is an error
    assert json.loads(out)["summary"]["exit_code"] == 1


# ===================================================================== site


BIN = Path(sys.executable).parent
QUIET = {**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}
SITE_CONFIG = """\
site_name: Northwind signal registry
docs_dir: docs
theme: {name: material, font: false}
nav:
  - Home: index.md
  - Report: report.md
  - Producers: producers/index.md
  - Signals: signals/index.md
  - Gaps: gaps/index.md
  - Changes: changes/index.md
plugins:
  - search
  - layerflow:
      base: registry
      code: [src]
      ops: [deploy/systemd]
markdown_extensions: [{toc: {permalink: true}}, pymdownx.superfences]
validation: {nav: {omitted_files: ignore}, links: {not_found: warn, anchors: warn}}
"""


@pytest.mark.site
def test_northwind_site_builds_with_signal_and_gap_pages(root: Path, tmp_path: Path) -> None:
    work = tmp_path / "northwind"
    shutil.copytree(PROJECTS / "northwind", work)
    shutil.copytree(root / "docs", work / "docs")
    (work / "mkdocs.yml").write_text(SITE_CONFIG, encoding="utf-8")
    result = subprocess.run(
        [str(BIN / "properdocs"), "build", "-f", str(work / "mkdocs.yml"), "-d", str(work / "site")],
        check=False,  # the assertion below shows stderr
        cwd=work,
        env=QUIET,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    site = work / "site"
    signal = (site / "signals/sig-302/index.html").read_text(encoding="utf-8")
    assert "TenantQuotaSnapshot" in signal and "RC-107" in signal
    resolved = (site / "gaps/gap-014/index.html").read_text(encoding="utf-8")
    assert "Resolved by RC-107" in resolved
    cited = (site / "gaps/gap-015/index.html").read_text(encoding="utf-8")
    assert "RC-108" in cited
    for gap in document("northwind")["gaps"]:  # the CLI's gaps, each with its page
        assert (site / f"gaps/{gap['id'].lower()}/index.html").is_file(), gap["id"]
    assert len(list((site / "signals").glob("sig-*/index.html"))) == 7
