"""Code and ops evidence as Markdown fragments: what the report and the site pages show. Pure.

Every function returns [] (or None) when the audit had no evidence, so pages
and the report read exactly as before unless --code or --ops was given.
Write sites are shown as `file:line` code spans; paths are as the user typed
them, relative to the working directory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from layerflow.audit.classify import slug
from layerflow.audit.code_index import code_index
from layerflow.audit.evidence import (
    CHECKABLE_STORES,
    Assessment,
    JobEvidence,
    SignalEvidence,
    Writer,
    assess,
    schedule_words,
)
from layerflow.evidence.facts import (
    KIND_NAMES,
    PUBSUB,
    REDIS_CACHE,
    REDIS_STATE,
    CodeEvidence,
    FileEvidence,
    Job,
    WriteSite,
)
from layerflow.model import LAYERS, Analysis, Gap, Signal
from layerflow.render.escape import md, md_code
from layerflow.render.links import Links

ROW_LIMIT = 100  # above this, tables of claims and matches list only the rows that need attention


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    # report.table, repeated: report imports this module, so this module cannot import report.
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out.extend("| " + " | ".join(cell or "—" for cell in row) + " |" for row in rows)
    return out


def has_evidence(analysis: Analysis) -> bool:
    return assess(analysis.inputs) is not None


_STORE_CLASS = {REDIS_STATE: "Redis state", REDIS_CACHE: "Redis cache (TTL)", PUBSUB: "Redis pub/sub"}


def store_label(site: WriteSite) -> str:
    """The store a site writes, with its class where the store has several: "Redis cache (TTL)", "PostgreSQL"."""
    return _STORE_CLASS.get(site.kind, site.target)


def _stores(sites: Iterable[WriteSite]) -> str:
    return ", ".join(sorted({store_label(s) for s in sites}))


# ------------------------------------------------------------------ report


def inventory_schedules(analysis: Analysis) -> Mapping[str, str] | None:
    """Producer id -> its schedule in words, from the units that run it; None without --ops."""
    found = assess(analysis.inputs)
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
    found = assess(analysis.inputs)
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
    out += _table(("File", "Reason"), [(md_code(str(u.location)), md(u.reason)) for u in shown])
    if len(files) > len(shown):
        out += ["", f"… and {len(files) - len(shown)} more."]
    return out


def _coverage(analysis: Analysis, found: Assessment, links: Links) -> list[str]:
    writers = found.writers
    registered = [w for w in writers if w.status == "registered"]
    others = [w for w in writers if w.status != "registered"]
    known = [w for w in others if w.status in ("inventory", "internal")]
    unregistered = [w for w in others if w.status == "unregistered"]
    flagged = [w for w in unregistered if w.database]
    outside = [w for w in others if w.status in ("test", "migration")]
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
    out += _table(
        ("File", "Writes", "Stores", "Status"),
        [
            (md_code(w.path), str(len(w.writes)), md(_stores(w.writes)), _writer_status(analysis, w, links))
            for w in others
        ],
    )
    return out


def _writer_status(analysis: Analysis, writer: Writer, links: Links) -> str:
    if writer.status == "inventory":
        names = _producer_names(analysis)
        parts = []
        for producer_id in writer.producers:
            gaps = _open_gaps_of(analysis, producer_id)
            tracked = ", ".join(links.link(g.id, links.gap(g.id)) for g in gaps)
            label = links.link(names.get(producer_id, producer_id), links.producer(producer_id))
            parts.append(f"{label}: " + (f"tracked by {tracked}" if tracked else "L7-internal"))
        return "inventory job " + "; ".join(parts)
    if writer.status == "internal":
        return "L7-internal artifact " + ", ".join(md_code(a) for a in writer.internal)
    if writer.status in ("test", "migration"):
        return f"{writer.status} code: no producer"
    if writer.database:
        return "⚠️ unregistered database writer"
    classes = ", ".join(dict.fromkeys(KIND_NAMES.get(w.kind, w.kind) for w in writer.writes if not w.is_commit))
    return f"unregistered; not flagged: writes only {md(classes or 'commits')}"


def _producer_names(analysis: Analysis) -> dict[str, str]:
    inventory = analysis.inputs.inventory
    return {p.id: p.name for p in inventory.producers} if inventory else {}


def _open_gaps_of(analysis: Analysis, producer_id: str) -> list[Gap]:
    return [g for g in analysis.gaps if g.status == "open" and g.flow_id.startswith(f"{producer_id}/")]


def _claims(analysis: Analysis, found: Assessment, links: Links) -> list[str]:
    rows = []
    for signal in analysis.inputs.registry.signals:
        seen = found.signals.get(signal.uid)
        if seen is None or signal.persistence is None:
            continue
        verdict = _verdict(analysis, signal, seen, found, links)
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
        return _table(header, [row for _, row in rows])
    shown = [row for fine, row in rows if not fine]
    out = _table(header, shown) if shown else []
    return [*out, "", f"{len(rows) - len(shown)} consistent {what} are not listed."]


def _verdict(analysis: Analysis, signal: Signal, seen: SignalEvidence, found: Assessment, links: Links) -> str:
    claim = signal.persistence
    gap = next((g for g in analysis.gaps if g.key == f"persistence-contradiction:{signal.uid}"), None)
    if gap is not None and gap.status == "open":
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
            layer, header = _header(found.file(path))
            how = _how(match.settled_by)
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


def _how(settled_by: str) -> str:
    return {"inventory": "settled by the inventory", "header": "settled by the header layer"}.get(settled_by, "matched")


def _header(evidence: FileEvidence | None) -> tuple[str, str]:
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
    out = _table(("Job", "Runs", "Schedule", "After", "Known as"), rows) if rows else ["No job found."]
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


# ------------------------------------------------------------------- pages


def producer_evidence(analysis: Analysis, producer_id: str, links: Links) -> list[str]:
    """A producer page's "Code evidence": the units that run it, its files and their write sites."""
    found = assess(analysis.inputs)
    if found is None:
        return []
    out = ["## Code evidence", ""]
    if found.ops is not None:
        jobs = found.schedules.get(producer_id, ())
        missing = [unit for pid, unit, _ in found.missing_units if pid == producer_id]
        out += _unit_lines(jobs, missing)
    if found.code is not None:
        out += _file_sections(found, _producer_files(analysis, found, producer_id), links)
    return out


