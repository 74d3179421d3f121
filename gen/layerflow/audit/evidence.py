"""The registry held against the code base and the ops files: checks from evidence. Pure.

A reviewer with the registry open next to the code asks of every signal:

- Which file is the producer the registry names? Matched by path suffix, else by
  file name. Several files of one name are settled by the inventory's source
  files, then by the layer their "# Layer:" headers declare; what is still
  several files is reported as ambiguous. A name no file matches is reported,
  with the file it probably means (CodeIndex.suggest).
- Does the producer's code write where the registry says the signal persists?
  "In-memory" or none while the code writes PostgreSQL, Redis or an object store
  is the seed's GAP-001: a P1 gap keyed like the inventory's own check
  (`persistence-contradiction:SIG-100`), so ledger, history and change records
  treat both alike. A claimed store the code never writes is a warning.
- Does the file's "# Layer:" header agree with the registry's producer layer?

and of the code base and the ops directories as a whole:

- Which files write to a database but are no signal's producer and no inventory
  job's source? (the rules' UNREGISTERED_DB_WRITER gate) A database write is
  SQL (a bare commit is none), and Redis state once the registry keeps a
  signal in Redis; caches with a TTL, pub/sub, files and metrics are shown,
  never flagged, and tests and migrations are no producers.
- Which systemd or cron jobs does neither the inventory nor the registry know?
  (the NEW_L7_JOB gate) Which inventory units are not among the units read?
  Which jobs run a script or module the code roots do not hold?

"The producer's code" of a signal is, in order of strength:

    named      the files the registry's Producer cell names
    inventory  the source files of inventory jobs whose outputs name the signal
    data       SQL writes anywhere to the table of an ORM class named like the
               signal (GraduationStatus -> m25_graduation_status), or to a table
               named like it (CostSnapshot -> cost_snapshots)
    imported   Python files the named and inventory files import directly: an ops
               script calling a job defined in backend/app (one hop, no further)

A contradiction blocks a merge, so it needs named, inventory or data evidence;
a durable write in a module the producer merely imports is too weak for that.
The absence of a claimed store is judged over all four, so a script that
delegates its writes is not reported as writing nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from layerflow.audit.classify import slug
from layerflow.audit.code_index import (
    SOURCE_SUFFIXES,
    CodeIndex,
    code_index,
    code_role,
    file_references,
    module_reference,
    same_file,
)
from layerflow.evidence.facts import (
    FILE_STORE,
    POSTGRESQL,
    PROMETHEUS,
    PUBSUB,
    R2,
    REDIS_STATE,
    REDIS_STORE,
    S3,
    CodeEvidence,
    EvidenceSet,
    FileEvidence,
    Job,
    OpsEvidence,
    WriteSite,
)
from layerflow.model import (
    LAYERS,
    Finding,
    GapCandidate,
    Gate,
    GateOutcome,
    Inputs,
    Inventory,
    Location,
    Registry,
    Severity,
    Signal,
)

DURABLE_TARGETS = frozenset({POSTGRESQL, REDIS_STORE, R2, S3})  # writes that contradict "In-memory" or none
CHECKABLE_STORES = frozenset({POSTGRESQL, REDIS_STORE, R2, S3, FILE_STORE, PROMETHEUS})  # stores a scan can see
EVALUATED_FROM = "evaluated from "  # how a GateOutcome says its check was decided from evidence
WRITERS_GATE, JOBS_GATE = "writers", "jobs"
DETAIL_LIMIT = 6  # write sites listed in a gap's detail; the pages list them all

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


# ------------------------------------------------------------ the evidence


def evidence_of(inputs: Inputs) -> EvidenceSet | None:
    """The evidence the inputs carry, or None when neither --code nor --ops was given."""
    evidence = inputs.evidence
    return evidence if isinstance(evidence, EvidenceSet) else None


# ------------------------------------------------------ signals and files


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
    def status(self) -> str:
        if self.signals:
            return "registered"
        if self.producers:
            return "inventory"
        if self.internal:
            return "internal"
        return self.role or "unregistered"

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

    def file(self, path: str) -> FileEvidence | None:
        return self.files.get(path)


def _inventory_files(inventory: Inventory | None, index: CodeIndex) -> list[SourceMatch]:
    if inventory is None:
        return []
    out: list[SourceMatch] = []
    for producer in inventory.producers:
        for source in producer.source_files:
            for ref in file_references(source):
                files = index.find(ref)
                suggestion, defines = index.suggest(ref) if not files else ("", "")
                out.append(SourceMatch(producer.id, ref, files, producer.location, suggestion, defines))
    return out


def _sources_by_signal(inventory: Inventory | None, sources: Sequence[SourceMatch]) -> dict[str, tuple[str, ...]]:
    if inventory is None:
        return {}
    files: dict[str, list[str]] = {}
    for match in sources:
        files.setdefault(match.producer_id, []).extend(match.files)
    out: dict[str, list[str]] = {}
    for producer in inventory.producers:
        for output in producer.outputs:
            for uid in output.signals:
                out.setdefault(uid, []).extend(files.get(producer.id, ()))
    return {uid: tuple(dict.fromkeys(paths)) for uid, paths in out.items()}


def _references(
    registry: Registry, index: CodeIndex, by_signal: Mapping[str, tuple[str, ...]]
) -> tuple[ProducerMatch, ...]:
    """Every file reference of every Producer cell, grouped by reference, in registry order."""
    groups: dict[str, list[Signal]] = {}
    for signal in registry.signals:
        for ref in file_references(signal.producer):
            groups.setdefault(ref, []).append(signal)
    matches: list[ProducerMatch] = []
    for ref, signals in groups.items():
        candidates = index.find(ref)
        files, settled = candidates, ""
        if len(files) > 1:
            sources = {p for s in signals for p in by_signal.get(s.uid, ())}
            listed = tuple(c for c in files if c in sources)
            if listed:
                files, settled = listed, "inventory"
        if len(files) > 1:
            layers = {s.p_layer for s in signals}
            declared = tuple(c for c in files if _header_layer(index, c) in layers)
            if declared and len(declared) < len(files):
                files, settled = declared, "header"
        uids = tuple(s.uid for s in signals)
        suggestion, defines = index.suggest(ref) if not candidates else ("", "")
        matches.append(ProducerMatch(ref, uids, candidates, files, settled, signals[0].location, suggestion, defines))
    return tuple(matches)


def _header_layer(index: CodeIndex, path: str) -> str:
    evidence = index.files.get(path)
    return evidence.header.layer if evidence and evidence.header else ""


def _signal_evidence(
    signal: Signal,
    index: CodeIndex,
    references: Sequence[ProducerMatch],
    by_signal: Mapping[str, tuple[str, ...]],
) -> SignalEvidence:
    mine = tuple(m for m in references if signal.uid in m.signals)
    named = tuple(dict.fromkeys(p for m in mine for p in m.files))
    inventory = tuple(p for p in by_signal.get(signal.uid, ()) if p not in named)
    own = (*named, *inventory)
    imported = tuple(dict.fromkeys(p for f in own for p in index.imported(f) if p not in own))
    writes = tuple(w for path in (*own, *imported) if path in index.files for w in index.files[path].writes)
    return SignalEvidence(signal.uid, mine, named, inventory, imported, _data_writes(signal, index), writes)


def _data_writes(signal: Signal, index: CodeIndex) -> tuple[WriteSite, ...]:
    """SQL writes to the signal's own table: an ORM class named like it, or a table named like it."""
    name = signal.name
    if not name:
        return ()
    snake = _CAMEL.sub("_", name).lower()
    tables = set(index.model_tables.get(name.lower(), ())) | {snake, snake + "s"}
    sites = [w for table in sorted(tables) for w in index.table_writes.get(table.lower(), ())]
    return tuple(sorted(dict.fromkeys(sites), key=lambda w: w.location))


