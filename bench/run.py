"""layerflow benchmarks: every figure beside a floor measured in the same run.

    .venv/bin/python bench/run.py                 # full: 1k/10k/100k parse, 1k and 10k site builds
    .venv/bin/python bench/run.py --quick         # under two minutes: sizes 1k and 3k
    .venv/bin/python bench/run.py --json out.json # also write the figures
    .venv/bin/python bench/run.py --peers         # also sphinx-needs on the same data (own venv, bench/peers.py)

Floors: a plain MkDocs build (same theme, same nav policy) of the very pages
layerflow generates, written out as ordinary Markdown; one batched `dot`
process over the very DOT files layerflow renders; for parse + classify,
reading the same files with C code only (bytes decoded and split into lines,
the YAML parsed into events by libyaml); for `layerflow check` as a process, the
interpreter starting and stopping. Ratios, not seconds, are what hold on a
shared, noisy machine. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "gen"))
sys.path.insert(0, str(HERE))

from layerflow.adapters.application import forget_parses, load_and_analyse  # noqa: E402
from layerflow.adapters.load import Sources  # noqa: E402
from layerflow.render.site import build_site  # noqa: E402
from layerflow.render.usermd import user_markdown_html  # noqa: E402
from synth import write_project  # noqa: E402

BIN = Path(sys.executable).parent
ENV = {**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def best_of(runs: int, action: Callable[[], object]) -> float:
    return min(timed(action) for _ in range(runs))


def progress(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


def parse_classify(project: Path) -> float:
    def run() -> None:
        forget_parses()  # else the second run gets the first run's parses back (adapters/parse_memo.py)
        analysis, problems = load_and_analyse(Sources(base=str(project / "registry")))
        assert analysis is not None, problems[:3]

    return best_of(2, run)


def read_floor(project: Path) -> float:
    """The same input files read by C code alone: decoded and split into lines, the YAML scanned and parsed
    into events by libyaml (building Python objects from them is what PyYAML does in Python)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    paths = sorted(p for p in (project / "registry").rglob("*") if p.suffix in (".md", ".yaml"))

    def run() -> None:
        for path in paths:
            text = path.read_bytes().decode("utf-8")
            if path.suffix == ".yaml":
                for _ in yaml.parse(text, Loader=loader):
                    pass
            else:
                text.split("\n")

    return best_of(2, run)


def check_json(project: Path) -> tuple[float, float]:
    """`layerflow check --format json` as CI runs it, a fresh process; and the interpreter starting alone."""
    command = [str(BIN / "layerflow"), "check", "--format", "json"]

    def check() -> None:
        subprocess.run(command, cwd=project, env=ENV, stdout=subprocess.DEVNULL, check=False)

    def start() -> None:
        subprocess.run([sys.executable, "-c", "pass"], env=ENV, check=True)

    return best_of(3, check), best_of(3, start)


def mkdocs_build(project: Path, config: str = "mkdocs.yml") -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one build, in a fresh process as users run it."""
    command = ["/usr/bin/time", "-f", "%M", str(BIN / "properdocs"), "build", "-q", "-f", config]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=project, env=ENV, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"build failed in {project}:\n{result.stderr[-3000:]}")
    peak_kb = int(result.stderr.strip().splitlines()[-1])
    return seconds, peak_kb / 1024


def floor_project(project: Path) -> Path:
    """The same pages as plain Markdown files and the same config without the layerflow plugin."""
    analysis, _ = load_and_analyse(Sources(base=str(project / "registry")))
    assert analysis is not None
    site = build_site(analysis, user_markdown_html)
    floor = project.parent / (project.name + "-floor")
    if floor.exists():
        shutil.rmtree(floor)
    shutil.copytree(project / "docs", floor / "docs")
    for path, markdown in site.pages.items():
        target = floor / "docs" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(markdown, encoding="utf-8")
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    start = config.index("  - layerflow:")
    end = config.index("markdown_extensions:")
    (floor / "mkdocs.yml").write_text(config[:start] + "\n" + config[end:] + FLOOR_NAV, encoding="utf-8")
    return floor


# The plugin's nav policy (adapters/mkdocs_setup.nav_inclusion): entity pages out of the automatic nav, each
# section's index in it. Without this the floor draws 13,000 pages into every page's nav, which is quadratic
# and made the floor of a 10k build an hour long.
FLOOR_NAV = (
    "not_in_nav: |\n"
    + "".join(
        f"  /{section}/*\n  !/{section}/index.md\n" for section in ("producers", "signals", "gaps", "changes", "stores")
    )
    + "  /source/\n"
)


def site_build(project: Path) -> dict[str, float]:
    shutil.rmtree(project / ".layerflow-cache", ignore_errors=True)
    cold, _ = mkdocs_build(project)
    warm, peak = mkdocs_build(project)  # diagram cache warm: what CI with a cached folder and `serve` see
    floor = floor_project(project)
    floor_s, _ = mkdocs_build(floor)
    return {"cold_s": cold, "warm_s": warm, "floor_s": floor_s, "peak_mb": peak}


_SERVE_REBUILD = """
import os, sys, time
from pathlib import Path
import properdocs.replacement  # as the properdocs CLI does: mkdocs.* imports resolve to properdocs
from properdocs.commands.build import build
from properdocs.config import load_config