def _unit_lines(jobs: Sequence[Job], missing: Sequence[str]) -> list[str]:
    out: list[str] = []
    if jobs:
        out += [f"**Schedule (from the units):** {md(schedule_words(jobs)) or 'not timed'}", ""]
        out += _table(
            ("Unit", "Timers", "Schedule", "Runs", "After", "Persistent", "Defined at"),
            [
                (
                    md_code(j.unit),
                    ", ".join(md_code(t) for t in j.timers),
                    md(j.schedule.words) if j.schedule else "not timed",
                    md_code(j.exec_start),
                    md(", ".join(j.after)),
                    "yes" if j.persistent else "no",
                    md_code(str(j.location)),
                )
                for j in jobs
            ],
        )
        out.append("")
    out += [f"⚠️ Unit {md_code(unit)} is not among the units read." for unit in missing]
    if missing:
        out.append("")
    return out


def _producer_files(analysis: Analysis, found: Assessment, producer_id: str) -> list[tuple[str, str]]:
    """(path, how it was found) of a producer's files; path "" with a reference when nothing matched it."""
    out: list[tuple[str, str]] = []
    signals = analysis.inputs.registry.by_uid()
    for source in found.sources:
        if source.producer_id == producer_id:
            out += [(p, f"inventory source file {source.reference}") for p in source.files]
            out += [("", source.reference)] if not source.files else []
    for match in found.references:
        mine = [u for u in match.signals if u in signals and slug(signals[u].producer or u) == producer_id]
        if mine:
            out += [(p, f"registry producer of {', '.join(mine)}") for p in match.files]
            out += [("", match.reference)] if not match.files else []
    seen: set[str] = set()
    unique = []
    for path, how in out:
        key = path or how
        if key not in seen:
            seen.add(key)
            unique.append((path, how))
    return unique


