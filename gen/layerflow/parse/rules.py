"""auditor_rules.yaml to `Rules`: every section read, every problem located, nothing raised.

The code knows only section and key names and the three decision-tree node
ids. Every question, criterion, fail condition, severity and gate check comes
from the file. Unknown keys are kept (with a warning and, for a likely typo, a
"did you mean"), because a rules file written by hand often carries more than
layerflow reads and a silent drop would hide a misspelt section.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import replace

from layerflow.errors import Parsed, error, warning
from layerflow.model import DecisionNode, Gate, GateLevel, Location, Problem, Rules, VerificationCommand
from layerflow.parse.expr import CANONICAL_FIELDS, ExprError, normalize_field, parse_check
from layerflow.parse.yamlsrc import YNode, load_yaml

TOP_LEVEL_KEYS = ("schema", "rules", "l7_analysis", "ci_gates", "verification", "auditor_interface")
SCHEMA_KEYS = ("version", "frozen", "columns")
RULES_KEYS = ("signal_definition", "layer_constraints", "unknown_handling", "orphan_detection")
LAYER_CONSTRAINT_KEYS = ("l7_l8_consume_ops_only", "l2_is_boundary")
UNKNOWN_HANDLING_KEYS = ("allowed_fields", "expected_rate")
ORPHAN_KEYS = ("check", "action")
L7_ANALYSIS_KEYS = ("decision_tree",)
NODE_IDS = ("q1_l7_only", "q2_l7_to_l6", "q3_l7_to_both")
OUTCOME_KEYS = ("exposure", "check", "fail_condition", "fail_conditions", "severity", "valid", "requirements")
NODE_KEYS = ("question", "criteria", "if_yes", *OUTCOME_KEYS)
GATE_KEYS = ("rule", "check", "action")
VERIFICATION_KEYS = ("name", "command", "expected")
INTERFACE_KEYS = ("inputs", "outputs", "exit_codes")

_SHOWN = 60  # characters of a check quoted back in a message


def parse_rules(path: str, text: str) -> Parsed[Rules]:
    """Read an auditor rules file; problems are collected, never raised."""
    loaded = _load(path, text)
    problems = list(loaded.problems)
    root = loaded.value
    if root is None:
        if not problems:
            problems.append(error(path, 0, "the rules file is empty"))
        return Parsed(Rules(location=Location(path)), tuple(sorted(problems)))
    if not root.is_map:
        problems.append(error(path, root.line, f"the rules file must be a mapping of sections, not {_kind(root)}"))
        return Parsed(Rules(location=Location(path)), tuple(sorted(problems)))
    reader = _Reader(path, problems)
    return Parsed(reader.rules(root), tuple(sorted(problems)))


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


def _kind(node: YNode) -> str:
    if node.is_map:
        return "a mapping"
    if node.is_list:
        return "a list"
    return "text" if isinstance(node.value, str) else f"the value {node.text()!r}"


def _line(node: YNode) -> int:
    """Where a person looks for a value: its key's line when it has a key."""
    return node.key_line or node.line


def _shorten(text: str) -> str:
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


