"""auditor_rules.yaml to `Rules`: read as the team wrote it, every problem located, nothing raised.

The code knows section and key names (FORMATS.md §3) and the three decision-tree
node ids; every question, criterion, expectation, fail condition, severity and
gate check comes from the file. Only what makes the analysis impossible is an
error: YAML that does not parse or carries a tag, a decision tree that is not a
mapping of nodes, a gate check that looks like an expression and does not parse.
Any other difference of shape is read as well as it can be and noted once;
unknown keys are kept (with a "did you mean" for a likely typo), because a rules
file written by hand often carries more than layerflow reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from layerflow.errors import Parsed, error
from layerflow.model import (
    ConsumerConstraint,
    DecisionNode,
    Expectation,
    ExpectKind,
    Gate,
    GateLevel,
    Location,
    OrphanPolicy,
    Problem,
    Rules,
    UnknownPolicy,
    VerificationCommand,
)
from layerflow.parse.expr import CANONICAL_FIELDS, ExprError, normalize_field, parse_check
from layerflow.parse.rulevalues import EXPECTATION_KEYS, expectation, parse_rate
from layerflow.parse.tolerant import TolerantReader, as_text, kind_of, line_of, suggestion
from layerflow.parse.yamlsrc import YNode, load_yaml

TOP_LEVEL_KEYS = ("schema", "rules", "l7_analysis", "ci_gates", "verification", "auditor_interface")
SCHEMA_KEYS = ("version", "frozen", "columns", "description")
RULES_KEYS = ("signal_definition", "layer_constraints", "unknown_handling", "orphan_detection")
SIGNAL_DEFINITION_KEYS = ("description", "not_signals", "examples")
LAYER_CONSTRAINT_KEYS = ("l7_as_consumer", "l8_as_consumer", "l2_is_boundary", "l7_l8_consume_ops_only")
CONSUMER_KEYS = ("allowed", "note", "l1_exposure")
BOUNDARY_KEYS = ("description", "value", "enabled")
UNKNOWN_HANDLING_KEYS = ("allowed", "expected_rate", "must_be_explicit", "fields_that_can_be_unknown", "allowed_fields")
ORPHAN_KEYS = ("definition", "action", "check", "l7_only_exception")
L7_ANALYSIS_KEYS = ("description", "l7_output_definition", "decision_tree")
OUTPUT_DEFINITION_KEYS = ("description", "examples")
NODE_IDS = ("q1_l7_only", "q2_l7_to_l6", "q3_l7_to_both")
OUTCOME_KEYS = (*EXPECTATION_KEYS, "check", "fail_condition", "fail_conditions", "severity", "valid", "requirements")
NODE_KEYS = ("question", "criteria", "if_yes", *OUTCOME_KEYS)
GATE_KEYS = ("rule", "check", "action")
INTERFACE_KEYS = ("input", "output", "inputs", "outputs", "exit_codes")
# A verification entry's keys are free; these name its parts, any other is kept and shown.
VERIFICATION_NOTE_KEYS = ("note", "notes", "description", "comment")
VERIFICATION_COMMAND_KEYS = (
    "command",
    "cmd",
    "run",
    "shell",
    "sh",
    "bash",
    "zsh",
    "python",
    "py",
    "sql",
    "psql",
    "query",
    "script",
    "grep",
    "make",
    "curl",
    "powershell",
    "js",
    "node",
)

_CONSUMER_KEY = re.compile(r"l([1-8])_as_consumer")
_EXCEPTION_KEY = re.compile(r".+_exceptions?")
_SHOWN = 60  # characters of a check quoted back in a message


def parse_rules(path: str, text: str) -> Parsed[Rules]:
    """Read an auditor rules file; problems are collected, never raised."""
    loaded = _load(path, text)
    problems = list(loaded.problems)
    root = loaded.value
    # Nothing in an empty file or a bare list can be read as rules: it is almost surely the wrong file.
    if root is None:
        if not problems:
            problems.append(error(path, 0, "the rules file is empty"))
        return Parsed(Rules(location=Location(path)), tuple(sorted(problems)))
    if not root.is_map:
        problems.append(error(path, root.line, f"the rules file must be a mapping of sections, not {kind_of(root)}"))
        return Parsed(Rules(location=Location(path)), tuple(sorted(problems)))
    reader = _Reader(path, problems)
    rules = reader.rules(root)
    return Parsed(replace(rules, notes=reader.notes()), tuple(sorted(problems)))


def _load(path: str, text: str) -> Parsed[YNode | None]:
    # Two inputs make PyYAML raise past load_yaml: characters YAML forbids (its reader
    # rejects them before parsing starts) and nesting deep enough to exhaust the stack.
    # Both are answered here as located errors until load_yaml handles them itself.
    forbidden = _first_forbidden_character(text)
    if forbidden is not None:
        line, ch = forbidden
        return Parsed(None, (error(path, line, f"invalid YAML: character U+{ord(ch):04X} is not allowed in YAML"),))
    try:
        return load_yaml(path, text)
    except RecursionError:
        return Parsed(None, (error(path, 0, "invalid YAML: nested too deeply to read"),))


def _first_forbidden_character(text: str) -> tuple[int, str] | None:
    """The line and character of the first one outside YAML's printable set, if any."""
    line = 1
    for ch in text:
        if ch == "\n":
            line += 1
        elif not _printable(ord(ch)):
            return line, ch
    return None


