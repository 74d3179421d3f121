"""The audit, start to end: inputs in, one `Analysis` out. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from layerflow.audit import history
from layerflow.audit.classify import FlowMemo, classify_all
from layerflow.audit.code_index import CodeIndex, code_index
from layerflow.audit.constraints import constraint_findings
from layerflow.audit.evidence import assess
from layerflow.audit.evidence_findings import evidence_findings
from layerflow.audit.expectations import expectation_findings
from layerflow.audit.gaps import code_gaps, flow_gaps, merge_gaps, persistence_gaps
from layerflow.audit.gates import LeafMemo, evidence_gate, run_gate
from layerflow.audit.orphans import orphan_detail
from layerflow.audit.proposals import Proposer
from layerflow.audit.subjects import SignalColumns, SignalFields
from layerflow.audit.unknowns import unknown_findings, unknown_shares
from layerflow.model import (
    Analysis,
    ChangeOutcome,
    ChangeStatus,
    Finding,
    Flow,
    Gap,
    GapCandidate,
    GapStatus,
    GateLevel,
    GateOutcome,
    Inputs,
    Inventory,
    Level,
    Output,
    Problem,
    Producer,
    Registry,
    Severity,
    Signal,
    UnknownShare,
)
from layerflow.model.assessment import Assessment
from layerflow.model.labels import flow_label, signal_label, signals_label
from layerflow.parse.expr import CANONICAL_FIELDS, ExprError, Prose, parse_check

INPUT_RULE = "input"  # the rule of a finding that is a parser's warning about an input file
_GAP_SEVERITY = {"P1": Severity.BLOCKING, "P2": Severity.WARNING, "P3": Severity.WARNING}


def detect(
    inputs: Inputs,
    registry: Registry,
    scope: frozenset[str] | None = None,
    inventory: Inventory | None = None,
    flows: Sequence[Flow] | None = None,
    index: CodeIndex | None = None,
) -> list[GapCandidate]:
    """The gaps of one registry state; with `scope`, those that depend on the signals in it.

    `inventory` replaces the inputs' inventory (history replay passes just the outputs in scope);
    `flows` are this state's flows when the caller has already classified them; `index` is the
    code base's when the caller has built it.
    """
    jobs = inputs.inventory if inventory is None else inventory
    if flows is None:
        flows = classify_all(registry, jobs, inputs.rules, scope)
    found = persistence_gaps(registry, jobs, scope) + flow_gaps(
        flows, registry.by_uid(), orphan_detail(inputs.rules.orphan_detection)
    )
    return merge_gaps(found, code_gaps(inputs, registry, index))  # evidence: code that contradicts a claim (--code)


class Scoper:
    """Indexes built once so that replaying a record looks only at the outputs its signal is in."""

    def __init__(self, inputs: Inputs, flows: Sequence[Flow], index: CodeIndex | None = None) -> None:
        self.inputs = inputs
        self.flows = flows  # the registry on disk, classified once
        self.index = index  # the code base (--code), indexed once for every state replayed
        self.partners: dict[str, set[str]] = {}
        self.outputs: dict[str, list[tuple[Producer, Output]]] = {}
        for producer in inputs.inventory.producers if inputs.inventory else ():
            for output in producer.outputs:
                for uid in output.signals:
                    self.partners.setdefault(uid, set()).update(output.signals)
                    self.outputs.setdefault(uid, []).append((producer, output))

    def needed(self, scope: frozenset[str]) -> frozenset[str]:
        """The scope plus every UID that shares an inventory output with it."""
        return frozenset(scope.union(*(self.partners.get(uid, ()) for uid in scope)))

    def detect(self, registry: Registry, scope: frozenset[str] | None) -> list[GapCandidate]:
        if scope is None and registry is self.inputs.registry:
            return detect(self.inputs, registry, flows=self.flows, index=self.index)
        if scope is None or self.inputs.inventory is None:
            return detect(self.inputs, registry, scope, index=self.index)
        grouped: dict[str, list[Output]] = {}
        owners: dict[str, Producer] = {}
        for uid in sorted(scope):
            for producer, output in self.outputs.get(uid, ()):
                if output not in grouped.setdefault(producer.id, []):
                    grouped[producer.id].append(output)
                    owners[producer.id] = producer
        subset = Inventory(producers=tuple(replace(owners[pid], outputs=tuple(outs)) for pid, outs in grouped.items()))
        return detect(self.inputs, registry, scope, subset, index=self.index)


def analyse(inputs: Inputs, warnings: Sequence[Problem] = (), memo: FlowMemo | None = None) -> Analysis:
    """Classify, find gaps with their history, evaluate gates; `warnings` are the parsers' soft problems;
    `memo` the last analysis's flows, given back where their inputs are unchanged (classify.FlowMemo)."""
    flows = classify_all(inputs.registry, inputs.inventory, inputs.rules, memo=memo)
    code = inputs.evidence.code if inputs.evidence else None
    index = code_index(code) if code is not None else None
    assessment = assess(inputs, index)
    scoper = Scoper(inputs, flows, index)
    lives, resolves_keys = history.lifecycles(inputs.registry, inputs.changes, scoper.detect, scoper.needed)
    gaps = _number(lives, inputs, flows)
    key_to_id = {g.key: g.id for g in gaps}
    changes = history.change_outcomes(
        inputs.registry,
        inputs.changes,
        {rid: tuple(key_to_id[k] for k in keys) for rid, keys in resolves_keys.items()},
    )
    gates = _gates(inputs, assessment)
    unknowns = unknown_shares(inputs.registry, inputs.rules.unknown_handling)
    findings = _findings(inputs, flows, gaps, changes, gates, warnings, unknowns)
    findings = _sorted((*findings, *evidence_findings(inputs, assessment, gates)))  # checks against --code/--ops
    signals = inputs.registry.by_uid()
    return Analysis(
        inputs=inputs,
        flows=flows,
        gaps=gaps,
        findings=findings,
        changes=changes,
        gates=gates,
        unknowns=unknowns,
        assessment=assessment,
        record_fields=tuple(tuple(history.field_changes(r, signals.get(r.signal))) for r in inputs.changes),
    )


