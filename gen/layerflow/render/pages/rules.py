"""The team's rules file as a page: the decision tree and its surroundings (as the report's section 1), each
gate with how many signals it matched, left undecided or could not check, and every note the file produced."""

from __future__ import annotations

from layerflow.model import Analysis, GateOutcome
from layerflow.render.escape import md, md_code
from layerflow.render.links import Links
from layerflow.render.markup import table
from layerflow.render.rules import decision_tree_section


def rules_page(analysis: Analysis, links: Links) -> str:
    rules = analysis.inputs.rules
    where = md_code(rules.location.path) if rules.location.path else "the built-in defaults"
    out = ["# Rules", "", f"What {where} says, and what each part of it found in this registry.", ""]
    out += ["## Gates", ""]
    if analysis.gates:
        out += table(("Gate", "Level", "Check", "Matched", "Undecided", "Checked by"), map(_gate_row, analysis.gates))
        out += [""]
        for gate in analysis.gates:
            out += _gate_detail(gate, links)
    else:
        out += ["The rules define no CI gates.", ""]
    section = decision_tree_section(analysis, links)
    out += ["## Decision tree, constraints and notes", "", *section[2:]]  # its own "## 1." heading goes
    return "\n".join(out) + "\n"


def _gate_row(gate: GateOutcome) -> tuple[str, ...]:
    checked = "layerflow" if gate.machine_checkable else f"hand ({md(gate.reason)})" if gate.reason else "hand"
    return (
        md(gate.rule),
        md(gate.level.value),
        md(gate.check),
        str(len(gate.matched)) if gate.machine_checkable else "—",
        str(len(gate.undecided)) if gate.machine_checkable else "—",
        checked,
    )


def _gate_detail(gate: GateOutcome, links: Links) -> list[str]:
    if not gate.matched and not gate.undecided:
        return []
    out = [f"**{md(gate.rule)}** ({md_code(str(gate.location))}):", ""]
    for label, subjects in (("matched", gate.matched), ("undecided (a column it needs is absent)", gate.undecided)):
        if subjects:
            shown = ", ".join(_subject(s, links) for s, _ in subjects)
            out.append(f"- {label}: {shown}")
    return [*out, ""]


def _subject(subject: str, links: Links) -> str:
    return links.link(subject, links.signal(subject)) if subject.startswith("SIG-") else md(subject)
