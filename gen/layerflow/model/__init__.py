"""The data layerflow reasons about: frozen values, nothing else.

Every other module takes these in and hands these out. No parsing, no I/O and
no behaviour beyond small derived properties live here, so the model can be
read in one sitting and shared by the parsers, the audit and the renderers.

    base        layers, locations, problems
    registry    signals, consumers, persistence, conflicts, change records
    rules       the auditor rules: decision tree, gates, policies
    inputs      the inventory, the ledger, and Inputs: everything one audit reads
    facts       what reading code and ops files found (--code/--ops)
    assessment  those facts held against the registry: matches, writers, jobs
    results     what one audit concludes, up to the Analysis renderers read (with the CI judgement)
    fingerprint stable fingerprints of findings (baselines, SARIF, diffs); diff: a registry diff
    summary     counts over an Analysis; labels: how messages name signals

The names of base, registry, rules, inputs and results are importable from here.
"""

from __future__ import annotations

from layerflow.model.base import (
    LAYER_TOKEN,
    LAYERS,
    NONE,
    RUNTIME_LAYERS,
    UNKNOWN,
    Level,
    Location,
    Problem,
    named_layers,
)
from layerflow.model.inputs import (
    FlowKind,
    Inputs,
    Inventory,
    Ledger,
    LedgerEntry,
    Output,
    Producer,
)
from layerflow.model.registry import (
    ChangeRecord,
    ChangeStatus,
    Conflict,
    Consumer,
    FieldChange,
    Persistence,
    Registry,
    Section,
    Signal,
    Store,
    VersionEntry,
)
from layerflow.model.results import (
    FLOW_CLASS_TITLES,
    FLOW_STATUS_TITLES,
    GAP_STATUS_TITLES,
    Analysis,
    BaselineEntry,
    ChangeOutcome,
    Check,
    Decision,
    Finding,
    Flow,
    FlowClass,
    FlowStatus,
    Gap,
    GapCandidate,
    GapKind,
    GapStatus,
    GateOutcome,
    Severity,
    Suppressed,
    Suppression,
    UnknownShare,
)
from layerflow.model.rules import (
    ConsumerConstraint,
    DecisionNode,
    Expectation,
    ExpectKind,
    Gate,
    GateLevel,
    OrphanPolicy,
    Rate,
    Rules,
    UnknownKey,
    UnknownPolicy,
    VerificationCommand,
)

__all__ = [
    "FLOW_CLASS_TITLES",
    "FLOW_STATUS_TITLES",
    "GAP_STATUS_TITLES",
    "LAYERS",
    "LAYER_TOKEN",
    "NONE",
    "RUNTIME_LAYERS",
    "UNKNOWN",
    "Analysis",
    "BaselineEntry",
    "ChangeOutcome",
    "ChangeRecord",
    "ChangeStatus",
    "Check",
    "Conflict",
    "Consumer",
    "ConsumerConstraint",
    "Decision",
    "DecisionNode",
    "ExpectKind",
    "Expectation",
    "FieldChange",
    "Finding",
    "Flow",
    "FlowClass",
    "FlowKind",
    "FlowStatus",
    "Gap",
    "GapCandidate",
    "GapKind",
    "GapStatus",
    "Gate",
    "GateLevel",
    "GateOutcome",
    "Inputs",
    "Inventory",
    "Ledger",
    "LedgerEntry",
    "Level",
    "Location",
    "OrphanPolicy",
    "Output",
    "Persistence",
    "Problem",
    "Producer",
    "Rate",
    "Registry",
    "Rules",
    "Section",
    "Severity",
    "Signal",
    "Store",
    "Suppressed",
    "Suppression",
    "UnknownKey",
    "UnknownPolicy",
    "UnknownShare",
    "VerificationCommand",
    "VersionEntry",
    "named_layers",
]
