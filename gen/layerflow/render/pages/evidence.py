"""Code and ops evidence on the producer and signal pages: units, files, write sites. Pure.

Both return [] when the audit had no evidence, so pages read exactly as
before unless --code or --ops was given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from layerflow.model import Analysis, Signal
from layerflow.model.assessment import Assessment, schedule_words
from layerflow.model.facts import KIND_NAMES, Job, WriteSite
from layerflow.render.escape import md, md_code
from layerflow.render.evidence import header_claim, how_matched, persistence_verdict
from layerflow.render.links import Links
from layerflow.render.markup import table


def producer_evidence(analysis: Analysis, producer_id: str, links: Links) -> list[str]:
    """A producer page's "Code evidence": the units that run it, its files and their write sites."""
    found = analysis.assessment
    if found is None:
        return []
    out = ["## Code evidence", ""]
    if found.ops is not None:
        jobs = found.schedules.get(producer_id, ())
        missing = [unit for pid, unit, _ in found.missing_units if pid == producer_id]
        out += _unit_lines(jobs, missing)
    if found.code is not None:
        out += _file_sections(found, found.producer_files.get(producer_id, ()), links)
    return out


def _unit_lines(jobs: Sequence[Job], missing: Sequence[str]) -> list[str]:
    out: list[str] = []
    if jobs:
        out += [f"**Schedule (from the units):** {md(schedule_words(jobs)) or 'not timed'}", ""]
        out += table(
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
        calls = [md_code(p) for p in found.imports.get(path, ())]
        if calls:
            out += ["", "Imports from the code base: " + ", ".join(calls) + "."]
        out.append("")
    return out


def _sites(sites: Iterable[WriteSite], links: Links, why: Mapping[WriteSite, str] | None = None) -> list[str]:
    header = ("Where", "Operation", "Store", "Class", "What", "Async") + (("Found as",) if why is not None else ())
    return table(
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
    found = analysis.assessment
    if found is None or found.code is None:
        return []
    seen = found.signals.get(signal.uid)
    if seen is None:
        return []
    out = ["", "## Code evidence", ""]
    rows = []
    for match in seen.references:
        how = "⚠️ ambiguous" if match.ambiguous else how_matched(match.settled_by)
        rows += [(md(match.reference), md_code(p), _header_text(found, p), how) for p in match.files]
        if not match.files:
            rows.append((md(match.reference), "—", "—", "⚠️ no file matches"))
    rows += [
        ("inventory", md_code(p), md(header_claim(found.file(p))[1]), "inventory source file") for p in seen.inventory
    ]
    rows += [
        ("imported", md_code(p), md(header_claim(found.file(p))[1]), "imported by the producer") for p in seen.imported
    ]
    if rows:
        out += table(("Named as", "File", "Header", "Match"), rows)
    else:
        out.append("The registry names no producer file for this signal.")
    out += ["", f"**Persistence:** {persistence_verdict(analysis, signal, seen, found, links)}", ""]
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


def _header_text(found: Assessment, path: str) -> str:
    return md(header_claim(found.file(path))[1])
