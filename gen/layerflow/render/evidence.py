"""Code and ops evidence in the report: coverage, claims against code, producer files, ops jobs. Pure.

Every function returns [] (or None) when the audit had no evidence, so the
report reads exactly as before unless --code or --ops was given. Write sites
are shown as `file:line` code spans; paths are as the user typed them,
relative to the working directory. The verdict and match wording here is
shared with the producer and signal pages (render.pages.evidence).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from layerflow.model import LAYERS, Analysis, Gap, GapStatus, Signal
from layerflow.model.assessment import (
    CHECKABLE_STORES,
    Assessment,
    JobEvidence,
    SignalEvidence,
    Writer,
    WriterStatus,
    schedule_words,
)
from layerflow.model.facts import (
    KIND_NAMES,
    PUBSUB,
    REDIS_CACHE,
    REDIS_STATE,
    CodeEvidence,
    FileEvidence,
    WriteSite,
)
from layerflow.render.escape import md, md_code
from layerflow.render.links import Links
from layerflow.render.markup import table

_OUTSIDE_PRODUCTION = (WriterStatus.TEST, WriterStatus.MIGRATION)
ROW_LIMIT = 100  # above this, tables of claims and matches list only the rows that need attention


def has_evidence(analysis: Analysis) -> bool:
    return analysis.assessment is not None


_STORE_CLASS = {REDIS_STATE: "Redis state", REDIS_CACHE: "Redis cache (TTL)", PUBSUB: "Redis pub/sub"}


def store_label(site: WriteSite) -> str:
    """The store a site writes, with its class where the store has several: "Redis cache (TTL)", "PostgreSQL"."""
    return _STORE_CLASS.get(site.kind, site.target)


def _stores(sites: Iterable[WriteSite]) -> str:
    return ", ".join(sorted({store_label(s) for s in sites}))


def inventory_schedules(analysis: Analysis) -> Mapping[str, str] | None:
    """Producer id -> its schedule in words, from the units that run it; None without --ops."""
    found = analysis.assessment
    if found is None or found.ops is None:
        return None
    missing = {producer_id for producer_id, _, _ in found.missing_units}
    out: dict[str, str] = {}
    inventory = analysis.inputs.inventory
    for producer in inventory.producers if inventory else ():
        words = md(schedule_words(found.schedules.get(producer.id, ())))
        if producer.id in missing:
            words = (words + "; " if words else "") + "⚠️ unit not found"
        out[producer.id] = words
    return out


def code_evidence_section(analysis: Analysis, links: Links, *, number: int) -> list[str]:
    """The report's "Code Evidence" section: coverage, claims against code, producer files, ops jobs."""
    found = analysis.assessment
    if found is None:
        return []
    out = [f"## {number}. Code Evidence", ""]
    out += [_read_line(found), ""]
    if found.code is not None and found.code.unread:
        out += [*_unread(found.code), ""]
    parts: list[tuple[str, list[str]]] = []
    if found.code is not None:
        parts.append(("Write coverage", _coverage(analysis, found, links)))
        parts.append(("Persistence claims against the code", _claims(analysis, found, links)))
        parts.append(("Producers matched to files", _matches(analysis, found)))
    if found.ops is not None:
        parts.append(("Ops jobs", _jobs(analysis, found, links)))
    for index, (title, lines) in enumerate(parts, 1):
        out += [f"### {number}.{index} {title}", "", *lines, ""]
    return out


def _read_line(found: Assessment) -> str:
    read = []
    if found.code is not None:
        code = found.code
        scripts = f" and {len(code.scripts)} other script(s)" if code.scripts else ""
        roots = ", ".join(md_code(r) for r in code.roots)
        read.append(f"{len(code.files)} Python file(s){scripts} under {roots}")
    if found.ops is not None:
        dirs = ", ".join(md_code(d) for d in found.ops.dirs)
        read.append(f"{len(found.ops.jobs)} job(s) from {len(found.ops.files)} unit/cron file(s) under {dirs}")
    return "Read " + "; ".join(read) + "."


def _unread(code: CodeEvidence) -> list[str]:
    """The Python files not read for writes, once each, with the reason."""
    files = code.unread
    out = [f"**{len(files)}** Python file(s) could not be read, so their writes are unknown:", ""]
    shown = files[:ROW_LIMIT]
    out += table(("File", "Reason"), [(md_code(str(u.location)), md(u.reason)) for u in shown])
    if len(files) > len(shown):
        out += ["", f"… and {len(files) - len(shown)} more."]
    return out


