"""What the rules file says, as the report's section 1: the decision tree and everything around it.

Only reads `Rules` and the analysis (UNKNOWN shares are computed by the audit);
each part is left out when the rules say nothing of it, so a short rules file
gives a short section. Every piece of rules text goes through `md()`.
"""

from __future__ import annotations

from layerflow.model import Analysis, ConsumerConstraint, DecisionNode, Rules, UnknownShare
from layerflow.model.labels import percent_text
from layerflow.model.rules import BUILT_IN_QUESTIONS
from layerflow.render.escape import md, md_code
from layerflow.render.links import Links
from layerflow.render.markup import table

_SHOWN_SIGNALS = 8  # UIDs listed per field in the UNKNOWN table


def decision_tree_section(analysis: Analysis, links: Links) -> list[str]:
    rules = analysis.inputs.rules
    out = ["## 1. Decision Tree (from auditor_rules.yaml)", ""]
    out += _l7_definitions(rules)
    if not rules.decision_tree:
        out += ["No decision tree in the rules; the built-in questions were used.", ""]
    else:
        out += _tree(rules.decision_tree)
    out += _signal_definition(rules)
    out += _layer_constraints(rules)
    out += _unknown_handling(rules, analysis.unknowns, links)
    out += _orphan_detection(rules)
    out += _verification(rules)
    out += _notes(rules)
    return out


def outcome_text(node: DecisionNode) -> str:
    """The node's outcome in its own words: expectations, check, validity, requirements."""
    expected = (f"{e.key}: {e.text}" for e in node.expectations)
    valid = node.valid if node.criteria else ""  # without criteria, `valid` is shown as the criteria
    return "; ".join(x for x in (*expected, node.check, valid, *node.requirements) if x)


def criteria_text(node: DecisionNode) -> str:
    return "; ".join(node.criteria) if node.criteria else node.valid


def _l7_definitions(rules: Rules) -> list[str]:
    out = [md(rules.l7_description), ""] if rules.l7_description else []
    if rules.l7_output_definition or rules.l7_output_examples:
        examples = f" (e.g. {md(', '.join(rules.l7_output_examples))})" if rules.l7_output_examples else ""
        out += [f"**L7 output:** {md(rules.l7_output_definition)}{examples}".rstrip(), ""]
    return out


def _tree(nodes: tuple[DecisionNode, ...]) -> list[str]:
    rows = [
        (
            f"Q{index}: {md(node.question or BUILT_IN_QUESTIONS.get(node.id, node.id))}",
            md(criteria_text(node)),
            md(outcome_text(node)),
        )
        for index, node in enumerate(nodes, 1)
    ]
    out = table(("Question", "Criteria", "Outcome"), rows)
    out += ["", "**Fail Conditions:**", ""]
    for index, node in enumerate(nodes, 1):
        for condition in node.fail_conditions:
            out.append(f"- Q{index} failure ({md(node.severity or 'unrated')}): {md(condition)}")
    return [*out, ""]


def _signal_definition(rules: Rules) -> list[str]:
    if not (rules.signal_definition or rules.not_signals):
        return []
    out = [f"**Signal definition:** {md(rules.signal_definition)}".rstrip(), ""]
    if rules.not_signals:
        out += ["Not signals:", "", *(f"- {md(item)}" for item in rules.not_signals), ""]
    return out


def _allowed(constraint: ConsumerConstraint) -> str:
    return {True: "✅ allowed", False: "❌ not allowed", None: "not stated"}[constraint.allowed]


def _layer_constraints(rules: Rules) -> list[str]:
    out = ["**Layer constraints:**", ""]
    if rules.consumer_constraints:
        rows = [(c.layer, _allowed(c), md(c.note), md(c.l1_exposure)) for c in rules.consumer_constraints]
        out += [*table(("Layer as consumer", "Allowed", "Note", "L1 exposure"), rows), ""]
    boundary = "yes" if rules.l2_is_boundary else "no (L2 counts as a consumer)"
    why = f" — {md(rules.l2_boundary_note)}" if rules.l2_boundary_note else ""
    return [*out, f"- L2 is a boundary, not a consumer: {boundary}{why}", ""]


