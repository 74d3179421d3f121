"""The file system edge: find and read the input files, hand text to the pure parsers.

Every input is optional. A path the user named that does not exist is an
error; a default that does not exist is simply not there. But something must
be audited: no signal table in any registry file read (or a base directory
named that does not exist) is an error too, never a pass on nothing. Paths in
messages are as the user would type them: relative to the working directory
when inside it.
"""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from layerflow.adapters.gcpause import collector_paused
from layerflow.audit.analysis import analyse
from layerflow.audit.history import validate_changes
from layerflow.errors import Parsed, error, warning
from layerflow.evidence.code import scan_python
from layerflow.evidence.commands import SCRIPT_SUFFIXES
from layerflow.evidence.link import link_files
from layerflow.evidence.units import pair_jobs, parse_crontab, parse_unit
from layerflow.model import Analysis, ChangeRecord, Inputs, Inventory, Ledger, Level, Problem, Rules
from layerflow.model.facts import CodeEvidence, EvidenceSet, FileEvidence, Job, OpsEvidence, UnitFile, Unread
from layerflow.parse.changes import parse_change
from layerflow.parse.inventory import parse_inventory
from layerflow.parse.ledger import parse_ledger
from layerflow.parse.registry import parse_registry
from layerflow.parse.rules import parse_rules
from layerflow.parse.source import decode

DEFAULT_DIR = "registry"
CHANGES_DIRNAME = "REGISTRY_CHANGES"
SKIP_DIRS = frozenset({".venv", "node_modules", ".git", "__pycache__"})  # never code of the project
UNIT_SUFFIXES = (".service", ".timer")
CRON_SUFFIXES = (".cron", ".crontab")


@dataclass(frozen=True)
class Sources:
    """Where the inputs are; None means the default under `base`."""

    registry: Sequence[str] = ()
    changes: str | None = None
    rules: str | None = None
    producers: str | None = None
    ledger: str | None = None
    base: str = DEFAULT_DIR
    code: tuple[str, ...] = ()  # code roots to scan for evidence (--code); none: no code evidence
    ops: tuple[str, ...] = ()  # directories of systemd units and cron files (--ops)
    base_given: bool = False  # the user named `base` (--base, the plugin's base:), so it must exist

    def resolved(self) -> dict[str, tuple[list[str], bool]]:
        """name -> (paths, explicitly given)."""
        base = self.base
        return {
            "code": (list(self.code), bool(self.code)),
            "ops": (list(self.ops), bool(self.ops)),
            "registry": (list(self.registry) or [base], bool(self.registry)),
            "changes": ([self.changes or os.path.join(base, CHANGES_DIRNAME)], self.changes is not None),
            "rules": ([self.rules or os.path.join(base, "auditor_rules.yaml")], self.rules is not None),
            "producers": ([self.producers or os.path.join(base, "producers.yaml")], self.producers is not None),
            "ledger": ([self.ledger or os.path.join(base, "gaps.yaml")], self.ledger is not None),
        }


@dataclass(frozen=True)
class Loaded:
    inputs: Inputs
    problems: tuple[Problem, ...]
    files: tuple[str, ...] = field(default=())  # every file read, for watching

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level.value == "error")


def producers_schema() -> Mapping[str, Any]:
    text = resources.files("layerflow").joinpath("schemas/producers.schema.json").read_text(encoding="utf-8")
    loaded: Mapping[str, Any] = json.loads(text)
    return loaded


