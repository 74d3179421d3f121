"""`l7_analysis` of auditor_rules.yaml: its description, what an L7 output is, and the decision tree.

The tree is what the analysis walks, so it is the one part whose shape matters:
a tree or a node that is not a mapping is an error. Everything else in it (a
missing node, question or criteria, an outcome written inline or in `if_yes`,
expectations in words) is read and noted.
"""

from __future__ import annotations

from dataclasses import replace

from layerflow.model import DecisionNode, Expectation, ExpectKind, Rules
from layerflow.model.rules import NODE_IDS
from layerflow.parse.rulevalues import EXPECTATION_KEYS, expectation
from layerflow.parse.tolerant import TolerantReader, as_text, kind_of, line_of
from layerflow.parse.yamlsrc import YNode

L7_ANALYSIS_KEYS = ("description", "l7_output_definition", "decision_tree")
OUTPUT_DEFINITION_KEYS = ("description", "examples")
OUTCOME_KEYS = (*EXPECTATION_KEYS, "check", "fail_condition", "fail_conditions", "severity", "valid", "requirements")
NODE_KEYS = ("question", "criteria", "if_yes", *OUTCOME_KEYS)


def read_l7_analysis(r: TolerantReader, root: YNode, rules: Rules) -> Rules:
    analysis = r.section(root, "l7_analysis", "l7_analysis")
    if analysis is None:
        if root.get("l7_analysis") is None:
            r.missing(root, "l7_analysis", "", "no l7_analysis.decision_tree: the built-in questions are used")
        return rules
    r.known_keys(analysis, "l7_analysis", L7_ANALYSIS_KEYS)
    definition, examples = _output_definition(r, analysis.get("l7_output_definition"))
    return replace(
        rules,
        l7_description=r.text(analysis.get("description"), "l7_analysis.description"),
        l7_output_definition=definition,
        l7_output_examples=examples,
        decision_tree=_decision_tree(r, analysis),
    )


def _output_definition(r: TolerantReader, node: YNode | None) -> tuple[str, tuple[str, ...]]:
    dotted = "l7_analysis.l7_output_definition"
    if node is None or not node.is_map:
        return r.text(node, dotted), ()
    r.known_keys(node, dotted, OUTPUT_DEFINITION_KEYS)
    description = r.text(node.get("description"), f"{dotted}.description")
    return description, r.text_or_list(node.get("examples"), f"{dotted}.examples")


def _decision_tree(r: TolerantReader, analysis: YNode) -> tuple[DecisionNode, ...]:
    dotted = "l7_analysis.decision_tree"
    tree = analysis.get("decision_tree")
    if tree is None or tree.value is None:
        r.missing(analysis, "decision_tree", "l7_analysis", f"no {dotted}: the built-in questions are used")
        return ()
    if not tree.is_map:  # the tree is what the analysis walks: it must be a mapping of nodes
        r.error(line_of(tree), f"{dotted} must be a mapping of nodes ({', '.join(NODE_IDS)}), not {kind_of(tree)}")
        return ()
    r.known_keys(tree, dotted, NODE_IDS)
    nodes: list[DecisionNode] = []
    for node_id in NODE_IDS:
        node = tree.get(node_id)
        if node is None:
            r.missing(
                tree, node_id, dotted, f"the decision tree has no node {node_id!r}: its built-in question is used"
            )
            continue
        decision = _decision_node(r, node_id, node, f"{dotted}.{node_id}")
        if decision is not None:
            nodes.append(decision)
    return tuple(nodes)


def _decision_node(r: TolerantReader, node_id: str, node: YNode, dotted: str) -> DecisionNode | None:
    if not node.is_map:
        r.error(
            line_of(node), f"{dotted} must be a mapping with question, criteria and an outcome, not {kind_of(node)}"
        )
        return None
    r.known_keys(node, dotted, NODE_KEYS)
    question = r.text(node.get("question"), f"{dotted}.question")
    if not question:
        r.missing(node, "question", dotted, f"{dotted} has no question: the built-in one is used")
    outcome = _outcome(r, node, dotted)
    criteria = r.text_list(node.get("criteria"), f"{dotted}.criteria")
    # Q3 is often written as valid/requirements with no criteria: that block stands in for them.
    if node.get("criteria") is None and not ({"valid", "requirements"} & outcome.keys()):
        r.missing(node, "criteria", dotted, f"{dotted} has no criteria")
    return DecisionNode(
        id=node_id,
        question=question,
        criteria=criteria,
        check=r.text(outcome.get("check"), f"{dotted}.check"),
        fail_conditions=r.text_or_list(outcome.get("fail_condition"), f"{dotted}.fail_condition")
        + r.text_or_list(outcome.get("fail_conditions"), f"{dotted}.fail_conditions"),
        severity=r.text(outcome.get("severity"), f"{dotted}.severity"),
        requirements=r.text_or_list(outcome.get("requirements"), f"{dotted}.requirements"),
        location=r.at(node),
        valid=r.text(outcome.get("valid"), f"{dotted}.valid"),
        expectations=tuple(
            _expectation(r, key, outcome[key], f"{dotted}.if_yes.{key}") for key in EXPECTATION_KEYS if key in outcome
        ),
    )


def _expectation(r: TolerantReader, key: str, node: YNode, dotted: str) -> Expectation:
    stated = expectation(key, r.text(node, dotted), r.at(node))
    if stated.kind is ExpectKind.PROSE and stated.text:
        r.note(line_of(node), f"{dotted}: {stated.text!r} is not a value layerflow can check; shown, not applied")
    return stated


def _outcome(r: TolerantReader, node: YNode, dotted: str) -> dict[str, YNode]:
    """The outcome keys of a node, from `if_yes` or from the node itself (Q3 writes them inline)."""
    block = node.get("if_yes")
    if block is not None and not block.is_map:
        text = as_text(block)
        if text:
            r.note(line_of(block), f"{dotted}.if_yes is {kind_of(block)}, not a mapping: read as its check")
        block = YNode({"check": block}, block.line, block.key_line) if text else None
    if block is not None:
        r.known_keys(block, f"{dotted}.if_yes", OUTCOME_KEYS)
    found: dict[str, YNode] = {}
    for key in OUTCOME_KEYS:
        inline, nested = node.get(key), block.get(key) if block is not None else None
        if inline is not None and nested is not None:
            r.note(line_of(inline), f"{dotted}.{key} is given both here and in if_yes; the if_yes one is read")
        chosen = nested if nested is not None else inline
        if chosen is not None:
            found[key] = chosen
    if not found:
        r.missing(node, "if_yes", dotted, f"{dotted} has no outcome (an if_yes block, or valid/requirements)")
    return found
