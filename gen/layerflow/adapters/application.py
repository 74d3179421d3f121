"""The one use case: read the inputs, parse them, validate them, analyse them. CLI and plugin both call this.

adapters.load reads the files (the only I/O); everything after is pure: the
parsers turn each text into the model, the change records are validated
against the registry, and audit.analysis concludes. The code files' texts stay
in the evidence (CodeEvidence.texts), so the site's source pages need no
second read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from layerflow.adapters.child_call import Call, in_child
from layerflow.adapters.gcpause import collector_paused
from layerflow.adapters.load import Files, Sources, Text, producers_schema, read_files
from layerflow.adapters.parse_memo import ParseMemo
from layerflow.audit.analysis import analyse
from layerflow.audit.classify import FlowMemo
from layerflow.audit.history import validate_changes
from layerflow.errors import Parsed, softened
from layerflow.evidence.code import scan_python
from layerflow.evidence.link import link_files
from layerflow.evidence.units import pair_jobs, parse_crontab, parse_unit
from layerflow.model import Analysis, ChangeRecord, Inputs, Inventory, Ledger, Level, Problem, Rules
from layerflow.model.facts import CodeEvidence, EvidenceSet, FileEvidence, Job, OpsEvidence, UnitFile, Unread
from layerflow.parse.changes import parse_change
from layerflow.parse.inventory import parse_inventory
from layerflow.parse.ledger import parse_ledger
from layerflow.parse.registry import SignalRows, parse_registry
from layerflow.parse.rules import parse_rules

T = TypeVar("T")


@dataclass(frozen=True)
class Loaded:
    inputs: Inputs
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level is Level.ERROR)


def load_and_analyse(sources: Sources, *, again: bool = False) -> tuple[Analysis | None, tuple[Problem, ...]]:
    """Load and audit; the analysis, or None and every error that stopped it.

    `again`: this process loads the same project again soon (`serve` after each edit, `diff`'s second side),
    so this load also keeps each registry row's signal and each flow for the next (SignalRows, FlowMemo) and
    takes the last such load's where nothing they read changed. One load (`check`, `build`) keeps none: at 10k
    signals they are 10 MB a build would hold for nothing."""
    rows, flows = (_ROWS, _FLOWS) if again else (None, None)
    with collector_paused():  # millions of long-lived objects, no cycles: see gcpause
        loaded = parse_files(read_files(sources), rows)
        # Causes before knock-ons, in the order to fix them: a file's own errors first (a registry row that does
        # not read), then what follows from them across files (the change record whose signal that row defined).
        errors = sorted(set(loaded.errors))
        if loaded.inputs.registry.tables:  # without one, every applied record would also say its signal is missing
            errors += sorted(set(validate_changes(loaded.inputs.registry, loaded.inputs.changes)) - set(errors))
        if errors:
            return None, tuple(errors)
        return analyse(loaded.inputs, loaded.problems, flows), loaded.problems


def load(sources: Sources) -> Loaded:
    """Read every input once and parse it; all problems of all files are collected."""
    return parse_files(read_files(sources))


_MEMO = ParseMemo()  # the last load's parses, given back for texts that did not change (serve; see parse_memo)
_ROWS = SignalRows()  # the last registry parse's signals, given back for rows that did not change (a one-row edit)
_FLOWS = FlowMemo()  # the last analysis's flows, given back for outputs whose signals and rules are those objects


def forget_parses() -> None:
    """The next load parses every input and classifies every flow again: for a benchmark of both, which the
    memos would skip."""
    global _MEMO, _ROWS, _FLOWS  # process-wide memos, replaced whole
    _MEMO, _ROWS, _FLOWS = ParseMemo(), SignalRows(), FlowMemo()


# An inventory this long is parsed by a child beside the registry (child_call): about 300 producers, where the
# parse (25 ms) is well over what a fork and the pickle cost.
INVENTORY_IN_CHILD_FROM = 128 * 1024


def parse_files(files: Files, rows: SignalRows | None = None) -> Loaded:
    """The files as the model: every text parsed, every problem kept; `rows`: see parse_registry."""
    _MEMO.start()
    schema = producers_schema()
    with in_child(_inventory_parse(files.producers, schema), worth_it=_worth_a_child(files.producers)) as inventory:
        return _parse_all(files, rows, inventory)


def _inventory_parse(text: Text | None, schema: Mapping[str, Any]) -> Callable[[], Parsed[Inventory | None]]:
    path, body = (text.path, text.text) if text is not None and text.text is not None else ("", "")
    return lambda: parse_inventory(path, body, schema)


def _worth_a_child(text: Text | None) -> bool:
    if text is None or text.text is None or len(text.text) < INVENTORY_IN_CHILD_FROM:
        return False
    return not _MEMO.knows("inventory", text.path, text.text)  # the last load's parse is given back at once


def _parse_all(files: Files, rows: SignalRows | None, inventory: Call[Parsed[Inventory | None]]) -> Loaded:
    problems = list(files.problems)
    texts = tuple((t.path, t.text) for t in files.registry if t.text is not None)
    registry = _MEMO.parsed("registry", lambda _, all_texts: parse_registry(all_texts, rows), "", texts)
    problems.extend(registry.problems)
    if not registry.value.tables and not any(p.level is Level.ERROR for p in problems) and files.nothing_found:
        problems.append(files.nothing_found)
    changes: list[ChangeRecord] = []
    for text in files.changes:
        record = _parsed("change", text, parse_change, None, problems)
        if record is not None:
            changes.append(record)
    inputs = Inputs(
        registry=registry.value,
        changes=tuple(changes),
        rules=_parsed("rules", files.rules, parse_rules, Rules(), problems),
        inventory=_parsed("inventory", files.producers, lambda _p, _t: inventory.result(), None, problems),
        ledger=_parsed("ledger", files.ledger, parse_ledger, Ledger(), problems),
        evidence=_evidence(files, problems),
    )
    return Loaded(inputs, tuple(problems))


def _parsed(
    kind: str, text: Text | None, parse: Callable[[str, str], Parsed[Any]], default: T, problems: list[Problem]
) -> T:
    if text is None or text.text is None:
        return default
    path, body = text.path, text.text
    parsed = _MEMO.parsed(kind, parse, path, body)
    problems.extend(parsed.problems)
    return default if parsed.value is None else parsed.value


# Evidence is best-effort: whatever cannot be read is a warning, never an error.


def _evidence(files: Files, problems: list[Problem]) -> EvidenceSet | None:
    code = _code(files, problems) if files.code_roots else None
    ops = _ops(files, problems) if files.ops_dirs else None
    return EvidenceSet(code=code, ops=ops) if code or ops else None


def _code(files: Files, problems: list[Problem]) -> CodeEvidence:
    scanned: dict[str, FileEvidence] = {}
    texts: dict[str, str] = {}
    for text in files.code:
        if text.text is None:
            continue
        result = _MEMO.parsed("python", scan_python, text.path, text.text)
        problems.extend(softened(result.problems))
        scanned[text.path] = result.value
        texts[text.path] = text.text
    undecoded = tuple(Unread(why.location, why.message) for _, why in files.code_problems)
    evidence = link_files(scanned[p] for p in sorted(scanned))
    return CodeEvidence(files.code_roots, evidence, files.scripts, undecoded, texts)


def _ops(files: Files, problems: list[Problem]) -> OpsEvidence:
    units: list[UnitFile] = []
    cron: list[Job] = []
    for found in files.ops:
        if found.cron:
            jobs = _MEMO.parsed("crontab", parse_crontab, found.path, found.text)
            problems.extend(softened(jobs.problems))
            cron.extend(jobs.value)
        else:
            unit = _MEMO.parsed("unit", parse_unit, found.path, found.text)
            problems.extend(softened(unit.problems))
            units.append(unit.value)
    paired = pair_jobs(units)
    problems.extend(softened(paired.problems))
    return OpsEvidence(files.ops_dirs, (*paired.value, *cron), tuple(f.path for f in files.ops))
