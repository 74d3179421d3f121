"""The `rules:` section of auditor_rules.yaml: what a signal is, which layers may consume, UNKNOWN, orphans.

Each part is read in any of the shapes teams write (FORMATS.md §3): a sentence
or a mapping, a bare flag or a mapping with a note. This project's own older
keys (`allowed_fields`, `l7_l8_consume_ops_only`, `orphan_detection.check`) are
read as aliases.
"""

from __future__ import annotations

import re
from dataclasses import replace

from layerflow.model import ConsumerConstraint, OrphanPolicy, Rules, UnknownPolicy
from layerflow.parse.expr import ExprError, normalize_field, parse_check
from layerflow.parse.rulevalues import parse_rate
from layerflow.parse.tolerant import TolerantReader, as_text, kind_of, line_of, shorten, suggestion
from layerflow.parse.yamlsrc import YNode

RULES_KEYS = ("signal_definition", "layer_constraints", "unknown_handling", "orphan_detection")
SIGNAL_DEFINITION_KEYS = ("description", "not_signals", "examples")
LAYER_CONSTRAINT_KEYS = ("l7_as_consumer", "l8_as_consumer", "l2_is_boundary", "l7_l8_consume_ops_only")
CONSUMER_KEYS = ("allowed", "note", "l1_exposure")
BOUNDARY_KEYS = ("description", "value", "enabled")
UNKNOWN_HANDLING_KEYS = ("allowed", "expected_rate", "must_be_explicit", "fields_that_can_be_unknown", "allowed_fields")
ORPHAN_KEYS = ("definition", "action", "check", "l7_only_exception")

_CONSUMER_KEY = re.compile(r"l([1-8])_as_consumer")
_EXCEPTION_KEY = re.compile(r".+_exceptions?")


def read_rules_section(r: TolerantReader, root: YNode, rules: Rules, fields: frozenset[str]) -> Rules:
    section = r.section(root, "rules", "rules")
    if section is None:
        return rules
    r.known_keys(section, "rules", RULES_KEYS)
    rules = _signal_definition(r, section, rules)
    rules = _layer_constraints(r, section, rules)
    rules = replace(rules, unknown_handling=_unknown_handling(r, section, fields))
    return replace(rules, orphan_detection=_orphan_detection(r, section, fields))


def _signal_definition(r: TolerantReader, section: YNode, rules: Rules) -> Rules:
    """A sentence, or a mapping with a description and what does not count (`not_signals`)."""
    dotted = "rules.signal_definition"
    node = section.get("signal_definition")
    if node is None or not node.is_map:
        return replace(rules, signal_definition=r.text(node, dotted))
    r.known_keys(node, dotted, SIGNAL_DEFINITION_KEYS)
    examples = r.text_or_list(node.get("examples"), f"{dotted}.examples")
    description = r.text(node.get("description"), f"{dotted}.description")
    return replace(
        rules,
        signal_definition="; ".join(x for x in (description, *(f"e.g. {e}" for e in examples)) if x),
        not_signals=r.text_or_list(node.get("not_signals"), f"{dotted}.not_signals"),
    )


def _layer_constraints(r: TolerantReader, section_rules: YNode, rules: Rules) -> Rules:
    dotted = "rules.layer_constraints"
    section = r.section(section_rules, "layer_constraints", dotted)
    if section is None:
        return rules
    r.known_keys(section, dotted, LAYER_CONSTRAINT_KEYS, _CONSUMER_KEY)
    constraints: list[ConsumerConstraint] = []
    for key, node in section.items():
        matched = _CONSUMER_KEY.fullmatch(key)
        if matched:
            constraints.append(_consumer_constraint(r, f"L{matched.group(1)}", node, f"{dotted}.{key}"))
    ops_only = section.get("l7_l8_consume_ops_only")  # this project's own older key, read as an alias
    if r.flag(ops_only, f"{dotted}.l7_l8_consume_ops_only") and ops_only is not None:
        said = {c.layer for c in constraints}
        words = "L7 and L8 consume signals for ops and CI purposes only (l7_l8_consume_ops_only)"
        constraints += [
            ConsumerConstraint(layer, True, words, location=r.at(ops_only))
            for layer in ("L7", "L8")
            if layer not in said
        ]
    boundary, why = _l2_boundary(r, section.get("l2_is_boundary"), f"{dotted}.l2_is_boundary")
    return replace(
        rules,
        consumer_constraints=tuple(sorted(constraints, key=lambda c: c.layer)),
        l2_is_boundary=rules.l2_is_boundary if boundary is None else boundary,
        l2_boundary_note=why,
    )