def _printable(code: int) -> bool:
    # YAML 1.1 §5.1, as PyYAML enforces it.
    return (
        code in (0x09, 0x0A, 0x0D, 0x85)
        or 0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def expression_fields(columns: Sequence[str]) -> frozenset[str]:
    """The fields a gate check may name: the canonical ones plus the schema's columns."""
    return frozenset(CANONICAL_FIELDS) | {normalize_field(c) for c in columns if normalize_field(c)}


def _shorten(text: str) -> str:
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


class _Reader(TolerantReader):
    """Walks the YAML tree once, section by section."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        super().__init__(path, problems)

    def at(self, node: YNode) -> Location:
        return Location(self.path, line_of(node))

    # ------------------------------------------------------------ sections

    def rules(self, root: YNode) -> Rules:
        self.known_keys(root, "", TOP_LEVEL_KEYS)
        rules = self.schema(root, Rules(location=Location(self.path)))
        fields = expression_fields(rules.columns)  # gate checks may name the schema's columns
        rules = self.rules_section(root, rules, fields)
        rules = self.l7_analysis(root, rules)
        inputs, outputs, exit_codes = self.auditor_interface(root)
        return replace(
            rules,
            gates=self.gates(root, fields),
            verification=self.verification(root),
            interface_input=inputs,
            interface_output=outputs,
            exit_codes=exit_codes,
            unknown_keys=tuple(self.unknown_keys),
        )

    def schema(self, root: YNode, rules: Rules) -> Rules:
        section = self.section(root, "schema", "schema")
        if section is None:
            return rules
        self.known_keys(section, "schema", SCHEMA_KEYS)
        listed = section.get("columns")
        # Columns as a mapping (name: description) name the columns by their keys.
        columns = tuple(k for k, _ in listed.items()) if listed and listed.is_map else self.columns(listed)
        seen: set[str] = set()
        for column in columns:
            if column in seen and listed is not None:
                self.note(line_of(listed), f"schema.columns lists {column!r} twice")
            seen.add(column)
        frozen = self.flag(section.get("frozen"), "schema.frozen")
        return replace(
            rules,
            schema_version=self.text(section.get("version"), "schema.version"),
            frozen=rules.frozen if frozen is None else frozen,
            columns=columns,
        )

    def columns(self, node: YNode | None) -> tuple[str, ...]:
        if node is not None and isinstance(node.value, str) and "," in node.value:
            self.note(line_of(node), "schema.columns is text, not a list: read as comma-separated names")
            return tuple(c.strip() for c in node.value.split(",") if c.strip())
        return self.text_list(node, "schema.columns")

    def rules_section(self, root: YNode, rules: Rules, fields: frozenset[str]) -> Rules:
        section = self.section(root, "rules", "rules")
        if section is None:
            return rules
        self.known_keys(section, "rules", RULES_KEYS)
        rules = self.signal_definition(section, rules)
        rules = self.layer_constraints(section, rules)
        rules = replace(rules, unknown_handling=self.unknown_handling(section, fields))
        return replace(rules, orphan_detection=self.orphan_detection(section, fields))

    def signal_definition(self, section: YNode, rules: Rules) -> Rules:
        """A sentence, or a mapping with a description and what does not count (`not_signals`)."""
        dotted = "rules.signal_definition"
        node = section.get("signal_definition")
        if node is None or not node.is_map:
            return replace(rules, signal_definition=self.text(node, dotted))
        self.known_keys(node, dotted, SIGNAL_DEFINITION_KEYS)
        examples = self.text_or_list(node.get("examples"), f"{dotted}.examples")
        description = self.text(node.get("description"), f"{dotted}.description")
        return replace(
            rules,
            signal_definition="; ".join(x for x in (description, *(f"e.g. {e}" for e in examples)) if x),
            not_signals=self.text_or_list(node.get("not_signals"), f"{dotted}.not_signals"),
        )

    def layer_constraints(self, section_rules: YNode, rules: Rules) -> Rules:
        dotted = "rules.layer_constraints"
        section = self.section(section_rules, "layer_constraints", dotted)
        if section is None:
            return rules
        self.known_keys(section, dotted, LAYER_CONSTRAINT_KEYS, _CONSUMER_KEY)
        constraints: list[ConsumerConstraint] = []
        for key, node in section.items():
            matched = _CONSUMER_KEY.fullmatch(key)
            if matched:
                constraints.append(self.consumer_constraint(f"L{matched.group(1)}", node, f"{dotted}.{key}"))
        ops_only = section.get("l7_l8_consume_ops_only")  # this project's own older key, read as an alias
        if self.flag(ops_only, f"{dotted}.l7_l8_consume_ops_only") and ops_only is not None:
            said = {c.layer for c in constraints}
            words = "L7 and L8 consume signals for ops and CI purposes only (l7_l8_consume_ops_only)"
            constraints += [
                ConsumerConstraint(layer, True, words, location=self.at(ops_only))
                for layer in ("L7", "L8")
                if layer not in said
            ]
        boundary, why = self.l2_boundary(section.get("l2_is_boundary"), f"{dotted}.l2_is_boundary")
        return replace(
            rules,
            consumer_constraints=tuple(sorted(constraints, key=lambda c: c.layer)),
            l2_is_boundary=rules.l2_is_boundary if boundary is None else boundary,
            l2_boundary_note=why,
        )

    def consumer_constraint(self, layer: str, node: YNode, dotted: str) -> ConsumerConstraint:
        """`{allowed, note, l1_exposure}`; a bare true/false is `allowed`, bare text is the note."""
        where = self.at(node)
        if isinstance(node.value, bool):
            return ConsumerConstraint(layer, node.value, location=where)
        if not node.is_map:
            text = self.text(node, dotted)
            if text:
                self.note(line_of(node), f"{dotted} is {kind_of(node)}, not a mapping: read as its note")
            return ConsumerConstraint(layer, None, text, location=where)
        self.known_keys(node, dotted, CONSUMER_KEYS)
        exposure = node.get("l1_exposure")
        return ConsumerConstraint(
            layer,
            self.flag(node.get("allowed"), f"{dotted}.allowed"),
            self.text(node.get("note"), f"{dotted}.note"),
            "" if exposure is None else as_text(exposure),
            where,
        )

    def l2_boundary(self, node: YNode | None, dotted: str) -> tuple[bool | None, str]:
        """`true`/`false`, or a mapping whose `description` says why (true unless `value`/`enabled` says not)."""
        if node is None or node.value is None:
            return None, ""
        if isinstance(node.value, bool):
            return node.value, ""
        if not node.is_map:
            text = as_text(node)
            self.note(line_of(node), f"{dotted} is {kind_of(node)}: read as its description, and as true")
            return True, text
        self.known_keys(node, dotted, BOUNDARY_KEYS)
        stated = [self.flag(node.get(key), f"{dotted}.{key}") for key in ("value", "enabled")]
        value = next((s for s in stated if s is not None), True)
        return value, self.text(node.get("description"), f"{dotted}.description")

    def unknown_handling(self, section_rules: YNode, fields: frozenset[str]) -> UnknownPolicy:
        dotted = "rules.unknown_handling"
        section = self.section(section_rules, "unknown_handling", dotted)
        if section is None:
            return UnknownPolicy()
        self.known_keys(section, dotted, UNKNOWN_HANDLING_KEYS)
        key = "fields_that_can_be_unknown"
        listed = section.get(key)
        alias = section.get("allowed_fields")  # this project's own older key
        if listed is None:
            listed, key = alias, "allowed_fields"
        elif alias is not None:
            self.note(line_of(alias), f"{dotted}.allowed_fields is given beside fields_that_can_be_unknown: not read")
        names = None if listed is None else self.field_names(listed, f"{dotted}.{key}", fields)
        allowed = self.flag(section.get("allowed"), f"{dotted}.allowed")
        if allowed is False and names:
            self.note(line_of(listed or section), f"{dotted}.allowed is false: no field may say UNKNOWN, {key} aside")
        rate = self.text(section.get("expected_rate"), f"{dotted}.expected_rate")
        explicit = section.get("must_be_explicit")
        return UnknownPolicy(
            allowed=allowed,
            fields=names,
            expected_rate=rate,
            rate=parse_rate(rate) if rate else None,
            must_be_explicit="" if explicit is None else as_text(explicit),
            location=self.at(section.get("expected_rate") or section),
            fields_location=self.at(listed or section),
        )

    def field_names(self, node: YNode, dotted: str, fields: frozenset[str]) -> tuple[str, ...]:
        names = tuple(dict.fromkeys(normalize_field(f) for f in self.text_list(node, dotted)))
        for name in names:
            if name not in fields:
                hint = suggestion(name, sorted(fields))
                self.note(
                    line_of(node),
                    f"{dotted} names {name!r}, which is no registry field or schema column"
                    + (f"; did you mean {hint!r}?" if hint else ""),
                )
        return tuple(n for n in names if n)

    def orphan_detection(self, section_rules: YNode, fields: frozenset[str]) -> OrphanPolicy:
        dotted = "rules.orphan_detection"
        node = section_rules.get("orphan_detection")
        if node is None or node.value is None:
            return OrphanPolicy()
        if not node.is_map:
            self.note(line_of(node), f"{dotted} is {kind_of(node)}, not a mapping: read as its definition")
            return OrphanPolicy(definition=as_text(node), location=self.at(node))
        self.known_keys(node, dotted, ORPHAN_KEYS, _EXCEPTION_KEY)
        check_node = node.get("check")
        check = self.text(check_node, f"{dotted}.check")
        if check_node is not None and check:
            parsed = parse_check(check, fields)  # shown, not evaluated (the gates evaluate): a bad one is a note
            if isinstance(parsed, ExprError):
                self.note(check_node.line, f"{dotted}: check {_shorten(check)!r} is not a valid expression: {parsed}")
        exceptions = tuple(
            (key, as_text(value)) for key, value in node.items() if _EXCEPTION_KEY.fullmatch(key) and as_text(value)
        )
        return OrphanPolicy(
            definition=self.text(node.get("definition"), f"{dotted}.definition"),
            action=self.text(node.get("action"), f"{dotted}.action"),
            check=check,
            exceptions=exceptions,
            location=self.at(node),
        )

    # ------------------------------------------------------- decision tree

    def l7_analysis(self, root: YNode, rules: Rules) -> Rules:
        analysis = self.section(root, "l7_analysis", "l7_analysis")
        if analysis is None:
            if root.get("l7_analysis") is None:
                self.missing(root, "l7_analysis", "", "no l7_analysis.decision_tree: the built-in questions are used")
            return rules
        self.known_keys(analysis, "l7_analysis", L7_ANALYSIS_KEYS)
        definition, examples = self.output_definition(analysis.get("l7_output_definition"))
        return replace(
            rules,
            l7_description=self.text(analysis.get("description"), "l7_analysis.description"),
            l7_output_definition=definition,
            l7_output_examples=examples,
            decision_tree=self.decision_tree(analysis),
        )

    def output_definition(self, node: YNode | None) -> tuple[str, tuple[str, ...]]:
        dotted = "l7_analysis.l7_output_definition"
        if node is None or not node.is_map:
            return self.text(node, dotted), ()
        self.known_keys(node, dotted, OUTPUT_DEFINITION_KEYS)
        description = self.text(node.get("description"), f"{dotted}.description")
        return description, self.text_or_list(node.get("examples"), f"{dotted}.examples")

    def decision_tree(self, analysis: YNode) -> tuple[DecisionNode, ...]:
        dotted = "l7_analysis.decision_tree"
        tree = analysis.get("decision_tree")
        if tree is None or tree.value is None:
            self.missing(analysis, "decision_tree", "l7_analysis", f"no {dotted}: the built-in questions are used")
            return ()
        if not tree.is_map:  # the tree is what the analysis walks: it must be a mapping of nodes
            self.error(
                line_of(tree), f"{dotted} must be a mapping of nodes ({', '.join(NODE_IDS)}), not {kind_of(tree)}"
            )
            return ()
        self.known_keys(tree, dotted, NODE_IDS)
        nodes: list[DecisionNode] = []
        for node_id in NODE_IDS:
            node = tree.get(node_id)
            if node is None:
                self.missing(
                    tree, node_id, dotted, f"the decision tree has no node {node_id!r}: its built-in question is used"
                )
                continue
            decision = self.decision_node(node_id, node, f"{dotted}.{node_id}")
            if decision is not None:
                nodes.append(decision)
        return tuple(nodes)

    def decision_node(self, node_id: str, node: YNode, dotted: str) -> DecisionNode | None:
        if not node.is_map:
            self.error(
                line_of(node), f"{dotted} must be a mapping with question, criteria and an outcome, not {kind_of(node)}"
            )
            return None
        self.known_keys(node, dotted, NODE_KEYS)
        question = self.text(node.get("question"), f"{dotted}.question")
        if not question:
            self.missing(node, "question", dotted, f"{dotted} has no question: the built-in one is used")
        outcome = self.outcome(node, dotted)
        criteria = self.text_list(node.get("criteria"), f"{dotted}.criteria")
        # Q3 is often written as valid/requirements with no criteria: that block stands in for them.
        if node.get("criteria") is None and not ({"valid", "requirements"} & outcome.keys()):
            self.missing(node, "criteria", dotted, f"{dotted} has no criteria")
        return DecisionNode(
            id=node_id,
            question=question,
            criteria=criteria,
            check=self.text(outcome.get("check"), f"{dotted}.check"),
            fail_conditions=self.text_or_list(outcome.get("fail_condition"), f"{dotted}.fail_condition")
            + self.text_or_list(outcome.get("fail_conditions"), f"{dotted}.fail_conditions"),
            severity=self.text(outcome.get("severity"), f"{dotted}.severity"),
            requirements=self.text_or_list(outcome.get("requirements"), f"{dotted}.requirements"),
            location=self.at(node),
            valid=self.text(outcome.get("valid"), f"{dotted}.valid"),
            expectations=tuple(
                self.expectation(key, outcome[key], f"{dotted}.if_yes.{key}")
                for key in EXPECTATION_KEYS
                if key in outcome
            ),
        )

    def expectation(self, key: str, node: YNode, dotted: str) -> Expectation:
        stated = expectation(key, self.text(node, dotted), self.at(node))
        if stated.kind is ExpectKind.PROSE and stated.text:
            self.note(
                line_of(node), f"{dotted}: {stated.text!r} is not a value layerflow can check; shown, not applied"
            )
        return stated

    def outcome(self, node: YNode, dotted: str) -> dict[str, YNode]:
        """The outcome keys of a node, from `if_yes` or from the node itself (Q3 writes them inline)."""
        block = node.get("if_yes")
        if block is not None and not block.is_map:
            text = as_text(block)
            if text:
                self.note(line_of(block), f"{dotted}.if_yes is {kind_of(block)}, not a mapping: read as its check")
            block = YNode({"check": block}, block.line, block.key_line) if text else None
        if block is not None:
            self.known_keys(block, f"{dotted}.if_yes", OUTCOME_KEYS)
        found: dict[str, YNode] = {}
        for key in OUTCOME_KEYS:
            inline, nested = node.get(key), block.get(key) if block is not None else None
            if inline is not None and nested is not None:
                self.note(line_of(inline), f"{dotted}.{key} is given both here and in if_yes; the if_yes one is read")
            chosen = nested if nested is not None else inline
            if chosen is not None:
                found[key] = chosen
        if not found:
            self.missing(node, "if_yes", dotted, f"{dotted} has no outcome (an if_yes block, or valid/requirements)")
        return found

    # --------------------------------------------------------------- gates

    def gates(self, root: YNode, fields: frozenset[str]) -> tuple[Gate, ...]:
        section = self.section(root, "ci_gates", "ci_gates")
        if section is None:
            return ()
        self.known_keys(section, "ci_gates", tuple(level.value for level in GateLevel))
        gates: list[Gate] = []
        first_seen: dict[str, int] = {}
        for level in GateLevel:
            for gate in self.gate_list(section.get(level.value), f"ci_gates.{level.value}", level, fields):
                if gate.rule in first_seen:
                    self.note(
                        gate.location.line, f"gate {gate.rule} is defined twice (first on line {first_seen[gate.rule]})"
                    )
                first_seen.setdefault(gate.rule, gate.location.line)
                gates.append(gate)
        return tuple(gates)

    def gate_list(self, entries: YNode | None, dotted: str, level: GateLevel, fields: frozenset[str]) -> list[Gate]:
        """A list of gates; also a mapping of rule name to gate, or a single gate mapping."""
        if entries is None or entries.value is None:
            return []
        named: list[tuple[str, YNode, str]]
        if entries.is_list:
            named = [("", entry, f"{dotted}[{i}]") for i, entry in enumerate(entries.entries())]
        elif entries.is_map and entries.get("check") is not None:
            named = [("", entries, dotted)]
        elif entries.is_map:
            named = [(name, entry, f"{dotted}.{name}") for name, entry in entries.items()]
        else:
            self.note(line_of(entries), f"{dotted} is {kind_of(entries)}, not a list of gates: not read")
            return []
        found = (self.gate(name, entry, where, level, fields) for name, entry, where in named)
        return [gate for gate in found if gate is not None]

    def gate(self, name: str, entry: YNode, dotted: str, level: GateLevel, fields: frozenset[str]) -> Gate | None:
        if not entry.is_map:  # a bare check, as in `- "p_layer=L7 AND verified_path!=YES"`
            check = as_text(entry)
            if not check:
                return None
            self.note(line_of(entry), f"{dotted} is {kind_of(entry)}: read as the check of gate {name or dotted}")
            entry = YNode({"rule": YNode(name or dotted, entry.line), "check": entry}, entry.line, entry.key_line)
        else:
            self.known_keys(entry, dotted, GATE_KEYS)
        rule = self.text(entry.get("rule"), f"{dotted}.rule") or name
        if not rule:
            self.missing(entry, "rule", dotted, f"{dotted} has no rule name: it is called {dotted}")
            rule = dotted
        check_node = entry.get("check")
        check = self.text(check_node, f"{dotted}.check")
        if not check:
            self.missing(entry, "check", dotted, f"gate {rule} has no check: nothing to evaluate")
            return None
        action = self.text(entry.get("action"), f"{dotted}.action")
        if not action:
            self.missing(entry, "action", dotted, f"gate {rule} has no action")
        if check_node is not None:
            parsed = parse_check(check, fields)
            if isinstance(parsed, ExprError):
                self.error(
                    check_node.line, f"gate {rule}: check {_shorten(check)!r} is not a valid expression: {parsed}"
                )
        return Gate(rule, check, action, level, self.at(entry))

    # ---------------------------------------------------- the rest, shown

    def verification(self, root: YNode) -> tuple[VerificationCommand, ...]:
        """Entries as a mapping of name to entry, or a list; each entry's keys are free. Never run."""
        section = root.get("verification")
        if section is None or section.value is None:
            return ()
        if section.is_map:
            named = [(name, entry, f"verification.{name}") for name, entry in section.items()]
        elif section.is_list:
            named = [("", entry, f"verification[{i}]") for i, entry in enumerate(section.entries())]
        else:
            named = [("", section, "verification")]
        found = (self.verification_entry(name, entry, dotted) for name, entry, dotted in named)
        return tuple(entry for entry in found if entry is not None)

    def verification_entry(self, name: str, entry: YNode, dotted: str) -> VerificationCommand | None:
        if not entry.is_map:  # a line of text: what to check, in words
            text = as_text(entry)
            return VerificationCommand(name, "", "", self.at(entry), note=text) if text else None
        name = as_text(entry.get("name") or YNode(name, 0)) or name
        language, command, notes, other = "", "", [], []
        for key, value in entry.items():
            text = as_text(value)
            if key in ("name", "expected") or not text:
                continue
            if key in VERIFICATION_NOTE_KEYS:
                notes.append(text)
            elif key in VERIFICATION_COMMAND_KEYS and not command:
                language, command = key, text
            else:
                other.append((key, text))
        expected = entry.get("expected")
        if not (command or notes or other or expected is not None):
            self.note(line_of(entry), f"{dotted} holds no command, expected result or note")
            return None
        return VerificationCommand(
            name=name,
            command=command,
            expected="" if expected is None else as_text(expected),
            location=self.at(entry),
            language=language,
            note="; ".join(notes),
            other=tuple(other),
        )

    def auditor_interface(self, root: YNode) -> tuple[tuple[str, ...], tuple[str, ...], dict[str, str]]:
        section = self.section(root, "auditor_interface", "auditor_interface")
        if section is None:
            return (), (), {}
        self.known_keys(section, "auditor_interface", INTERFACE_KEYS)
        lists = []
        for keys in (("input", "inputs"), ("output", "outputs")):
            items: tuple[str, ...] = ()
            for key in keys:
                node = section.get(key)
                if node is not None and node.is_map:
                    items += tuple(f"{k}: {as_text(v)}".rstrip(": ") for k, v in node.items())
                else:
                    items += self.text_or_list(node, f"auditor_interface.{key}")
            lists.append(items)
        codes = self.section(section, "exit_codes", "auditor_interface.exit_codes")
        exit_codes: dict[str, str] = {}
        for code, meaning in codes.items() if codes is not None else ():
            if not code.isdigit():
                self.note(line_of(meaning), f"exit code {code!r} is not a number")
            exit_codes[code] = self.text(meaning, f"auditor_interface.exit_codes.{code}")
        return lists[0], lists[1], exit_codes
