"""Every L7 output through the decision tree: class, path taken, fail conditions checked.

The rules file supplies the questions, criteria, fail conditions and severities;
this module knows only what each node asks of the data (which consumer layers
count as L6, what "consumer missing" means), so a team can reword its rules
without touching code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from functools import partial
from operator import is_

from layerflow.model import (
    NONE,
    RUNTIME_LAYERS,
    UNKNOWN,
    Check,
    Consumer,
    Decision,
    DecisionNode,
    Flow,
    FlowClass,
    FlowKind,
    FlowStatus,
    Inventory,
    Output,
    Persistence,
    Registry,
    Rules,
    Signal,
)
from layerflow.model.base import slug
from layerflow.model.rules import BUILT_IN_QUESTIONS, Q1, Q2, Q3

_REACHES_L6 = (FlowClass.L7_L6, FlowClass.L7_BOTH)  # the classes whose flows a signal must register


class FlowMemo:
    """The flows the last classification made, given back for an output whose inputs are the same objects.

    `serve` classifies the whole registry again after a one-row edit. The parsers give back the objects of
    every unchanged row and file (parse.registry.SignalRows, adapters.parse_memo), and a flow is a pure
    function of its output, the signals it names and the rules: when all of them are the very objects the
    last classification read, its flow is this one's. Reused flows are the same objects too, so the pages
    that show them (render.reuse) compare equal to the last build's at a glance. Only the last run's are kept.
    """

    __slots__ = ("_last", "_this")

    def __init__(self) -> None:
        self._last: dict[tuple[object, ...], tuple[tuple[object, ...], Flow]] = {}
        self._this: dict[tuple[object, ...], tuple[tuple[object, ...], Flow]] = {}

    def start(self) -> None:
        self._last, self._this = self._this, {}

    def flow(self, key: tuple[object, ...], read: tuple[object, ...], make: Callable[[], Flow]) -> Flow:
        """The last run's flow for `key` when every object it `read` is the same one now, else `make()`."""
        kept = self._last.get(key)
        made = kept[1] if kept is not None and _all_same(kept[0], read) else make()
        self._this[key] = (read, made)
        return made


def _all_same(last: tuple[object, ...], now: tuple[object, ...]) -> bool:
    return len(last) == len(now) and all(map(is_, last, now))


def classify_all(
    registry: Registry,
    inventory: Inventory | None,
    rules: Rules,
    only: Collection[str] | None = None,
    memo: FlowMemo | None = None,
) -> tuple[Flow, ...]:
    """The flows of one registry state: inventory outputs and artifacts, else the L7 rows.

    `only` (signal UIDs) keeps just the flows those signals take part in: replaying
    history reclassifies what a change record touched, not the whole registry.
    `memo`: the last run's flows, given back where their inputs are the same objects (FlowMemo).
    """
    signals = registry.by_uid()
    tree = _Tree(rules)
    flows: list[Flow] = []
    covered: set[str] = set()
    if memo is not None:
        memo.start()

    def classify(producer_id: str, producer: str, output: Output, key: str) -> Flow:
        if memo is None:
            return _classify(producer_id, producer, output, signals, tree, key)
        read = (rules, output, *(signals.get(uid) for uid in output.signals))
        make = partial(_classify, producer_id, producer, output, signals, tree, key)
        return memo.flow((producer_id, producer, key, id(output)), read, make)

    if inventory is not None:
        for producer in inventory.producers:
            for output in producer.outputs:
                covered.update(output.signals)
                if only is None or any(uid in only for uid in output.signals):
                    flows.append(classify(producer.id, producer.name, output, slug(output.name)))
        names = {p.id: p.name for p in inventory.producers}
        for artifact in inventory.internal if only is None else ():
            owner = artifact.job or slug(artifact.producer_ref or "l7-internal")
            key = f"{artifact.category}-{slug(artifact.name)}"
            flows.append(classify(owner, names.get(artifact.job, artifact.producer_ref), artifact, key))
    for signal in registry.signals:
        if signal.p_layer == "L7" and signal.uid not in covered and (only is None or signal.uid in only):
            if memo is None:
                flows.append(_classify_signal(signal, tree))
            else:
                flows.append(memo.flow(("row", id(signal)), (rules, signal), partial(_classify_signal, signal, tree)))
    return tuple(flows)