project, dirty = Path(sys.argv[1]), sys.argv[2] == "dirty"
os.chdir(project)
site = str(project / "serve-site")

def rebuild():
    config = load_config(config_file="mkdocs.yml", site_dir=site)
    config.plugins.on_startup(command="serve", dirty=dirty)
    start = time.perf_counter()
    build(config, serve_url="http://127.0.0.1:8000/", dirty=dirty)
    return time.perf_counter() - start

rebuild()  # the first build `serve` does
registry = sorted((project / "registry").glob("*.md"))[0]
text = registry.read_text(encoding="utf-8")
row = next(line for line in text.splitlines() if line.startswith("| SIG-"))
registry.write_text(text.replace(row, row.replace(" | ", " | edited ", 1), 1), encoding="utf-8")
print(rebuild())
"""


def edit_rebuild(project: Path, *, dirty: bool) -> float:
    """A one-row registry edit, then the rebuild `mkdocs serve` (or `serve --dirty`) runs, in one process."""
    result = subprocess.run(
        [sys.executable, "-c", _SERVE_REBUILD, str(project), "dirty" if dirty else "full"],
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"serve rebuild failed in {project}:\n{result.stderr[-3000:]}")
    return float(result.stdout.strip().splitlines()[-1])


def diagrams(project: Path) -> dict[str, float]:
    """layerflow's renderer (cold cache, best of three, each with an empty cache) against one batched
    `dot -O` over the same files (best of three, alternating); then the inline-SVG post-processing as the
    plugin does it (once per distinct SVG) against once per diagram, as it was."""
    from layerflow.adapters.graphviz import default_jobs, render_svgs
    from layerflow.render.svg import inline_svg, inline_svg_template, place_id

    analysis, _ = load_and_analyse(Sources(base=str(project / "registry")))
    assert analysis is not None
    sources = build_site(analysis, user_markdown_html).diagrams
    ours: list[float] = []
    floors: list[float] = []
    with tempfile.TemporaryDirectory() as floor_dir:
        names = []
        for index, text in enumerate(sources.values()):
            name = f"d{index}.dot"
            Path(floor_dir, name).write_text(text, encoding="utf-8")
            names.append(name)
        for _ in range(3):
            with tempfile.TemporaryDirectory() as cache:
                ours.append(timed(lambda cache=cache: render_svgs(sources, cache)))
            floors.append(timed(lambda: subprocess.run(["dot", "-Tsvg", "-O", *names], cwd=floor_dir, check=True)))
    svgs = render_svgs(sources, None)

    def once_per_svg() -> None:
        templates: dict[str, str] = {}
        for key, svg in svgs.items():
            if svg not in templates:
                templates[svg] = inline_svg_template(svg)
            place_id(templates[svg], f"lf-{key}")

    inline_s = best_of(2, once_per_svg)
    per_key_s = best_of(2, lambda: [inline_svg(svg, f"lf-{key}") for key, svg in svgs.items()])
    return {
        "diagram_s": min(ours),
        "diagram_floor_s": min(floors),
        "diagram_ratio": min(ours) / min(floors),
        "diagram_count": len(sources),
        "diagram_unique": len(set(sources.values())),
        "diagram_jobs": default_jobs(),
        "inline_s": inline_s,
        "inline_per_key_s": per_key_s,
        "inline_ratio": inline_s / per_key_s,
    }


def peer_rows(
    work: Path,
    builds: dict[int, dict[str, float]],
    figures: dict[str, float | int | None],
    rows: list[tuple[str, str, str, str]],
) -> None:
    """sphinx-needs building the same data as each site build; the ratio is layerflow's warm build over it."""
    from peers import ensure_venv, sphinx_build, write_sphinx_project

    python = ensure_venv()
    for n, result in builds.items():
        progress(f"peer: sphinx-needs, {n} signals")
        analysis, _ = load_and_analyse(Sources(base=str(work / f"site-{n}" / "registry")))
        assert analysis is not None
        counts = write_sphinx_project(analysis, work / f"sphinx-needs-{n}")
        seconds = sphinx_build(python, work / f"sphinx-needs-{n}")
        label = _label(n)
        figures[f"peer_sphinx_needs_s_{label}"] = round(seconds, 2)
        figures[f"peer_sphinx_needs_needs_{label}"] = counts["needs"]
        figures[f"peer_ratio_{label}"] = round(result["warm_s"] / seconds, 2)
        rows.append(
            (
                f"site build vs sphinx-needs, {n} signals ({counts['needs']} needs, {counts['pages']} pages)",
                f"{result['warm_s']:.1f} s",
                f"{seconds:.1f} s sphinx-needs",
                f"{result['warm_s'] / seconds:.2f}x",
            )
        )