def _consumer_constraint(r: TolerantReader, layer: str, node: YNode, dotted: str) -> ConsumerConstraint:
    """`{allowed, note, l1_exposure}`; a bare true/false is `allowed`, bare text is the note."""
    where = r.at(node)
    if isinstance(node.value, bool):
        return ConsumerConstraint(layer, node.value, location=where)
    if not node.is_map:
        text = as_text(node)
        if text:
            r.note(line_of(node), f"{dotted} is {kind_of(node)}, not a mapping: read as its note")
        return ConsumerConstraint(layer, None, text, location=where)
    r.known_keys(node, dotted, CONSUMER_KEYS)
    exposure = node.get("l1_exposure")
    return ConsumerConstraint(
        layer,
        r.flag(node.get("allowed"), f"{dotted}.allowed"),
        r.text(node.get("note"), f"{dotted}.note"),
        "" if exposure is None else as_text(exposure),
        where,
    )


def _l2_boundary(r: TolerantReader, node: YNode | None, dotted: str) -> tuple[bool | None, str]:
    """`true`/`false`, or a mapping whose `description` says why (true unless `value`/`enabled` says not)."""
    if node is None or node.value is None:
        return None, ""
    if isinstance(node.value, bool):
        return node.value, ""
    if not node.is_map:
        text = as_text(node)
        r.note(line_of(node), f"{dotted} is {kind_of(node)}: read as its description, and as true")
        return True, text
    r.known_keys(node, dotted, BOUNDARY_KEYS)
    stated = [r.flag(node.get(key), f"{dotted}.{key}") for key in ("value", "enabled")]
    value = next((s for s in stated if s is not None), True)
    return value, r.text(node.get("description"), f"{dotted}.description")


def _unknown_handling(r: TolerantReader, section_rules: YNode, fields: frozenset[str]) -> UnknownPolicy:
    dotted = "rules.unknown_handling"
    section = r.section(section_rules, "unknown_handling", dotted)
    if section is None:
        return UnknownPolicy()
    r.known_keys(section, dotted, UNKNOWN_HANDLING_KEYS)
    key = "fields_that_can_be_unknown"
    listed = section.get(key)
    alias = section.get("allowed_fields")  # this project's own older key
    if listed is None:
        listed, key = alias, "allowed_fields"
    elif alias is not None:
        r.note(line_of(alias), f"{dotted}.allowed_fields is given beside fields_that_can_be_unknown: not read")
    names = None if listed is None else _field_names(r, listed, f"{dotted}.{key}", fields)
    allowed = r.flag(section.get("allowed"), f"{dotted}.allowed")
    if allowed is False and names:
        r.note(line_of(listed or section), f"{dotted}.allowed is false: no field may say UNKNOWN, {key} aside")
    rate = r.text(section.get("expected_rate"), f"{dotted}.expected_rate")
    explicit = section.get("must_be_explicit")
    return UnknownPolicy(
        allowed=allowed,
        fields=names,
        expected_rate=rate,
        rate=parse_rate(rate) if rate else None,
        must_be_explicit="" if explicit is None else as_text(explicit),
        location=r.at(section.get("expected_rate") or section),
        fields_location=r.at(listed or section),
    )


def _field_names(r: TolerantReader, node: YNode, dotted: str, fields: frozenset[str]) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(normalize_field(f) for f in r.text_list(node, dotted)))
    for name in names:
        if name not in fields:
            hint = suggestion(name, sorted(fields))
            r.note(
                line_of(node),
                f"{dotted} names {name!r}, which is no registry field or schema column"
                + (f"; did you mean {hint!r}?" if hint else ""),
            )
    return tuple(n for n in names if n)


def _orphan_detection(r: TolerantReader, section_rules: YNode, fields: frozenset[str]) -> OrphanPolicy:
    dotted = "rules.orphan_detection"
    node = section_rules.get("orphan_detection")
    if node is None or node.value is None:
        return OrphanPolicy()
    if not node.is_map:
        r.note(line_of(node), f"{dotted} is {kind_of(node)}, not a mapping: read as its definition")
        return OrphanPolicy(definition=as_text(node), location=r.at(node))
    r.known_keys(node, dotted, ORPHAN_KEYS, _EXCEPTION_KEY)
    check_node = node.get("check")
    check = r.text(check_node, f"{dotted}.check")
    if check_node is not None and check:
        parsed = parse_check(check, fields)  # shown, not evaluated (the gates evaluate): a bad one is a note
        if isinstance(parsed, ExprError):
            r.note(check_node.line, f"{dotted}: check {shorten(check)!r} is not a valid expression: {parsed}")
    exceptions = tuple(
        (key, as_text(value)) for key, value in node.items() if _EXCEPTION_KEY.fullmatch(key) and as_text(value)
    )
    return OrphanPolicy(
        definition=r.text(node.get("definition"), f"{dotted}.definition"),
        action=r.text(node.get("action"), f"{dotted}.action"),
        check=check,
        exceptions=exceptions,
        location=r.at(node),
    )
