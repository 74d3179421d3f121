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

This module matches and judges (`assess`, run once by `analyse`, its result the
Analysis' `assessment`); the contradiction gap is found in audit.gaps, the prose
gates it decides in audit.gates, the findings it shows in audit.evidence_findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from layerflow.audit.code_index import (
    SOURCE_SUFFIXES,
    CodeIndex,
    code_index,
    code_role,
    file_references,
    module_reference,
    same_file,
)
from layerflow.model import Inputs, Inventory, Location, Registry, Signal
from layerflow.model.assessment import (
    Assessment,
    JobEvidence,
    ProducerMatch,
    SignalEvidence,
    SourceMatch,
    Writer,
)
from layerflow.model.base import slug
from layerflow.model.facts import REDIS_STORE, FileEvidence, Job, WriteSite

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def inventory_files(inventory: Inventory | None, index: CodeIndex) -> list[SourceMatch]:
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


def sources_by_signal(inventory: Inventory | None, sources: Sequence[SourceMatch]) -> dict[str, tuple[str, ...]]:
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


def producer_references(
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


def signal_evidence(
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


def assess(inputs: Inputs, index: CodeIndex | None = None) -> Assessment | None:
    """What the evidence says about the registry read; None without evidence.

    `index` is the code base's (code_index) when the caller has built it; else it is built here.
    """
    evidence = inputs.evidence
    if evidence is None:
        return None
    if evidence.code is None:
        index = None
    elif index is None:
        index = code_index(evidence.code)
    registry = inputs.registry
    signals: dict[str, SignalEvidence] = {}
    references: tuple[ProducerMatch, ...] = ()
    sources: list[SourceMatch] = []
    writers: list[Writer] = []
    files: Mapping[str, FileEvidence] = {}
    producer_files: dict[str, tuple[tuple[str, str], ...]] = {}
    imports: dict[str, tuple[str, ...]] = {}
    if index is not None:
        files = index.files
        sources = inventory_files(inputs.inventory, index)
        by_signal = sources_by_signal(inputs.inventory, sources)
        references = producer_references(registry, index, by_signal)
        signals = {s.uid: signal_evidence(s, index, references, by_signal) for s in registry.signals}
        writers = _writers(inputs.inventory, index, signals, sources, counts_redis=_keeps_signals_in_redis(registry))
        producer_files = _producer_files(registry, sources, references)
        shown = {path for entries in producer_files.values() for path, _ in entries if path in files}
        imports = {path: index.imported(path) for path in sorted(shown)}
    jobs: list[JobEvidence] = []
    schedules: dict[str, tuple[Job, ...]] = {}
    missing: list[tuple[str, str, Location]] = []
    if evidence.ops is not None:
        jobs = [_job_evidence(job, inputs.inventory, registry) for job in evidence.ops.jobs]
        if index is not None:
            jobs = [_with_script(j, index) for j in jobs]
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
        producer_files=producer_files,
        imports=imports,
    )


def _producer_files(
    registry: Registry, sources: Sequence[SourceMatch], references: Sequence[ProducerMatch]
) -> dict[str, tuple[tuple[str, str], ...]]:
    """(path, how it was found) of each producer's files, by producer id: its inventory source files, then the
    files the registry names as producer of its signals; path "" with the reference when nothing matched it."""
    found: dict[str, list[tuple[str, str]]] = {}
    for source in sources:
        entries = [(p, f"inventory source file {source.reference}") for p in source.files]
        found.setdefault(source.producer_id, []).extend(entries or [("", source.reference)])
    signals = registry.by_uid()
    for match in references:
        mine: dict[str, list[str]] = {}
        for uid in match.signals:
            if uid in signals:
                mine.setdefault(slug(signals[uid].producer or uid), []).append(uid)
        for producer_id, uids in mine.items():
            entries = [(p, f"registry producer of {', '.join(uids)}") for p in match.files]
            found.setdefault(producer_id, []).extend(entries or [("", match.reference)])
    return {producer_id: _once(entries) for producer_id, entries in found.items()}


def _once(entries: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Each file once (a reference that matched nothing, once per reference)."""
    seen: set[str] = set()
    unique = []
    for path, how in entries:
        key = path or how
        if key not in seen:
            seen.add(key)
            unique.append((path, how))
    return tuple(unique)


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
