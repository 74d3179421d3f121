"""Golden DOT text for the embedded registry: diagrams change only on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest

from layerflow.adapters.application import load_and_analyse
from layerflow.adapters.load import Sources
from layerflow.model import Analysis
from layerflow.model.summary import producer_ids
from layerflow.render import dot


@pytest.fixture(scope="module")
def analysis(root: Path) -> Analysis:
    result, problems = load_and_analyse(Sources(base=str(root / "registry")))
    assert result is not None, problems
    return result


def test_overview_and_tree(analysis: Analysis, golden) -> None:  # type: ignore[no-untyped-def]
    golden("dot/overview.dot", dot.layer_overview(analysis))
    golden("dot/decision-tree.dot", dot.decision_tree(analysis))


def test_each_producer_graph(analysis: Analysis, golden) -> None:  # type: ignore[no-untyped-def]
    ids = producer_ids(analysis)
    assert len(ids) == 8
    for producer_id in ids:
        golden(f"dot/producer-{producer_id}.dot", dot.producer_graph(analysis, producer_id))


def test_highlighted_path_is_bold(analysis: Analysis) -> None:
    mine = [f for f in analysis.flows if f.producer_id == "graduation-evaluator"]
    text = dot.decision_tree(analysis, mine)
    taken = [line for line in text.splitlines() if "lf-taken" in line]
    assert len(taken) == 3  # Q1 no, Q2 yes, Q3 no
    assert all('penwidth="3"' in line for line in taken)


def test_hostile_names_are_quoted(analysis: Analysis) -> None:
    from dataclasses import replace

    flow = analysis.flows[0]
    evil = replace(flow, producer='x"; evil [URL="javascript:alert(1)"]; \\N {', output="<script>]")
    hostile = replace(analysis, flows=(evil,))
    text = dot.producer_graph(hostile, flow.producer_id)
    assert 'label="x\\"; evil [URL=\\"javascript:alert(1)\\"]; \\\\N {"' in text
    assert "\n  evil" not in text
