"""The code and ops facts held against the registry: what `audit.evidence` concludes, renderers read.

Result types only; how each is found is told in layerflow.audit.evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from layerflow.model.base import Location
from layerflow.model.facts import (
    FILE_STORE,
    POSTGRESQL,
    PROMETHEUS,
    PUBSUB,
    R2,
    REDIS_STATE,
    REDIS_STORE,
    S3,
    CodeEvidence,
    FileEvidence,
    Job,
    OpsEvidence,
    WriteSite,
)

DURABLE_TARGETS = frozenset({POSTGRESQL, REDIS_STORE, R2, S3})  # writes that contradict "In-memory" or none
CHECKABLE_STORES = frozenset({POSTGRESQL, REDIS_STORE, R2, S3, FILE_STORE, PROMETHEUS})  # stores a scan can see


@dataclass(frozen=True, slots=True)
class ProducerMatch:
    """A file the registry names as producer, as found in the code base."""

    reference: str  # as the Producer cell writes it: "failure_aggregation.py"
    signals: tuple[str, ...]  # the signals that name it
    candidates: tuple[str, ...]  # every file the reference matches
    files: tuple[str, ...]  # the ones kept
    settled_by: str  # "inventory" or "header" when several candidates came down to `files`; else ""
    location: Location  # the first signal naming it
    suggestion: str = ""  # when no file matches: the file it probably means (CodeIndex.suggest)
    suggestion_defines: str = ""  # ... and the class or function there that says so; "" for a close file name

    @property
    def ambiguous(self) -> bool:
        return len(self.files) > 1 and not self.settled_by


@dataclass(frozen=True, slots=True)
class SignalEvidence:
    """A signal's producer code and what it writes."""

    uid: str
    references: tuple[ProducerMatch, ...]
    named: tuple[str, ...]
    inventory: tuple[str, ...]
    imported: tuple[str, ...]
    data: tuple[WriteSite, ...]  # writes to the signal's own table, wherever they are
    writes: tuple[WriteSite, ...]  # every write of named, inventory and imported files

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.named, *self.inventory, *self.imported)))

    @property
    def strong_writes(self) -> tuple[WriteSite, ...]:
        """Durable writes of the named and inventory files and to the signal's table: enough for a P1.

        A message published keeps nothing, and a commit with no write of its own writes nothing.
        """
        own = set(self.named) | set(self.inventory)
        sites = [w for w in self.writes if w.location.path in own] + list(self.data)
        durable = tuple(dict.fromkeys(w for w in sites if w.target in DURABLE_TARGETS and w.kind != PUBSUB))
        return durable if any(not w.is_commit for w in durable) else ()

    @property
    def targets(self) -> frozenset[str]:
        return frozenset(w.target for w in (*self.writes, *self.data))


@dataclass(frozen=True, slots=True)
class SourceMatch:
    """An inventory job's source file, as found in the code base."""

    producer_id: str
    reference: str
    files: tuple[str, ...]
    location: Location
    suggestion: str = ""  # as ProducerMatch
    suggestion_defines: str = ""


class WriterStatus(StrEnum):
    """Who accounts for a file that writes."""

    REGISTERED = "registered"  # a registered signal's producer code
    INVENTORY = "inventory"  # an inventory job's source, or imported by one
    INTERNAL = "internal"  # the writer of an inventory L7-internal artifact
    TEST = "test"  # code_role: runs outside production
    MIGRATION = "migration"
    UNREGISTERED = "unregistered"  # nobody


@dataclass(frozen=True, slots=True)
class Writer:
    """A file that writes, and who accounts for it."""

    path: str
    writes: tuple[WriteSite, ...]
    signals: tuple[str, ...]  # registry signals whose producer code it is
    producers: tuple[str, ...]  # inventory jobs whose source it is (or imports directly)
    internal: tuple[str, ...]  # inventory L7-internal artifacts that name it as their writer
    counts_redis: bool = False  # Redis state counts as a database write: the registry keeps signals in Redis
    role: str = ""  # "test" or "migration" (code_role): code no registry lists as a producer

    @property
    def database_writes(self) -> tuple[WriteSite, ...]:
        """What makes the file a database writer (the UNREGISTERED_DB_WRITER gate): SQL, first; then Redis state.

        A bare commit writes nothing of its own; a Redis cache with a TTL, a
        message published, a file or a metric is shown but never flagged.
        """
        sql = [w for w in self.writes if w.writes_sql]
        state = [w for w in self.writes if self.counts_redis and w.kind == REDIS_STATE]
        return (*sql, *state)

    @property
    def database(self) -> bool:
        return bool(self.database_writes)

    @property
    def status(self) -> WriterStatus:
        if self.signals:
            return WriterStatus.REGISTERED
        if self.producers:
            return WriterStatus.INVENTORY
        if self.internal:
            return WriterStatus.INTERNAL
        return WriterStatus(self.role) if self.role else WriterStatus.UNREGISTERED

    @property
    def first_database_write(self) -> WriteSite | None:
        """The write a finding points at: the first SQL write, else the first Redis state write that counts."""
        found = self.database_writes
        return found[0] if found else None


@dataclass(frozen=True, slots=True)
class JobEvidence:
    """A discovered ops job, and who knows it."""

    job: Job
    producers: tuple[str, ...]  # inventory jobs listing its unit or script
    internal: tuple[str, ...]  # inventory L7-internal artifacts naming its unit
    signals: tuple[str, ...]  # registry signals whose producer is its script
    script_missing: bool = False  # with --code: the script or module it runs is not under the code roots
    suggestion: str = ""  # ... and the file it probably means

    @property
    def known(self) -> bool:
        return bool(self.producers or self.internal or self.signals)


@dataclass(frozen=True, slots=True)
class Assessment:
    """Everything the evidence says about one registry state; the renderers read this."""

    code: CodeEvidence | None
    ops: OpsEvidence | None
    signals: Mapping[str, SignalEvidence]
    references: tuple[ProducerMatch, ...]
    sources: tuple[SourceMatch, ...]
    writers: tuple[Writer, ...]
    jobs: tuple[JobEvidence, ...]
    schedules: Mapping[str, tuple[Job, ...]]  # inventory producer id -> the jobs that run it
    missing_units: tuple[tuple[str, str, Location], ...]  # (producer id, unit, where the inventory lists it)
    files: Mapping[str, FileEvidence] = field(default_factory=dict)
    counts_redis: bool = False  # the registry keeps signals in Redis, so Redis state writes are database writes
    # producer id -> (path, how it was found) of its files; path "" with the reference when none matched
    producer_files: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    # each of those files -> the code-base files it imports directly
    imports: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def file(self, path: str) -> FileEvidence | None:
        return self.files.get(path)


def schedule_words(jobs: Iterable[Job]) -> str:
    """The schedules of the jobs that run a producer, in words: "hourly at :05; daily at 00:30 UTC"."""
    words = [j.schedule.words for j in jobs if j.schedule is not None]
    return "; ".join(dict.fromkeys(words))
