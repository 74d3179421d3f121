"""The layer matrix: producer layer × consumer layer, each count linked to the signals behind it, with the
rules' layer constraints marked. Counted over the registry's signals (one per producer/consumer-layer pair)."""

from __future__ import annotations

from layerflow.model import LAYERS, Analysis, Signal
from layerflow.render.escape import md
from layerflow.render.links import Links
from layerflow.render.markup import table

UNKNOWN_LAYER = "?"


def _pairs(signals: tuple[Signal, ...]) -> dict[tuple[str, str], list[Signal]]:
    pairs: dict[tuple[str, str], list[Signal]] = {}
    for signal in signals:
        producer = signal.p_layer or UNKNOWN_LAYER
        for layer in sorted({c.layer or UNKNOWN_LAYER for c in signal.consumers}):
            pairs.setdefault((producer, layer), []).append(signal)
    return pairs


def _heading(producer: str, consumer: str) -> str:
    """A section heading whose slug (MkDocs' toc) is the cell's link target: "L5 to L6" -> #l5-to-l6."""
    return f"{producer} to {consumer}".replace(UNKNOWN_LAYER, "unknown")


def _anchor(producer: str, consumer: str) -> str:
    return _heading(producer, consumer).lower().replace(" ", "-")


def layers_page(analysis: Analysis, links: Links) -> str:
    rules = analysis.inputs.rules
    pairs = _pairs(analysis.inputs.registry.signals)
    shown = [layer for layer in (*LAYERS, UNKNOWN_LAYER) if any(layer in pair for pair in pairs)]
    constraints = {c.layer: c for c in rules.consumer_constraints}
    header = ["Producer ↓ / consumer →"]
    for layer in shown:
        c = constraints.get(layer)
        mark = " (not allowed)" if c and c.allowed is False else " (allowed)" if c and c.allowed else ""
        if layer == "L2" and rules.l2_is_boundary:
            mark = " (boundary)"
        header.append(f"{layer}{mark}")
    rows = []
    for producer in shown:
        cells = [f"**{producer}**"]
        for consumer in shown:
            found = pairs.get((producer, consumer), [])
            cells.append(f"[{len(found)}](#{_anchor(producer, consumer)})" if found else "")
        if any(cells[1:]):
            rows.append(cells)
    total = sum(len(v) for v in pairs.values())
    out = ["# Layer matrix", ""]
    out += [
        f"How {len(analysis.inputs.registry.signals)} signals flow between layers: each cell counts the signals a "
        f"layer produces that the column's layer consumes ({total} producer–consumer layer pairs). "
        "`?`: the registry does not say. Marked columns: the rules' layer constraints.",
        "",
    ]
    out += [*table(tuple(header), rows), ""]
    for (producer, consumer), found in sorted(pairs.items()):
        out += [f"## {_heading(producer, consumer)}", ""]
        out.append(", ".join(f"{links.link(s.uid, links.signal(s.uid))} {md(s.name)}" for s in found))
        out.append("")
    return "\n".join(out) + "\n"
