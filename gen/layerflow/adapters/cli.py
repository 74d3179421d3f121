"""`layerflow check | report | ledger | baseline | diff | generate`: the only module that prints (with adapters.ci).

Exit codes follow auditor_rules' auditor_interface: 0 all pass, 1 warnings
only, 2 blocking findings; 3 invalid input (every problem listed, no traceback).
"""

from __future__ import annotations

import argparse
import atexit
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from layerflow import __version__
from layerflow.adapters.application import load_and_analyse
from layerflow.adapters.gcpause import collector_paused
from layerflow.adapters.judge import Judging, baseline_path, judged
from layerflow.adapters.load import DEFAULT_DIR, Sources
from layerflow.audit.baseline import BASELINE_FILENAME
from layerflow.model import Analysis, Level, Problem
from layerflow.render.machine import problems_json, problems_sarif, to_json

# What only some commands need (the site's pages for `generate`, git and the diff for `diff`, the Markdown
# report, the other output formats) is imported in the command that uses it: `check --format json`, what CI
# runs on every push, then starts without a third of the modules (~0.1 s of its start).

EXIT_INVALID_INPUT = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="layerflow", description="Audit an architecture signal registry.")
    parser.add_argument("--version", action="version", version=f"layerflow {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("check", "classify L7 flows, find gaps, evaluate CI gates; exit 0/1/2 (3: invalid input)"),
        ("report", "print the L7→L6 flow sufficiency report as Markdown"),
        ("ledger", "print gap-ledger entries for gaps the ledger does not know yet"),
        ("baseline", "write the current findings to BASE/layerflow-baseline.json: check then judges only new ones"),
        ("diff", "what changed in the registry between two revisions or directories; exit 0/1/2 (3: invalid)"),
        ("generate", "write the site's pages as plain Markdown files (diagrams inline), for builders without plugins"),
    ):
        sub = commands.add_parser(name, help=help_text)
        if name == "generate":
            sub.add_argument(
                "out_dir", metavar="OUT_DIR", help="folder to write into (e.g. docs/); your own files stay"
            )
            sub.add_argument(
                "--layer", action="append", default=[], metavar="LN=NAME", help="name a layer in diagrams (repeatable)"
            )
        if name == "diff":
            sub.add_argument("base_side", metavar="BASE", help="git revision or directory holding the inputs before")
            sub.add_argument("head_side", metavar="HEAD", nargs="?", help="the same after (default: the working tree)")
        sub.add_argument("--base", help="directory holding the defaults; must exist when given (default: ./registry)")
        sub.add_argument("--registry", action="append", default=[], help="registry Markdown file or directory")
        sub.add_argument("--changes", help="directory of change records (default: BASE/REGISTRY_CHANGES)")
        sub.add_argument("--rules", help="auditor rules YAML (default: BASE/auditor_rules.yaml)")
        sub.add_argument("--producers", help="L7 producer inventory YAML (default: BASE/producers.yaml)")
        sub.add_argument("--ledger", help="gap ledger YAML (default: BASE/gaps.yaml)")
        sub.add_argument(
            "--code", action="append", default=[], metavar="ROOT", help="code root to scan for evidence (repeatable)"
        )
        sub.add_argument(
            "--ops",
            action="append",
            default=[],
            metavar="DIR",
            help="directory of systemd units/cron files (repeatable)",
        )
        if name == "check":
            sub.add_argument("--format", choices=("text", "json", "sarif", "github", "gitlab"), default="text")
            sub.add_argument(
                "--observe", action="store_true", help="report findings but exit 0 unless input is invalid"
            )
            sub.add_argument("--site-url", help="the published site, for SARIF rule links (default: mkdocs.yml's)")
        if name in ("check", "report"):
            _judging_options(sub)
        if name == "baseline":
            sub.add_argument(
                "--output", metavar="FILE", help="where to write it (default: BASE/layerflow-baseline.json)"
            )
        if name == "diff":
            sub.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    return parser


def _judging_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--baseline", metavar="FILE", help="baseline to judge against (default: BASE/" + BASELINE_FILENAME + ")"
    )
    sub.add_argument("--no-baseline", action="store_true", help="judge every finding, baseline or not")
    sub.add_argument("--new-since", metavar="REV", help="judge only findings that are new since git revision REV")


def _report_errors(errors: Sequence[Problem], fmt: str = "text") -> int:
    """Every problem on stderr; for json and sarif also a document on stdout, so a CI upload is never empty."""
    for problem in errors:
        print(f"{problem}", file=sys.stderr)
    print(f"layerflow: {len(errors)} problem(s) in the input; nothing was analysed", file=sys.stderr)
    document = {"json": problems_json, "sarif": problems_sarif}.get(fmt)
    if document is not None:
        sys.stdout.write(document(errors, EXIT_INVALID_INPUT))
    return EXIT_INVALID_INPUT


def _sources(args: argparse.Namespace) -> Sources:
    return Sources(
        registry=tuple(args.registry),
        changes=args.changes,
        rules=args.rules,
        producers=args.producers,
        ledger=args.ledger,
        base=args.base or DEFAULT_DIR,
        code=tuple(args.code),
        ops=tuple(args.ops),
        base_given=args.base is not None,
    )


