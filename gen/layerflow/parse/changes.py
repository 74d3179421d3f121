"""Registry change records (one Markdown file each) to `ChangeRecord`s."""

from __future__ import annotations

import re

from layerflow.errors import Parsed, error, warning
from layerflow.model import ChangeRecord, ChangeStatus, FieldChange, Level, Location, Problem, Section
from layerflow.parse import cells
from layerflow.parse.markdown import Document, Fence, Table, scan, split_row

_TITLE = re.compile(r"(SIG-\d+)\s*[:—–-]?\s*(.*)$")
_GAP = re.compile(r"\bGAP-\d+\b")
_CHANGE_ID = re.compile(r"^RC-\d+$")
_BEFORE_WORDS = ("original", "before", "old", "previous", "was")
_AFTER_WORDS = ("corrected", "after", "new", "proposed", "fixed", "should", "registration")


def parse_change(path: str, text: str) -> Parsed[ChangeRecord | None]:
    """One change record; None (with errors) when it cannot be read as one."""
    doc = scan(text)
    problems: list[Problem] = []
    title = next((h for h in doc.headings if h.level == 1), None)
    if title is None:
        return Parsed(None, (error(path, 1, "a change record starts with '# Registry Change: SIG-<n> <Name>'"),))
    match = _TITLE.search(cells.plain(title.text))
    if match is None:
        return Parsed(None, (error(path, title.line, f"title {title.text!r} names no signal (SIG-<digits>)"),))
    meta = {cells.fold(b.key): (cells.plain(b.value), b.line) for b in doc.bold_fields}
    change_id, id_line = meta.get("changeid", ("", title.line))
    if not _CHANGE_ID.match(change_id):
        problems.append(error(path, id_line, f"missing or malformed '**Change ID:** RC-<n>' (found {change_id!r})"))
    status_text, status_line = meta.get("status", ("", title.line))
    status = _status(status_text)
    if status is None:
        allowed = ", ".join(s.value for s in ChangeStatus)
        problems.append(error(path, status_line, f"unknown change status {status_text!r}; expected one of {allowed}"))
    changes, is_registration = _field_tables(path, doc, problems)
    row_before, row_after = _fenced_rows(doc)
    if not changes and not row_after:
        problems.append(
            error(
                path, title.line, "no change found: add a Field|Before|After table, a Field|Value table or a fenced row"
            )
        )
    record = ChangeRecord(
        id=change_id,
        signal=match.group(1),
        title=match.group(2).strip() or match.group(1),
        status=status or ChangeStatus.PROPOSED,
        location=Location(path, title.line),
        date=meta.get("date", ("", 0))[0],
        severity=meta.get("severity", ("", 0))[0],
        references=tuple(dict.fromkeys(_GAP.findall(meta.get("reference", ("", 0))[0]))),
        changes=changes,
        is_registration=is_registration or bool(row_after and not row_before and not changes),
        row_before=row_before,
        row_after=row_after,
        sections=_sections(path, doc),
        metadata={cells.plain(b.key): cells.plain(b.value) for b in doc.bold_fields},
    )
    if any(p.level is Level.ERROR for p in problems):
        return Parsed(None, tuple(problems))
    return Parsed(record, tuple(problems))


def _status(text: str) -> ChangeStatus | None:
    word = text.split(maxsplit=1)[0].upper() if text.split() else ""
    try:
        return ChangeStatus(word)
    except ValueError:
        return None


def _field_tables(path: str, doc: Document, problems: list[Problem]) -> tuple[tuple[FieldChange, ...], bool]:
    changes: list[FieldChange] = []
    registration = False
    for table in doc.tables:
        folded = [cells.fold(h) for h in table.header]
        if folded[:3] == ["field", "before", "after"]:
            changes.extend(_read_pairs(path, table, problems, with_before=True))
        elif folded[:2] == ["field", "value"]:
            registration = True
            changes.extend(_read_pairs(path, table, problems, with_before=False))
    return tuple(changes), registration


def _read_pairs(path: str, table: Table, problems: list[Problem], *, with_before: bool) -> list[FieldChange]:
    out: list[FieldChange] = []
    width = 3 if with_before else 2
    for row in table.rows:
        if len(row.cells) != width:
            problems.append(error(path, row.line, f"row has {len(row.cells)} cells; this table has {width} columns"))
            continue
        name = cells.canonical_field(row.cells[0])
        if name is None:
            problems.append(warning(path, row.line, f"field {cells.plain(row.cells[0])!r} is not a registry column"))
            continue
        before = cells.value(row.cells[1]) if with_before else None
        after = cells.value(row.cells[-1])
        out.append(FieldChange(name, before, after, Location(path, row.line)))
    return out


def _fenced_rows(doc: Document) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Registry rows quoted in fences: 'original' ones are the before, others the after."""
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    for fence in doc.fences:
        row = _row_in(fence)
        if row is None:
            continue
        hint = f"{fence.lead} {fence.heading.text if fence.heading else ''}".lower()
        if any(w in hint for w in _BEFORE_WORDS) and not any(w in fence.lead.lower() for w in _AFTER_WORDS):
            before = before or row
        else:
            after = after or row
    return before, after


def _row_in(fence: Fence) -> tuple[str, ...] | None:
    for line in fence.lines:
        row = split_row(line)
        if row and cells.is_uid(cells.plain(row[0])):
            return row
    return None


def _sections(path: str, doc: Document) -> tuple[Section, ...]:
    """Each level-2 section as Markdown, for the change record's page."""
    heads = [h for h in doc.headings if h.level == 2]
    out: list[Section] = []
    for index, head in enumerate(heads):
        end = heads[index + 1].line - 1 if index + 1 < len(heads) else len(doc.lines)
        body = "\n".join(doc.lines[head.line : end]).strip("\n")
        out.append(Section(cells.plain(head.text), body, Location(path, head.line)))
    return tuple(out)
