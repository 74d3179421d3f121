"""Flow diagrams as DOT text: pure, deterministic, every user string quoted by `dot_quote`.

Colours are set twice on purpose: as attributes, so a diagram reads on its
own, and as classes (`lf-*`), so the site's stylesheet can repaint it for the
theme's light and dark palettes. Links use the `@root@/` prefix, which the
site replaces per page with the path back to its root.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

from layerflow.model import Analysis, Consumer, Flow, FlowClass, FlowStatus, GapStatus, Signal
from layerflow.model.rules import BUILT_IN_QUESTIONS, NODE_IDS, Q1, Q2, Q3
from layerflow.model.summary import producer_ids
from layerflow.render.svg import dot_html_escape, dot_quote

ROOT = "@root@/"
LAYER_TITLES = {
    "L1": "L1",
    "L2": "L2 Product APIs",
    "L3": "L3 Boundary Adapters",
    "L4": "L4 Domain Engines",
    "L5": "L5 Execution & Workers",
    "L6": "L6 Platform Substrate",
    "L7": "L7 Ops & Scheduling",
    "L8": "L8 Catalyst / Meta",
}
_EDGE_STYLE = {
    FlowStatus.VERIFIED: ("#2e7d32", "lf-ok"),
    FlowStatus.VALID: ("#2e7d32", "lf-ok"),
    FlowStatus.UNREGISTERED: ("#c62828", "lf-gap"),
    FlowStatus.FAILING: ("#c62828", "lf-gap"),
    FlowStatus.ORPHAN: ("#c62828", "lf-gap"),
}
_HEADER = [
    "  graph [fontname=Helvetica, fontsize=11, bgcolor=transparent, nodesep=0.25, ranksep=0.6];",
    '  node [fontname=Helvetica, fontsize=10, shape=box, style="rounded,filled", fillcolor="#ffffff", '
    'color="#607d8b"];',
    '  edge [fontname=Helvetica, fontsize=9, color="#607d8b"];',
]


def _attrs(**values: str) -> str:
    return ", ".join(f"{key}={dot_quote(value)}" for key, value in sorted(values.items()) if value)


def _node(node_id: str, label: str, css: str, url: str = "", tooltip: str = "", **extra: str) -> str:
    return (
        f"  {dot_quote(node_id)} [{_attrs(label=label, URL=url, tooltip=tooltip or label, **{'class': css}, **extra)}];"
    )


def _edge(a: str, b: str, css: str, **extra: str) -> str:
    return f"  {dot_quote(a)} -> {dot_quote(b)} [{_attrs(**{'class': css}, **extra)}];"


def link(kind: str, key: str) -> str:
    """A root-relative link to an entity page (directory URLs; the site rewrites for others)."""
    return f"{ROOT}{kind}/{key.lower()}/"


def _layers_of(consumers: Iterable[Consumer]) -> list[str]:
    return sorted({c.layer or "?" for c in consumers})


def _html_attr(text: str) -> str:
    return html.escape(" ".join(text.split()), quote=True)


class _Lanes:
    """Consumers grouped by layer, one table-shaped node per layer, one row (port) per consumer.

    Lanes are HTML-like labels, not `subgraph cluster_*`: Graphviz breaks ties
    between sibling clusters by memory address, so clustered graphs come out
    differently when rendered in one batched `dot` process. Tables do not, so
    every diagram can share one process and still be byte-identical.
    """

    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = names
        self.rows: dict[str, dict[str, tuple[str, str]]] = {}  # layer -> consumer name -> (port, url)

    def port(self, consumer: Consumer) -> tuple[str, str]:
        """The (node, port) an edge to this consumer ends at."""
        layer = consumer.layer or "?"
        rows = self.rows.setdefault(layer, {})
        if consumer.name not in rows:
            url = link("signals", consumer.signal_ref) if consumer.signal_ref else ""
            rows[consumer.name] = (f"c{len(rows)}", url)
        return f"lane:{layer}", rows[consumer.name][0]

    def nodes(self) -> list[str]:
        out = []
        for layer in sorted(self.rows):
            title = self.names.get(layer, "layer unknown" if layer == "?" else layer)
            cells = [f'<TR><TD ALIGN="CENTER"><B>{dot_html_escape(title)}</B></TD></TR>']
            for name, (port, url) in self.rows[layer].items():
                href = f' HREF="{_html_attr(url)}" TITLE="{_html_attr(name)}"' if url else ""
                cells.append(f'<TR><TD PORT="{port}" ALIGN="LEFT"{href}>{dot_html_escape(name)}</TD></TR>')
            table = '<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4" STYLE="ROUNDED">'
            label = f"<{table}{''.join(cells)}</TABLE>>"
            css = f"lf-lane lf-lane-{layer if layer != '?' else 'unknown'}"
            lines = f"  {dot_quote('lane:' + layer)} [shape=plaintext, label={label}, class={dot_quote(css)}];"
            out.append(lines)
        return out


def _edge_to(a: str, target: tuple[str, str], css: str, **extra: str) -> str:
    node, port = target
    return f"  {dot_quote(a)} -> {dot_quote(node)}:{dot_quote(port)} [{_attrs(**{'class': css}, **extra)}];"


def producer_graph(analysis: Analysis, producer_id: str, names: Mapping[str, str] = LAYER_TITLES) -> str:
    """One producer: the job, its outputs, their signals, and the consumers in one lane per layer."""
    flows = list(analysis.flows_of(producer_id))
    name = flows[0].producer if flows else producer_id
    signals = analysis.inputs.registry.by_uid()
    nodes: list[str] = []
    edges: list[str] = []
    lanes = _Lanes(names)
    job = f"producer:{producer_id}"
    nodes.append(_node(job, name, "lf-producer", link("producers", producer_id), fillcolor="#e3f2fd"))
    for flow in flows:
        out = f"output:{flow.id}"
        color, css = _EDGE_STYLE.get(flow.status, ("#607d8b", "lf-edge"))
        kind = f"lf-output lf-{flow.klass} lf-status-{flow.status}"
        nodes.append(_node(out, flow.output, kind, shape="note", fillcolor="#fff8e1"))
        edges.append(_edge(job, out, "lf-write"))
        for uid in flow.signals:
            signal = signals.get(uid)
            label = f"{uid}\n{signal.name}" if signal else uid
            nodes.append(
                _node(f"signal:{uid}", label, "lf-signal", link("signals", uid), shape="ellipse", fillcolor="#f3e5f5")
            )
            edges.append(_edge(out, f"signal:{uid}", "lf-registers", style="dashed", arrowhead="none"))
        for consumer in flow.consumers:
            width = "2" if css == "lf-gap" else "1.2"
            edges.append(_edge_to(out, lanes.port(consumer), f"lf-flow {css}", color=color, penwidth=width))
    return _graph(f"producer {name}", nodes + lanes.nodes(), edges)


def signal_graph(
    analysis: Analysis, signal: Signal, flows: Iterable[Flow], names: Mapping[str, str] = LAYER_TITLES
) -> str:
    """One signal: who produces it (registry producer, inventory jobs), and its consumers by layer."""
    nodes: list[str] = []
    edges: list[str] = []
    lanes = _Lanes(names)
    sig = f"signal:{signal.uid}"
    nodes.append(
        _node(
            sig,
            f"{signal.uid}\n{signal.name}",
            "lf-signal",
            link("signals", signal.uid),
            shape="ellipse",
            fillcolor="#f3e5f5",
        )
    )
    producer = signal.producer or "producer unknown"
    nodes.append(_node(f"writer:{producer}", f"{producer}\n({signal.p_layer_written or 'layer unknown'})", "lf-writer"))
    edges.append(_edge(f"writer:{producer}", sig, "lf-write"))
    for flow in flows:
        job = f"producer:{flow.producer_id}"
        url = link("producers", flow.producer_id) if analysis.has_producer(flow.producer_id) else ""
        nodes.append(_node(job, flow.producer, "lf-producer", url, fillcolor="#e3f2fd"))
        color, css = _EDGE_STYLE.get(flow.status, ("#607d8b", "lf-edge"))
        edges.append(_edge(job, sig, f"lf-flow {css}", color=color, tooltip=flow.output))
    for consumer in signal.consumers:
        edges.append(_edge_to(sig, lanes.port(consumer), "lf-flow lf-consume"))
    return _graph(f"signal {signal.uid}", nodes + lanes.nodes(), edges)


def _graph(name: str, nodes: list[str], edges: list[str]) -> str:
    lines = [f"digraph {dot_quote(name)} {{", "  rankdir=LR;", *_HEADER]
    lines += list(dict.fromkeys(nodes))
    lines += list(dict.fromkeys(edges))
    lines.append("}")
    return "\n".join(lines) + "\n"


OVERVIEW_PRODUCERS = 60  # above this, producers are drawn as groups: dot's layout is superlinear in edges


_UNIT_KINDS = {".timer": "systemd timer", ".service": "systemd service", ".sh": "script", ".py": "script"}


def unit_kind(name: str) -> str:
    """What a job-less writer is, from its name: "systemd timer" for `x.timer`, else "unit"."""
    return next((kind for suffix, kind in _UNIT_KINDS.items() if name.endswith(suffix)), "unit")


def jobless_writers(analysis: Analysis) -> list[str]:
    """Writers of L7 outputs that are no producer (a bare timer, a script no inventory job owns), by name."""
    producers = set(producer_ids(analysis))
    return sorted({f.producer for f in analysis.flows if f.producer_id not in producers})


def layer_overview(analysis: Analysis, names: Mapping[str, str] = LAYER_TITLES) -> str:
    """Every L7 producer and where its outputs go, one lane per layer; gaps in red.

    Outputs of one producer that reach one layer the same way are drawn as one
    edge labelled with their count. With more than OVERVIEW_PRODUCERS producers
    (a 1,000-producer overview took dot two minutes and no one could read it),
    producers are drawn as two groups, with and without open gaps, linking to
    the producer index.
    """
    by_layer: dict[str, list[str]] = {"L7": []}
    counts: dict[tuple[str, str, str, str], list[str]] = {}
    open_gap_flows = {g.flow_id for g in analysis.gaps if g.status is GapStatus.OPEN}
    has_page = set(producer_ids(analysis))
    grouped = len({f.producer_id for f in analysis.flows}) > OVERVIEW_PRODUCERS
    with_gaps = {f.producer_id for f in analysis.flows if f.id in open_gap_flows}
    members: dict[str, set[str]] = {}
    for flow in analysis.flows:
        if grouped:
            job = "group:gaps" if flow.producer_id in with_gaps else "group:clean"
            members.setdefault(job, set()).add(flow.producer_id)
        else:
            job = f"producer:{flow.producer_id}"
            if flow.producer_id in has_page:
                by_layer["L7"].append(_node(job, flow.producer, "lf-producer", link("producers", flow.producer_id)))
            else:  # a unit or script that writes without an inventory job: no producer, and not drawn as one
                label = f"{flow.producer}\n({unit_kind(flow.producer)}, no inventory job)"
                by_layer["L7"].append(_node(job, label, "lf-unit", style="rounded,dashed,filled"))
        targets = _layers_of(c for c in flow.consumers if c.layer != "L7") or (["L7"] if flow.consumers else [])
        gap = flow.id in open_gap_flows
        color, css = ("#c62828", "lf-gap") if gap else _EDGE_STYLE.get(flow.status, ("#607d8b", "lf-edge"))
        for layer in targets:
            lane = f"lane:{layer}"
            by_layer.setdefault(layer, []).append(
                _node(lane, names.get(layer, "layer unknown"), "lf-layer", shape="box3d", fillcolor="#eceff1")
            )
            kind = f"lf-flow {css}" if grouped else f"lf-flow {css} lf-{flow.klass}"
            counts.setdefault((job, lane, kind, color), []).append(flow.output)
    for job, ids in sorted(members.items()):
        which = "with open gaps" if job == "group:gaps" else "without open gaps"
        by_layer["L7"].append(_node(job, f"{len(ids)} L7 producers\n{which}", "lf-producer", f"{ROOT}producers/"))
    edges = [
        _edge(
            job,
            lane,
            css,
            color=color,
            tooltip=_summary(outputs),
            label=str(len(outputs)) if len(outputs) > 1 else "",
        )
        for (job, lane, css, color), outputs in counts.items()
    ]
    lanes = [line for layer in sorted(by_layer) for line in by_layer[layer]]
    return _graph("layer overview", lanes, edges)


def _summary(outputs: list[str], limit: int = 8) -> str:
    shown = ", ".join(outputs[:limit])
    return shown + (f" … and {len(outputs) - limit} more" if len(outputs) > limit else "")


_OUTCOMES = {  # the tree diagram's outcome boxes: FLOW_CLASS_TITLES, broken to fit
    FlowClass.L7_L7: "L7→L7\ninternal-only",
    FlowClass.L7_L6: "L7→L6",
    FlowClass.L7_BOTH: "L7→L6 and L7",
    FlowClass.L7_L8: "L7→L8\nmonitoring",
    FlowClass.UNCLASSIFIED: "unclassified\n(L2 boundary only)",
}


_BRANCHES = (
    (Q1, True, "out:l7_l7"),
    (Q1, False, Q2),
    (Q2, True, Q3),
    (Q2, False, "out:l7_l8"),
    (Q3, True, "out:l7_both"),
    (Q3, False, "out:l7_l6"),
)


def tree_counts(flows: Iterable[Flow]) -> dict[str, int]:
    """How many flows reached each outcome ("l7_l6") and took each branch ("q1_l7_only:yes")."""
    counts: dict[str, int] = {}
    for flow in flows:
        counts[flow.klass] = counts.get(flow.klass, 0) + 1
        for step in flow.decision:
            key = f"{step.node}:{'yes' if step.answer else 'no'}"
            counts[key] = counts.get(key, 0) + 1
    return counts


def decision_tree(analysis: Analysis, highlight: Iterable[Flow] = (), counts: Mapping[str, int] | None = None) -> str:
    """The rules' three questions with how many outputs took each branch; `highlight` flows in bold.

    Pass `counts` (from `tree_counts`) when drawing many trees over one analysis.
    """
    rules = analysis.inputs.rules
    totals = counts if counts is not None else tree_counts(analysis.flows)
    taken_by_mine = tree_counts(highlight)
    lines = ['digraph "decision tree" {', "  rankdir=TB;", *_HEADER]
    for index, node_id in enumerate(NODE_IDS, 1):
        node = rules.node(node_id)
        question = node.question if node and node.question else BUILT_IN_QUESTIONS[node_id]
        lines.append(_node(node_id, f"Q{index}: {question}", "lf-question", shape="diamond", fillcolor="#e3f2fd"))
    for klass, label in _OUTCOMES.items():
        lines.append(
            _node(f"out:{klass}", f"{label}\n({totals.get(klass, 0)})", f"lf-outcome lf-{klass}", fillcolor="#f1f8e9")
        )
    for node_id, answer, target in _BRANCHES:
        key = f"{node_id}:{'yes' if answer else 'no'}"
        mine = taken_by_mine.get(key, 0) > 0
        css = "lf-branch lf-taken" if mine else "lf-branch"
        extra = {"penwidth": "3", "color": "#1565c0"} if mine else {}
        label = f"{'yes' if answer else 'no'} ({totals.get(key, 0)})"
        lines.append(_edge(node_id, target, css, label=label, **extra))
    lines.append(_edge("out:l7_l8", "out:unclassified", "lf-branch", style="invis"))
    lines.append("}")
    return "\n".join(lines) + "\n"
