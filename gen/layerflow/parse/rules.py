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

from collections.abc import Sequence
from dataclasses import replace

from layerflow.errors import Parsed, error
from layerflow.model import Gate, GateLevel, Location, Rules, VerificationCommand
from layerflow.parse.expr import CANONICAL_FIELDS, ExprError, normalize_field, parse_check
from layerflow.parse.rules_policies import read_rules_section
from layerflow.parse.rules_tree import read_l7_analysis
from layerflow.parse.tolerant import TolerantReader, as_text, kind_of, line_of, shorten
from layerflow.parse.yamlsrc import YNode, load_yaml

TOP_LEVEL_KEYS = ("schema", "rules", "l7_analysis", "ci_gates", "verification", "auditor_interface")
SCHEMA_KEYS = ("version", "frozen", "columns", "description")
GATE_KEYS = ("rule", "check", "action")
INTERFACE_KEYS = ("input", "output", "inputs", "outputs", "exit_codes")
# A verification entry's keys are free; these name its parts, any other is kept and shown.
VERIFICATION_NOTE_KEYS = ("note", "notes", "description", "comment")
VERIFICATION_COMMAND_KEYS = (
    "command", "cmd", "run", "shell", "sh", "bash", "zsh", "python", "py", "sql", "psql", "query", "script",
    "grep", "make", "curl", "powershell", "js", "node",
)  # fmt: skip


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


class _Reader(TolerantReader):
    """Walks the YAML tree once, section by section; `rules:` and `l7_analysis` have modules of their own."""

    def rules(self, root: YNode) -> Rules:
        self.known_keys(root, "", TOP_LEVEL_KEYS)
        rules = self.schema(root, Rules(location=Location(self.path)))
        fields = expression_fields(rules.columns)  # gate checks may name the schema's columns
        rules = read_rules_section(self, root, rules, fields)
        rules = read_l7_analysis(self, root, rules)
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
                    check_node.line, f"gate {rule}: check {shorten(check)!r} is not a valid expression: {parsed}"
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