def main(argv: Sequence[str] | None = None) -> int:
    return _main(argv)[0]


def _main(argv: Sequence[str] | None) -> tuple[int, Analysis | None]:
    """The exit code, and the analysis for `entry` to hold until the process ends (freeing a 10k-signal
    analysis object by object is ~0.1 s a process that exits next need not spend)."""
    args = _parser().parse_args(argv)
    sources = _sources(args)
    if args.command == "diff":
        from layerflow.adapters.ci import run_diff

        return run_diff(sources, args.base_side, args.head_side, args.format), None
    if args.command == "generate":
        return _generate(sources, args.out_dir, args.layer), None
    judging = Judging(
        baseline=getattr(args, "baseline", None),
        use_baseline=not getattr(args, "no_baseline", False) and args.command in ("check", "report"),
        new_since=getattr(args, "new_since", None),
    )
    # Paused until the output is written, not just while the analysis is built: writing the JSON of 10k signals
    # makes a million short-lived dicts, and the full collections they set off walked the whole analysis each
    # time (~0.1 s of the 0.5 s it took). What writing leaves behind is freed by reference counting all the same.
    with collector_paused():
        analysis, problems = load_and_analyse(sources)
        return _judged_and_written(args, sources, judging, analysis, problems), analysis


def _judged_and_written(
    args: argparse.Namespace,
    sources: Sources,
    judging: Judging,
    analysis: Analysis | None,
    problems: tuple[Problem, ...],
) -> int:
    if analysis is not None:
        analysis, problems = judged(analysis, sources, judging)
    if analysis is None:
        return _report_errors([p for p in problems if p.level is Level.ERROR], getattr(args, "format", "text"))
    if args.command == "report":
        from layerflow.render.report import render_report

        sys.stdout.write(render_report(analysis))
        return 0
    if args.command == "ledger":
        sys.stdout.write(_ledger_entries(analysis))
        return 0
    if args.command == "baseline":
        from layerflow.adapters.ci import write_baseline

        return write_baseline(analysis, args.output or baseline_path(sources, judging))
    sys.stdout.write(_rendered(analysis, args))
    return 0 if args.observe else analysis.exit_code


def _rendered(analysis: Analysis, args: argparse.Namespace) -> str:
    """The analysis in the `check --format` asked for."""
    if args.format == "json":
        return to_json(analysis)
    if args.format == "sarif":
        from layerflow.adapters.ci import site_url_of
        from layerflow.render.sarif import to_sarif

        return to_sarif(analysis, args.site_url if args.site_url is not None else site_url_of("mkdocs.yml"))
    if args.format == "github":
        from layerflow.render.github import to_github

        return to_github(analysis)
    if args.format == "gitlab":
        from layerflow.render.gitlab import to_gitlab

        return to_gitlab(analysis)
    from layerflow.render.text import to_text

    return to_text(analysis, observe=args.observe)


def _generate(sources: Sources, out_dir: str, layers: Sequence[str]) -> int:
    from layerflow.adapters.generate import InvalidInput, files_from, write_files
    from layerflow.adapters.graphviz import GraphvizError, GraphvizMissing

    names = dict(layer.partition("=")[::2] for layer in layers)
    try:
        files = files_from(sources, names)
    except InvalidInput as exc:
        return _report_errors(exc.problems)
    except (GraphvizMissing, GraphvizError) as exc:
        print(f"layerflow: {exc}", file=sys.stderr)
        return EXIT_INVALID_INPUT
    removed = write_files(out_dir, files)
    pages = sum(1 for path in files if path.endswith(".md"))
    gone = f", removed {len(removed)} no longer generated" if removed else ""
    print(f"layerflow: wrote {pages} pages and {len(files) - pages} other files to {out_dir}{gone}", file=sys.stderr)
    return 0


def _ledger_entries(analysis: Analysis) -> str:
    new = [g for g in analysis.gaps if not g.in_ledger]
    if not new:
        return "# every gap is in the ledger\n"
    lines = ["# add under 'gaps:' in the ledger (registry/gaps.yaml) to keep these ids stable"]
    for gap in new:
        title = gap.title.replace('"', "'")
        lines += [f"  - id: {gap.id}", f"    key: {gap.key}", f'    title: "{title}"']
    return "\n".join(lines) + "\n"


def entry() -> None:
    code, _held = _main(None)  # held, not freed, until the process exits
    exit_now(code)


def exit_now(code: int) -> NoReturn:
    """End the process with `code` once its output is out, without the interpreter's teardown.

    The teardown frees every module's objects one by one (the caches a 10k-signal analysis filled, the
    schema validators, the YAML machinery): 0.2-0.4 s of the 1-3 s `check --format json` takes, for memory
    the process is about to give back whole. What it would do that matters is flush the output and run
    exit handlers: the output is flushed here, and when anything registered a handler (logging, a coverage
    hook, a library) the ordinary exit runs instead, as before.
    """
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed or broken pipe: the ordinary exit reports it as it always has
        sys.exit(code)
    # The one way to ask whether exit handlers are waiting is private to CPython: without it, exit as always.
    waiting = getattr(atexit, "_ncallbacks", None)
    if waiting is None or waiting():
        sys.exit(code)
    os._exit(code)


if __name__ == "__main__":
    entry()
