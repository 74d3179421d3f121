"""The checks from code and ops evidence, as findings: what the assessment (audit.evidence) shows is off.

Producer files not found or ambiguous, header layers that disagree with the
registry, claimed stores the producer code never writes, unregistered database
writers and unknown jobs (unless a gate decided those), inventory units not read,
jobs whose script is not in the code roots. All warnings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from layerflow.audit.gates import JOBS_GATE, WRITERS_GATE, from_evidence
from layerflow.model import LAYERS, Finding, GateOutcome, Inputs, Inventory, Location, Registry, Severity, Signal
from layerflow.model.assessment import CHECKABLE_STORES, Assessment, ProducerMatch, WriterStatus


def evidence_findings(inputs: Inputs, found: Assessment | None, gates: Iterable[GateOutcome] = ()) -> list[Finding]:
    """Every check from evidence, as warnings; a gate that decided a check reports it instead."""
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
        out += _layer_findings(match, signals, found)
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


def _layer_findings(match: ProducerMatch, signals: Mapping[str, Signal], found: Assessment) -> list[Finding]:
    """A matched producer file whose "# Layer:" header says another layer than the registry's P-Layer."""
    out: list[Finding] = []
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
        if writer.status is not WriterStatus.UNREGISTERED or site is None:
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


def _roots(found: Assessment) -> str:
    return ", ".join(found.code.roots) if found.code else ""