class _Tree:
    """The rules' decision tree as one classification asks it: each node's question and fail conditions
    looked up once, and the Decision and Check values shared between the thousands of flows that reach the
    same answer (they are frozen; most flows of a registry pass the same checks with the same words)."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self._nodes = {node.id: node for node in reversed(rules.decision_tree)}  # the first of an id leads
        self._decisions: dict[tuple[str, bool], Decision] = {}
        self._checks: dict[tuple[str, str, bool, str, int], Check] = {}
        self._slugs: dict[str, str] = {}  # a producer's: a registry names each one on many rows

    def decision(self, node: str, answer: bool) -> Decision:
        found = self._decisions.get((node, answer))
        if found is None:
            rule = self._nodes.get(node)
            question = rule.question if rule and rule.question else BUILT_IN_QUESTIONS[node]
            found = self._decisions[node, answer] = Decision(node, question, answer)
        return found

    def check(self, node: str, name: str, passed: bool, message: str, condition: int = 0) -> Check:
        key = (node, name, passed, message, condition)
        found = self._checks.get(key)
        if found is None:
            found = self._checks[key] = Check(node, name, passed, message, self._condition(node, condition))
        return found

    def slug(self, name: str) -> str:
        found = self._slugs.get(name)
        if found is None:
            found = self._slugs[name] = slug(name)
        return found

    def _condition(self, node: str, index: int) -> str:
        found: DecisionNode | None = self._nodes.get(node)
        if found is None or not found.fail_conditions:
            return ""
        return found.fail_conditions[min(index, len(found.fail_conditions) - 1)]


def _classify_signal(signal: Signal, tree: _Tree) -> Flow:
    producer = signal.producer or signal.uid
    output = Output(
        name=signal.name or signal.uid,
        kind=signal.get("form") or signal.get("output_artifact") or "signal",
        persistence=signal.persistence,
        signals=(signal.uid,),
        consumers=signal.consumers,
        flow=FlowKind.DIRECT,
        location=signal.location,
        hops=_hops(signal),
    )
    return _classify(tree.slug(producer), producer, output, {signal.uid: signal}, tree, slug(signal.uid))


_HOP = re.compile(r"L[1-8]")


def _hops(signal: Signal) -> tuple[str, ...]:
    written = signal.get("intermediary_hops")
    return tuple(_HOP.findall(written)) if written else ()


def _merged_consumers(output: Output, signals: list[Signal]) -> tuple[Consumer, ...]:
    seen: dict[str, Consumer] = {}
    for consumer in (*output.consumers, *(c for s in signals for c in s.consumers)):
        key = consumer.name.casefold()
        if key not in seen or (seen[key].layer is None and consumer.layer):
            seen[key] = consumer
    return tuple(seen.values())


def _layers(consumers: tuple[Consumer, ...], signals: list[Signal], rules: Rules) -> set[str]:
    layers = {c.layer for c in consumers if c.layer}
    for signal in signals:
        layers.update(signal.c_layers)
    if rules.l2_is_boundary:
        layers.discard("L2")
    return layers


def _read_through_l2(consumers: tuple[Consumer, ...], signals: list[Signal]) -> bool:
    return any(c.layer == "L2" for c in consumers) or any("L2" in s.c_layers for s in signals)


def _classify(
    producer_id: str, producer: str, output: Output, signals: Mapping[str, Signal], tree: _Tree, key: str
) -> Flow:
    rules = tree.rules
    linked = [signals[uid] for uid in output.signals if uid in signals]
    consumers = _merged_consumers(output, linked)
    layers = _layers(consumers, linked, rules)
    persistence = output.persistence or next((s.persistence for s in linked if s.persistence), None)
    path: list[Decision] = []

    def ask(node: str, answer: bool) -> None:
        path.append(tree.decision(node, answer))

    runtime = layers & RUNTIME_LAYERS
    # Read only through the L2 boundary: no layer is left once L2 is set aside, but that is not "only L7".
    boundary_only = not layers and rules.l2_is_boundary and _read_through_l2(consumers, linked)
    internal_only = layers <= {"L7"} and not boundary_only
    ask(Q1, internal_only)
    checks: tuple[Check, ...]
    if internal_only:
        klass = FlowClass.L7_L7
        checks = _q1_checks(tree, consumers)
    else:
        ask(Q2, bool(runtime))
        if runtime:
            both = "L7" in layers
            ask(Q3, both)
            klass = FlowClass.L7_BOTH if both else FlowClass.L7_L6
            runtime_consumers = tuple(c for c in consumers if c.layer in RUNTIME_LAYERS)
            checks = (
                _q3_checks(tree, consumers, persistence, output, linked)
                if both
                else _q2_checks(tree, runtime_consumers, persistence, linked)
            )
        elif "L8" in layers:
            klass = FlowClass.L7_L8
            checks = (tree.check(Q1, "consumer_named", bool(consumers), "a monitoring consumer is named"),)
        else:
            klass = FlowClass.UNCLASSIFIED
            checks = (Check(Q1, "boundary_only", False, "read only through the L2 boundary, which is not a consumer"),)
    status = _status(klass, checks, registered=bool(linked))
    return Flow(
        id=f"{producer_id}/{key}",
        producer_id=producer_id,
        producer=producer,
        output=output.name,
        kind=output.kind,
        signals=output.signals,
        consumers=consumers,
        persistence=persistence,
        flow_kind=output.flow,
        klass=klass,
        category=(output.category or _category_of(output.kind)) if klass is FlowClass.L7_L7 else "",
        decision=tuple(path),
        checks=checks,
        status=status,
        location=output.location,
        writer=output.producer_ref,
        note=output.note,
    )


def _category_of(kind: str) -> str:
    return kind if kind in ("lock", "marker", "checkpoint", "service", "table") else "other"


def _status(klass: FlowClass, checks: tuple[Check, ...], *, registered: bool) -> FlowStatus:
    """`registered`: the output is a signal the registry defines (naming an undefined SIG id is not enough)."""
    failed = [c for c in checks if not c.passed]
    if any(c.name == "orphan" for c in failed):
        return FlowStatus.ORPHAN
    if failed:
        return FlowStatus.FAILING
    if klass in _REACHES_L6 and not registered:
        return FlowStatus.UNREGISTERED
    return FlowStatus.VERIFIED if klass in _REACHES_L6 else FlowStatus.VALID


def _q1_checks(tree: _Tree, consumers: tuple[Consumer, ...]) -> tuple[Check, ...]:
    return (
        tree.check(
            Q1,
            "orphan",
            bool(consumers),
            "has a consumer" if consumers else "no consumer and no consumer layer: an orphaned operational output",
        ),
    )


def _persistence_ok(persistence: Persistence | None) -> tuple[bool | None, str]:
    if persistence is None:
        return None, "no persistence is recorded"
    if persistence.unknown:
        return None, "persistence is UNKNOWN"
    if persistence.is_none:
        return False, "persistence is none"
    if not persistence.durable:
        return False, f"persistence is {persistence.text!r}, which does not survive a restart"
    return True, f"persists to {persistence.text}"


def _q2_checks(
    tree: _Tree, runtime_consumers: tuple[Consumer, ...], persistence: Persistence | None, linked: list[Signal]
) -> tuple[Check, ...]:
    named = [c for c in runtime_consumers if c.name and c.name not in (NONE, UNKNOWN)]
    unverified = [s.uid for s in linked if (s.get("verified_path") or "").upper() in ("NO", "PARTIAL")]
    stored, why = _persistence_ok(persistence)
    return (
        tree.check(
            Q2,
            "consumer_missing",
            bool(named),
            f"consumed by {', '.join(c.name for c in named)}"
            if named
            else "an L6/L5/L4 layer is named but no consumer",
            0,
        ),
        tree.check(
            Q2,
            "not_implemented",
            not unverified,
            f"verified path is NO or PARTIAL for {', '.join(unverified)}" if unverified else "no unverified path",
            1,
        ),
        tree.check(Q2, "persistence_missing", stored is not False, why, 0),
    )


def _q3_checks(
    tree: _Tree,
    consumers: tuple[Consumer, ...],
    persistence: Persistence | None,
    output: Output,
    linked: list[Signal],
) -> tuple[Check, ...]:
    l7 = [c.name for c in consumers if c.layer == "L7"]
    runtime = [c.name for c in consumers if c.layer in RUNTIME_LAYERS]
    stored, why = _persistence_ok(persistence)
    hops = output.hops or tuple(h for s in linked for h in _hops(s))
    return (
        tree.check(Q3, "persistence", stored is True, why),
        tree.check(
            Q3,
            "dual_consumers",
            bool(l7 and runtime),
            f"L7: {', '.join(l7) or 'none'}; L6/L5/L4: {', '.join(runtime) or 'none'}",
        ),
        tree.check(
            Q3,
            "explicit_hops",
            bool(hops),
            f"hops {'→'.join(hops)}" if hops else "no intermediary hops recorded",
        ),
    )
