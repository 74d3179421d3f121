"""The `if_yes` expectations of the decision tree, checked on the signals whose flows took that branch.

`q1_l7_only: if_yes: {exposure: internal-only}` says every registered L7-only
output is internal. A signal whose column is absent, or says UNKNOWN, is
undecided and never a violation; a flow with no registry signal has nothing
to check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from layerflow.audit.subjects import SignalFields
from layerflow.model import (
    NONE,
    UNKNOWN,
    DecisionNode,
    Expectation,
    ExpectKind,
    Finding,
    Flow,
    Registry,
    Rules,
    Severity,
    Signal,
)
from layerflow.parse.rulevalues import norm_word, path_matches

_LAYER = re.compile(r"\bL[1-8]\b")


def expectation_findings(flows: Iterable[Flow], registry: Registry, rules: Rules) -> list[Finding]:
    """One warning per node, expectation and signal that breaks it, quoting the rule."""
    nodes = {n.id: n for n in rules.decision_tree if any(e.kind is not ExpectKind.PROSE for e in n.expectations)}
    if not nodes:
        return []
    signals = registry.by_uid()
    seen: set[tuple[str, str, str]] = set()
    found: list[Finding] = []
    for flow in flows:
        for node in (nodes[step.node] for step in flow.decision if step.answer and step.node in nodes):
            for signal in (signals[uid] for uid in flow.signals if uid in signals):
                found.extend(_broken(node, signal, seen))
    return found


def _broken(node: DecisionNode, signal: Signal, seen: set[tuple[str, str, str]]) -> list[Finding]:
    found: list[Finding] = []
    for expected in node.expectations:
        key = (node.id, expected.key, signal.uid)
        if key in seen:
            continue
        said = registry_says(expected, signal)
        if said is None:
            continue
        seen.add(key)
        found.append(
            Finding(
                f"{node.id}.expect.{expected.key}",
                Severity.WARNING,
                signal.uid,
                f"{signal.uid} {signal.name}: {node.id} expects {expected.key} {expected.text!r} "
                f"({expected.location}), the registry says {said}",
                signal.location,
                (signal.uid,),
            )
        )
    return found


def registry_says(expected: Expectation, signal: Signal) -> str | None:
    """What the registry says when it breaks the expectation (quoted, for the message); None when it does not."""
    if expected.kind is ExpectKind.PROSE:
        return None
    if expected.key == "exposure":
        return _exposure(expected, signal)
    if expected.key == "consumer_layer":
        return _consumer_layer(expected, signal)
    raw = signal.get(expected.key)
    if raw is None or raw == UNKNOWN:
        return None
    if expected.kind is ExpectKind.NONE:
        return None if raw == NONE else repr(raw)
    if raw == NONE:
        return "none"  # every other kind expects the cell to name something
    if expected.kind is ExpectKind.EQUALS:
        return None if raw.casefold() in (v.casefold() for v in expected.values) else repr(raw)
    if expected.kind is ExpectKind.PATH:
        return None if path_matches(expected.values, tuple(_LAYER.findall(raw))) else repr(raw)
    return None  # SOME: the cell names something


def _exposure(expected: Expectation, signal: Signal) -> str | None:
    value = SignalFields(signal).value("exposure")  # without an Exposure column: derived from the L2 API
    if not isinstance(value, str) or value in (NONE, UNKNOWN) or norm_word(value) in expected.values:
        return None
    if "exposure" in signal.fields:
        return repr(value)
    # An API cell tells exposed from internal-only, not direct from indirect: derived, it can
    # only contradict an expectation that the signal is internal-only.
    if "internal-only" not in expected.values:
        return None
    return f"{value!r} (from its L2 API {signal.get('l2_api')!r})"


def _consumer_layer(expected: Expectation, signal: Signal) -> str | None:
    if signal.get("c_layer") == UNKNOWN:
        return None
    layers = set(signal.c_layers)
    # No consumer layer at all is the orphan check's business; an absent column decides nothing.
    if not layers:
        return None
    wanted = set(expected.values)
    broken = {
        ExpectKind.NONE: bool(layers),
        ExpectKind.LAYERS: not layers & wanted,
        ExpectKind.ALL_LAYERS: not wanted <= layers,
    }.get(expected.kind, False)
    return repr(", ".join(sorted(layers))) if broken else None
