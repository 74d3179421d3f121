"""Signal registry Markdown files to a `Registry`, with every odd row reported."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter

from layerflow.errors import Parsed, error, warning
from layerflow.model import (
    NONE,
    Conflict,
    Consumer,
    Location,
    Persistence,
    Problem,
    Registry,
    Signal,
    VersionEntry,
)
from layerflow.parse import cells
from layerflow.parse.markdown import Heading, Table, scan

_RANGE = re.compile(r"^SIG-\d+\s*[-–—]\s*(SIG-)?\d+$")
_NUMBERING = re.compile(r"^[\dA-Z]+(\.\d+)*\.?\s+")
_DOMAIN_SUFFIX = re.compile(r"\s*\b(domain\s+)?(signals?|registry)\s*$", re.IGNORECASE)
_DOMAIN_WORD = re.compile(r"\s*\bdomain\b\s*$", re.IGNORECASE)


def domain_of(heading: Heading | None) -> str:
    """`### 2.2 Cost Domain Signals` -> `Cost`: the heading without numbering and filler."""
    if heading is None:
        return ""
    text = cells.plain(heading.text)
    text = _NUMBERING.sub("", text)
    stripped = _DOMAIN_WORD.sub("", _DOMAIN_SUFFIX.sub("", text)).strip(" -—:")
    return stripped or text


@dataclass(slots=True)
class _Draft:
    """A signal defined by more than one table row, being merged (`_merge`)."""

    uid: str
    domain: str
    fields: dict[str, str]
    extra: dict[str, str]
    consumers: tuple[Consumer, ...]
    persistence: Persistence | None
    location: Location
    header: tuple[str, ...]
    field_at: dict[str, Location] = field(default_factory=dict)  # fields a later row added; the rest: location
    also: list[Location] = field(default_factory=list)

    def freeze(self) -> Signal:
        # The draft is dropped after this: its dicts become the signal's, uncopied.
        return Signal(
            uid=self.uid,
            domain=self.domain,
            fields=self.fields,
            consumers=self.consumers,
            persistence=self.persistence,
            location=self.location,
            extra=self.extra,
            also_defined=tuple(self.also),
            header=self.header,
        )

    @classmethod
    def of(cls, signal: Signal) -> _Draft:
        """The first definition, for a later row to merge into."""
        return cls(
            uid=signal.uid,
            domain=signal.domain,
            fields=dict(signal.fields),
            extra=dict(signal.extra),
            consumers=signal.consumers,
            persistence=signal.persistence,
            location=signal.location,
            header=signal.header,
        )


class _Values(dict[str, str]):
    """cell -> `cells.value(cell)`, each distinct cell cleaned on first use (a lookup after that)."""

    def __missing__(self, cell: str) -> str:
        found = self[cell] = cells.value(cell)
        return found


class _NonLayers(dict[str, bool]):
    """cell -> `cells.names_a_non_layer(cell)`, searched once per distinct cell."""

    def __missing__(self, cell: str) -> bool:
        found = self[cell] = cells.names_a_non_layer(cell)
        return found


class _Cleaner:
    """Each distinct cell text is cleaned once per parse: a registry repeats most of its cells ("L7", "—",
    "PostgreSQL", a producer per domain), and a consumer or persistence cell is read from its value."""

    __slots__ = ("_consumers", "_persistence", "names_a_non_layer", "values")

    def __init__(self) -> None:
        self.values = _Values()
        self.names_a_non_layer = _NonLayers()
        self._persistence: dict[str, Persistence] = {}
        self._consumers: dict[tuple[str, str | None], tuple[tuple[Consumer, ...], str | None]] = {}

    def persistence(self, text: str) -> Persistence:
        found = self._persistence.get(text)
        if found is None:
            found = self._persistence[text] = cells.persistence_of_value(text)
        return found

    def consumers(self, text: str, layer_cell: str | None) -> tuple[tuple[Consumer, ...], str | None]:
        key = (text, layer_cell)
        found = self._consumers.get(key)
        if found is None:
            found = self._consumers[key] = cells.consumers_of_value(text, layer_cell)
        return found


class SignalRows:
    """The signals the last parse made of its rows, given back for each row that is unchanged.

    `serve` parses the whole registry again after a one-row edit, though every other row reads as it did: at
    10k signals that was 0.3 s of each rebuild. A row's first definition is a pure function of the file, the
    row's line and cells and what its table's columns hold, so the last parse's Signal for an equal key is
    the Signal this parse would make (it is frozen, and shared, so later stages see the same object: an
    unchanged signal then compares equal to the last build's at once). Only the last parse's rows are kept.
    """

    __slots__ = ("_last", "_this")

    def __init__(self) -> None:
        self._last: dict[tuple[object, ...], tuple[Signal, Problem | None]] = {}
        self._this: dict[tuple[object, ...], tuple[Signal, Problem | None]] = {}

    def start(self) -> None:
        """A parse begins: the last one's rows can be given back, what it does not ask for is let go."""
        self._last, self._this = self._this, {}

    def get(self, key: tuple[object, ...]) -> tuple[Signal, Problem | None] | None:
        return self._last.get(key)

    def keep(self, key: tuple[object, ...], made: tuple[Signal, Problem | None]) -> None:
        self._this[key] = made


@dataclass(slots=True)
class _Collector:
    signals: dict[str, Signal] = field(default_factory=dict)  # each UID's first definition
    drafts: dict[str, _Draft] = field(default_factory=dict)  # the UIDs defined again: merged, frozen at the end
    problems: list[Problem] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    removed: list[tuple[str, Location]] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    versions: list[VersionEntry] = field(default_factory=list)
    tables: list[Location] = field(default_factory=list)
    clean: _Cleaner = field(default_factory=_Cleaner)
    rows: SignalRows | None = None


@dataclass(frozen=True, slots=True)
class _Columns:
    """What each column of one signal table holds, worked out once for all its rows."""

    width: int
    uid_at: int
    values: tuple[tuple[int, str], ...]  # (index, canonical field) of every known column but the UID
    names: tuple[str, ...]  # the fields of `values`, in order
    # A full row's cells of `values`, and of the layer columns, as tuples: picked in one C call, not a loop
    pick_values: Callable[[tuple[str, ...]], tuple[str, ...]]
    pick_layers: Callable[[tuple[str, ...]], tuple[str, ...]]
    extras: tuple[tuple[int, str], ...]  # (index, header as shown) of the columns layerflow does not know
    c_layer_at: int | None
    header: tuple[str, ...]  # the known fields in column order, the UID included
    domain: str

    def key(self) -> tuple[object, ...]:
        """Everything a row's signal depends on besides its file, line and cells (for SignalRows)."""
        return (self.width, self.uid_at, self.values, self.extras, self.c_layer_at, self.header, self.domain)


def parse_registry(files: Sequence[tuple[str, str]], rows: SignalRows | None = None) -> Parsed[Registry]:
    """Parse registry files (path, text) in the order given; the first definition of a UID leads.
    `rows`: the last parse's signals, given back for the rows that are unchanged (SignalRows)."""
    acc = _Collector(rows=rows)
    if rows is not None:
        rows.start()
    for path, text in files:
        _parse_file(path, text, acc)
    merged = {uid: draft.freeze() for uid, draft in acc.drafts.items()}
    defined = (merged.get(uid, signal) for uid, signal in acc.signals.items()) if merged else acc.signals.values()
    signals = tuple(sorted(defined, key=lambda s: (cells.uid_number(s.uid), s.uid)))
    registry = Registry(
        signals=signals,
        files=tuple(p for p, _ in files),
        removed=tuple(acc.removed),
        conflicts=tuple(acc.conflicts),
        metadata=acc.metadata,
        versions=tuple(acc.versions),
        tables=tuple(acc.tables),
    )
    return Parsed(registry, tuple(acc.problems))


def _parse_file(path: str, text: str, acc: _Collector) -> None:
    doc = scan(text)
    first_table = doc.tables[0].line if doc.tables else len(doc.lines) + 1
    for bold in doc.bold_fields:
        if bold.line < first_table:
            acc.metadata.setdefault(cells.plain(bold.key), cells.plain(bold.value))
    for table in doc.tables:
        folded = [cells.fold(h) for h in table.header]
        if any(f.startswith("removed") for f in folded):
            _read_removed(path, table, acc)
        elif folded[:2] == ["version", "date"]:
            _read_versions(path, table, acc)
        else:
            fields = [cells.canonical_field(h) for h in table.header]
            if "uid" in fields and sum(1 for f in fields if f and f != "uid") >= 1:
                _read_signal_table(path, table, fields, acc)


def _read_removed(path: str, table: Table, acc: _Collector) -> None:
    for row in table.rows:
        uid = cells.plain(row.cells[0]) if row.cells else ""
        if cells.is_uid(uid):
            acc.removed.append((uid, Location(path, row.line)))


def _read_versions(path: str, table: Table, acc: _Collector) -> None:
    for row in table.rows:
        padded = [*row.cells, "", "", ""]
        acc.versions.append(
            VersionEntry(
                cells.plain(padded[0]), cells.plain(padded[1]), cells.plain(padded[2]), Location(path, row.line)
            )
        )


def _read_signal_table(path: str, table: Table, fields: list[str | None], acc: _Collector) -> None:
    width = len(table.header)
    seen: dict[str, int] = {}
    for index, name in enumerate(fields):
        if name is None:
            continue
        if name in seen:
            acc.problems.append(
                warning(
                    path,
                    table.line,
                    f"columns {table.header[seen[name]]!r} and {table.header[index]!r} both mean {name!r}; "
                    f"the first is read, the second is kept as an extra column",
                )
            )
            fields[index] = None
        else:
            seen[name] = index
    uid_at = seen["uid"]
    acc.tables.append(Location(path, table.line))
    layer_columns = [(i, f) for i, f in enumerate(fields) if f is not None and f in _LAYER_FIELDS]
    values = tuple((i, f) for i, f in enumerate(fields) if f is not None and f != "uid")
    columns = _Columns(
        width=width,
        uid_at=uid_at,
        values=values,
        names=tuple(f for _, f in values),
        pick_values=_picker([i for i, _ in values]),
        pick_layers=_picker([i for i, _ in layer_columns]),
        extras=tuple((i, cells.plain(table.header[i])) for i, f in enumerate(fields) if f is None),
        c_layer_at=seen.get("c_layer"),
        header=tuple(f for f in fields if f),
        domain=domain_of(table.heading),
    )
    odd = acc.clean.names_a_non_layer
    table_key = (path, columns.key()) if acc.rows is not None else None
    for row in table.rows:
        raw = row.cells
        if len(raw) > width and any(c.strip() for c in raw[width:]):
            acc.problems.append(
                error(path, row.line, f"row has {len(raw)} cells but the header has {width}; is a '|' unescaped?")
            )
            continue
        uid = raw[uid_at] if uid_at < len(raw) else ""
        if not cells.is_uid(uid):  # nearly every UID cell is the UID as is, which `plain` leaves alone
            uid = cells.plain(uid)
            if not cells.is_uid(uid):
                if not _RANGE.match(uid):
                    acc.problems.append(
                        warning(path, row.line, f"row skipped: {uid or 'empty'!r} is not a SIG-<digits> UID")
                    )
                continue
        full = len(raw) >= width
        if not full:
            acc.problems.append(
                warning(
                    path,
                    row.line,
                    f"{uid}: row has {len(raw)} cells but the header has {width}; "
                    f"the missing cells ({', '.join(table.header[len(raw) :])}) are read as absent",
                    signals=(uid,),
                )
            )
        layer_cells = columns.pick_layers(raw) if full else [raw[i] for i, _ in layer_columns if i < len(raw)]
        if any(map(odd.__getitem__, layer_cells)):  # nearly never: one lookup per cell
            acc.problems.extend(_layer_warnings(path, row.line, uid, table.header, layer_columns, raw))
        _add_kept_row(table_key, path, row.line, uid, columns, raw, acc)


def _add_kept_row(
    table_key: tuple[str, tuple[object, ...]] | None,
    path: str,
    line: int,
    uid: str,
    columns: _Columns,
    raw: tuple[str, ...],
    acc: _Collector,
) -> None:
    """`_add_row`, or for a UID's first row the last parse's signal of an equal row (with SignalRows)."""
    if table_key is None or acc.rows is None or uid in acc.signals:
        _add_row(path, line, uid, columns, raw, acc)
        return
    key = (table_key, line, raw)
    kept = acc.rows.get(key)
    if kept is None:
        problems = len(acc.problems)
        _add_row(path, line, uid, columns, raw, acc)
        kept = (acc.signals[uid], acc.problems[-1] if len(acc.problems) > problems else None)
    else:
        acc.signals[uid] = kept[0]
        if kept[1] is not None:
            acc.problems.append(kept[1])
    acc.rows.keep(key, kept)


def _picker(indices: Sequence[int]) -> Callable[[tuple[str, ...]], tuple[str, ...]]:
    """`lambda row: tuple(row[i] for i in indices)`, as one itemgetter (which returns a bare item for one index)."""
    if len(indices) > 1:
        return itemgetter(*indices)
    if indices:
        only = indices[0]
        return lambda row: (row[only],)
    return lambda row: ()


_LAYER_FIELDS = frozenset({"p_layer", "c_layer", "x_layer", "consumer"})


def _layer_warnings(
    path: str,
    line: int,
    uid: str,
    headers: tuple[str, ...],
    columns: Sequence[tuple[int, str]],
    raw: tuple[str, ...],
) -> list[Problem]:
    """A warning for each "L9", "L0" or "L10" where a layer belongs: no row leaves the analysis without a word."""
    out: list[Problem] = []
    for index, name in columns:
        if index >= len(raw) or not cells.names_a_non_layer(raw[index]):  # the common case: one search, nothing
            continue
        column = cells.plain(headers[index])
        if name == "consumer":
            for token in cells.consumer_notes_not_layers(raw[index]):
                message = f"consumer layer {token!r} in {column} is not a layer (L1..L8); that consumer has no layer"
                out.append(warning(path, line, f"{uid}: {message}", signals=(uid,)))
            continue
        for token in cells.not_layers(cells.plain(raw[index])):
            consequence = "the row is read as having no producer layer" if name == "p_layer" else "it is ignored"
            out.append(
                warning(path, line, f"{uid}: {column} {token!r} is not a layer (L1..L8); {consequence}", signals=(uid,))
            )
    return out


def _add_row(path: str, line: int, uid: str, columns: _Columns, raw: tuple[str, ...], acc: _Collector) -> None:
    """One row in one pass: each cell cleaned once (by the parse's memo); consumers and persistence read from
    the cleaned values rather than from the raw cells again."""
    clean = acc.clean
    present = len(raw)
    memo = clean.values
    if present >= columns.width:
        # One C loop over the cells (the memo cleans a cell it has not seen): what most of a parse is spent on.
        values = dict(zip(columns.names, map(memo.__getitem__, columns.pick_values(raw)), strict=True))
        extra = {shown: cells.plain(raw[index]) for index, shown in columns.extras}
    else:  # a short row: the missing cells are absent, not empty
        values = {name: memo[raw[index]] for index, name in columns.values if index < present}
        extra = {shown: cells.plain(raw[index]) for index, shown in columns.extras if index < present}
    values["uid"] = uid
    layer_cell = _raw(raw, columns.c_layer_at)
    here = Location(path, line)
    first = acc.signals.get(uid)
    if first is None:
        consumers, ambiguity = clean.consumers(values.get("consumer", NONE), layer_cell)
        if ambiguity:
            acc.problems.append(warning(path, line, f"{uid}: {ambiguity}", signals=(uid,)))
        stored = values.get("persistence")
        # The signal as its first row defines it; a later row of the same UID is merged into a _Draft of it.
        acc.signals[uid] = Signal(
            uid=uid,
            domain=columns.domain,
            fields=values,
            consumers=consumers,
            persistence=None if stored is None else clean.persistence(stored),
            location=here,
            extra=extra,
            header=columns.header,
        )
        return
    draft = acc.drafts.get(uid)
    if draft is None:
        draft = acc.drafts[uid] = _Draft.of(first)
    _merge(draft, values, extra, here, layer_cell, acc)


def _raw(raw: tuple[str, ...], index: int | None) -> str | None:
    return raw[index] if index is not None and index < len(raw) else None


def _merge(
    draft: _Draft,
    values: dict[str, str],
    extra: dict[str, str],
    here: Location,
    layer_cell: str | None,
    acc: _Collector,
) -> None:
    """A UID seen again: one signal; fields it adds are taken, disagreements are findings."""
    draft.also.append(here)
    for name, val in values.items():
        if name not in draft.fields:
            draft.fields[name] = val
            draft.field_at[name] = here
            if name == "consumer":
                draft.consumers, _ = acc.clean.consumers(val, layer_cell)
            if name == "persistence":
                draft.persistence = acc.clean.persistence(val)
        elif cells.comparable(name, draft.fields[name]) != cells.comparable(name, val):
            first_at = draft.field_at.get(name, draft.location)
            acc.conflicts.append(Conflict(draft.uid, name, draft.fields[name], first_at, val, here))
    for key, val in extra.items():
        draft.extra.setdefault(key, val)
