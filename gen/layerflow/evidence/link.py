"""What one file's writes mean once the whole code base is read: imports settled across files.

scan_python() reads one file at a time, so two things wait for the others:

- `from app.db.sql import sql_text` then `session.execute(sql_text("INSERT ..."))`:
  a write if app/db/sql.py's sql_text hands its parameter to text();
- `from app.metrics import runs_total` then `runs_total.inc()` (or
  `metrics.runs_total.labels(...).inc()` after `import app.metrics as metrics`):
  a metric update if app/metrics.py builds runs_total from a Prometheus class.

link_files() settles them and then names ORM tables (name_tables). An
imported module is found the way Python would find it from some source
root: a file whose path ends with the module's dotted name
(app.metrics -> .../app/metrics.py or .../app/metrics/__init__.py);
relative imports count from the importing file. When the module is in the
code base but does not define the name, and exactly one file does, that
file is taken: a package re-exporting a helper from its __init__.py. A
module that is not in the code base settles nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from layerflow.evidence.code import name_tables
from layerflow.evidence.sql import database_functions, sql_writes
from layerflow.model.facts import (
    METRIC,
    POSTGRESQL,
    PROMETHEUS,
    SQL,
    FileEvidence,
    PendingWrite,
    TextHelper,
    WriteSite,
)


def link_files(files: Iterable[FileEvidence]) -> tuple[FileEvidence, ...]:
    """The same files with imported helpers and metrics settled, pending calls cleared and ORM tables named."""
    files = tuple(files)
    if any(f.pending for f in files):
        resolver = _Resolver(files)
        files = tuple(_settled(f, resolver) for f in files)
    return name_tables(files)


def _settled(evidence: FileEvidence, resolver: _Resolver) -> FileEvidence:
    if not evidence.pending:
        return evidence
    extra = [site for pending in evidence.pending for site in resolver.settle(pending)]
    if not extra:
        return replace(evidence, pending=())
    writes = sorted((*evidence.writes, *extra), key=lambda w: w.location.line)  # stable: same-line order kept
    return replace(evidence, writes=tuple(writes), pending=())


class _Resolver:
    """Dotted module names to files, and what each file offers importers."""

    def __init__(self, files: tuple[FileEvidence, ...]) -> None:
        self.helpers: dict[str, dict[str, TextHelper]] = {}
        self.metrics: dict[str, dict[str, str]] = {}
        self.constants: dict[str, dict[str, str]] = {}
        self.modules: dict[str, list[str]] = {}
        self.paths = frozenset(f.path for f in files)
        for evidence in files:
            if evidence.text_helpers:
                self.helpers[evidence.path] = {h.name: h for h in evidence.text_helpers}
            if evidence.metrics:
                self.metrics[evidence.path] = dict(evidence.metrics)
            if evidence.sql_constants:
                self.constants[evidence.path] = dict(evidence.sql_constants)
            parts = _module_parts(evidence.path)
            for start in range(len(parts)):
                self.modules.setdefault(".".join(parts[start:]), []).append(evidence.path)
        directories = {tuple(f.path.split("/")[:end]) for f in files for end in range(1, f.path.count("/") + 1)}
        # packages, with or without an __init__.py (namespace packages): app.db for backend/app/db/
        self.packages = frozenset(".".join(d[start:]) for d in directories for start in range(len(d)))

    def settle(self, pending: PendingWrite) -> list[WriteSite]:
        offers: Mapping[str, Mapping[str, object]]
        offers = self.metrics if pending.kind == METRIC else self.constants if pending.constant else self.helpers
        module, _, name = pending.name.rpartition(".")
        path = self._defining_file(module, name, pending.location.path, offers)
        if path is None:
            return []
        if pending.kind == METRIC:
            metric, reason = self.metrics[path][name], f"a metric defined in {path}"
            site = WriteSite(METRIC, PROMETHEUS, metric, pending.location, pending.is_async, pending.operation, reason)
            return [site]
        if pending.constant:
            return _sql_writes(pending, self.constants[path][name], f"runs {name} of {path}")
        helper = self.helpers[path][name]
        given = dict(pending.arguments)
        sql = given.get(str(helper.position)) or given.get(helper.keyword)
        through = f"through {helper.name}() of {path}"
        return _sql_writes(pending, sql, through) if sql is not None else []

    def _defining_file(
        self, module: str, name: str, importer: str, offers: Mapping[str, Mapping[str, object]]
    ) -> str | None:
        found = self._module_files(module, importer)
        if not found and not self._is_package(module, importer):
            return None  # a module of another project: its names are not ours to read
        candidates = [p for p in found if name in offers.get(p, {})]
        if not candidates:  # the module is ours but re-exports the name (app/db/__init__.py): its one definer
            candidates = [p for p, offered in offers.items() if name in offered and p != importer]
            return candidates[0] if len(candidates) == 1 else None
        if len(candidates) == 1:
            return candidates[0]
        scored = sorted(((_common_head(p, importer), p) for p in candidates), reverse=True)
        return scored[0][1] if scored[0][0] > scored[1][0] else None

    def _is_package(self, module: str, importer: str) -> bool:
        if module.startswith("."):
            return ".".join(_relative(module, importer)) in self.packages
        return module in self.packages

    def _module_files(self, module: str, importer: str) -> list[str]:
        if not module.startswith("."):
            return list(self.modules.get(module, ()))
        joined = "/".join(_relative(module, importer))
        return [p for p in (joined + ".py", joined + "/__init__.py") if p in self.paths]


def _relative(module: str, importer: str) -> list[str]:
    """The path segments a relative import names: `..metrics` from app/jobs/x.py -> [app, metrics]."""
    dots = len(module) - len(module.lstrip("."))
    directory = importer.split("/")[:-1]
    base = directory[: len(directory) - (dots - 1)] if dots > 1 else directory
    return [*base, *(p for p in module.lstrip(".").split(".") if p)]


def _sql_writes(pending: PendingWrite, sql: str, how: str) -> list[WriteSite]:
    """The writes of SQL that another module supplied: its statements, or the database functions it commits."""
    writes = sql_writes(sql)
    if writes:
        return [_sql_site(pending, verb, table, how) for verb, table in writes]
    functions = database_functions(sql) if pending.committed else ()
    if not functions:
        return []
    verb = "CALL" if sql.lstrip()[:4].upper() == "CALL" else "SELECT"
    names = ", ".join(f"{f}()" for f in functions)
    noun = "function" if len(functions) == 1 else "functions"
    reason = f"calls database {noun} {names} and commits; {how}"
    return [_sql_site(pending, verb, name, reason) for name in functions]


def _sql_site(pending: PendingWrite, verb: str, table: str, reason: str) -> WriteSite:
    return WriteSite(SQL, POSTGRESQL, table or verb, pending.location, pending.is_async, verb, reason)


def _module_parts(path: str) -> list[str]:
    """backend/app/metrics.py -> [backend, app, metrics]; app/db/__init__.py -> [app, db]."""
    parts = [p for p in path.removesuffix(".py").split("/") if p not in ("", ".")]
    return parts[:-1] if parts and parts[-1] == "__init__" else parts


def _common_head(a: str, b: str) -> int:
    count = 0
    for left, right in zip(a.split("/"), b.split("/"), strict=False):
        if left != right:
            break
        count += 1
    return count
