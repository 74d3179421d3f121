"""What one audit concludes: flows, findings, gaps, change outcomes, gate outcomes; the Analysis."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from layerflow.model.assessment import Assessment
from layerflow.model.base import Location
from layerflow.model.inputs import FlowKind, Inputs
from layerflow.model.quick import quick_init
from layerflow.model.registry import ChangeRecord, ChangeStatus, Consumer, FieldChange, Persistence
from layerflow.model.rules import GateLevel

# --------------------------------------------------------- audit results


class Severity(StrEnum):
    BLOCKING = "blocking"
    WARNING = "warning"
    INFO = "info"


class FlowClass(StrEnum):
    """Where the decision tree put an output."""

    L7_L6 = "l7_l6"
    L7_L7 = "l7_l7"  # internal-only
    L7_L8 = "l7_l8"  # monitoring
    L7_BOTH = "l7_both"
    UNCLASSIFIED = "unclassified"


FLOW_CLASS_TITLES = {
    FlowClass.L7_L6: "L7→L6",
    FlowClass.L7_L7: "L7→L7 (internal-only)",
    FlowClass.L7_L8: "L7→L8 (monitoring)",
    FlowClass.L7_BOTH: "L7→L6 and L7",
    FlowClass.UNCLASSIFIED: "unclassified",
}


class FlowStatus(StrEnum):
    VERIFIED = "verified"  # an L7→L6 flow its registry row backs
    VALID = "valid"  # any other class, every check passed
    UNREGISTERED = "unregistered"  # reaches L6 but no signal is registered for it
    FAILING = "failing"  # a check of its node failed
    ORPHAN = "orphan"  # nothing consumes it

    @property
    def passed(self) -> bool:
        return self in (FlowStatus.VERIFIED, FlowStatus.VALID)


FLOW_STATUS_TITLES = {
    FlowStatus.VERIFIED: "✅ VERIFIED",
    FlowStatus.VALID: "✅ VALID",
    FlowStatus.UNREGISTERED: "⚠️ UNREGISTERED",
    FlowStatus.FAILING: "❌ FAILING",
    FlowStatus.ORPHAN: "⚠️ ORPHAN",
}


class GapKind(StrEnum):
    PERSISTENCE_CONTRADICTION = "persistence-contradiction"
    UNREGISTERED_FLOW = "unregistered-flow"
    Q2_FAILURE = "q2-failure"
    Q3_FAILURE = "q3-failure"
    ORPHAN = "orphan"


class GapStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


GAP_STATUS_TITLES = {GapStatus.OPEN: "OPEN", GapStatus.RESOLVED: "RESOLVED"}


@dataclass(frozen=True, slots=True)
class Decision:
    """One step of the decision tree for one output: which question, which answer."""

    node: str
    question: str
    answer: bool


@quick_init
@dataclass(frozen=True, slots=True)
class Check:
    """A fail condition of the node that decided the class, evaluated on one output."""

    node: str
    name: str  # orphan, consumer_missing, not_implemented, persistence_missing, dual_consumers...
    passed: bool
    message: str
    condition: str = ""  # the rules' own words for the fail condition


@quick_init
@dataclass(frozen=True, slots=True)
class Flow:
    """One L7 output, classified."""

    id: str  # producer-id/output-slug: stable, used in anchors
    producer_id: str
    producer: str  # display name
    output: str
    kind: str
    signals: tuple[str, ...]
    consumers: tuple[Consumer, ...]
    persistence: Persistence | None
    flow_kind: FlowKind
    klass: FlowClass
    category: str  # for l7_l7: lock, marker, checkpoint, service, table; else ""
    decision: tuple[Decision, ...]
    checks: tuple[Check, ...]
    status: FlowStatus
    location: Location
    writer: str = ""  # the script that writes an internal artifact
    note: str = ""

    @property
    def consumer_layers(self) -> tuple[str, ...]:
        return tuple(sorted({c.layer for c in self.consumers if c.layer}))


@quick_init
@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    subject: str
    message: str
    location: Location
    signals: tuple[str, ...] = ()  # the signal UIDs it is about; () when it is about none (a file, a rule)


@quick_init
@dataclass(frozen=True, slots=True)
class GapCandidate:
    """A gap as one state of the registry shows it, before IDs and history."""

    key: str  # fingerprint, stable across unrelated edits
    kind: GapKind
    priority: str  # P1, P2, P3
    subject: str  # producer or signal it is about
    title: str
    detail: tuple[str, ...]
    location: Location
    flow_id: str = ""
    depends_on: tuple[str, ...] = ()  # signal UIDs whose registry rows decide it; () when none do
    signals: tuple[str, ...] = ()  # the registered signals it is about, for readers; () for an unregistered flow


@quick_init
@dataclass(frozen=True, slots=True)
class Gap:
    id: str
    key: str
    kind: GapKind
    priority: str
    status: GapStatus
    resolved_by: str  # RC id, or ""
    subject: str
    title: str
    detail: tuple[str, ...]
    location: Location
    flow_id: str = ""
    in_ledger: bool = True
    proposal: tuple[tuple[str, str], ...] = ()  # (column, value) of a proposed registry row
    proposal_source: str = ""  # "RC-002" when a change record proposes it, else "derived"
    signals: tuple[str, ...] = ()  # the registered signals it is about; () for an unregistered flow


@dataclass(frozen=True, slots=True)
class ChangeOutcome:
    id: str
    signal: str
    status: ChangeStatus
    reflected: bool  # the registry shows every "after" value
    drift: tuple[str, ...]  # "persistence: registry says X, the record says Y"
    resolves: tuple[str, ...]  # gap ids that disappeared when it was replayed


@dataclass(frozen=True, slots=True)
class GateOutcome:
    rule: str
    level: GateLevel
    check: str
    machine_checkable: bool
    matched: tuple[tuple[str, Location], ...]  # subjects the check flags
    undecided: tuple[tuple[str, Location], ...]  # subjects whose columns the check needs are absent
    location: Location
    reason: str = ""  # why a check is not machine-checkable


@dataclass(frozen=True, slots=True)
class UnknownShare:
    """How many signals say UNKNOWN in one field, and what the rules' unknown_handling says of it."""

    field: str
    signals: tuple[str, ...]  # UIDs whose cell says UNKNOWN
    total: int  # signals whose tables have the field
    permitted: bool | None  # may the field say UNKNOWN; None: the rules do not restrict it
    exceeded: bool | None  # the share is above the expected rate; None: no rate to compare with

    @property
    def percent(self) -> float:
        return 100.0 * len(self.signals) / self.total if self.total else 0.0