class _Reader:
    """Walks the YAML tree once, appending problems and unknown keys as it goes."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        self.unknown_keys: list[tuple[str, Location]] = []

    # ------------------------------------------------------------ sections

    def rules(self, root: YNode) -> Rules:
        self.known_keys(root, "", TOP_LEVEL_KEYS)
        rules = self.schema(root, Rules(location=Location(self.path)))
        fields = expression_fields(rules.columns)  # gate checks may name the schema's columns
        rules = self.rules_section(root, rules, fields)
        return replace(
            rules,
            decision_tree=self.decision_tree(root),
            gates=self.gates(root, fields),
            verification=self.verification(root),
            exit_codes=self.auditor_interface(root),
            unknown_keys=tuple(self.unknown_keys),
        )

    def schema(self, root: YNode, rules: Rules) -> Rules:
        section = self.mapping(root, "schema", "schema")
        if section is None:
            return rules
        self.known_keys(section, "schema", SCHEMA_KEYS)
        columns = self.text_list(section.get("columns"), "schema.columns")
        self.warn_duplicates(columns, section.get("columns"), "schema.columns")
        return replace(
            rules,
            schema_version=self.text(section.get("version"), "schema.version"),
            frozen=self.flag(section.get("frozen"), "schema.frozen", default=rules.frozen),
            columns=columns,
        )

    def rules_section(self, root: YNode, rules: Rules, fields: frozenset[str]) -> Rules:
        section = self.mapping(root, "rules", "rules")
        if section is None:
            return rules
        self.known_keys(section, "rules", RULES_KEYS)
        # The definition is for people; it is checked to be text, and Rules has no place for it yet.
        self.text(section.get("signal_definition"), "rules.signal_definition")
        rules = self.layer_constraints(section, rules)
        rules = self.unknown_handling(section, rules, fields)
        return self.orphan_detection(section, rules, fields)

    def layer_constraints(self, section_rules: YNode, rules: Rules) -> Rules:
        dotted = "rules.layer_constraints"
        section = self.mapping(section_rules, "layer_constraints", dotted)
        if section is None:
            return rules
        self.known_keys(section, dotted, LAYER_CONSTRAINT_KEYS)
        ops_only = section.get("l7_l8_consume_ops_only")
        boundary = section.get("l2_is_boundary")
        return replace(
            rules,
            l7_l8_consume_ops_only=self.flag(
                ops_only, f"{dotted}.l7_l8_consume_ops_only", default=rules.l7_l8_consume_ops_only
            ),
            l2_is_boundary=self.flag(boundary, f"{dotted}.l2_is_boundary", default=rules.l2_is_boundary),
        )

    def unknown_handling(self, section_rules: YNode, rules: Rules, fields: frozenset[str]) -> Rules:
        dotted = "rules.unknown_handling"
        section = self.mapping(section_rules, "unknown_handling", dotted)
        if section is None:
            return rules
        self.known_keys(section, dotted, UNKNOWN_HANDLING_KEYS)
        listed = section.get("allowed_fields")
        allowed = tuple(normalize_field(f) for f in self.text_list(listed, f"{dotted}.allowed_fields"))
        for name in allowed:
            if name not in fields and listed is not None:
                self.warn(_line(listed), f"{dotted}.allowed_fields names unknown field {name!r}{_hint(name, fields)}")
        rate = self.text(section.get("expected_rate"), f"{dotted}.expected_rate")
        return replace(rules, unknown_allowed=allowed, unknown_expected_rate=rate)

    def orphan_detection(self, section_rules: YNode, rules: Rules, fields: frozenset[str]) -> Rules:
        dotted = "rules.orphan_detection"
        section = self.mapping(section_rules, "orphan_detection", dotted)
        if section is None:
            return rules
        self.known_keys(section, dotted, ORPHAN_KEYS)
        check = section.get("check")
        self.expression(check, self.text(check, f"{dotted}.check"), dotted, fields)
        action = self.text(section.get("action"), f"{dotted}.action")
        return replace(rules, orphan_action=action or rules.orphan_action)

    def decision_tree(self, root: YNode) -> tuple[DecisionNode, ...]:
        analysis = self.mapping(root, "l7_analysis", "l7_analysis")
        tree = None if analysis is None else self.mapping(analysis, "decision_tree", "l7_analysis.decision_tree")
        if analysis is not None:
            self.known_keys(analysis, "l7_analysis", L7_ANALYSIS_KEYS)
        if tree is None:
            where = _line(analysis) if analysis is not None else 0
            self.error(where, "no l7_analysis.decision_tree: the L7 flows cannot be classified")
            return ()
        self.known_keys(tree, "l7_analysis.decision_tree", NODE_IDS)
        nodes: list[DecisionNode] = []
        for node_id in NODE_IDS:
            node = tree.get(node_id)
            if node is None:
                self.error(_line(tree), f"decision tree has no node {node_id!r}")
                continue
            decision = self.decision_node(node_id, node, f"l7_analysis.decision_tree.{node_id}")
            if decision is not None:
                nodes.append(decision)
        return tuple(nodes)

    def decision_node(self, node_id: str, node: YNode, dotted: str) -> DecisionNode | None:
        if not node.is_map:
            self.error(
                _line(node), f"{dotted} must be a mapping with question, criteria and an outcome, not {_kind(node)}"
            )
            return None
        self.known_keys(node, dotted, NODE_KEYS)
        question = self.required_text(node, "question", dotted)
        criteria = self.text_list(node.get("criteria"), f"{dotted}.criteria")
        if node.get("criteria") is None:
            self.error(_line(node), f"{dotted} has no criteria")
        outcome = self.outcome(node, dotted)
        # `valid` states what makes a both-ways flow acceptable; it is the node's check in all but name.
        stated = (self.text(outcome.get(key), f"{dotted}.{key}") for key in ("check", "valid"))
        check = "; ".join(text for text in stated if text)
        return DecisionNode(
            id=node_id,
            question=question,
            criteria=criteria,
            exposure=self.text(outcome.get("exposure"), f"{dotted}.exposure"),
            check=check,
            fail_conditions=self.text_or_list(outcome.get("fail_condition"), f"{dotted}.fail_condition")
            + self.text_or_list(outcome.get("fail_conditions"), f"{dotted}.fail_conditions"),
            severity=self.text(outcome.get("severity"), f"{dotted}.severity"),
            requirements=self.text_or_list(outcome.get("requirements"), f"{dotted}.requirements"),
            location=Location(self.path, _line(node)),
        )

    def outcome(self, node: YNode, dotted: str) -> dict[str, YNode]:
        """The outcome keys of a node, from `if_yes` or from the node itself (Q3 writes them inline)."""
        block = node.get("if_yes")
        if block is not None and not block.is_map:
            self.error(_line(block), f"{dotted}.if_yes must be a mapping of outcome keys, not {_kind(block)}")
            block = None
        if block is not None:
            self.known_keys(block, f"{dotted}.if_yes", OUTCOME_KEYS)
        found: dict[str, YNode] = {}
        for key in OUTCOME_KEYS:
            inline, nested = node.get(key), block.get(key) if block is not None else None
            if inline is not None and nested is not None:
                self.warn(_line(inline), f"{dotted}.{key} is given both here and in if_yes; the if_yes one is used")
            chosen = nested if nested is not None else inline
            if chosen is not None:
                found[key] = chosen
        if not found:
            self.error(_line(node), f"{dotted} has no outcome (an if_yes block, or valid/requirements/fail_condition)")
        return found

    def gates(self, root: YNode, fields: frozenset[str]) -> tuple[Gate, ...]:
        section = self.mapping(root, "ci_gates", "ci_gates")
        if section is None:
            return ()
        self.known_keys(section, "ci_gates", tuple(level.value for level in GateLevel))
        gates: list[Gate] = []
        first_seen: dict[str, int] = {}
        for level in GateLevel:
            entries = section.get(level.value)
            dotted = f"ci_gates.{level.value}"
            if entries is None:
                continue
            if not entries.is_list:
                self.error(
                    _line(entries), f"{dotted} must be a list of gates (rule, check, action), not {_kind(entries)}"
                )
                continue
            for index, entry in enumerate(entries.entries()):
                gate = self.gate(entry, f"{dotted}[{index}]", level, fields)
                if gate is None:
                    continue
                if gate.rule in first_seen:
                    self.warn(
                        gate.location.line, f"gate {gate.rule} is defined twice (first on line {first_seen[gate.rule]})"
                    )
                first_seen.setdefault(gate.rule, gate.location.line)
                gates.append(gate)
        return tuple(gates)

    def gate(self, entry: YNode, dotted: str, level: GateLevel, fields: frozenset[str]) -> Gate | None:
        if not entry.is_map:
            self.error(entry.line, f"{dotted} must be a mapping with rule, check and action, not {_kind(entry)}")
            return None
        self.known_keys(entry, dotted, GATE_KEYS)
        rule = self.text(entry.get("rule"), f"{dotted}.rule")
        name = rule or dotted
        check_node = entry.get("check")
        check = self.text(check_node, f"{dotted}.check")
        if not rule:
            self.error(entry.line, f"{dotted} has no rule name")
        if not check:
            self.error(entry.line, f"gate {name} has no check")
        action = self.text(entry.get("action"), f"{dotted}.action")
        if not action:
            self.warn(entry.line, f"gate {name} has no action")
        self.expression(check_node, check, f"gate {name}", fields)
        return Gate(rule, check, action, level, Location(self.path, entry.line)) if rule and check else None

    def verification(self, root: YNode) -> tuple[VerificationCommand, ...]:
        """Commands as a mapping of name to {command, expected}, or as a list of {name, command, expected}."""
        section = root.get("verification")
        if section is None:
            return ()
        if section.is_map:
            named = [(name, entry, f"verification.{name}") for name, entry in section.items()]
        elif section.is_list:
            named = [("", entry, f"verification[{i}]") for i, entry in enumerate(section.entries())]
        else:
            self.error(_line(section), f"verification must be a mapping or a list of commands, not {_kind(section)}")
            return ()
        found = (self.verification_command(name, entry, dotted) for name, entry, dotted in named)
        return tuple(command for command in found if command is not None)

    def verification_command(self, name: str, entry: YNode, dotted: str) -> VerificationCommand | None:
        if not entry.is_map:
            self.error(_line(entry), f"{dotted} must be a mapping with command and expected, not {_kind(entry)}")
            return None
        self.known_keys(entry, dotted, VERIFICATION_KEYS)
        name = self.text(entry.get("name"), f"{dotted}.name") or name
        command = self.required_text(entry, "command", dotted)
        expected = self.text(entry.get("expected"), f"{dotted}.expected")
        if entry.get("expected") is None:
            self.warn(_line(entry), f"{dotted} has no expected result")
        if not command:
            return None
        return VerificationCommand(name, command, expected, Location(self.path, _line(entry)))

    def auditor_interface(self, root: YNode) -> dict[str, str]:
        section = self.mapping(root, "auditor_interface", "auditor_interface")
        if section is None:
            return {}
        self.known_keys(section, "auditor_interface", INTERFACE_KEYS)
        for key in ("inputs", "outputs"):
            listed = section.get(key)
            if listed is not None and not (listed.is_list or listed.is_map):
                self.error(_line(listed), f"auditor_interface.{key} must be a list or a mapping, not {_kind(listed)}")
        codes = self.mapping(section, "exit_codes", "auditor_interface.exit_codes")
        if codes is None:
            return {}
        exit_codes: dict[str, str] = {}
        for code, meaning in codes.items():
            if not code.isdigit():
                self.warn(_line(meaning), f"exit code {code!r} is not a number")
            exit_codes[code] = self.text(meaning, f"auditor_interface.exit_codes.{code}")
        return exit_codes

    # ------------------------------------------------------------- values

    def mapping(self, parent: YNode, key: str, dotted: str) -> YNode | None:
        """parent[key] when it is a mapping; None, with an error if it is something else."""
        node = parent.get(key)
        if node is None or node.is_map:
            return node
        if node.value is not None:  # an empty section (`rules:`) is simply absent
            self.error(_line(node), f"{dotted} must be a mapping, not {_kind(node)}")
        return None

    def text(self, node: YNode | None, dotted: str) -> str:
        if node is None:
            return ""
        if node.is_map or node.is_list:
            self.error(_line(node), f"{dotted} must be text, not {_kind(node)}")
            return ""
        return node.text().strip()

    def required_text(self, parent: YNode, key: str, dotted: str) -> str:
        node = parent.get(key)
        if node is None:
            self.error(_line(parent), f"{dotted} has no {key}")
        return self.text(node, f"{dotted}.{key}")

    def text_list(self, node: YNode | None, dotted: str) -> tuple[str, ...]:
        """A list of text items: a single string is an error, since one criterion would be read as many letters."""
        if node is None or node.value is None:
            return ()
        if not node.is_list:
            self.error(_line(node), f"{dotted} must be a list, not {_kind(node)}")
            return ()
        items = (self.text(item, f"{dotted}[{i}]") for i, item in enumerate(node.entries()))
        return tuple(item for item in items if item)

    def text_or_list(self, node: YNode | None, dotted: str) -> tuple[str, ...]:
        if node is not None and not node.is_list:
            text = self.text(node, dotted)
            return (text,) if text else ()
        return self.text_list(node, dotted)

    def flag(self, node: YNode | None, dotted: str, *, default: bool) -> bool:
        if node is None:
            return default
        if not isinstance(node.value, bool):
            self.error(_line(node), f"{dotted} must be true or false, not {_kind(node)}")
            return default
        return node.value

    def expression(self, node: YNode | None, check: str, owner: str, fields: frozenset[str]) -> None:
        """A malformed check is an error at its line; prose is left for the audit to report as unevaluated."""
        if node is None or not check:
            return
        parsed = parse_check(check, fields)
        if isinstance(parsed, ExprError):
            self.error(node.line, f"{owner}: check {_shorten(check)!r} is not a valid expression: {parsed}")

    # ----------------------------------------------------------- problems

    def known_keys(self, node: YNode, dotted: str, known: Sequence[str]) -> None:
        for key, value in node.items():
            if key in known:
                continue
            path = f"{dotted}.{key}" if dotted else key
            self.unknown_keys.append((path, Location(self.path, _line(value))))
            where = f" in {dotted}" if dotted else ""
            self.warn(_line(value), f"unknown key {key!r}{where}, kept but not read{_hint(key, known)}")

    def warn_duplicates(self, items: tuple[str, ...], node: YNode | None, dotted: str) -> None:
        seen: set[str] = set()
        for item in items:
            if item in seen and node is not None:
                self.warn(_line(node), f"{dotted} lists {item!r} twice")
            seen.add(item)

    def error(self, line: int, message: str) -> None:
        self.problems.append(error(self.path, line, message))

    def warn(self, line: int, message: str) -> None:
        self.problems.append(warning(self.path, line, message))


def _hint(word: str, known: Sequence[str] | frozenset[str]) -> str:
    close = difflib.get_close_matches(word.lower(), sorted(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""