def _number(lives: list[history.Lifecycle], inputs: Inputs, flows: Sequence[Flow]) -> tuple[Gap, ...]:
    """Ledger ids where the ledger knows the gap; new ones after the highest, in order of appearance."""
    numbers = [int(e.id.split("-")[-1]) for e in inputs.ledger.entries if e.id.split("-")[-1].isdigit()]
    next_number = max(numbers, default=0) + 1
    proposer = Proposer(inputs, flows)
    gaps: list[Gap] = []
    for life in lives:
        candidate = life.candidate
        known = inputs.ledger.id_for(candidate.key)
        if known is None:
            gap_id = f"GAP-{next_number:03d}"
            next_number += 1
        else:
            gap_id = known
        proposal, source = proposer.row(candidate, gap_id)
        gaps.append(
            Gap(
                id=gap_id,
                key=candidate.key,
                kind=candidate.kind,
                priority=candidate.priority,
                status=GapStatus.OPEN if life.open else GapStatus.RESOLVED,
                resolved_by=life.resolved_by,
                subject=candidate.subject,
                title=candidate.title,
                detail=candidate.detail,
                location=candidate.location,
                flow_id=candidate.flow_id,
                in_ledger=known is not None,
                proposal=proposal,
                proposal_source=source,
                signals=candidate.signals,
            )
        )
    return tuple(sorted(gaps, key=lambda g: (int(g.id.split("-")[-1]) if g.id.split("-")[-1].isdigit() else 0, g.id)))