# ------------------------------------------------------------------- gaps


def code_gaps(inputs: Inputs, registry: Registry) -> list[GapCandidate]:
    """Persistence contradictions the code shows in one registry state (the seed's GAP-001)."""
    evidence = evidence_of(inputs)
    if evidence is None or evidence.code is None:
        return []
    claims = [s for s in registry.signals if s.persistence is not None and not s.persistence.unknown]
    suspects = [s for s in claims if s.persistence is not None and not s.persistence.durable]
    if not suspects:
        return []
    index = code_index(evidence.code)
    sources = _inventory_files(inputs.inventory, index)
    by_signal = _sources_by_signal(inputs.inventory, sources)
    references = _references(registry, index, by_signal)
    found: list[GapCandidate] = []
    for signal in suspects:
        seen = _signal_evidence(signal, index, references, by_signal)
        strong = seen.strong_writes
        if strong:
            found.append(_contradiction(signal, seen, strong, inputs.inventory))
    return found


def _contradiction(
    signal: Signal, seen: SignalEvidence, strong: Sequence[WriteSite], inventory: Inventory | None
) -> GapCandidate:
    said = (signal.persistence.text if signal.persistence else "") or "none"
    stores = " + ".join(sorted({w.target for w in strong}))
    writers = ", ".join(dict.fromkeys(w.location.path.rsplit("/", 1)[-1] for w in strong))
    detail = [f"The registry says {signal.uid} persistence = {said!r} ({signal.location})."]
    detail += [f"Code: {_site_text(w)} ({_why(w, seen, signal)})" for w in strong[:DETAIL_LIMIT]]
    if len(strong) > DETAIL_LIMIT:
        detail.append(f"Code: … and {len(strong) - DETAIL_LIMIT} more durable write(s)")
    return GapCandidate(
        key=f"persistence-contradiction:{signal.uid}",
        kind="persistence-contradiction",
        priority="P1",
        subject=signal.uid,
        title=f"Registry said {signal.uid} persistence = {said!r} but {writers} writes {stores}",
        detail=tuple(detail),
        location=signal.location,
        flow_id=_flow_id(inventory, signal.uid),
        depends_on=(signal.uid,),
        signals=(signal.uid,),
    )


