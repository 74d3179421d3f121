"""`layerflow check | report | ledger`: the only module that prints.

Exit codes follow auditor_rules' auditor_interface: 0 all pass, 1 warnings
only, 2 blocking findings; 3 invalid input (every problem listed, no traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from layerflow import __version__
from layerflow.adapters.application import load_and_analyse
from layerflow.adapters.load import DEFAULT_DIR, Sources
from layerflow.model import Analysis, Level, Problem
from layerflow.render.machine import problems_json, problems_sarif, to_json, to_sarif
from layerflow.render.report import render_report
from layerflow.render.text import to_text

EXIT_INVALID_INPUT = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="layerflow", description="Audit an architecture signal registry.")
    parser.add_argument("--version", action="version", version=f"layerflow {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("check", "classify L7 flows, find gaps, evaluate CI gates; exit 0/1/2 (3: invalid input)"),
        ("report", "print the L7→L6 flow sufficiency report as Markdown"),
        ("ledger", "print gap-ledger entries for gaps the ledger does not know yet"),
    ):
        sub = commands.add_parser(name, help=help_text)
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
            sub.add_argument("--format", choices=("text", "json", "sarif"), default="text")
            sub.add_argument(
                "--observe", action="store_true", help="report findings but exit 0 unless input is invalid"
            )
    return parser


def _report_errors(errors: Sequence[Problem], fmt: str = "text") -> int:
    """Every problem on stderr; for json and sarif also a document on stdout, so a CI upload is never empty."""
    for problem in errors:
        print(f"{problem}", file=sys.stderr)
    print(f"layerflow: {len(errors)} problem(s) in the input; nothing was analysed", file=sys.stderr)
    document = {"json": problems_json, "sarif": problems_sarif}.get(fmt)
    if document is not None:
        sys.stdout.write(document(errors, EXIT_INVALID_INPUT))
    return EXIT_INVALID_INPUT


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    sources = Sources(
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
    analysis, problems = load_and_analyse(sources)
    if analysis is None:
        return _report_errors([p for p in problems if p.level is Level.ERROR], getattr(args, "format", "text"))
    if args.command == "report":
        sys.stdout.write(render_report(analysis))
        return 0
    if args.command == "ledger":
        sys.stdout.write(_ledger_entries(analysis))
        return 0
    rendered = {"json": to_json, "sarif": to_sarif}.get(args.format)
    sys.stdout.write(rendered(analysis) if rendered else to_text(analysis, observe=args.observe))
    return 0 if args.observe else analysis.exit_code


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
    sys.exit(main())


if __name__ == "__main__":
    entry()