def _gates(inputs: Inputs, assessment: Assessment | None) -> tuple[GateOutcome, ...]:
    known = set(CANONICAL_FIELDS) | {c.lower() for c in inputs.rules.columns}
    signals = inputs.registry.signals
    sources = [SignalFields(s) for s in signals]  # listed once for every gate
    subjects = [(s.uid, s.location, fields) for s, fields in zip(signals, sources, strict=True)]
    columns = SignalColumns(inputs.registry.signals)  # a field of every signal, read once for all gates
    memo: LeafMemo = {}  # each comparison over every signal decided once for all gates that make it
    out: list[GateOutcome] = []
    for gate in inputs.rules.gates:
        parsed = parse_check(gate.check, known)
        if isinstance(parsed, (Prose, ExprError)):
            # A malformed expression is an input error caught when the rules were parsed;
            # here both mean the same thing: this gate cannot be decided from the registry.
            reason = parsed.reason if isinstance(parsed, Prose) else str(parsed)
            decided = evidence_gate(gate, assessment)  # evidence: prose gates --code/--ops can decide
            out.append(decided or GateOutcome(gate.rule, gate.level, gate.check, False, (), (), gate.location, reason))
            continue
        result = run_gate(gate, parsed, subjects, columns, sources, memo)
        out.append(
            GateOutcome(gate.rule, gate.level, gate.check, True, result.matched, result.undecided, gate.location)
        )
    return tuple(out)


def _findings(
    inputs: Inputs,
    flows: Iterable[Flow],
    gaps: Iterable[Gap],
    changes: Iterable[ChangeOutcome],
    gates: Iterable[GateOutcome],
    warnings: Sequence[Problem],
    unknowns: tuple[UnknownShare, ...] = (),
) -> tuple[Finding, ...]:
    signals = inputs.registry.by_uid()
    found = _input_findings(inputs, warnings)
    found.extend(_flow_findings(inputs, flows))
    found.extend(expectation_findings(flows, inputs.registry, inputs.rules))  # the tree's if_yes expectations
    found.extend(constraint_findings(inputs.registry, inputs.rules))  # rules.layer_constraints
    found.extend(unknown_findings(inputs.registry, inputs.rules.unknown_handling, unknowns))
    found.extend(_gap_findings(gaps))
    found.extend(_drift_findings(inputs, changes))
    for gate in gates:
        found.extend(_gate_findings(gate, signals))
    return tuple(found)


def _input_findings(inputs: Inputs, warnings: Sequence[Problem]) -> list[Finding]:
    """The parsers' warnings and notes, the registry's conflicting definitions, the rules' unknown keys."""
    found: list[Finding] = []
    signals = inputs.registry.by_uid()
    for problem in warnings:
        if problem.level is Level.WARNING:
            found.append(
                Finding(
                    INPUT_RULE,
                    Severity.WARNING,
                    problem.location.path,
                    problem.message,
                    problem.location,
                    problem.signals,
                )
            )
        elif problem.level is Level.NOTE:  # read as written, in a shape worth a word: never the exit code
            rule = "rules.note" if problem.location.path == inputs.rules.location.path else "input.note"
            found.append(
                Finding(rule, Severity.INFO, problem.location.path, problem.message, problem.location, problem.signals)
            )
    for conflict in inputs.registry.conflicts:
        found.append(
            Finding(
                "registry.conflict",
                Severity.WARNING,
                conflict.uid,
                f"{signal_label(conflict.uid, signals)} {conflict.field}: {conflict.first!r} at {conflict.first_at} "
                f"but {conflict.second!r} at {conflict.second_at}",
                conflict.second_at,
                (conflict.uid,),
            )
        )
    for unknown in inputs.rules.unknown_keys:
        hint = f"; did you mean {unknown.suggestion!r}?" if unknown.suggestion else ""
        message = f"unknown key {unknown.key!r} kept as is, not read{hint}"
        found.append(Finding("rules.unknown-key", Severity.INFO, unknown.key, message, unknown.location))
    return found


def _gap_findings(gaps: Iterable[Gap]) -> list[Finding]:
    return [
        Finding(
            f"gap.{gap.kind}",
            _GAP_SEVERITY.get(gap.priority, Severity.WARNING),
            gap.id,
            f"{gap.id} ({gap.priority}, {gap.subject}): {gap.title}",
            gap.location,
            gap.signals,
        )
        for gap in gaps
        if gap.status is GapStatus.OPEN
    ]


