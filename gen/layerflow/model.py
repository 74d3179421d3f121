"""The data layerflow reasons about: frozen values, nothing else.

Every other module takes these in and hands these out. No parsing, no I/O and
no behaviour beyond small derived properties live here, so the model can be
read in one sitting and shared by the parsers, the audit and the renderers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

# A cell that says "none" ("—", "-", "N/A", "None", "") is stored as NONE;
# "UNKNOWN" stays "UNKNOWN"; a column a table lacks has no key at all.
NONE = ""
UNKNOWN = "UNKNOWN"

LAYERS: tuple[str, ...] = tuple(f"L{n}" for n in range(1, 9))
# A layer as registries write it: "L6", a sub-layer "L2a" / "L7b", or a number that is no layer ("L9", "L10").
LAYER_TOKEN = re.compile(r"\bL(\d+)([A-Za-z])?\b")
RUNTIME_LAYERS = frozenset({"L4", "L5", "L6"})  # what the decision tree calls "required by L6"
_LAYER_DIGITS = frozenset("12345678")
_LAYER_SET = frozenset(LAYERS)


def named_layers(text: str) -> tuple[str, ...]:
    """The layers L1..L8 a text names, in order, without repeats; a sub-layer reads as its layer ("L2a" -> "L2")."""
    if "L" not in text:
        return ()
    found: dict[str, None] = {}
    for match in LAYER_TOKEN.finditer(text):
        if match.group(1) in _LAYER_DIGITS:
            found.setdefault("L" + match.group(1))
    return tuple(found)


@dataclass(frozen=True, order=True, slots=True)
class Location:
    """A place in a user's file. line 0 means the file as a whole."""

    path: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


class Level(StrEnum):
    ERROR = "error"  # the input cannot be read as meant: exit 3
    WARNING = "warning"  # read, but something was odd and is reported
    NOTE = "note"  # read as the author wrote it, in a shape worth a word; an info finding, never the exit code


@dataclass(frozen=True, order=True, slots=True)
class Problem:
    """Something wrong with an input file, located so a person can fix it."""

    location: Location
    message: str
    level: Level = Level.ERROR
    signals: tuple[str, ...] = ()  # the UIDs it is about, when a row of one signal is at fault

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


# ----------------------------------------------------------------- registry


@dataclass(frozen=True, slots=True)
class Consumer:
    name: str  # as written, without the layer or signal suffix
    layer: str | None = None  # "L6"; None when the registry does not say
    signal_ref: str | None = None  # "SIG-011" in "detector.py (SIG-011)"
    written_layer: str = ""  # the layer as written when it is a sub-layer: "L6a" (layer is then "L6")

    @property
    def shown_layer(self) -> str | None:
        return self.written_layer or self.layer


@dataclass(frozen=True, slots=True)
class Store:
    name: str  # canonical: PostgreSQL, Redis, R2, S3, File, Prometheus, In-memory, or as written
    detail: str = ""  # "failure_matches" in "PostgreSQL (failure_matches)"

    @property
    def durable(self) -> bool:
        return self.name != "In-memory"


@dataclass(frozen=True, slots=True)
class Persistence:
    """A persistence claim: the stores named, or none, or an explicit UNKNOWN."""

    text: str
    stores: tuple[Store, ...] = ()
    unknown: bool = False

    @property
    def is_none(self) -> bool:
        return not self.unknown and not self.stores

    @property
    def durable(self) -> bool:
        return any(s.durable for s in self.stores)

    @property
    def store_names(self) -> frozenset[str]:
        return frozenset(s.name for s in self.stores)