def _label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def compiled_as_installed() -> None:
    """layerflow's bytecode written beside its sources, as `pip install` writes it for an installed package.

    The checkout is an editable install, and a machine with PYTHONDONTWRITEBYTECODE set (this kind sets it)
    never writes bytecode for it: every process the bench times would compile layerflow from source first
    (0.15 s of the 1.3 s `check --format json` at 10k), which no installed copy does. A source edited since
    is compiled again by Python as usual; the figures are those of the tool as users install it."""
    import compileall

    compileall.compile_dir(str(ROOT / "gen"), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="sizes 1k and 3k; under two minutes")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one)")
    parser.add_argument("--sizes", help="SMALL,LARGE signal counts (the test suite uses a tiny pair)")
    parser.add_argument(
        "--peers",
        action="store_true",
        help="also build the site-build data with sphinx-needs (needs + needflow per producer page; slow)",
    )
    args = parser.parse_args()
    compiled_as_installed()
    small, large = (1000, 3000) if args.quick else (1000, 10000)
    if args.sizes:
        small, large = (int(x) for x in args.sizes.split(","))
    parse_sizes = (small, large) if args.quick or args.sizes else (1000, 10000, 100000)
    work = args.work or Path(tempfile.mkdtemp(prefix="layerflow-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    figures: dict[str, float | int | None] = {}
    rows: list[tuple[str, str, str, str]] = []

    for n in parse_sizes:
        progress(f"parse + classify {n} signals")
        project = write_project(work / f"parse-{n}", signals=n, producers=n // 10)
        seconds = parse_classify(project)
        floor_s = read_floor(project)
        label = _label(n)
        figures[f"parse_classify_s_{label}"] = round(seconds, 3)
        figures[f"read_floor_s_{label}"] = round(floor_s, 3)
        figures[f"parse_classify_ratio_{label}"] = round(seconds / floor_s, 1)
        rows.append(
            (
                f"parse + classify, {n} signals, {n // 10} producers",
                f"{seconds:.2f} s",
                f"{floor_s:.2f} s read by C code",
                f"{seconds / floor_s:.1f}x",
            )
        )

    progress(f"layerflow check --format json, {large} signals, as a process")
    check_s, start_s = check_json(work / f"parse-{large}")
    figures[f"check_json_s_{_label(large)}"] = round(check_s, 3)
    figures["python_start_s"] = round(start_s, 3)
    rows.append(
        (f"`check --format json`, {large} signals (process)", f"{check_s:.2f} s", f"{start_s:.2f} s python", "—")
    )

    builds: dict[int, dict[str, float]] = {}
    for n in (small, large):
        progress(f"site build {n} signals, {n // 10} producers (cold, warm, floor)")
        project = write_project(work / f"site-{n}", signals=n, producers=n // 10)
        builds[n] = result = site_build(project)
        label = _label(n)
        figures[f"build_s_{label}"] = round(result["warm_s"], 2)
        figures[f"build_cold_s_{label}"] = round(result["cold_s"], 2)
        figures[f"floor_s_{label}"] = round(result["floor_s"], 2)
        figures[f"build_ratio_{label}"] = round(result["warm_s"] / result["floor_s"], 2)
        figures[f"peak_rss_mb_{label}"] = round(result["peak_mb"])
        rows.append(
            (
                f"site build, {n} signals / {n // 10} producers",
                f"{result['warm_s']:.1f} s (cold {result['cold_s']:.1f} s)",
                f"{result['floor_s']:.1f} s plain MkDocs",
                f"{result['warm_s'] / result['floor_s']:.2f}x",
            )
        )
    if args.peers:
        peer_rows(work, builds, figures, rows)
    exponent = math.log(builds[large]["warm_s"] / builds[small]["warm_s"]) / math.log(large / small)
    figures["growth_exponent"] = round(exponent, 2)
    rows.append((f"growth exponent {small}→{large}", f"{exponent:.2f}", "1.00 linear", "—"))

    progress("diagrams: renderer vs one batched dot")
    drawn = diagrams(work / f"site-{small}")
    for key, value in drawn.items():
        figures[key] = round(value, 3) if isinstance(value, float) else value
    figures["diagram_ratio"] = round(drawn["diagram_ratio"], 2)
    rows.append(
        (
            f"{drawn['diagram_count']:.0f} diagrams ({drawn['diagram_unique']:.0f} distinct), cold cache, "
            f"{drawn['diagram_jobs']:.0f} jobs",
            f"{drawn['diagram_s']:.2f} s",
            f"{drawn['diagram_floor_s']:.2f} s one dot process",
            f"{drawn['diagram_ratio']:.2f}x",
        )
    )
    rows.append(
        (
            "inline SVG, once per distinct SVG",
            f"{drawn['inline_s']:.2f} s",
            f"{drawn['inline_per_key_s']:.2f} s once per diagram",
            f"{drawn['inline_ratio']:.2f}x",
        )
    )

    progress("one-row edit rebuild, embedded registry")
    embedded = work / "embedded"
    if embedded.exists():
        shutil.rmtree(embedded)
    embedded.mkdir()
    for name in ("mkdocs.yml", "docs", "registry"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, embedded / name)
    edit_s = edit_rebuild(embedded, dirty=False)
    edit_dirty_s = edit_rebuild(embedded, dirty=True)
    figures["edit_rebuild_s_embedded"] = round(edit_s, 2)
    figures["edit_rebuild_dirty_s_embedded"] = round(edit_dirty_s, 2)
    figures["make_serve_edit_s_embedded"] = round(edit_dirty_s, 2)  # `make serve` runs `serve --dirty`
    rows.append(("one-row edit rebuild, embedded (serve)", f"{edit_s:.2f} s", "—", "—"))
    rows.append(("one-row edit rebuild, embedded (serve --dirty, make serve)", f"{edit_dirty_s:.2f} s", "—", "—"))
    progress(f"one-row edit rebuild, {large} signals")
    full = builds[large]["warm_s"]
    for dirty in (False, True):
        seconds = edit_rebuild(work / f"site-{large}", dirty=dirty)
        mode = "dirty_" if dirty else ""
        figures[f"edit_rebuild_{mode}s_{_label(large)}"] = round(seconds, 2)
        if dirty:
            figures[f"make_serve_edit_s_{_label(large)}"] = round(seconds, 2)
        rows.append(
            (
                f"one-row edit rebuild, {large} signals (serve{' --dirty, make serve' if dirty else ''})",
                f"{seconds:.1f} s",
                f"{full:.1f} s full build",
                f"{seconds / full:.2f}x",
            )
        )
    rows.append((f"peak RSS, {large} signals build", f"{builds[large]['peak_mb']:.0f} MB", "—", "—"))

    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'layerflow':>24}  {'floor':>28}  ratio")
    for name, value, floor_text, ratio in rows:
        print(f"{name:<{width}}  {value:>24}  {floor_text:>28}  {ratio}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
