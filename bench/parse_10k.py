"""Parse + classify time of synthetic registries (issue: `layerflow check` on 10k signals).

Prints one line per size with the time of reading the text (the floor: a plain
line split of the same bytes) beside it, so the ratio holds on a noisy machine.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "gen"))

from layerflow.audit.analysis import analyse
from layerflow.model import Inputs
from layerflow.parse.registry import parse_registry

LAYERS = ["L2", "L4", "L5", "L6", "L7", "L8"]
STORES = ["PostgreSQL", "Redis", "R2 + PostgreSQL", "In-memory", "Prometheus", "UNKNOWN", "—"]


def registry_text(n: int, seed: int = 7) -> str:
    rnd = random.Random(seed)
    lines = ["# Synthetic Registry", "", "**Status:** VERIFIED", ""]
    per_domain = 500
    for start in range(0, n, per_domain):
        lines += [f"### 2.{start // per_domain} Domain{start // per_domain} Signals", ""]
        lines += ["| UID | Signal | Producer | P-Layer | Consumer | C-Layer | Persistence | Verified Path |"]
        lines += ["|---|---|---|---|---|---|---|---|"]
        for i in range(start, min(n, start + per_domain)):
            p = rnd.choice(LAYERS[1:])
            c1, c2 = rnd.choice(LAYERS), rnd.choice(LAYERS)
            lines.append(
                f"| SIG-{i + 1:05d} | Signal{i} | `job_{i % 997}.py` | {p} | a_{i}.py ({c1}), b_{i}.py ({c2}) | "
                f"{c1}, {c2} | {rnd.choice(STORES)} | {rnd.choice(['YES', 'NO', 'PARTIAL'])} |"
            )
        lines.append("")
    return "\n".join(lines)


def measure(n: int) -> tuple[float, float, float]:
    text = registry_text(n)
    t0 = time.perf_counter()
    text.split("\n")
    floor = time.perf_counter() - t0
    t0 = time.perf_counter()
    parsed = parse_registry([("registry.md", text)])
    parse_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    analyse(Inputs(registry=parsed.value))
    classify_s = time.perf_counter() - t0
    assert len(parsed.value.signals) == n
    return floor, parse_s, classify_s


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    print(f"{'signals':>8} {'parse s':>9} {'classify s':>11} {'total s':>8} {'split floor s':>14}")
    for n in (int(s) for s in args.sizes.split(",")):
        floor, parse_s, classify_s = measure(n)
        print(f"{n:>8} {parse_s:>9.3f} {classify_s:>11.3f} {parse_s + classify_s:>8.3f} {floor:>14.4f}")


if __name__ == "__main__":
    main()