def _why(site: WriteSite, seen: SignalEvidence, signal: Signal) -> str:
    path = site.location.path
    if path in seen.named:
        return f"the registry's producer of {signal.uid}"
    if path in seen.inventory:
        return f"the inventory's source of {signal.uid}"
    return f"writes the {signal.name} table"


def _site_text(site: WriteSite) -> str:
    mark = " (async)" if site.is_async else ""
    what = site.operation if site.detail == site.operation else f"{site.operation} {site.detail}"
    return f"{site.location} {what} → {site.target}{mark}"


def _flow_id(inventory: Inventory | None, uid: str) -> str:
    if inventory is None:
        return ""
    for producer in inventory.producers:
        for output in producer.outputs:
            if uid in output.signals:
                return f"{producer.id}/{slug(output.name)}"
    return ""


def merge_gaps(base: Sequence[GapCandidate], extra: Iterable[GapCandidate]) -> list[GapCandidate]:
    """One candidate per key: where two checks find the same gap, the first keeps its words and gains the detail."""
    out = list(base)
    at = {c.key: i for i, c in enumerate(out)}
    for candidate in extra:
        if candidate.key not in at:
            at[candidate.key] = len(out)
            out.append(candidate)
            continue
        kept = out[at[candidate.key]]
        more = tuple(d for d in candidate.detail if d not in kept.detail and d.startswith("Code: "))
        out[at[candidate.key]] = replace(kept, detail=kept.detail + more)
    return out


# ----------------------------------------------------------- assessment


_ASSESSED: list[tuple[Inputs, Registry, Assessment | None]] = []  # one entry: the last inputs assessed


def assess(inputs: Inputs, registry: Registry | None = None) -> Assessment | None:
    """What the evidence says about a registry state (default: the registry read); None without evidence."""
    registry = inputs.registry if registry is None else registry
    if _ASSESSED and _ASSESSED[0][0] is inputs and _ASSESSED[0][1] is registry:
        return _ASSESSED[0][2]
    result = _assess(inputs, registry)
    _ASSESSED[:] = [(inputs, registry, result)]
    return result