def _coverage(analysis: Analysis, found: Assessment, links: Links) -> list[str]:
    writers = found.writers
    registered = [w for w in writers if w.status is WriterStatus.REGISTERED]
    others = [w for w in writers if w.status is not WriterStatus.REGISTERED]
    known = [w for w in others if w.status in (WriterStatus.INVENTORY, WriterStatus.INTERNAL)]
    unregistered = [w for w in others if w.status is WriterStatus.UNREGISTERED]
    flagged = [w for w in unregistered if w.database]
    outside = [w for w in others if w.status in _OUTSIDE_PRODUCTION]
    out = [
        f"Of **{len(writers)}** files that write, **{len(registered)}** are registered as signal producers"
        + (f"; {len(known)} are known to the inventory" if known else "")
        + (f"; {len(outside)} are tests or migrations" if outside else "")
        + f"; **{len(unregistered)}** are unregistered"
        + (
            f": **{len(flagged)}** write to a database, {len(unregistered) - len(flagged)} write only "
            "caches, messages, files or metrics (shown, not flagged)."
            if unregistered
            else "."
        )
    ]
    if not found.counts_redis:
        out += ["", "No signal persists in Redis, so only SQL writes make a file a database writer."]
    if not others:
        return [*out, "", "Every file that writes is a registered signal's producer code."]
    out += ["", "Files that write and are not a registered signal's producer code:", ""]
    out += table(
        ("File", "Writes", "Stores", "Status"),
        [
            (md_code(w.path), str(len(w.writes)), md(_stores(w.writes)), _writer_status(analysis, w, links))
            for w in others
        ],
    )
    return out


def _writer_status(analysis: Analysis, writer: Writer, links: Links) -> str:
    if writer.status is WriterStatus.INVENTORY:
        names = _producer_names(analysis)
        parts = []
        for producer_id in writer.producers:
            gaps = _open_gaps_of(analysis, producer_id)
            tracked = ", ".join(links.link(g.id, links.gap(g.id)) for g in gaps)
            label = links.link(names.get(producer_id, producer_id), links.producer(producer_id))
            parts.append(f"{label}: " + (f"tracked by {tracked}" if tracked else "L7-internal"))
        return "inventory job " + "; ".join(parts)
    if writer.status is WriterStatus.INTERNAL:
        return "L7-internal artifact " + ", ".join(md_code(a) for a in writer.internal)
    if writer.status in _OUTSIDE_PRODUCTION:
        return f"{writer.status} code: no producer"
    if writer.database:
        return "⚠️ unregistered database writer"
    classes = ", ".join(dict.fromkeys(KIND_NAMES.get(w.kind, w.kind) for w in writer.writes if not w.is_commit))
    return f"unregistered; not flagged: writes only {md(classes or 'commits')}"


def _producer_names(analysis: Analysis) -> dict[str, str]:
    inventory = analysis.inputs.inventory
    return {p.id: p.name for p in inventory.producers} if inventory else {}


def _open_gaps_of(analysis: Analysis, producer_id: str) -> list[Gap]:
    return [g for g in analysis.gaps if g.status is GapStatus.OPEN and g.flow_id.startswith(f"{producer_id}/")]


def _claims(analysis: Analysis, found: Assessment, links: Links) -> list[str]:
    rows = []
    for signal in analysis.inputs.registry.signals:
        seen = found.signals.get(signal.uid)
        if seen is None or signal.persistence is None:
            continue
        verdict = persistence_verdict(analysis, signal, seen, found, links)
        row = (
            links.link(signal.uid, links.signal(signal.uid)),
            md(signal.persistence.text) or "none",
            ", ".join(md_code(p) for p in seen.named) or "—",
            md(_stores((*seen.writes, *seen.data))) or "nothing",
            verdict,
        )
        rows.append((verdict.startswith("✅"), row))
    if not rows:
        return ["No signal has a persistence column."]
    return _limited(("Signal", "Registry says", "Producer file", "Producer code writes", "Verdict"), rows, "claims")


def _limited(header: Sequence[str], rows: Sequence[tuple[bool, Sequence[str]]], what: str) -> list[str]:
    """Every row when there are few; else the ones that need attention, and a count of the rest."""
    if len(rows) <= ROW_LIMIT:
        return table(header, [row for _, row in rows])
    shown = [row for fine, row in rows if not fine]
    out = table(header, shown) if shown else []
    return [*out, "", f"{len(rows) - len(shown)} consistent {what} are not listed."]


