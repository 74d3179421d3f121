"""What reading code and ops files tells us: frozen facts, no behaviour.

These are the evidence a reviewer collects before judging a registry row:
where a file writes (and to which store), what its header comment claims,
and which systemd units or cron lines run which scripts on which schedule.
The scanners in this package produce them; the audit compares them with
the registry later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from layerflow.model.base import Location

# WriteSite.kind values: what kind of state a write changes, which decides
# what the audit makes of it. Only SQL writes (and Redis state, where the
# registry keeps signals in Redis) make a file a database writer; the other
# classes are shown on the pages and in the report but never flagged.
SQL = "sql"  # a database statement or ORM change: INSERT/UPDATE/DELETE..., session.add, a committed SELECT fn()
REDIS_STATE = "redis_state"  # a Redis key that stays until deleted: SET, HSET, XADD, LPUSH, INCR, DEL...
REDIS_CACHE = "redis_cache"  # a Redis key written with an expiry (SETEX, SET ex=, then EXPIRE), or through a cache
PUBSUB = "pubsub"  # a message published to a channel (PUBLISH): delivered to listeners, stored nowhere
OBJECT_STORE = "object_store"  # an object uploaded to, copied in or deleted from S3 or R2
FILE = "file"  # a file written, renamed or moved on a local disk
METRIC = "metric"  # a Prometheus metric updated (inc, set, observe...)
KINDS: tuple[str, ...] = (SQL, REDIS_STATE, REDIS_CACHE, PUBSUB, OBJECT_STORE, FILE, METRIC)
KIND_NAMES = {
    SQL: "SQL",
    REDIS_STATE: "Redis state",
    REDIS_CACHE: "Redis cache (TTL)",
    PUBSUB: "pub/sub",
    OBJECT_STORE: "object store",
    FILE: "file",
    METRIC: "metric",
}  # as a reader sees them in the report and on the pages
REDIS_KINDS = frozenset({REDIS_STATE, REDIS_CACHE, PUBSUB})
# A commit or flush ends a transaction that other calls wrote: on its own it writes nothing
# (WriteSite.is_commit), unless the function changed objects it holds before it.
COMMIT_OPERATIONS = frozenset({"commit", "flush"})

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
    "m10:lock:{name}". reason says why a call that does not look like a write
    is one: "calls database function m10.cleanup() and commits",
    "through sql_text() (app/db/sql.py), which returns text()".
    """

    kind: str  # one of KINDS
    target: str  # PostgreSQL, Redis, R2, S3, File, Prometheus
    detail: str
    location: Location
    is_async: bool = False  # the call is awaited
    operation: str = ""  # the method or function that writes: add, commit, execute, put_object, open...
    reason: str = ""

    @property
    def is_commit(self) -> bool:
        """A commit or flush that lands other calls' writes and writes nothing of its own.

        A commit with a reason writes: it persists attributes the function
        set on objects it holds (`item.status = "done"; session.commit()`).
        """
        return self.kind == SQL and self.operation in COMMIT_OPERATIONS and not self.reason

    @property
    def writes_sql(self) -> bool:
        return self.kind == SQL and not self.is_commit


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
class Unread:
    """A file that was not read for writes, and why: it does not parse, or it is not text."""

    location: Location  # the file, and the line the parser stopped at (0: the whole file)
    reason: str  # "cannot parse Python: invalid syntax"


@dataclass(frozen=True, slots=True)
class TextHelper:
    """A function that hands one of its parameters to text() or execute(): `def sql_text(s): return text(s)`.

    A call of it with SQL is that SQL run: session.execute(sql_text("INSERT ...")) writes.
    Module-level ones are offered to the files that import them (FileEvidence.text_helpers).
    """

    name: str
    position: int  # the parameter's position
    keyword: str  # and its name


@dataclass(frozen=True, slots=True)
class PendingWrite:
    """A call that writes only if a name imported from another module is what it looks like.

    Each file is scanned alone, so `from app.metrics import runs_total;
    runs_total.inc()`, `execute(sql_text("INSERT ..."))` with sql_text
    imported, or `execute(text(PURGE))` with PURGE imported cannot be judged
    there; link_files() settles them once every file is read.
    """

    kind: str  # METRIC: an update of an imported object; SQL: a call of an imported function with SQL text
    name: str  # what the call names after imports: "app.metrics.runs_total", "..db.sql_text"
    location: Location
    is_async: bool = False
    operation: str = ""  # METRIC: inc, set, observe...
    arguments: tuple[tuple[str, str], ...] = ()  # SQL: (position or keyword, text) of each string argument
    committed: bool = False  # SQL: a commit follows in the same function, or it runs inside a transaction
    constant: bool = False  # SQL: `name` is a statement the other module holds (PURGE = "DELETE ..."), not a helper


@dataclass(frozen=True, slots=True)
class FileEvidence:
    path: str
    writes: tuple[WriteSite, ...] = ()  # in source order
    header: LayerHeader | None = None
    imports: tuple[str, ...] = ()  # modules imported, sorted; relative ones keep their dots
    models: tuple[ModelTable, ...] = ()  # ORM classes defined here, to name tables written elsewhere
    defines: tuple[str, ...] = ()  # classes and functions defined at module level, for "perhaps this file"
    unread: Unread | None = None  # set when the file does not parse: it was not read for writes
    text_helpers: tuple[TextHelper, ...] = ()  # functions here that wrap text(), for files importing them
    metrics: tuple[tuple[str, str], ...] = ()  # module-level name -> Prometheus metric name, for importers
    sql_constants: tuple[tuple[str, str], ...] = ()  # module-level name -> the SQL it holds, for importers
    pending: tuple[PendingWrite, ...] = ()  # calls settled across files by link_files(); () once linked

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
    files: tuple[FileEvidence, ...] = ()  # every Python file, sorted by path, linked (link_files)
    scripts: tuple[str, ...] = ()  # other scripts seen (.sh ...): not read, but producers may name them
    undecoded: tuple[Unread, ...] = ()  # Python files that are not UTF-8 text: never scanned
    # path -> the text read, for the site's source pages: the files are read once per build
    texts: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def unread(self) -> tuple[Unread, ...]:
        """Every Python file not read for writes, once each, by path."""
        found = [f.unread for f in self.files if f.unread is not None] + list(self.undecoded)
        return tuple(sorted(found, key=lambda u: u.location))


@dataclass(frozen=True, slots=True)
class OpsEvidence:
    """What reading the ops directories (--ops) found: systemd units and cron files."""

    dirs: tuple[str, ...]  # the directories read, as shown to the user
    jobs: tuple[Job, ...] = ()  # services with their timers, then cron lines
    files: tuple[str, ...] = ()  # the unit and cron files read


@dataclass(frozen=True, slots=True)
class EvidenceSet:
    """The evidence one audit has: code, ops, either or both."""

    code: CodeEvidence | None = None
    ops: OpsEvidence | None = None
