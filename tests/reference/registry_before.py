"""The registry reader as it was before the single pass per row (kept as the slow reference).

Each cell is cleaned by `cells.value` as it is met, the consumer and persistence cells
once more by `cells.consumers` / `cells.persistence`. tests/test_fast_paths.py checks
that `layerflow.parse.registry` gives exactly what this gives, problems included.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from layerflow.errors import Parsed, error, warning
from layerflow.model import (
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
    """A signal being assembled from one or more table rows."""

    uid: str
    domain: str
    fields: dict[str, str]
    extra: dict[str, str]
    consumers: tuple[Consumer, ...]
    persistence: Persistence | None
    location: Location
    header: tuple[str, ...]
    field_at: dict[str, Location] = field(default_factory=dict)
    also: list[Location] = field(default_factory=list)

    def freeze(self) -> Signal:
        return Signal(
            uid=self.uid,
            domain=self.domain,
            fields=dict(self.fields),
            consumers=self.consumers,
            persistence=self.persistence,
            location=self.location,
            extra=dict(self.extra),
            also_defined=tuple(self.also),
            header=self.header,
        )


@dataclass(slots=True)
class _Collector:
    drafts: dict[str, _Draft] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    removed: list[tuple[str, Location]] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    versions: list[VersionEntry] = field(default_factory=list)
    tables: list[Location] = field(default_factory=list)


def parse_registry(files: Sequence[tuple[str, str]]) -> Parsed[Registry]:
    """Parse registry files (path, text) in the order given; the first definition of a UID leads."""
    acc = _Collector()
    for path, text in files:
        _parse_file(path, text, acc)
    signals = tuple(sorted((d.freeze() for d in acc.drafts.values()), key=lambda s: (cells.uid_number(s.uid), s.uid)))
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
    header = tuple(f for f in fields if f)
    domain = domain_of(table.heading)
    uid_at = seen["uid"]
    acc.tables.append(Location(path, table.line))
    layer_columns = [(i, f) for i, f in enumerate(fields) if f is not None and f in _LAYER_FIELDS]
    for row in table.rows:
        raw = row.cells
        if len(raw) > width and any(c.strip() for c in raw[width:]):
            acc.problems.append(
                error(path, row.line, f"row has {len(raw)} cells but the header has {width}; is a '|' unescaped?")
            )
            continue
        uid = cells.plain(raw[uid_at]) if uid_at < len(raw) else ""
        if not cells.is_uid(uid):
            if not _RANGE.match(uid):
                acc.problems.append(
                    warning(path, row.line, f"row skipped: {uid or 'empty'!r} is not a SIG-<digits> UID")
                )
            continue
        if len(raw) < width:
            acc.problems.append(
                warning(
                    path,
                    row.line,
                    f"{uid}: row has {len(raw)} cells but the header has {width}; "
                    f"the missing cells ({', '.join(table.header[len(raw) :])}) are read as absent",
                    signals=(uid,),
                )
            )
        acc.problems.extend(_layer_warnings(path, row.line, uid, table.header, layer_columns, raw))
        _add_row(path, row.line, uid, domain, table.header, fields, raw, header, acc)


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


def _add_row(
    path: str,
    line: int,
    uid: str,
    domain: str,
    headers: tuple[str, ...],
    fields: list[str | None],
    raw: tuple[str, ...],
    header: tuple[str, ...],
    acc: _Collector,
) -> None:
    values: dict[str, str] = {}
    extra: dict[str, str] = {}
    for index, cell in enumerate(raw[: len(headers)]):
        name = fields[index]
        if name is None:
            extra[cells.plain(headers[index])] = cells.plain(cell)
        elif name != "uid":
            values[name] = cells.value(cell)
    values["uid"] = uid
    here = Location(path, line)
    draft = acc.drafts.get(uid)
    if draft is None:
        consumer_cell = _cell(raw, fields, "consumer")
        consumers, ambiguity = cells.consumers(consumer_cell or "", _cell(raw, fields, "c_layer"))
        if ambiguity:
            acc.problems.append(warning(path, line, f"{uid}: {ambiguity}", signals=(uid,)))
        persistence_cell = _cell(raw, fields, "persistence")
        acc.drafts[uid] = _Draft(
            uid=uid,
            domain=domain,
            fields=values,
            extra=extra,
            consumers=consumers,
            persistence=None if persistence_cell is None else cells.persistence(persistence_cell),
            location=here,
            header=header,
            field_at=dict.fromkeys(values, here),
        )
        return
    _merge(draft, values, extra, here, raw, fields, acc)


def _cell(raw: tuple[str, ...], fields: list[str | None], name: str) -> str | None:
    for index, field_name in enumerate(fields):
        if field_name == name:
            return raw[index] if index < len(raw) else None
    return None


def _merge(
    draft: _Draft,
    values: dict[str, str],
    extra: dict[str, str],
    here: Location,
    raw: tuple[str, ...],
    fields: list[str | None],
    acc: _Collector,
) -> None:
    """A UID seen again: one signal; fields it adds are taken, disagreements are findings."""
    draft.also.append(here)
    for name, val in values.items():
        if name not in draft.fields:
            draft.fields[name] = val
            draft.field_at[name] = here
            if name == "consumer":
                draft.consumers, _ = cells.consumers(
                    _cell(raw, fields, "consumer") or "", _cell(raw, fields, "c_layer")
                )
            if name == "persistence":
                draft.persistence = cells.persistence(_cell(raw, fields, "persistence") or "")
        elif cells.comparable(name, draft.fields[name]) != cells.comparable(name, val):
            acc.conflicts.append(Conflict(draft.uid, name, draft.fields[name], draft.field_at[name], val, here))
    for key, val in extra.items():
        draft.extra.setdefault(key, val)
