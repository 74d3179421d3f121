"""The auditor rules as read: the decision tree, gates, constraints, unknown and orphan policies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from layerflow.model.base import Location, Problem

# ------------------------------------------------------------------- rules

# The decision tree's nodes, in the order it asks them.
Q1, Q2, Q3 = "q1_l7_only", "q2_l7_to_l6", "q3_l7_to_both"
NODE_IDS = (Q1, Q2, Q3)
BUILT_IN_QUESTIONS = {  # asked when the rules file has no node, or a node without a question
    Q1: "Output required ONLY within L7?",
    Q2: "Output required by L6?",
    Q3: "Output required by BOTH?",
}


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
