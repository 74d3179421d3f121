"""What each finding rule means, for SARIF rule metadata and the findings page.

A rule from the team's rules file is described in its own words: a CI gate
by its check and action, a decision-tree check by the node's question and
fail conditions. layerflow's own rules have a sentence here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from layerflow.model import Analysis

_OWN: dict[str, tuple[str, str]] = {
    "input": ("Input warning", "A registry, rules, inventory or evidence file was read, but something in it was odd."),
    "input.note": ("Input note", "A file was read as its author wrote it, in a shape worth a word."),
    "rules.note": ("Rules note", "The rules file was read as written, in a shape worth a word."),
    "rules.unknown-key": ("Unknown rules key", "The rules file holds a key layerflow does not read; it is kept."),
    "registry.conflict": ("Conflicting definitions", "One signal UID is defined twice with different field values."),
    "change.drift": ("Change record drift", "An APPLIED change record's after-values are not what the registry says."),
    "inventory.unknown-signal": ("Unknown signal", "The L7 inventory names a signal the registry does not define."),
    "gate.undecided": ("Gate undecided", "A gate's check reads a column some signal tables do not have."),
    "gate.not-machine-checkable": ("Gate not checkable", "A gate's check is prose layerflow cannot evaluate."),
    "unknown.not-allowed": ("UNKNOWN where not allowed", "A field says UNKNOWN where unknown_handling forbids it."),
    "unknown.rate": ("Too many UNKNOWN", "More signals say UNKNOWN in a field than unknown_handling expects."),
    "evidence.unregistered-writer": (
        "Unregistered database writer",
        "A code file writes to a database but is no signal's producer and no inventory job's source.",
    ),
    "evidence.new-l7-job": ("Unregistered L7 job", "A systemd unit or cron job runs something no registry row knows."),
    "evidence.producer-not-found": ("Producer not found", "A signal's producer matches no file under the code roots."),
    "evidence.producer-ambiguous": ("Producer ambiguous", "A signal's producer matches more than one file."),
    "evidence.layer-mismatch": ("Layer mismatch", "A file's layer header disagrees with the registry's layer."),
    "evidence.persistence-unwritten": (
        "Persistence not written",
        "A signal claims a store its producer code never writes.",
    ),
    "evidence.unit-not-found": ("Unit not found", "The inventory names a unit no ops directory holds."),
    "evidence.unit-script-missing": ("Unit script missing", "A unit runs a script no code root holds."),
    "suppression.unused": ("Unused suppression", "A layerflow: ignore comment matches no finding."),
    "suppression.note": ("Suppression note", "A layerflow: comment that is not an ignore directive."),
}
_GAPS = {
    "persistence-contradiction": "A signal's persistence contradicts what its flow needs (L6 needs a store).",
    "unregistered-flow": "An L7 output that is consumed is not registered as a signal.",
    "q2-failure": "An L7→L6 flow fails a condition of the decision tree's Q2.",
    "q3-failure": "An L7→both flow fails a condition of the decision tree's Q3.",
    "orphan": "An output has no consumer at all.",
}


@dataclass(frozen=True, slots=True)
class RuleText:
    id: str
    short: str
    full: str
    help: str  # from the rules file when the rule is the team's; else what to do

    @property
    def anchor(self) -> str:
        return "rule-" + re.sub(r"[^a-z0-9]+", "-", self.id.lower()).strip("-")


def describe(rule: str, analysis: Analysis) -> RuleText:
    rules = analysis.inputs.rules
    head, _, rest = rule.partition(".")
    gate = next((g for g in rules.gates if f"gate.{g.rule}" == rule), None)
    if gate is not None:
        return RuleText(
            rule, f"CI gate {gate.rule} ({gate.level.value})", f"Check: {gate.check}", gate.action or gate.check
        )
    node = rules.node(head)
    if node is not None:
        conditions = "; ".join(node.fail_conditions) or node.check or node.valid
        full = f"{node.question} ({rest.replace('.', ' ').replace('_', ' ')})"
        return RuleText(rule, f"{node.id}: {rest}", full, conditions or node.question)
    if head == "gap":
        text = _GAPS.get(rest, f"A {rest} gap is open.")
        return RuleText(rule, f"Open gap: {rest}", text, "Fix the registry row, or record the change that resolves it.")
    if head == "layer-constraint":
        layer = rest.split("-")[0].upper()
        constraint = rules.constraint(layer)
        note = constraint.note if constraint else ""
        return RuleText(
            rule, f"{layer} as consumer", f"rules.layer_constraints.{layer.lower()}_as_consumer", note or ""
        )
    short, full = _OWN.get(rule, (rule, f"layerflow rule {rule}."))
    return RuleText(rule, short, full, full)
