"""What reading code and ops files tells us: frozen facts, no behaviour.

These are the evidence a reviewer collects before judging a registry row:
where a file writes (and to which store), what its header comment claims,
and which systemd units or cron lines run which scripts on which schedule.
The scanners in this package produce them; the audit compares them with
the registry later.
"""

from __future__ import annotations

from dataclasses import dataclass

from layerflow.model import Evidence, Location

# WriteSite.kind values, and the store names they usually point at. Targets
# are spelled the way layerflow spells Store.name, so a write site and a
# persistence claim can be compared by plain equality.
SQL = "sql"
REDIS = "redis"
OBJECT_STORE = "object_store"
FILE = "file"
METRIC = "metric"
KINDS: tuple[str, ...] = (SQL, REDIS, OBJECT_STORE, FILE, METRIC)

POSTGRESQL = "PostgreSQL"
REDIS_STORE = "Redis"
R2 = "R2"
S3 = "S3"
FILE_STORE = "File"
PROMETHEUS = "Prometheus"


@dataclass(frozen=True, slots=True)
class WriteSite:
    """One place in a Python file that changes durable state.

    detail names what is written when the code says so (a table, a Redis key,
    an object key, a file path, a metric name); otherwise it repeats the
    operation. Templates keep their placeholders: f"m10:lock:{name}" stays
    "m10:lock:{name}".
    """

    kind: str  # one of KINDS
    target: str  # PostgreSQL, Redis, R2, S3, File, Prometheus
    detail: str
    location: Location
    is_async: bool = False  # the call is awaited
    operation: str = ""  # the method or function that writes: add, commit, execute, put_object, open...


@dataclass(frozen=True, slots=True)
class ModelTable:
    """An ORM model class defined in a file, and the table it maps to."""

    class_name: str
    table: str
    location: Location


@dataclass(frozen=True, slots=True)
class LayerHeader:
    """A file's own claim about itself, from its leading comments."""

    layer: str  # "L5"; "" when the header names no layer we can read
    title: str  # "Execution & Workers"
    trigger: str  # "scheduler (every 15 minutes)"; "" when not stated
    location: Location  # the "# Layer:" line
    role: str = ""


@dataclass(frozen=True, slots=True)
class FileEvidence:
    path: str
    writes: tuple[WriteSite, ...] = ()  # in source order
    header: LayerHeader | None = None
    imports: tuple[str, ...] = ()  # modules imported, sorted; relative ones keep their dots
    models: tuple[ModelTable, ...] = ()  # ORM classes defined here, to name tables written elsewhere

    @property
    def targets(self) -> frozenset[str]:
        return frozenset(w.target for w in self.writes)


# ------------------------------------------------------------ ops sources


@dataclass(frozen=True, slots=True)
class UnitEntry:
    """One Key=Value line of a systemd unit, continuation lines joined."""

    section: str
    key: str
    value: str
    line: int


@dataclass(frozen=True, slots=True)
class UnitFile:
    path: str
    name: str  # the file name: "m10-maintenance.service"
    entries: tuple[UnitEntry, ...] = ()

    @property
    def kind(self) -> str:
        """The unit type from the name: "service", "timer", "socket"..."""
        return self.name.rsplit(".", 1)[1] if "." in self.name else ""

    @property
    def stem(self) -> str:
        return self.name.rsplit(".", 1)[0] if "." in self.name else self.name

    def assignments(self, section: str, key: str) -> tuple[UnitEntry, ...]:
        """Entries of a key in the order written, as systemd applies them.

        An empty assignment ("After=") resets a list in systemd, so the
        entries before the last empty one no longer apply.
        """
        kept: list[UnitEntry] = []
        for entry in self.entries:
            if entry.section == section and entry.key == key:
                if entry.value:
                    kept.append(entry)
                else:
                    kept.clear()
        return tuple(kept)

    def values(self, section: str, key: str) -> tuple[str, ...]:
        return tuple(e.value for e in self.assignments(section, key))

    def value(self, section: str, key: str) -> str | None:
        """The value that wins for a single-valued key: the last one written."""
        found = self.assignments(section, key)
        return found[-1].value if found else None


@dataclass(frozen=True, slots=True)
class Schedule:
    expression: str  # as written: "OnCalendar=*:0/15", "*/15 * * * *", "@daily"
    words: str  # "every 15 minutes"; the expression itself when it could not be read


@dataclass(frozen=True, slots=True)
class Job:
    """Something the machine runs for the ops layer: a systemd service or a cron line."""

    name: str  # "m10-maintenance", or the script's stem for a cron line
    unit: str  # "m10-maintenance.service", or "<crontab file>:<line>"
    exec_start: str  # the command as written; "" when the service file was not read
    script: str  # the script path the command runs, or the module of "python -m"; "" when none
    schedule: Schedule | None  # None: started by something other than a timer or cron
    after: tuple[str, ...]
    persistent: bool
    location: Location
    timers: tuple[str, ...] = ()  # the .timer units that start it
    description: str = ""
    runs_module: bool = False  # script is a dotted module name ("python -m app.jobs.x")


# ----------------------------------------------------------- all evidence


@dataclass(frozen=True, slots=True)
class CodeEvidence:
    """What reading the code roots (--code) found."""

    roots: tuple[str, ...]  # the roots read, as shown to the user
    files: tuple[FileEvidence, ...] = ()  # every Python file, sorted by path, ORM tables named
    scripts: tuple[str, ...] = ()  # other scripts seen (.sh ...): not read, but producers may name them


@dataclass(frozen=True, slots=True)
class OpsEvidence:
    """What reading the ops directories (--ops) found: systemd units and cron files."""

    dirs: tuple[str, ...]  # the directories read, as shown to the user
    jobs: tuple[Job, ...] = ()  # services with their timers, then cron lines
    files: tuple[str, ...] = ()  # the unit and cron files read


@dataclass(frozen=True, slots=True)
class EvidenceSet(Evidence):
    """The evidence one audit has: code, ops, either or both."""

    code: CodeEvidence | None = None
    ops: OpsEvidence | None = None