def _assess(inputs: Inputs, registry: Registry) -> Assessment | None:
    evidence = evidence_of(inputs)
    if evidence is None:
        return None
    signals: dict[str, SignalEvidence] = {}
    references: tuple[ProducerMatch, ...] = ()
    sources: list[SourceMatch] = []
    writers: list[Writer] = []
    files: Mapping[str, FileEvidence] = {}
    if evidence.code is not None:
        index = code_index(evidence.code)
        files = index.files
        sources = _inventory_files(inputs.inventory, index)
        by_signal = _sources_by_signal(inputs.inventory, sources)
        references = _references(registry, index, by_signal)
        signals = {s.uid: _signal_evidence(s, index, references, by_signal) for s in registry.signals}
        writers = _writers(inputs.inventory, index, signals, sources, counts_redis=_keeps_signals_in_redis(registry))
    jobs: list[JobEvidence] = []
    schedules: dict[str, tuple[Job, ...]] = {}
    missing: list[tuple[str, str, Location]] = []
    if evidence.ops is not None:
        jobs = [_job_evidence(job, inputs.inventory, registry) for job in evidence.ops.jobs]
        if evidence.code is not None:
            jobs = [_with_script(j, code_index(evidence.code)) for j in jobs]
        schedules, missing = _schedules(inputs.inventory, evidence.ops.jobs)
    return Assessment(
        code=evidence.code,
        ops=evidence.ops,
        signals=signals,
        references=references,
        sources=tuple(sources),
        writers=tuple(writers),
        jobs=tuple(jobs),
        schedules=schedules,
        missing_units=tuple(missing),
        files=files,
        counts_redis=_keeps_signals_in_redis(registry),
    )


def _keeps_signals_in_redis(registry: Registry) -> bool:
    return any(s.persistence is not None and REDIS_STORE in s.persistence.store_names for s in registry.signals)


def _with_script(found: JobEvidence, index: CodeIndex) -> JobEvidence:
    """The job, marked when the script or module it runs is nowhere under the code roots."""
    job = found.job
    if job.runs_module:
        references = [module_reference(job.script), job.script.replace(".", "/") + "/__main__.py"]
    elif job.script.endswith(SOURCE_SUFFIXES):
        references = [job.script]
    else:
        return found  # a program (/usr/local/bin/backup-tool): not the code base's to hold
    if any(index.find(r) for r in references):
        return found
    return replace(found, script_missing=True, suggestion=index.suggest(references[0])[0])


def _writers(
    inventory: Inventory | None,
    index: CodeIndex,
    signals: Mapping[str, SignalEvidence],
    sources: Sequence[SourceMatch],
    *,
    counts_redis: bool = False,
) -> list[Writer]:
    registered: dict[str, list[str]] = {}
    for uid, seen in signals.items():
        for path in seen.files:
            registered.setdefault(path, []).append(uid)
    jobs: dict[str, list[str]] = {}
    for match in sources:
        for path in match.files:
            for covered in (path, *index.imported(path)):
                jobs.setdefault(covered, []).append(match.producer_id)
    internal: dict[str, list[str]] = {}
    for artifact in inventory.internal if inventory else ():
        for ref in file_references(artifact.producer_ref):
            for path in index.find(ref):
                internal.setdefault(path, []).append(artifact.name)
    return [
        Writer(
            path,
            evidence.writes,
            tuple(dict.fromkeys(registered.get(path, ()))),
            tuple(dict.fromkeys(jobs.get(path, ()))),
            tuple(dict.fromkeys(internal.get(path, ()))),
            counts_redis,
            code_role(path),
        )
        for path, evidence in sorted(index.files.items())
        if evidence.writes
    ]


def _job_names(job: Job) -> set[str]:
    return {job.unit, job.name, *job.timers} - {""}


def _job_script(job: Job) -> str:
    return module_reference(job.script) if job.runs_module else job.script


def _job_evidence(job: Job, inventory: Inventory | None, registry: Registry) -> JobEvidence:
    names = _job_names(job)
    script = _job_script(job)

    def runs(references: Iterable[str]) -> bool:
        return bool(script) and any(same_file(script, ref) for ref in references)

    producers = tuple(
        p.id
        for p in (inventory.producers if inventory else ())
        if names & set(p.units) or runs(r for source in p.source_files for r in file_references(source))
    )
    internal = tuple(
        a.name
        for a in (inventory.internal if inventory else ())
        if a.name in names or a.producer_ref in names or runs(file_references(a.producer_ref))
    )
    signals = tuple(s.uid for s in registry.signals if runs(file_references(s.producer)))
    return JobEvidence(job, producers, internal, signals)


def _schedules(
    inventory: Inventory | None, jobs: Sequence[Job]
) -> tuple[dict[str, tuple[Job, ...]], list[tuple[str, str, Location]]]:
    schedules: dict[str, tuple[Job, ...]] = {}
    missing: list[tuple[str, str, Location]] = []
    for producer in inventory.producers if inventory else ():
        found: list[Job] = []
        for unit in producer.units:
            running = [j for j in jobs if unit in _job_names(j)]
            if not running:
                missing.append((producer.id, unit, producer.location))
            found.extend(running)
        if not producer.units:
            refs = [r for source in producer.source_files for r in file_references(source)]
            found = [j for j in jobs if _job_script(j) and any(same_file(_job_script(j), r) for r in refs)]
        if found:
            schedules[producer.id] = tuple(dict.fromkeys(found))
    return schedules, missing


