"""The file system edge: find and read the input files; parsing them is adapters.application's.

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
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from layerflow.errors import error, softened, warning
from layerflow.evidence.commands import SCRIPT_SUFFIXES
from layerflow.model import Problem
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


@dataclass(frozen=True, slots=True)
class Text:
    """One file as read: its path as the user would type it, and its text; None when it could not be read."""

    path: str
    text: str | None


@dataclass(frozen=True, slots=True)
class OpsFile:
    path: str
    text: str
    cron: bool  # a cron file (crontab, *.cron, cron.d/*); else a systemd unit


@dataclass(frozen=True)
class Files:
    """Every input file, read once; what could not be read is in `problems`, located."""

    registry: tuple[Text, ...] = ()  # the registry's Markdown files, in order
    nothing_found: Problem | None = None  # what to say when none of them holds a signal table
    changes: tuple[Text, ...] = ()
    rules: Text | None = None  # None: no such file (a named one that is missing is a problem)
    producers: Text | None = None
    ledger: Text | None = None
    code_roots: tuple[str, ...] = ()  # the code roots that exist, as shown; () without --code or with none there
    code: tuple[Text, ...] = ()  # every Python file under them, once, sorted within each root
    scripts: tuple[str, ...] = ()  # the other scripts (.sh ...) seen there
    ops_dirs: tuple[str, ...] = ()
    ops: tuple[OpsFile, ...] = ()
    problems: tuple[Problem, ...] = ()
    code_problems: tuple[tuple[str, Problem], ...] = ()  # (path, why) of each Python file not read as text


def producers_schema() -> Mapping[str, Any]:
    text = resources.files("layerflow").joinpath("schemas/producers.schema.json").read_text(encoding="utf-8")
    loaded: Mapping[str, Any] = json.loads(text)
    return loaded


def display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_files(sources: Sources) -> Files:
    """Read every input the sources name; all problems of all files are collected."""
    where = sources.resolved()
    problems: list[Problem] = []
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
    registry = [Text(display(p), _read(p, problems)) for p in _registry_files(*where["registry"], problems)]
    read = [t.path for t in registry if t.text is not None]
    code_roots = _roots(sources.code, problems, "code root") if sources.code else []
    code, scripts, code_problems = _code(code_roots, problems)
    ops_dirs = _roots(sources.ops, problems, "ops directory") if sources.ops else []
    return Files(
        registry=tuple(registry),
        nothing_found=_nothing_to_audit(where["registry"][0], read),
        changes=_changes(where["changes"], problems),
        rules=_optional(where["rules"], problems),
        producers=_optional(where["producers"], problems),
        ledger=_optional(where["ledger"], problems),
        code_roots=tuple(shown for _, shown in code_roots),
        code=tuple(code),
        scripts=tuple(sorted(scripts)),
        ops_dirs=tuple(shown for _, shown in ops_dirs),
        ops=tuple(_ops(ops_dirs, problems)),
        problems=tuple(problems),
        code_problems=tuple(code_problems),
    )


def _read(path: Path, problems: list[Problem]) -> str | None:
    """The file's text; None, with an error saying why, when it has none."""
    return _read_text(path, display(path), problems, soft=False)


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


def _optional(where: tuple[list[str], bool], problems: list[Problem]) -> Text | None:
    paths, explicit = where
    path = Path(paths[0])
    if not path.is_file():
        if explicit:
            problems.append(error(paths[0], 0, "no such file"))
        return None
    return Text(display(path), _read(path, problems))


def _changes(where: tuple[list[str], bool], problems: list[Problem]) -> tuple[Text, ...]:
    paths, explicit = where
    folder = Path(paths[0])
    if not folder.is_dir():
        if explicit:
            problems.append(error(paths[0], 0, "no such change-record directory"))
        return ()
    return tuple(Text(display(path), _read(path, problems)) for path in sorted(folder.glob("*.md")))


# ----------------------------------------------------------------- evidence
# Evidence is best-effort: whatever cannot be read is a warning, never an error.


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


def _read_text(path: Path, shown: str, problems: list[Problem], *, soft: bool = True) -> str | None:
    """The file's text; None when it has none, with the reason as a problem: a warning when `soft` (evidence)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append((warning if soft else error)(shown, 0, f"cannot read: {exc.strerror or exc}"))
        return None
    decoded = decode(shown, data)
    problems.extend(softened(decoded.problems) if soft else decoded.problems)
    return None if decoded.errors else decoded.value


def _code(
    roots: Sequence[tuple[Path, str]], problems: list[Problem]
) -> tuple[list[Text], set[str], list[tuple[str, Problem]]]:
    """The Python files under the roots (each real file once: overlapping roots and symlinks), the other
    scripts, and why each Python file that is not text could not be read."""
    texts: list[Text] = []
    unread: list[tuple[str, Problem]] = []
    scripts: set[str] = set()
    seen: set[str] = set()
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
                    unread.append((shown, why))
                    continue
                texts.append(Text(shown, text))
            elif path.name.endswith(SCRIPT_SUFFIXES):
                scripts.add(shown)
    return texts, scripts, unread


def _ops(roots: Sequence[tuple[Path, str]], problems: list[Problem]) -> list[OpsFile]:
    found: list[OpsFile] = []
    read: set[str] = set()
    for root, shown_root in roots:
        for path, shown in _walk(root, shown_root):
            is_cron = path.name == "crontab" or path.name.endswith(CRON_SUFFIXES) or path.parent.name == "cron.d"
            if not (path.name.endswith(UNIT_SUFFIXES) or is_cron) or shown in read:
                continue
            text = _read_text(path, shown, problems)
            if text is None:
                continue
            read.add(shown)
            found.append(OpsFile(shown, text, is_cron))
    return found
