"""A registry diff: what changed between two audited sides (made by audit.diff, shown by render.diff)."""

from __future__ import annotations

from dataclasses import dataclass

from layerflow.model.base import Location
from layerflow.model.registry import ChangeRecord, Signal
from layerflow.model.results import Finding, Flow, Gap, Severity


@dataclass(frozen=True, slots=True)
class FieldDelta:
    field: str  # canonical field name, or an extra column's header as written
    before: str | None  # None: the column was not there
    after: str | None


@dataclass(frozen=True, slots=True)
class SignalDelta:
    uid: str
    name: str
    fields: tuple[FieldDelta, ...]
    location: Location  # the row after


@dataclass(frozen=True, slots=True)
class FlowDelta:
    id: str
    producer: str
    output: str
    before: tuple[str, str]  # (class, status)
    after: tuple[str, str]
    location: Location


@dataclass(frozen=True, slots=True)
class RegistryDiff:
    base: str  # how the sides were named: "HEAD~1", "the working tree", a directory
    head: str
    signals_added: tuple[Signal, ...] = ()
    signals_removed: tuple[Signal, ...] = ()
    signals_changed: tuple[SignalDelta, ...] = ()
    flows_added: tuple[Flow, ...] = ()
    flows_removed: tuple[Flow, ...] = ()
    flows_reclassified: tuple[FlowDelta, ...] = ()
    gaps_opened: tuple[Gap, ...] = ()
    gaps_resolved: tuple[Gap, ...] = ()  # as the head sees them (resolved_by) when it still knows them
    findings_new: tuple[Finding, ...] = ()
    findings_fixed: tuple[Finding, ...] = ()
    changes_added: tuple[ChangeRecord, ...] = ()

    @property
    def exit_code(self) -> int:
        severities = {f.severity for f in self.findings_new}
        if Severity.BLOCKING in severities:
            return 2
        return 1 if Severity.WARNING in severities else 0

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.signals_added,
                self.signals_removed,
                self.signals_changed,
                self.flows_added,
                self.flows_removed,
                self.flows_reclassified,
                self.gaps_opened,
                self.gaps_resolved,
                self.findings_new,
                self.findings_fixed,
                self.changes_added,
            )
        )
