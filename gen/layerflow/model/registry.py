"""The registry as read: signals, their consumers and persistence, conflicts; change records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from layerflow.model.base import LAYERS, Location, named_layers
from layerflow.model.quick import quick_init

_LAYER_SET = frozenset(LAYERS)

# ----------------------------------------------------------------- registry


@quick_init
@dataclass(frozen=True, slots=True)
class Consumer:
    name: str  # as written, without the layer or signal suffix
    layer: str | None = None  # "L6"; None when the registry does not say
    signal_ref: str | None = None  # "SIG-011" in "detector.py (SIG-011)"
    written_layer: str = ""  # the layer as written when it is a sub-layer: "L6a" (layer is then "L6")

    @property
    def shown_layer(self) -> str | None:
        return self.written_layer or self.layer


@dataclass(frozen=True, slots=True)
class Store:
    name: str  # canonical: PostgreSQL, Redis, R2, S3, File, Prometheus, In-memory, or as written
    detail: str = ""  # "failure_matches" in "PostgreSQL (failure_matches)"

    @property
    def durable(self) -> bool:
        return self.name != "In-memory"


@dataclass(frozen=True, slots=True)
class Persistence:
    """A persistence claim: the stores named, or none, or an explicit UNKNOWN."""

    text: str
    stores: tuple[Store, ...] = ()
    unknown: bool = False

    @property
    def is_none(self) -> bool:
        return not self.unknown and not self.stores

    @property
    def durable(self) -> bool:
        return any(s.durable for s in self.stores)

    @property
    def store_names(self) -> frozenset[str]:
        return frozenset(s.name for s in self.stores)


@quick_init
@dataclass(frozen=True, slots=True)
class Signal:
    uid: str
    domain: str
    fields: Mapping[str, str]  # canonical field -> cleaned cell text (NONE, UNKNOWN or text)
    consumers: tuple[Consumer, ...]
    persistence: Persistence | None  # None: the table has no persistence column
    location: Location
    extra: Mapping[str, str] = field(default_factory=dict)  # columns layerflow does not know, header as written
    also_defined: tuple[Location, ...] = ()
    header: tuple[str, ...] = ()  # canonical fields of the defining table, in column order
    # `c_layers`, worked out on first use: classification, gates, constraints, expectations and the pages each
    # ask every signal for it. Not a field that compares or shows; `replace()` starts it afresh.
    _c_layers: tuple[str, ...] | None = field(default=None, init=False, repr=False, compare=False)

    def get(self, name: str) -> str | None:
        """The cell text, or None when no table defining this signal has the column."""
        return self.fields.get(name)

    @property
    def name(self) -> str:
        return self.fields.get("name", "")

    @property
    def producer(self) -> str:
        return self.fields.get("producer", "")

    @property
    def p_layer(self) -> str | None:
        """The producer layer the analysis reads: "L7" for "L7" or "L7b"; the cell as written when it names none."""
        written = self.fields.get("p_layer")
        if written is None or written in _LAYER_SET:  # nearly every cell says just the layer
            return written
        layers = named_layers(written)
        return layers[0] if layers else written

    @property
    def p_layer_written(self) -> str | None:
        """The P-Layer cell as the registry writes it, for display."""
        return self.fields.get("p_layer")

    @property
    def c_layers(self) -> tuple[str, ...]:
        """Consumer layers from the consumers and the C-Layer cell, sorted."""
        found = self._c_layers
        if found is None:
            named = {c.layer for c in self.consumers if c.layer}
            found = tuple(sorted(named.union(named_layers(self.fields.get("c_layer", "")))))
            object.__setattr__(self, "_c_layers", found)  # a memo of what the fields say, not a change
        return found


@dataclass(frozen=True, slots=True)
class Conflict:
    """One UID defined twice with different values for a field."""

    uid: str
    field: str
    first: str
    first_at: Location
    second: str
    second_at: Location


@dataclass(frozen=True, slots=True)
class VersionEntry:
    version: str
    date: str
    change: str
    location: Location


@dataclass(frozen=True, slots=True)
class Registry:
    signals: tuple[Signal, ...]  # sorted by UID
    files: tuple[str, ...] = ()
    removed: tuple[tuple[str, Location], ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    metadata: Mapping[str, str] = field(default_factory=dict)  # "**Status:** VERIFIED" lines
    versions: tuple[VersionEntry, ...] = ()
    tables: tuple[Location, ...] = ()  # header of every signal table read, rows or not
    _index: Mapping[str, Signal] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Built once: every stage looks signals up by UID, many times per page at scale.
        object.__setattr__(self, "_index", {s.uid: s for s in self.signals})

    def by_uid(self) -> Mapping[str, Signal]:
        return self._index


# ---------------------------------------------------------- change records


class ChangeStatus(StrEnum):
    APPLIED = "APPLIED"
    PROPOSED = "PROPOSED"
    REJECTED = "REJECTED"


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str  # canonical field name
    before: str | None  # None for a new registration
    after: str
    location: Location


@dataclass(frozen=True, slots=True)
class Section:
    """A free-form part of a change record, kept as Markdown for its page."""

    title: str
    markdown: str
    location: Location


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    id: str  # RC-001
    signal: str  # SIG-100
    title: str
    status: ChangeStatus
    location: Location
    date: str = ""
    severity: str = ""  # as written: "P1 (Semantic Integrity)"
    references: tuple[str, ...] = ()  # GAP ids named in **Reference:**
    changes: tuple[FieldChange, ...] = ()  # before/after corrections and field/value rows
    is_registration: bool = False  # a Field|Value table or a row for a new signal
    row_before: tuple[str, ...] = ()  # a fenced "original" registry row, cells as written
    row_after: tuple[str, ...] = ()  # a fenced "corrected" registry row
    sections: tuple[Section, ...] = ()
    metadata: Mapping[str, str] = field(default_factory=dict)

    @property
    def priority(self) -> str:
        return self.severity.split()[0] if self.severity else ""