@dataclass(frozen=True, slots=True)
class Signal:
    uid: str
    domain: str
    fields: Mapping[str, str]  # canonical field -> cleaned cell text (NONE, UNKNOWN or text)
    consumers: tuple[Consumer, ...]
    persistence: Persistence | None  # None: the table has no persistence column
    location: Location
    extra: Mapping[str, str] = field(default_factory=dict)  # columns layerflow does not know, header as written
    also_defined: tuple[Location, ...] = ()
    header: tuple[str, ...] = ()  # canonical fields of the defining table, in column order

    def get(self, name: str) -> str | None:
        """The cell text, or None when no table defining this signal has the column."""
        return self.fields.get(name)

    @property
    def name(self) -> str:
        return self.fields.get("name", "")

    @property
    def producer(self) -> str:
        return self.fields.get("producer", "")

    @property
    def p_layer(self) -> str | None:
        """The producer layer the analysis reads: "L7" for "L7" or "L7b"; the cell as written when it names none."""
        written = self.fields.get("p_layer")
        if written is None or written in _LAYER_SET:  # nearly every cell says just the layer
            return written
        layers = named_layers(written)
        return layers[0] if layers else written

    @property
    def p_layer_written(self) -> str | None:
        """The P-Layer cell as the registry writes it, for display."""
        return self.fields.get("p_layer")

    @property
    def c_layers(self) -> tuple[str, ...]:
        """Consumer layers from the consumers and the C-Layer cell, sorted."""
        cell = self.fields.get("c_layer", "")
        named = {c.layer for c in self.consumers if c.layer}
        return tuple(sorted(named | set(named_layers(cell))))


@dataclass(frozen=True, slots=True)
class Conflict:
    """One UID defined twice with different values for a field."""

    uid: str
    field: str
    first: str
    first_at: Location
    second: str
    second_at: Location


@dataclass(frozen=True, slots=True)
class VersionEntry:
    version: str
    date: str
    change: str
    location: Location


