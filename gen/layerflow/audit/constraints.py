"""`rules.layer_constraints`: a layer the rules do not allow as a consumer, named on each signal it reads."""

from __future__ import annotations

from layerflow.model import UNKNOWN, Finding, Registry, Rules, Severity


def constraint_findings(registry: Registry, rules: Rules) -> list[Finding]:
    """`layer-constraint.l7-as-consumer` (and l8, ...) per signal with such a consumer, when `allowed: false`."""
    forbidden = [c for c in rules.consumer_constraints if c.allowed is False]
    if not forbidden:
        return []
    found: list[Finding] = []
    for signal in registry.signals:
        if signal.get("c_layer") == UNKNOWN:
            continue
        layers = signal.c_layers  # computed per call: once per signal here
        for constraint in forbidden:
            if constraint.layer not in layers:
                continue
            names = [c.name for c in signal.consumers if c.layer == constraint.layer]
            by = f" by {', '.join(names)}" if names else ""
            said = f": {constraint.note!r}" if constraint.note else ""
            found.append(
                Finding(
                    f"layer-constraint.{constraint.layer.lower()}-as-consumer",
                    Severity.WARNING,
                    signal.uid,
                    f"{signal.uid} {signal.name}: consumed in {constraint.layer}{by}, but "
                    f"rules.layer_constraints.{constraint.key} says allowed: false ({constraint.location}){said}",
                    signal.location,
                    (signal.uid,),
                )
            )
    return found