def schedule_words(jobs: Iterable[Job]) -> str:
    """The schedules of the jobs that run a producer, in words: "hourly at :05; daily at 00:30 UTC"."""
    words = [j.schedule.words for j in jobs if j.schedule is not None]
    return "; ".join(dict.fromkeys(words))


# ----------------------------------------------------------------- gates


def gate_evidence_kind(rule: str, check: str) -> str | None:
    """Which evidence can decide a prose gate: the writers (session.add/execute) or the ops jobs."""
    text = check.lower()
    if rule.upper() == "UNREGISTERED_DB_WRITER" or "session.add" in text or "session.execute" in text:
        return WRITERS_GATE
    if rule.upper() == "NEW_L7_JOB" or "new l7 job" in text:
        return JOBS_GATE
    return None


def evidence_gate(gate: Gate, inputs: Inputs) -> GateOutcome | None:
    """A prose gate decided from evidence, or None when the evidence it needs was not given."""
    kind = gate_evidence_kind(gate.rule, gate.check)
    found = assess(inputs) if kind else None
    if found is None:
        return None
    if kind == WRITERS_GATE and found.code is not None:
        matched = tuple(
            (w.path, site.location)
            for w in found.writers
            if w.status == "unregistered" and (site := w.first_database_write) is not None
        )
        reason = f"{EVALUATED_FROM}code evidence: {len(found.code.files)} Python files under {_roots(found)}"
    elif kind == JOBS_GATE and found.ops is not None:
        matched = tuple((j.job.unit, j.job.location) for j in found.jobs if not j.known)
        reason = f"{EVALUATED_FROM}ops evidence: {len(found.ops.jobs)} jobs under {', '.join(found.ops.dirs)}"
    else:
        return None
    return GateOutcome(gate.rule, gate.level, gate.check, True, matched, (), gate.location, reason)


def from_evidence(gate: GateOutcome) -> str | None:
    """The evidence a gate outcome was decided from (WRITERS_GATE, JOBS_GATE), or None."""
    if not (gate.machine_checkable and gate.reason.startswith(EVALUATED_FROM)):
        return None
    return gate_evidence_kind(gate.rule, gate.check)


def _roots(found: Assessment) -> str:
    return ", ".join(found.code.roots) if found.code else ""


# --------------------------------------------------------------- findings


def evidence_findings(inputs: Inputs, gates: Iterable[GateOutcome] = ()) -> list[Finding]:
    """Every check from evidence, as warnings; a gate that decided a check reports it instead."""
    found = assess(inputs)
    if found is None:
        return []
    decided = {kind for gate in gates if (kind := from_evidence(gate))}
    out: list[Finding] = []
    if found.code is not None:
        out += _match_findings(inputs.registry, found)
        out += _persistence_findings(inputs.registry, found)
        if WRITERS_GATE not in decided:
            out += _writer_findings(found)
    if found.ops is not None:
        if JOBS_GATE not in decided:
            out += _job_findings(found)
        out += _unit_findings(inputs.inventory, found)
        out += _script_findings(found)
    return out