def persistence_verdict(
    analysis: Analysis, signal: Signal, seen: SignalEvidence, found: Assessment, links: Links
) -> str:
    claim = signal.persistence
    key = f"persistence-contradiction:{signal.uid}"  # such a gap's subject is its signal (audit.gaps)
    gap = next((g for g in analysis.gaps_of_subject(signal.uid) if g.key == key), None)
    if gap is not None and gap.status is GapStatus.OPEN:
        return f"❌ contradicted ({links.link(gap.id, links.gap(gap.id))})"
    if claim is None or claim.unknown:
        return "UNKNOWN: not checked"
    if not any(p in found.files for p in seen.files):
        return "not checked: no producer file read"
    missing = sorted((claim.store_names & CHECKABLE_STORES) - seen.targets)
    if missing:
        return f"⚠️ no {md(' or '.join(missing))} write"
    return "✅ consistent"


def _matches(analysis: Analysis, found: Assessment) -> list[str]:
    signals = analysis.inputs.registry.by_uid()
    rows: list[tuple[bool, Sequence[str]]] = []
    for match in found.references:
        layers = {signals[u].p_layer or "" for u in match.signals if u in signals}
        shown = md(", ".join(sorted(layers)))
        if not match.files:
            none = "⚠️ no file matches" + _perhaps(match.suggestion, match.suggestion_defines)
            rows.append((False, (md(match.reference), ", ".join(match.signals), "—", shown, "—", none)))
            continue
        for path in match.files:
            layer, header = header_claim(found.file(path))
            how = how_matched(match.settled_by)
            if match.ambiguous:
                how = f"⚠️ ambiguous: {len(match.files)} files"
            elif layer in LAYERS and not layers <= {layer, ""}:
                how = "⚠️ header layer differs"
            row = (md(match.reference), ", ".join(match.signals), md_code(path), shown, md(header), how)
            rows.append((not how.startswith("⚠️"), row))
    missing = [s for s in found.sources if not s.files]
    columns = ("Registry producer", "Signals", "File", "P-Layer", "Header", "Match")
    out = _limited(columns, rows, "matches") if rows else ["The registry names no producer file."]
    if missing:
        out += ["", "Inventory source files no file matches:", ""]
        out += [
            f"- {md(s.producer_id)}: {md_code(s.reference)}" + _perhaps(s.suggestion, s.suggestion_defines)
            for s in missing
        ]
    return out


def _perhaps(suggestion: str, defines: str) -> str:
    if not suggestion:
        return ""
    return f"; perhaps {md_code(suggestion)}" + (f", which defines {md_code(defines)}" if defines else "")


def how_matched(settled_by: str) -> str:
    return {"inventory": "settled by the inventory", "header": "settled by the header layer"}.get(settled_by, "matched")


def header_claim(evidence: FileEvidence | None) -> tuple[str, str]:
    header = evidence.header if evidence else None
    if header is None:
        return ("", "")
    return (header.layer, f"{header.layer} — {header.title}" if header.title else header.layer)


def _jobs(analysis: Analysis, found: Assessment, links: Links) -> list[str]:
    rows = [
        (
            md_code(j.job.unit),
            md_code(j.job.script or j.job.exec_start) + (" ⚠️ not in the code roots" if j.script_missing else ""),
            md(j.job.schedule.words) if j.job.schedule else "not timed",
            md(", ".join(j.job.after)),
            _known_as(analysis, j, links),
        )
        for j in found.jobs
    ]
    out = table(("Job", "Runs", "Schedule", "After", "Known as"), rows) if rows else ["No job found."]
    if found.missing_units:
        names = _producer_names(analysis)
        out += ["", "Inventory units not among the units read:", ""]
        out += [
            f"- {links.link(names.get(pid, pid), links.producer(pid))}: {md_code(unit)} ({md_code(str(where))})"
            for pid, unit, where in found.missing_units
        ]
    return out


def _known_as(analysis: Analysis, job: JobEvidence, links: Links) -> str:
    names = _producer_names(analysis)
    parts = [links.link(names.get(p, p), links.producer(p)) for p in job.producers]
    parts += [] if job.producers else [f"L7-internal {md_code(a)}" for a in job.internal]
    parts += [links.link(u, links.signal(u)) for u in job.signals]
    return ", ".join(parts) if parts else "⚠️ new L7 job without signal registration"