def _file_sections(found: Assessment, files: Sequence[tuple[str, str]], links: Links) -> list[str]:
    if not files:
        return ["No source file of this producer is named in the inventory or the registry.", ""]
    out: list[str] = []
    for path, how in files:
        if not path:
            out += [f"⚠️ {md_code(how)} matches no file in the code base.", ""]
            continue
        out += [f"### {md_code(path)}", "", f"Found as the {md(how)}."]
        evidence = found.file(path)
        if evidence is not None and evidence.header is not None:
            h = evidence.header
            claim = ", ".join(
                x
                for x in (
                    f"layer {md(h.layer)}" + (f" ({md(h.title)})" if h.title else "") if h.layer else "",
                    f"trigger: {md(h.trigger)}" if h.trigger else "",
                    f"role: {md(h.role)}" if h.role else "",
                )
                if x
            )
            out.append(f"Header ({links.source(h.location)}): {claim}.")
        out.append("")
        if evidence is None:
            out += ["Not a Python file: not read for writes.", ""]
            continue
        out += _sites(evidence.writes, links) if evidence.writes else ["No write in this file."]
        calls = [md_code(p) for p in _imports_of(found, path)]
        if calls:
            out += ["", "Imports from the code base: " + ", ".join(calls) + "."]
        out.append("")
    return out


def _imports_of(found: Assessment, path: str) -> tuple[str, ...]:
    return code_index(found.code).imported(path) if found.code is not None else ()


def _sites(sites: Iterable[WriteSite], links: Links, why: Mapping[WriteSite, str] | None = None) -> list[str]:
    header = ("Where", "Operation", "Store", "Class", "What", "Async") + (("Found as",) if why is not None else ())
    return _table(
        header,
        [
            (
                links.source(s.location),
                md_code(s.operation),
                md(s.target),
                md(KIND_NAMES.get(s.kind, s.kind)),
                _what(s),
                "yes" if s.is_async else "",
                *((md(why.get(s, "")),) if why is not None else ()),
            )
            for s in sites
        ],
    )


def _what(site: WriteSite) -> str:
    shown = md_code(site.detail) if site.detail != site.operation else ""
    if site.reason:
        shown = (shown + " " if shown else "") + f"({md(site.reason)})"
    return shown


def signal_evidence(analysis: Analysis, signal: Signal, links: Links) -> list[str]:
    """A signal page's "Code evidence": its producer files, the verdict on persistence, the write sites."""
    found = assess(analysis.inputs)
    if found is None or found.code is None:
        return []
    seen = found.signals.get(signal.uid)
    if seen is None:
        return []
    out = ["", "## Code evidence", ""]
    rows = []
    for match in seen.references:
        how = "⚠️ ambiguous" if match.ambiguous else _how(match.settled_by)
        rows += [(md(match.reference), md_code(p), md(_header(found.file(p))[1]), how) for p in match.files]
        if not match.files:
            rows.append((md(match.reference), "—", "—", "⚠️ no file matches"))
    rows += [("inventory", md_code(p), md(_header(found.file(p))[1]), "inventory source file") for p in seen.inventory]
    rows += [("imported", md_code(p), md(_header(found.file(p))[1]), "imported by the producer") for p in seen.imported]
    if rows:
        out += _table(("Named as", "File", "Header", "Match"), rows)
    else:
        out.append("The registry names no producer file for this signal.")
    out += ["", f"**Persistence:** {_verdict(analysis, signal, seen, found, links)}", ""]
    why: dict[WriteSite, str] = {}
    for site in seen.writes:
        path = site.location.path
        why[site] = "named" if path in seen.named else "inventory" if path in seen.inventory else "imported"
    for site in seen.data:
        why.setdefault(site, f"writes the {signal.name} table")
    if why:
        ordered = sorted(why, key=lambda s: s.location)
        out += _sites(ordered, links, why)
    else:
        out.append("No write site found in the producer code.")
    return out