@dataclass(frozen=True, slots=True)
class Registry:
    signals: tuple[Signal, ...]  # sorted by UID
    files: tuple[str, ...] = ()
    removed: tuple[tuple[str, Location], ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    metadata: Mapping[str, str] = field(default_factory=dict)  # "**Status:** VERIFIED" lines
    versions: tuple[VersionEntry, ...] = ()
    tables: tuple[Location, ...] = ()  # header of every signal table read, rows or not
    _index: Mapping[str, Signal] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Built once: every stage looks signals up by UID, many times per page at scale.
        object.__setattr__(self, "_index", {s.uid: s for s in self.signals})

    def by_uid(self) -> Mapping[str, Signal]:
        return self._index


# ---------------------------------------------------------- change records


class ChangeStatus(StrEnum):
    APPLIED = "APPLIED"
    PROPOSED = "PROPOSED"
    REJECTED = "REJECTED"


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str  # canonical field name
    before: str | None  # None for a new registration
    after: str
    location: Location


@dataclass(frozen=True, slots=True)
class Section:
    """A free-form part of a change record, kept as Markdown for its page."""

    title: str
    markdown: str
    location: Location


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    id: str  # RC-001
    signal: str  # SIG-100
    title: str
    status: ChangeStatus
    location: Location
    date: str = ""
    severity: str = ""  # as written: "P1 (Semantic Integrity)"
    references: tuple[str, ...] = ()  # GAP ids named in **Reference:**
    changes: tuple[FieldChange, ...] = ()  # before/after corrections and field/value rows
    is_registration: bool = False  # a Field|Value table or a row for a new signal
    row_before: tuple[str, ...] = ()  # a fenced "original" registry row, cells as written
    row_after: tuple[str, ...] = ()  # a fenced "corrected" registry row
    sections: tuple[Section, ...] = ()
    metadata: Mapping[str, str] = field(default_factory=dict)

    @property
    def priority(self) -> str:
        return self.severity.split()[0] if self.severity else ""


# ------------------------------------------------------------------- rules


class ExpectKind(StrEnum):
    """What an `if_yes` expectation asks of a registry field, once its text is read."""

    EQUALS = "equals"  # one of `values` (exposure: internal-only)
    NONE = "none"  # the field says none (l2_api: NONE, intermediary_hops: none)
    SOME = "some"  # the field names something (intermediary_hops: required / explicit)
    LAYERS = "layers"  # a consumer in one of the layers in `values` (consumer_layer: L6, "L6 or L5")
    ALL_LAYERS = "all-layers"  # a consumer in each of them ("L7 and L6")
    PATH = "path"  # the hops are this layer path, "*" any run of layers (L7→L5→L4)
    PROSE = "prose"  # text layerflow cannot check: shown, not applied


@dataclass(frozen=True, slots=True)
class Expectation:
    """An outcome's expectation on the signals that took its branch: `if_yes.exposure: internal-only`."""

    key: str  # exposure, l2_api, consumer_layer, intermediary_hops
    text: str  # as written
    kind: ExpectKind
    values: tuple[str, ...] = ()  # normalised: exposures, L-layers, a layer path
    location: Location = Location("")


@dataclass(frozen=True, slots=True)
class DecisionNode:
    id: str  # q1_l7_only, q2_l7_to_l6, q3_l7_to_both
    question: str
    criteria: tuple[str, ...]
    check: str = ""
    fail_conditions: tuple[str, ...] = ()
    severity: str = ""  # as the rules say it: "warning", "blocking", "REAL_BUG", "P1"...
    requirements: tuple[str, ...] = ()
    location: Location = Location("")
    valid: str = ""  # "Valid if consumer listed for both": what makes the outcome acceptable
    expectations: tuple[Expectation, ...] = ()

    @property
    def exposure(self) -> str:
        return next((e.text for e in self.expectations if e.key == "exposure"), "")


class GateLevel(StrEnum):
    BLOCKING = "blocking"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Gate:
    rule: str
    check: str
    action: str
    level: GateLevel
    location: Location


@dataclass(frozen=True, slots=True)
class VerificationCommand:
    """A check the team runs by hand: shown with what it should give, never run."""

    name: str
    command: str  # the command text as written; "" when the entry holds only a note
    expected: str
    location: Location
    language: str = "command"  # the key that held the command: command, python, sql, bash...
    note: str = ""
    other: tuple[tuple[str, str], ...] = ()  # further keys of the entry, as written


@dataclass(frozen=True, slots=True)
class ConsumerConstraint:
    """`rules.layer_constraints.l7_as_consumer`: may a layer consume signals, and with what caveat."""

    layer: str  # "L7"
    allowed: bool | None  # None: the rules do not say true or false
    note: str = ""
    l1_exposure: str = ""  # as written: may such a consumer expose the signal to L1
    location: Location = Location("")

    @property
    def key(self) -> str:
        return f"{self.layer.lower()}_as_consumer"


@dataclass(frozen=True, slots=True)
class Rate:
    """The ceiling of an expected UNKNOWN rate, in percent: "< 10%" (exclusive), "10-20%" (20, inclusive)."""

    ceiling: float
    inclusive: bool

    def exceeded_by(self, percent: float) -> bool:
        return percent > self.ceiling or (not self.inclusive and percent >= self.ceiling)


@dataclass(frozen=True, slots=True)
class UnknownPolicy:
    """`rules.unknown_handling`: where UNKNOWN may stand, and how often."""

    allowed: bool | None = None  # None: not said
    fields: tuple[str, ...] | None = None  # fields_that_can_be_unknown, normalised; None: no list given
    expected_rate: str = ""  # as written
    rate: Rate | None = None  # the part of expected_rate that can be compared; None: just shown
    must_be_explicit: str = ""  # as written
    location: Location = Location("")
    fields_location: Location = Location("")

    def permits(self, field: str) -> bool | None:
        """May `field` say UNKNOWN? None when the rules do not restrict it."""
        if self.allowed is False:
            return False
        if self.fields is None:
            return None
        return field in self.fields


@dataclass(frozen=True, slots=True)
class OrphanPolicy:
    """`rules.orphan_detection`: what an orphan is and what to do about one, in the rules' words."""

    definition: str = ""
    action: str = ""
    check: str = ""
    exceptions: tuple[tuple[str, str], ...] = ()  # (key, text): l7_only_exception, ...
    location: Location = Location("")


@dataclass(frozen=True, slots=True)
class UnknownKey:
    """A key the rules file holds that layerflow does not read: kept, reported once."""

    key: str  # dotted path: l7_analysis.decision_tre
    location: Location
    suggestion: str = ""  # the known key it is probably a typo of
    value: str = ""  # what it holds, as one line (shortened), for where the rules are shown


@dataclass(frozen=True, slots=True)
class Rules:
    schema_version: str = ""
    frozen: bool = False
    columns: tuple[str, ...] = ()
    signal_definition: str = ""
    not_signals: tuple[str, ...] = ()
    consumer_constraints: tuple[ConsumerConstraint, ...] = ()
    l2_is_boundary: bool = True
    l2_boundary_note: str = ""  # the rules' description of why L2 is (not) a boundary
    unknown_handling: UnknownPolicy = UnknownPolicy()
    orphan_detection: OrphanPolicy = OrphanPolicy()
    l7_description: str = ""
    l7_output_definition: str = ""
    l7_output_examples: tuple[str, ...] = ()
    decision_tree: tuple[DecisionNode, ...] = ()
    gates: tuple[Gate, ...] = ()
    verification: tuple[VerificationCommand, ...] = ()
    interface_input: tuple[str, ...] = ()  # auditor_interface.input(s): what an auditor reads
    interface_output: tuple[str, ...] = ()
    exit_codes: Mapping[str, str] = field(default_factory=dict)  # "0" -> "all pass", ...
    unknown_keys: tuple[UnknownKey, ...] = ()
    notes: tuple[Problem, ...] = ()  # every note the file produced (Level.NOTE), for where the rules are shown
    location: Location = Location("")

    def node(self, node_id: str) -> DecisionNode | None:
        return next((n for n in self.decision_tree if n.id == node_id), None)

    def constraint(self, layer: str) -> ConsumerConstraint | None:
        return next((c for c in self.consumer_constraints if c.layer == layer), None)


# --------------------------------------------------------- L7 inventory


class FlowKind(StrEnum):
    DIRECT = "direct"
    DEFERRED = "deferred"


@dataclass(frozen=True, slots=True)
class Output:
    """Something an L7 producer writes that someone else may read."""

    name: str
    kind: str  # table, file, object, metric, lock, marker, checkpoint, service, record, event
    persistence: Persistence | None
    signals: tuple[str, ...]
    consumers: tuple[Consumer, ...]
    flow: FlowKind
    location: Location
    category: str = ""  # for L7-internal artifacts: lock, marker, checkpoint, service, table
    producer_ref: str = ""  # the script or function that writes it, when not the job itself
    job: str = ""  # for an internal artifact: the producer id it belongs to, if any
    hops: tuple[str, ...] = ()  # explicit intermediary layers, L7→L5→L4
    note: str = ""


@dataclass(frozen=True, slots=True)
class Producer:
    id: str  # slug, stable: used in URLs
    name: str
    trigger: str
    schedule: str
    source_files: tuple[str, ...]
    outputs: tuple[Output, ...]
    location: Location
    layer: str = "L7"
    units: tuple[str, ...] = ()  # systemd units or cron entries that run it


@dataclass(frozen=True, slots=True)
class Inventory:
    producers: tuple[Producer, ...]
    internal: tuple[Output, ...] = ()  # L7-internal artifacts not tied to one job output
    location: Location = Location("")


# ------------------------------------------------------------------ ledger


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    id: str  # GAP-001
    key: str  # the gap's fingerprint, e.g. "persistence-contradiction:SIG-100"
    title: str
    location: Location


@dataclass(frozen=True, slots=True)
class Ledger:
    entries: tuple[LedgerEntry, ...] = ()
    _ids: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ids", {e.key: e.id for e in reversed(self.entries)})  # first entry wins

    def id_for(self, key: str) -> str | None:
        return self._ids.get(key)


# ------------------------------------------------------------- all inputs


@dataclass(frozen=True, slots=True)
class Evidence:
    """What reading the code base and ops files found: the base of layerflow.evidence.facts.EvidenceSet.

    The model sits below the evidence package and cannot name its facts, so
    Inputs holds this base; the audit narrows it (audit.evidence.evidence_of).
    """


@dataclass(frozen=True, slots=True)
class Inputs:
    """Everything one audit reads, already parsed."""

    registry: Registry
    changes: tuple[ChangeRecord, ...] = ()
    rules: Rules = field(default_factory=Rules)
    inventory: Inventory | None = None
    ledger: Ledger = field(default_factory=Ledger)
    evidence: Evidence | None = None  # --code / --ops facts; None when neither was given


# --------------------------------------------------------- audit results


class Severity(StrEnum):
    BLOCKING = "blocking"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Decision:
    """One step of the decision tree for one output: which question, which answer."""

    node: str
    question: str
    answer: bool


@dataclass(frozen=True, slots=True)
class Check:
    """A fail condition of the node that decided the class, evaluated on one output."""

    node: str
    name: str  # orphan, consumer_missing, not_implemented, persistence_missing, dual_consumers...
    passed: bool
    message: str
    condition: str = ""  # the rules' own words for the fail condition


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
    klass: str  # l7_l6, l7_l7, l7_l8, l7_both, unclassified
    category: str  # for l7_l7: lock, marker, checkpoint, service, table; else ""
    decision: tuple[Decision, ...]
    checks: tuple[Check, ...]
    status: str  # verified, valid, unregistered, failing, orphan
    location: Location
    writer: str = ""  # the script that writes an internal artifact
    note: str = ""

    @property
    def consumer_layers(self) -> tuple[str, ...]:
        return tuple(sorted({c.layer for c in self.consumers if c.layer}))


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    subject: str
    message: str
    location: Location
    signals: tuple[str, ...] = ()  # the signal UIDs it is about; () when it is about none (a file, a rule)


@dataclass(frozen=True, slots=True)
class GapCandidate:
    """A gap as one state of the registry shows it, before IDs and history."""

    key: str  # fingerprint, stable across unrelated edits
    kind: str  # persistence-contradiction, unregistered-flow, q2-failure, orphan, q3-failure
    priority: str  # P1, P2, P3
    subject: str  # producer or signal it is about
    title: str
    detail: tuple[str, ...]
    location: Location
    flow_id: str = ""
    depends_on: tuple[str, ...] = ()  # signal UIDs whose registry rows decide it; () when none do
    signals: tuple[str, ...] = ()  # the registered signals it is about, for readers; () for an unregistered flow


@dataclass(frozen=True, slots=True)
class Gap:
    id: str
    key: str
    kind: str
    priority: str
    status: str  # open, resolved
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
    _gaps_by_flow: Mapping[str, tuple[Gap, ...]] = field(init=False, repr=False, compare=False)
    _flows_by_producer: Mapping[str, tuple[Flow, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Pages ask these for every flow and producer; a scan each time is quadratic at scale.
        gaps: dict[str, list[Gap]] = {}
        for gap in self.gaps:
            gaps.setdefault(gap.flow_id, []).append(gap)
        flows: dict[str, list[Flow]] = {}
        for flow in self.flows:
            flows.setdefault(flow.producer_id, []).append(flow)
        object.__setattr__(self, "_gaps_by_flow", {k: tuple(v) for k, v in gaps.items()})
        object.__setattr__(self, "_flows_by_producer", {k: tuple(v) for k, v in flows.items()})

    def gaps_of_flow(self, flow_id: str) -> tuple[Gap, ...]:
        return self._gaps_by_flow.get(flow_id, ())

    def flows_of(self, producer_id: str) -> tuple[Flow, ...]:
        return self._flows_by_producer.get(producer_id, ())

    @property
    def exit_code(self) -> int:
        """As auditor_interface says: 0 all pass, 1 warnings only, 2 blocking violations."""
        severities = {f.severity for f in self.findings}
        if Severity.BLOCKING in severities:
            return 2
        return 1 if Severity.WARNING in severities else 0

    def gap(self, gap_id: str) -> Gap | None:
        return next((g for g in self.gaps if g.id == gap_id), None)
