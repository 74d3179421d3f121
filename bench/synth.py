"""Deterministic synthetic registries of any size, for benchmarks and scale tests.

`write_project(dest, signals=N, producers=P)` lays out what a team's repo holds:
registry Markdown split over domains and files (with the column sets and
aliases real registries use), change records (applied, drifting, proposed),
the auditor rules, a producer inventory whose outputs cover every class and
category, a gap ledger, and an mkdocs.yml using the layerflow plugin. The same
arguments always give the same bytes.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS_RUNTIME = ["L4", "L5", "L6"]
STORES = ["PostgreSQL", "Redis", "R2 + PostgreSQL", "PostgreSQL (events)", "Prometheus", "In-memory", "UNKNOWN"]
CATEGORIES = ["lock", "marker", "checkpoint", "service", "table"]
SIGNALS_PER_DOMAIN = 400
DOMAINS_PER_FILE = 5


def _signal_row(rnd: random.Random, uid: int, wide: bool) -> str:
    p_layer = rnd.choice(["L4", "L5", "L6", "L7", "L7"])
    consumers = [f"consumer_{rnd.randrange(5000)}.py ({rnd.choice(['L2', 'L4', 'L5', 'L6', 'L7', 'L8'])})"]
    if rnd.random() < 0.3:
        consumers.append(f"reader_{uid % 97}.py (SIG-{max(1, uid - 1):05d})")
    if rnd.random() < 0.03:
        consumers = ["—"]
    layers = ", ".join(sorted({c.rsplit("(", 1)[1][:2] for c in consumers if "(L" in c})) or "—"
    persistence = rnd.choice(STORES)
    api = f"/api/v1/s{uid}" if rnd.random() < 0.4 else "—"
    trigger = "UNKNOWN" if rnd.random() < 0.05 else rnd.choice(["api_call", "worker_event", "scheduled_job"])
    cells = [
        f"SIG-{uid:05d}",
        f"Signal{uid}",
        rnd.choice(["raw", "derived", "terminal"]),
        trigger,
        f"`job_{uid % 1009}.py`",
        p_layer,
        ", ".join(consumers),
        layers,
        api,
        persistence,
    ]
    if wide:
        cells += [rnd.choice(["internal-only", "indirect", "direct"]), rnd.choice(["✅ YES", "YES", "⚠️ PARTIAL", "NO"])]
    return "| " + " | ".join(cells) + " |"


def registry_files(signals: int, rnd: random.Random) -> dict[str, str]:
    files: dict[str, str] = {}
    uid = 1
    domain = 0
    file_index = 0
    while uid <= signals:
        wide = file_index % 2 == 1
        name = f"SIGNAL_REGISTRY_PART_{file_index:03d}.md"
        lines = [f"# Signal Registry — part {file_index}", "", "**Status:** VERIFIED", "**Version:** 2.0.0", ""]
        for _ in range(DOMAINS_PER_FILE):
            if uid > signals:
                break
            lines += [f"### {domain + 1}.1 Domain{domain} Domain Signals", ""]
            if wide:
                lines += [
                    "| Signal UID | Name | Class | Trigger | Source | Producer Layer | Consumers | Consumer Layer "
                    "| API | Persistence | Exposure | Verified Path |",
                    "|" + "---|" * 12,
                ]
            else:
                lines += [
                    "| UID | Signal | Class | Trigger | Producer | P-Layer | Consumer | C-Layer "
                    "| L2 API | Persistence |",
                    "|" + "---|" * 10,
                ]
            for _ in range(SIGNALS_PER_DOMAIN):
                if uid > signals:
                    break
                lines.append(_signal_row(rnd, uid, wide))
                uid += 1
            lines.append("")
            domain += 1
        files[name] = "\n".join(lines) + "\n"
        file_index += 1
    return files


def change_records(signals: int, rnd: random.Random) -> dict[str, str]:
    """About one record per 100 signals: most applied, some drifting, some proposed."""
    records: dict[str, str] = {}
    for index in range(max(1, signals // 100)):
        uid = rnd.randrange(1, signals + 1)
        status = "PROPOSED" if index % 7 == 6 else "APPLIED"
        drift = index % 11 == 10
        after = "In-memory" if drift else "PostgreSQL (corrected)"
        records[f"REGISTRY_CHANGE_{index:04d}.md"] = "\n".join(
            [
                f"# Registry Change: SIG-{uid:05d} Signal{uid}",
                "",
                f"**Change ID:** RC-{index + 1:04d}",
                f"**Date:** 2026-01-{(index % 28) + 1:02d}",
                f"**Status:** {status}",
                "**Severity:** P2 (Coverage)",
                "",
                "## Change",
                "",
                "| Field | Before | After |",
                "|---|---|---|",
                f"| Trigger | old_trigger_{index} | {'scheduled_job' if drift else 'unchanged'} |",
                "",
                "## Evidence",
                "",
                f"- Seen in `job_{uid % 1009}.py`; after: {after}.",
                "",
            ]
        )
    return records


def producers_yaml(signals: int, producers: int, rnd: random.Random) -> str:
    lines = ["# synthetic L7 producer inventory", "producers:"]
    internal = ["internal:"]
    for p in range(producers):
        lines += [
            f"  - id: job-{p:04d}",
            f"    name: Ops Job {p}",
            "    trigger: systemd timer",
            f"    schedule: every {5 + p % 55} minutes",
            f"    units: [job-{p:04d}.timer]",
            f"    source_files: [scripts/ops/job_{p:04d}.py]",
            "    outputs:",
        ]
        shape = p % 6
        uid = rnd.randrange(1, signals + 1)
        if shape in (0, 1):  # registered direct L7→L6
            lines += [
                f"      - {{name: table_{p}, kind: table, persistence: PostgreSQL, signals: [SIG-{uid:05d}],"
                f' consumers: ["runtime_{p}.py (L6)"]}}'
            ]
        elif shape == 2:  # unregistered direct: a P2 gap
            lines += [
                f'      - {{name: rows_{p}, kind: record, persistence: PostgreSQL, consumers: ["svc_{p}.py (L4)"]}}'
            ]
        elif shape == 3:  # deferred, unregistered: a P3 gap
            lines += [
                f"      - {{name: tasks_{p}, kind: state, persistence: PostgreSQL + Redis, flow: deferred,"
                f' consumers: ["recovery_{p} (L6)"]}}'
            ]
        elif shape == 4:  # metrics to monitoring
            lines += [
                f"      - {{name: metrics_{p}, kind: metric, persistence: Prometheus, signals: [SIG-{uid:05d}],"
                f' consumers: ["Grafana (L8)"]}}'
            ]
        else:  # both L7 and L6
            lines += [
                f"      - {{name: state_{p}, kind: table, persistence: PostgreSQL, hops: [L7, L5],"
                f' consumers: ["next_{p}.py (L7)", "engine_{p}.py (L4)"]}}'
            ]
        category = CATEGORIES[p % len(CATEGORIES)]
        consumer = "[]" if p % 50 == 49 else f"[reader_{p}.py]"  # a few orphans
        internal.append(
            f"  - {{name: artifact_{p}, category: {category}, job: job-{p:04d}, producer: job_{p:04d}.py,"
            f" consumers: {consumer}, persistence: PostgreSQL}}"
        )
    return "\n".join(lines + internal) + "\n"


def write_project(dest: Path, signals: int, producers: int, seed: int = 1) -> Path:
    """A complete project (registry + site config) under dest; returns dest."""
    rnd = random.Random(seed)
    if dest.exists():
        shutil.rmtree(dest)
    registry = dest / "registry"
    (registry / "REGISTRY_CHANGES").mkdir(parents=True)
    for name, text in registry_files(signals, rnd).items():
        (registry / name).write_text(text, encoding="utf-8")
    for name, text in change_records(signals, rnd).items():
        (registry / "REGISTRY_CHANGES" / name).write_text(text, encoding="utf-8")
    if producers:
        (registry / "producers.yaml").write_text(producers_yaml(signals, producers, rnd), encoding="utf-8")
    shutil.copy(ROOT / "registry" / "auditor_rules.yaml", registry / "auditor_rules.yaml")
    (registry / "gaps.yaml").write_text("gaps: []\n", encoding="utf-8")
    shutil.copytree(ROOT / "docs", dest / "docs")
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--signals", type=int, default=1000)
    parser.add_argument("--producers", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write_project(args.dest, args.signals, args.producers, args.seed)
    print(f"wrote {args.dest}: {args.signals} signals, {args.producers} producers")


if __name__ == "__main__":
    main()
