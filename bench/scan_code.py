"""Time scan_python() alone over a synthetic code base (bench/synth_code.py); code_precision.py scores it.

    python bench/scan_code.py [--files 5000] [--seed 0] [--repeat 3]

Prints the file count, lines, write sites found, the best of --repeat runs in
seconds and files per second, and the ratio to ast.parse alone on the same
files, measured in the same run: on a shared, noisy machine the ratio holds
when the absolute numbers do not. Files are generated in memory, so disk
speed does not enter the number.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "gen"))

from layerflow.evidence.code import scan_python
from synth_code import DEFAULT_FILES, generate


def best_of(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=DEFAULT_FILES)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    sources = list(generate(args.files, args.seed))
    lines = sum(text.count("\n") + 1 for _, text in sources)
    results = [scan_python(path, text) for path, text in sources]
    writes = sum(len(r.value.writes) for r in results)
    problems = sum(len(r.problems) for r in results)

    del results  # keep no trees or evidence alive while timing: a large heap slows the garbage collector

    def parse_all() -> None:
        for path, text in sources:
            with contextlib.suppress(SyntaxError):  # the few files that do not parse cost what trying costs
                ast.parse(text, filename=path)

    def scan_all() -> None:
        for path, text in sources:
            scan_python(path, text)

    parse_seconds = best_of(args.repeat, parse_all)
    seconds = best_of(args.repeat, scan_all)

    print(f"files:        {len(sources)}")
    print(f"lines:        {lines}")
    print(f"write sites:  {writes}")
    print(f"problems:     {problems}")
    print(f"seconds:      {seconds:.2f}  (best of {args.repeat})")
    print(f"files/s:      {len(sources) / seconds:.0f}")
    print(f"ast.parse:    {parse_seconds:.2f} s; scan_python takes {seconds / parse_seconds:.1f}x ast.parse alone")


if __name__ == "__main__":
    main()
