"""The L7 inventory, the gap ledger, and everything one audit reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from layerflow.model.base import Location
from layerflow.model.facts import EvidenceSet
from layerflow.model.quick import quick_init
from layerflow.model.registry import ChangeRecord, Consumer, Persistence, Registry
from layerflow.model.rules import Rules

# --------------------------------------------------------- L7 inventory


class FlowKind(StrEnum):
    DIRECT = "direct"
    DEFERRED = "deferred"


@quick_init
@dataclass(frozen=True, slots=True)
class Output:
    """Something an L7 producer writes that someone else may read."""

    name: str
    kind: str  # table, file, object, metric, lock, marker, checkpoint, service, record, event
    persistence: Persistence | None
    signals: tuple[str, ...]
    consumers: tuple[Consumer, ...]
    flow: FlowKind
    location: Location
    category: str = ""  # for L7-internal artifacts: lock, marker, checkpoint, service, table
    producer_ref: str = ""  # the script or function that writes it, when not the job itself
    job: str = ""  # for an internal artifact: the producer id it belongs to, if any
    hops: tuple[str, ...] = ()  # explicit intermediary layers, L7→L5→L4
    note: str = ""


@quick_init
@dataclass(frozen=True, slots=True)
class Producer:
    id: str  # slug, stable: used in URLs
    name: str
    trigger: str
    schedule: str
    source_files: tuple[str, ...]
    outputs: tuple[Output, ...]
    location: Location
    layer: str = "L7"
    units: tuple[str, ...] = ()  # systemd units or cron entries that run it


@dataclass(frozen=True, slots=True)
class Inventory:
    producers: tuple[Producer, ...]
    internal: tuple[Output, ...] = ()  # L7-internal artifacts not tied to one job output
    location: Location = Location("")
    _by_id: Mapping[str, Producer] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Producer] = {}
        for producer in self.producers:
            by_id.setdefault(producer.id, producer)
        object.__setattr__(self, "_by_id", by_id)

    def producer(self, producer_id: str) -> Producer | None:
        """The first producer with this id (each producer's page asks: a scan per page was quadratic at 10k)."""
        return self._by_id.get(producer_id)


# ------------------------------------------------------------------ ledger


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    id: str  # GAP-001
    key: str  # the gap's fingerprint, e.g. "persistence-contradiction:SIG-100"
    title: str
    location: Location


@dataclass(frozen=True, slots=True)
class Ledger:
    entries: tuple[LedgerEntry, ...] = ()
    _ids: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ids", {e.key: e.id for e in reversed(self.entries)})  # first entry wins

    def id_for(self, key: str) -> str | None:
        return self._ids.get(key)


@dataclass(frozen=True, slots=True)
class Inputs:
    """Everything one audit reads, already parsed."""

    registry: Registry
    changes: tuple[ChangeRecord, ...] = ()
    rules: Rules = field(default_factory=Rules)
    inventory: Inventory | None = None
    ledger: Ledger = field(default_factory=Ledger)
    evidence: EvidenceSet | None = None  # --code / --ops facts; None when neither was given