def display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read(path: Path, problems: list[Problem], files: list[str]) -> str | None:
    shown = display(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(error(shown, 0, f"cannot read: {exc.strerror or exc}"))
        return None
    files.append(str(path))
    decoded = decode(shown, data)
    problems.extend(decoded.problems)
    return None if decoded.errors else decoded.value


def _registry_files(paths: list[str], explicit: bool, problems: list[Problem]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                sorted(p for p in path.glob("*.md") if p.is_file() and not p.name.lower().startswith("readme"))
            )
        elif path.is_file():
            found.append(path)
        elif explicit:
            problems.append(error(raw, 0, "no such registry file or directory"))
    return found


def load(sources: Sources) -> Loaded:
    """Read and parse every input; all problems of all files are collected."""
    where = sources.resolved()
    problems: list[Problem] = []
    files: list[str] = []

    base = Path(sources.base)
    if sources.base_given and not base.is_dir():
        problems.append(
            error(
                display(base),
                0,
                f"no such base directory ({base.absolute()}); the registry (*.md), {CHANGES_DIRNAME}/, "
                "auditor_rules.yaml, producers.yaml and gaps.yaml are looked for in it",
            )
        )
    texts: list[tuple[str, str]] = []
    for path in _registry_files(*where["registry"], problems):
        text = _read(path, problems, files)
        if text is not None:
            texts.append((display(path), text))
    registry = parse_registry(texts)
    problems.extend(registry.problems)
    if not registry.value.tables and not any(p.level is Level.ERROR for p in problems):
        problems.append(_nothing_to_audit(where["registry"][0], [path for path, _ in texts]))

    changes = _changes(where["changes"], problems, files)
    rules = _optional(where["rules"], problems, files, parse_rules, Rules())
    schema = producers_schema()
    inventory: Inventory | None = _optional(
        where["producers"], problems, files, lambda p, t: parse_inventory(p, t, schema), None
    )
    ledger = _optional(where["ledger"], problems, files, parse_ledger, Ledger())
    evidence = _evidence(sources, problems, files)
    inputs = Inputs(
        registry=registry.value, changes=changes, rules=rules, inventory=inventory, ledger=ledger, evidence=evidence
    )
    return Loaded(inputs, tuple(problems), tuple(files))


def _nothing_to_audit(paths: Sequence[str], read: Sequence[str]) -> Problem:
    """No signal table anywhere: say what was looked for, and where, so a wrong path is found at once."""
    looked: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            names = [Path(p).name for p in read if Path(p).resolve().parent == path.resolve()]
            looked.append(f"*.md in {path.absolute()} ({'read ' + ', '.join(names) if names else 'none there'})")
        elif path.is_file():
            looked.append(f"{path.absolute()} (read)")
        else:
            looked.append(f"*.md in {path.absolute()} (no such directory)")
    message = f"no signal table found; looked for {'; '.join(looked)}"
    if read:
        message += (
            ". A signal table is a Markdown table whose header has a UID column and another known column "
            "(Name, Producer, P-Layer, Consumer, Persistence, ...)"
        )
    return error(display(Path(paths[0])), 0, message)


def _optional(
    where: tuple[list[str], bool], problems: list[Problem], files: list[str], parse: Any, default: Any
) -> Any:
    paths, explicit = where
    path = Path(paths[0])
    if not path.is_file():
        if explicit:
            problems.append(error(paths[0], 0, "no such file"))
        return default
    text = _read(path, problems, files)
    if text is None:
        return default
    parsed: Parsed[Any] = parse(display(path), text)
    problems.extend(parsed.problems)
    return default if parsed.value is None else parsed.value


def _changes(where: tuple[list[str], bool], problems: list[Problem], files: list[str]) -> tuple[ChangeRecord, ...]:
    paths, explicit = where
    folder = Path(paths[0])
    if not folder.is_dir():
        if explicit:
            problems.append(error(paths[0], 0, "no such change-record directory"))
        return ()
    records: list[ChangeRecord] = []
    for path in sorted(folder.glob("*.md")):
        text = _read(path, problems, files)
        if text is None:
            continue
        parsed = parse_change(display(path), text)
        problems.extend(parsed.problems)
        if parsed.value is not None:
            records.append(parsed.value)
    return tuple(records)


# ----------------------------------------------------------------- evidence
# Evidence is best-effort: whatever cannot be read is a warning, never an error.


def _evidence(sources: Sources, problems: list[Problem], files: list[str]) -> EvidenceSet | None:
    if not sources.code and not sources.ops:
        return None
    code = _code(sources.code, problems) if sources.code else None
    ops = _ops(sources.ops, problems, files) if sources.ops else None
    return EvidenceSet(code=code, ops=ops) if code or ops else None


def _walk(root: Path, shown: str) -> list[tuple[Path, str]]:
    """Every file under a root, sorted, as (path, path shown), skipping virtualenvs and caches."""
    if root.is_file():
        return [(root, shown)]
    found: list[tuple[Path, str]] = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        relative = os.path.relpath(folder, root)
        prefix = shown if relative == "." else f"{shown}/{Path(relative).as_posix()}"
        # "./src/x.py" under the root "." is "src/x.py" under the root "src": one file, one name
        found.extend((Path(folder, name), posixpath.normpath(f"{prefix}/{name}")) for name in sorted(names))
    return found


def _roots(paths: Sequence[str], problems: list[Problem], what: str) -> list[tuple[Path, str]]:
    found: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.exists():
            found.append((path, display(path)))
        else:
            problems.append(warning(raw, 0, f"no such {what}; no evidence read from it"))
    return found


def _read_text(path: Path, shown: str, problems: list[Problem]) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(warning(shown, 0, f"cannot read: {exc.strerror or exc}"))
        return None
    decoded = decode(shown, data)
    problems.extend(_softened(decoded.problems))
    return None if decoded.errors else decoded.value


def _softened(problems: Sequence[Problem]) -> list[Problem]:
    return [replace(p, level=Level.WARNING) for p in problems]


def _code(paths: Sequence[str], problems: list[Problem]) -> CodeEvidence | None:
    roots = _roots(paths, problems, "code root")
    if not roots:
        return None
    scanned: dict[str, FileEvidence] = {}
    undecoded: list[Unread] = []
    scripts: set[str] = set()
    seen: set[str] = set()  # real paths: overlapping roots and symlinks read a file once
    for root, shown_root in roots:
        for path, shown in _walk(root, shown_root):
            if path.suffix == ".py":
                real = os.path.realpath(path)
                if real in seen:
                    continue
                seen.add(real)
                before = len(problems)
                text = _read_text(path, shown, problems)
                if text is None:  # not text, or unreadable: listed with the reason its problem gives
                    why = problems[before] if len(problems) > before else warning(shown, 0, "cannot read")
                    undecoded.append(Unread(why.location, why.message))
                    continue
                result = scan_python(shown, text)
                problems.extend(_softened(result.problems))
                scanned[shown] = result.value
            elif path.name.endswith(SCRIPT_SUFFIXES):
                scripts.add(shown)
    evidence = link_files(scanned[p] for p in sorted(scanned))
    return CodeEvidence(tuple(shown for _, shown in roots), evidence, tuple(sorted(scripts)), tuple(undecoded))


def _ops(paths: Sequence[str], problems: list[Problem], files: list[str]) -> OpsEvidence | None:
    roots = _roots(paths, problems, "ops directory")
    if not roots:
        return None
    units: list[UnitFile] = []
    cron: list[Job] = []
    read: list[str] = []
    for root, shown_root in roots:
        for path, shown in _walk(root, shown_root):
            is_cron = path.name == "crontab" or path.name.endswith(CRON_SUFFIXES) or path.parent.name == "cron.d"
            if not (path.name.endswith(UNIT_SUFFIXES) or is_cron) or shown in read:
                continue
            text = _read_text(path, shown, problems)
            if text is None:
                continue
            read.append(shown)
            files.append(str(path))
            if is_cron:
                jobs = parse_crontab(shown, text)
                problems.extend(_softened(jobs.problems))
                cron.extend(jobs.value)
            else:
                unit = parse_unit(shown, text)
                problems.extend(_softened(unit.problems))
                units.append(unit.value)
    paired = pair_jobs(units)
    problems.extend(_softened(paired.problems))
    return OpsEvidence(tuple(shown for _, shown in roots), (*paired.value, *cron), tuple(read))


def load_and_analyse(sources: Sources) -> tuple[Analysis | None, tuple[Problem, ...]]:
    """Load and audit; the analysis, or None and every error that stopped it."""
    with collector_paused():  # millions of long-lived objects, no cycles: see gcpause
        return _load_and_analyse(sources)


def _load_and_analyse(sources: Sources) -> tuple[Analysis | None, tuple[Problem, ...]]:
    loaded = load(sources)
    errors = list(loaded.errors)
    if loaded.inputs.registry.tables:  # without one, every applied record would also say its signal is missing
        errors += validate_changes(loaded.inputs.registry, loaded.inputs.changes)
    if errors:
        return None, tuple(sorted(set(errors)))
    return analyse(loaded.inputs, loaded.problems), loaded.problems