def _unknown_handling(rules: Rules, shares: tuple[UnknownShare, ...], links: Links) -> list[str]:
    policy = rules.unknown_handling
    said = [
        f"allowed: {'yes' if policy.allowed else 'no'}" if policy.allowed is not None else "",
        f"must be explicit: {md(policy.must_be_explicit)}" if policy.must_be_explicit else "",
        f"expected rate: {md(policy.expected_rate)}" if policy.expected_rate else "",
    ]
    if policy.expected_rate and policy.rate is None:
        said.append("(the rate is shown, not compared: it states no ceiling in %)")
    if not (any(said) or shares):
        return []
    out = ["**UNKNOWN handling:** " + "; ".join(s for s in said if s), ""]
    if policy.fields is not None:
        out += [f"Fields that may say UNKNOWN: {md(', '.join(policy.fields)) or 'none'}.", ""]
    if shares:
        rows = [_share_row(share, rules, links) for share in shares]
        out += [*table(("Field", "UNKNOWN", "Share", "May say UNKNOWN", "Against expected rate"), rows), ""]
    return out


def _share_row(share: UnknownShare, rules: Rules, links: Links) -> tuple[str, ...]:
    named = ", ".join(links.link(uid, links.signal(uid)) for uid in share.signals[:_SHOWN_SIGNALS])
    more = " …" if len(share.signals) > _SHOWN_SIGNALS else ""
    count = f"{len(share.signals)} of {share.total}" + (f" ({named}{more})" if named else "")
    permitted = {True: "✅ yes", False: "❌ no", None: "not restricted"}[share.permitted]
    rate = md(rules.unknown_handling.expected_rate)
    against = {True: f"⚠️ above {rate}", False: f"✅ within {rate}", None: ""}[share.exceeded]
    return md(share.field), count, percent_text(share.percent) if share.total else "", permitted, against


def _orphan_detection(rules: Rules) -> list[str]:
    policy = rules.orphan_detection
    lines = [
        f"- Definition: {md(policy.definition)}" if policy.definition else "",
        f"- Check: {md_code(policy.check)}" if policy.check else "",
        f"- Action: {md(policy.action)}" if policy.action else "",
        *(f"- Exception ({md(key)}): {md(text)}" for key, text in policy.exceptions),
    ]
    lines = [line for line in lines if line]
    return ["**Orphan detection:**", "", *lines, ""] if lines else []


def _verification(rules: Rules) -> list[str]:
    """A list, not a table: commands keep their pipes."""
    if not rules.verification:
        return []
    out = ["**Verification** (how the team checks by hand; shown, never run):", ""]
    for entry in rules.verification:
        parts = [f"{md_code(entry.command, in_table=False)} ({md(entry.language)})" if entry.command else ""]
        parts.append(f"expected: {md(entry.expected)}" if entry.expected else "")
        parts.append(md(entry.note))
        parts += [f"{md(key)}: {md(text)}" for key, text in entry.other]
        name = f"**{md(entry.name)}**: " if entry.name else ""
        out.append(f"- {name}{' — '.join(p for p in parts if p)}")
    return [*out, ""]


def _notes(rules: Rules) -> list[str]:
    """Every note the rules file produced and every key it holds that layerflow does not read."""
    lines = [(n.location, md(n.message)) for n in rules.notes]
    for unknown in rules.unknown_keys:
        hint = f"; did you mean {md_code(unknown.suggestion)}?" if unknown.suggestion else ""
        value = f" ({md_code(unknown.value)})" if unknown.value else ""
        lines.append((unknown.location, f"unknown key {md_code(unknown.key)}{value} kept as is, not read{hint}"))
    if not lines:
        return []
    out = ["**Notes on the rules file:**", ""]
    return [*out, *(f"- {md_code(str(where))}: {text}" for where, text in sorted(lines)), ""]