# ------------------------------------------------------ what a CI gate judges


@dataclass(frozen=True, slots=True)
class Suppression:
    """`# layerflow: ignore[rule] reason` in code, `<!-- layerflow: ignore rule -- reason -->` on a registry row."""

    rules: tuple[str, ...]  # rule ids; a trailing "*" matches a family ("evidence.*")
    reason: str
    location: Location  # where the comment is
    scope: str  # "row" (a registry row), "line" (the code line it ends), "file" (a code file's header)


@dataclass(frozen=True, slots=True)
class Suppressed:
    """A finding a reasoned suppression took out of the verdict; still shown, with the reason."""

    finding: Finding
    suppression: Suppression


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    """One finding a baseline accepted: matched by fingerprint (rule, subject, signals, file; never a line)."""

    fingerprint: str
    rule: str
    severity: str
    subject: str
    path: str
    signals: tuple[str, ...] = ()
    message: str = ""

    def as_json(self) -> dict[str, object]:
        """The entry as the baseline file and `--format json`'s `fixed` list write it."""
        return {
            "fingerprint": self.fingerprint,
            "rule": self.rule,
            "severity": self.severity,
            "subject": self.subject,
            "path": self.path,
            "signals": list(self.signals),
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything one audit concluded; renderers only read this."""

    inputs: Inputs
    flows: tuple[Flow, ...]
    gaps: tuple[Gap, ...]
    findings: tuple[Finding, ...]
    changes: tuple[ChangeOutcome, ...]
    gates: tuple[GateOutcome, ...]
    unknowns: tuple[UnknownShare, ...] = ()  # UNKNOWN per field, against the rules' unknown_handling
    assessment: Assessment | None = None  # the code and ops evidence held against the registry; None without either
    record_fields: tuple[tuple[FieldChange, ...], ...] = ()  # what each of inputs.changes changes, in their order
    # The CI judgement (adapters.judge): `findings` then holds only what is judged (new); these are kept apart.
    known: tuple[Finding, ...] = ()  # in the baseline (or present at --new-since): listed, never the exit code
    fixed: tuple[BaselineEntry, ...] = ()  # in the baseline, no longer found
    suppressed: tuple[Suppressed, ...] = ()
    baseline: str = ""  # what `known` was judged against: a baseline file or "--new-since REV"; "" none
    _gaps_by_flow: Mapping[str, tuple[Gap, ...]] = field(init=False, repr=False, compare=False)
    _gaps_by_subject: Mapping[str, tuple[Gap, ...]] = field(init=False, repr=False, compare=False)
    _flows_by_producer: Mapping[str, tuple[Flow, ...]] = field(init=False, repr=False, compare=False)
    _flow_by_id: Mapping[str, Flow] = field(init=False, repr=False, compare=False)  # the first of each id
    _fields_by_record: Mapping[int, tuple[FieldChange, ...]] = field(init=False, repr=False, compare=False)
    _producer_ids: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _producer_set: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Pages ask these for every flow and producer; a scan each time is quadratic at scale.
        gaps: dict[str, list[Gap]] = {}
        subjects: dict[str, list[Gap]] = {}
        for gap in self.gaps:
            gaps.setdefault(gap.flow_id, []).append(gap)
            subjects.setdefault(gap.subject, []).append(gap)
        flows: dict[str, list[Flow]] = {}
        by_id: dict[str, Flow] = {}
        for flow in self.flows:
            flows.setdefault(flow.producer_id, []).append(flow)
            by_id.setdefault(flow.id, flow)
        object.__setattr__(self, "_flow_by_id", by_id)
        object.__setattr__(self, "_gaps_by_flow", {k: tuple(v) for k, v in gaps.items()})
        object.__setattr__(self, "_gaps_by_subject", {k: tuple(v) for k, v in subjects.items()})
        object.__setattr__(self, "_flows_by_producer", {k: tuple(v) for k, v in flows.items()})
        fields = {id(record): changed for record, changed in zip(self.inputs.changes, self.record_fields, strict=False)}
        object.__setattr__(self, "_fields_by_record", fields)
        # Every signal's diagram asks which producers have a page: a scan of every flow each time was most of
        # a one-row-edit rebuild at 10k signals.
        object.__setattr__(self, "_producer_ids", self._l7_producers())
        object.__setattr__(self, "_producer_set", frozenset(self._producer_ids))

    def _l7_producers(self) -> tuple[str, ...]:
        inventory = self.inputs.inventory
        ids = [p.id for p in inventory.producers] if inventory else []
        artifact_owners = {f.producer_id for f in self.flows if f.writer}
        seen = set(ids)
        for flow in self.flows:
            if flow.producer_id not in seen and flow.producer_id not in artifact_owners:
                seen.add(flow.producer_id)
                ids.append(flow.producer_id)
        return tuple(ids)

    def producer_ids(self) -> tuple[str, ...]:
        """L7 producers: the inventory's, then the producers of L7 registry rows no job covers.

        Internal artifacts without a job (a bare timer, a script) are not producers.
        """
        return self._producer_ids

    def has_producer(self, producer_id: str) -> bool:
        """Whether `producer_ids` holds this one (each signal's diagram asks, for each of its flows)."""
        return producer_id in self._producer_set

    def gaps_of_flow(self, flow_id: str) -> tuple[Gap, ...]:
        return self._gaps_by_flow.get(flow_id, ())

    def gaps_of_subject(self, subject: str) -> tuple[Gap, ...]:
        """The gaps whose subject this is (a signal's UID, a producer's id), in the order of `gaps`."""
        return self._gaps_by_subject.get(subject, ())

    def fields_of(self, record: ChangeRecord) -> tuple[FieldChange, ...]:
        """The field changes of one of inputs.changes (history.field_changes, worked out by analyse)."""
        return self._fields_by_record.get(id(record), ())

    def flows_of(self, producer_id: str) -> tuple[Flow, ...]:
        return self._flows_by_producer.get(producer_id, ())

    def flow(self, flow_id: str) -> Flow | None:
        """The first flow with this id (a gap's page asks for its flow: a scan per gap was quadratic at 10k)."""
        return self._flow_by_id.get(flow_id)

    @property
    def exit_code(self) -> int:
        """As auditor_interface says: 0 all pass, 1 warnings only, 2 blocking violations."""
        severities = {f.severity for f in self.findings}
        if Severity.BLOCKING in severities:
            return 2
        return 1 if Severity.WARNING in severities else 0

    def gap(self, gap_id: str) -> Gap | None:
        return next((g for g in self.gaps if g.id == gap_id), None)