def _match_findings(registry: Registry, found: Assessment) -> list[Finding]:
    out: list[Finding] = []
    signals = registry.by_uid()
    where = _roots(found)
    for match in found.references:
        uids = ", ".join(match.signals) + (" names" if len(match.signals) == 1 else " name")
        if not match.files:
            out.append(
                _warning(
                    "evidence.producer-not-found",
                    match.reference,
                    f"{uids} producer {match.reference}, which matches no file under {where}"
                    + _perhaps(match.suggestion, match.suggestion_defines),
                    match.location,
                    match.signals,
                )
            )
            continue
        if match.ambiguous:
            out.append(
                _warning(
                    "evidence.producer-ambiguous",
                    match.reference,
                    f"{uids} producer {match.reference}, which matches {len(match.files)} files "
                    f"({', '.join(match.files)}); name it by path in the registry",
                    match.location,
                    match.signals,
                )
            )
            continue
        for path in match.files:
            header = found.files[path].header if path in found.files else None
            if header is None or header.layer not in LAYERS:
                continue
            wrong = [
                signals[u] for u in match.signals if signals[u].p_layer in LAYERS and signals[u].p_layer != header.layer
            ]
            if wrong:
                layers = ", ".join(sorted({s.p_layer or "" for s in wrong}))
                names = ", ".join(f"{s.uid} ({s.location})" for s in wrong)
                out.append(
                    _warning(
                        "evidence.layer-mismatch",
                        path,
                        f"{path} declares layer {header.layer}"
                        + (f" ({header.title})" if header.title else "")
                        + f" but the registry says it produces at {layers}: {names}",
                        header.location,
                        tuple(s.uid for s in wrong),
                    )
                )
    for source in found.sources:
        if not source.files:
            out.append(
                _warning(
                    "evidence.producer-not-found",
                    source.producer_id,
                    f"inventory job {source.producer_id} lists source file {source.reference}, "
                    f"which matches no file under {where}" + _perhaps(source.suggestion, source.suggestion_defines),
                    source.location,
                )
            )
    return out


def _persistence_findings(registry: Registry, found: Assessment) -> list[Finding]:
    out: list[Finding] = []
    for signal in registry.signals:
        claim = signal.persistence
        seen = found.signals.get(signal.uid)
        if claim is None or claim.unknown or seen is None or not any(p in found.files for p in seen.files):
            continue
        missing = sorted((claim.store_names & CHECKABLE_STORES) - seen.targets)
        if missing:
            files = ", ".join(seen.files)
            out.append(
                _warning(
                    "evidence.persistence-unwritten",
                    signal.uid,
                    f"{signal.uid} claims persistence {claim.text!r} but its producer code ({files}) "
                    f"writes no {' or '.join(missing)}",
                    signal.location,
                    (signal.uid,),
                )
            )
    return out


def _writer_findings(found: Assessment) -> list[Finding]:
    out: list[Finding] = []
    for writer in found.writers:
        site = writer.first_database_write
        if writer.status != "unregistered" or site is None:
            continue
        tables = sorted({w.detail for w in writer.database_writes if w.detail != w.operation})
        out.append(
            _warning(
                "evidence.unregistered-writer",
                writer.path,
                f"{writer.path} writes to a database ({', '.join(tables) or site.operation}) but is no signal's "
                "producer and no inventory job's source",
                site.location,
            )
        )
    return out


def _perhaps(suggestion: str, defines: str) -> str:
    """ "; perhaps backend/app/drivers/user_write_driver.py, which defines UserWriteService"; "" without one."""
    if not suggestion:
        return ""
    return f"; perhaps {suggestion}" + (f", which defines {defines}" if defines else "")


def _script_findings(found: Assessment) -> list[Finding]:
    return [
        _warning(
            "evidence.unit-script-missing",
            j.job.unit,
            f"{j.job.unit} runs {'module ' if j.job.runs_module else ''}{j.job.script}, "
            f"which matches no file under {_roots(found)}" + _perhaps(j.suggestion, ""),
            j.job.location,
        )
        for j in found.jobs
        if j.script_missing
    ]


def _job_findings(found: Assessment) -> list[Finding]:
    return [
        _warning(
            "evidence.new-l7-job",
            j.job.unit,
            f"{j.job.unit} runs {j.job.script or j.job.exec_start or 'nothing read'}"
            + (f" ({j.job.schedule.words})" if j.job.schedule else "")
            + ": new L7 job without signal registration; neither the inventory nor the registry knows it",
            j.job.location,
        )
        for j in found.jobs
        if not j.known
    ]


def _unit_findings(inventory: Inventory | None, found: Assessment) -> list[Finding]:
    if inventory is None or found.ops is None:
        return []
    names = {p.id: p.name for p in inventory.producers}
    where = ", ".join(found.ops.dirs)
    return [
        _warning(
            "evidence.unit-not-found",
            producer_id,
            f"{names.get(producer_id, producer_id)} lists unit {unit}, which is not among the units read under {where}",
            location,
        )
        for producer_id, unit, location in found.missing_units
    ]


def _warning(rule: str, subject: str, message: str, location: Location, signals: tuple[str, ...] = ()) -> Finding:
    return Finding(rule, Severity.WARNING, subject, message, location, signals)