def _drift_findings(inputs: Inputs, changes: Iterable[ChangeOutcome]) -> list[Finding]:
    """An APPLIED record the registry does not show: a finding per field that drifted."""
    found: list[Finding] = []
    signals = inputs.registry.by_uid()
    for change in changes:
        if change.status is ChangeStatus.APPLIED and not change.reflected:
            record = next(r for r in inputs.changes if r.id == change.id)
            found.extend(
                Finding(
                    "change.drift",
                    Severity.WARNING,
                    change.id,
                    f"{change.id} ({signal_label(change.signal, signals)}) is APPLIED but {drift}",
                    record.location,
                    (change.signal,),
                )
                for drift in change.drift
            )
    return found


def _sorted(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    # The location as its path and line, the order Location's own comparison gives: compared as two plain
    # values, not by a dataclass method (a third of sorting the findings of 10k signals).
    return tuple(
        sorted(
            findings,
            key=lambda f: (_RANK[f.severity], f.rule, f.location.path, f.location.line, f.subject, f.message),
        )
    )


def _flow_findings(inputs: Inputs, flows: Iterable[Flow]) -> list[Finding]:
    found: list[Finding] = []
    signals = inputs.registry.by_uid()
    severities = {n.id: _severity(n.severity) for n in inputs.rules.decision_tree}
    orphan_words = " ".join(orphan_detail(inputs.rules.orphan_detection))
    for flow in flows:
        for uid in flow.signals:
            if uid not in signals:
                found.append(
                    Finding(
                        "inventory.unknown-signal",
                        Severity.WARNING,
                        flow.id,
                        f"{flow.producer}: {flow.output} names {uid}, which the registry does not define",
                        flow.location,
                        (uid,),
                    )
                )
        for check in flow.checks:
            if check.passed:
                continue
            # Q2 failures are real bugs unless the rules soften them; gaps carry the same news for P1.
            severity = severities.get(
                check.node, Severity.BLOCKING if check.node == "q2_l7_to_l6" else Severity.WARNING
            )
            words = f". {orphan_words}" if check.name == "orphan" and orphan_words else ""
            found.append(
                Finding(
                    f"{check.node}.{check.name}",
                    severity,
                    flow.id,
                    f"{flow.producer}: {flow_label(flow, signals)}: {check.message}{words}",
                    flow.location,
                    flow.signals,
                )
            )
    return found


def _gate_findings(gate: GateOutcome, signals: Mapping[str, Signal]) -> list[Finding]:
    """A finding per subject a gate matched: a signal (named with its UID) or, decided from evidence, a file or unit."""
    if not gate.machine_checkable:
        return [
            Finding(
                "gate.not-machine-checkable",
                Severity.INFO,
                gate.rule,
                f"{gate.rule}: {gate.check!r} is not machine-checkable ({gate.reason}); check it by hand",
                gate.location,
            )
        ]
    severity = Severity.BLOCKING if gate.level is GateLevel.BLOCKING else Severity.WARNING
    out = [
        Finding(
            f"gate.{gate.rule}",
            severity,
            subject,
            f"{gate.rule}: {signal_label(subject, signals)} matches {gate.check!r}",
            where,
            (subject,) if subject in signals else (),
        )
        for subject, where in gate.matched
    ]
    if gate.undecided:
        undecided = tuple(uid for uid, _ in gate.undecided)
        names = signals_label(undecided[:5], signals) + (" …" if len(undecided) > 5 else "")
        out.append(
            Finding(
                "gate.undecided",
                Severity.INFO,
                gate.rule,
                f"{gate.rule}: cannot decide for {len(gate.undecided)} signal(s) whose tables lack a column "
                f"the check reads ({names})",
                gate.location,
                undecided,
            )
        )
    return out


def _severity(text: str) -> Severity:
    lowered = text.lower()
    if any(word in lowered for word in ("block", "bug", "p1", "critical", "error", "fail")):
        return Severity.BLOCKING
    if "info" in lowered:
        return Severity.INFO
    return Severity.WARNING


_RANK = {Severity.BLOCKING: 0, Severity.WARNING: 1, Severity.INFO: 2}
