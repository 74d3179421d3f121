"""Layer cells: sub-layers read as their layer, numbers that are no layer are located warnings.

`L2a` / `L7b` are what teams write for parts of a layer: the analysis reads the
layer (L2 / L7), pages show what was written. `L9`, `L0`, `L10` are no layer:
each is a warning at its row that names the signal, never a row that quietly
drops out of the L7 analysis.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from layerflow.adapters.cli import main
from layerflow.model import Level, Location
from layerflow.parse import cells
from layerflow.parse.registry import parse_registry
from layerflow.render.links import NO_LINKS
from layerflow.render.pages.signals import signals_index
from layerflow.render.report import consumers_text, render_report
from layerflow.render.site import build_site
from tests.test_fail_conditions import FLOW, RULES, audit, registry, registry_text, row


def warnings_of(text: str) -> list[tuple[Location, str, tuple[str, ...]]]:
    parsed = parse_registry([("reg.md", text)])
    assert all(p.level is Level.WARNING for p in parsed.problems)
    return [(p.location, p.message, p.signals) for p in parsed.problems]


# ----------------------------------------------------------- no layer at all


@pytest.mark.parametrize(
    ("cells_", "column", "token"),
    [
        ({"p_layer": "L9"}, "P-Layer", "L9"),
        ({"p_layer": "L0"}, "P-Layer", "L0"),
        ({"c_layer": "L10"}, "C-Layer", "L10"),
        ({"c_layer": "L6, L9"}, "C-Layer", "L9"),
    ],
)
def test_a_layer_outside_l1_to_l8_is_a_located_warning_naming_the_signal(
    cells_: dict[str, str], column: str, token: str
) -> None:
    found = warnings_of(registry_text(row("SIG-001"), row("SIG-002", **cells_)))
    assert len(found) == 1
    location, message, signals = found[0]
    assert location == Location("reg.md", 8)
    assert message.startswith(f"SIG-002: {column} {token!r} is not a layer (L1..L8)")
    assert signals == ("SIG-002",)


def test_a_consumer_suffix_outside_l1_to_l8_is_a_warning_and_no_layer() -> None:
    text = registry_text(row("SIG-001", consumer="runtime.py (L9), other.py (L6)", c_layer="—"))
    found = warnings_of(text)
    assert [(m, s) for _, m, s in found] == [
        ("SIG-001: consumer layer 'L9' in Consumer is not a layer (L1..L8); that consumer has no layer", ("SIG-001",))
    ]
    signal = parse_registry([("reg.md", text)]).value.by_uid()["SIG-001"]
    assert [(c.name, c.layer) for c in signal.consumers] == [("runtime.py", None), ("other.py", "L6")]


def test_an_x_layer_outside_l1_to_l8_is_a_warning() -> None:
    text = "| UID | Signal | P-Layer | X-Layer |\n|---|---|---|---|\n| SIG-001 | A | L7 | L0 |\n"
    ((location, message, _),) = warnings_of(text)
    assert location == Location("reg.md", 3)
    assert message.startswith("SIG-001: X-Layer 'L0' is not a layer (L1..L8)")


def test_words_that_merely_start_with_l_are_not_layers() -> None:
    assert cells.not_layers("L2API, L7bc, Level 9, l9") == ()
    assert cells.not_layers("L9 and L10, L9") == ("L9", "L10")


def test_l9_producer_layer_warns_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The row leaves the L7 analysis, and the CI log says so with its place and UID."""
    base = tmp_path / "registry"
    base.mkdir()
    (base / "reg.md").write_text(registry_text(row("SIG-001"), row("SIG-002", p_layer="L9")), encoding="utf-8")
    code = main(["check", "--base", str(base)])
    out = capsys.readouterr().out
    assert code == 1
    assert f"{base / 'reg.md'}:8: [input] SIG-002: P-Layer 'L9' is not a layer (L1..L8)" in out


# ----------------------------------------------------------- sub-layers


def test_sub_layers_read_as_their_layer() -> None:
    assert cells.layers_in("L2a, L6, L7b") == ("L2", "L6", "L7")
    assert cells.written_layers("L6a") == (("L6", "L6a"),)
    assert cells.not_layers("L2a, L7b") == ()


def test_a_flow_consumed_at_l6a_is_an_l7_to_l6_flow_shown_as_written() -> None:
    reg = registry(row("SIG-001", c_layer="L6a"))
    assert warnings_of(registry_text(row("SIG-001", c_layer="L6a"))) == []
    (consumer,) = reg.signals[0].consumers
    assert (consumer.layer, consumer.written_layer, consumer.shown_layer) == ("L6", "L6a", "L6a")
    analysis = audit(reg)
    (flow,) = analysis.flows
    assert (flow.id, flow.klass, flow.status) == (FLOW, "l7_l6", "verified")
    assert consumers_text(flow.consumers, NO_LINKS) == "runtime.py (L6a)"
    assert "| runtime.py (L6a) |" in render_report(analysis)
    page = build_site(analysis, lambda markdown: markdown).pages["signals/sig-001.md"]
    assert "| `c_layer` | L6a |" in page
    assert "| runtime.py | L6a |" in page


def test_a_consumer_suffix_l2a_is_the_l2_boundary() -> None:
    analysis = audit(registry(row("SIG-001", consumer="api.py (L2a)", c_layer="—")))
    (flow,) = analysis.flows
    assert flow.klass == "unclassified"  # read only through L2, which is a boundary, not a consumer


def test_a_producer_at_l7b_is_an_l7_row_for_the_tree_and_the_gates() -> None:
    reg = registry(row("SIG-001", p_layer="L7b", verified="NO"))
    signal = reg.signals[0]
    assert (signal.p_layer, signal.p_layer_written) == ("L7", "L7b")
    analysis = audit(reg, rules=RULES)
    assert [f.id for f in analysis.flows] == [FLOW]  # classified as an L7 output
    unverified = next(g for g in analysis.gates if g.rule == "L7_TO_L6_UNVERIFIED")  # p_layer=L7 AND ...
    assert unverified.matched == (("SIG-001", Location("reg.md", 7)),)
    assert "| L7b |" in signals_index(analysis)  # shown as written


@pytest.mark.parametrize(
    ("consumer", "c_layer", "layers"),
    [
        # SIG-207 of the embedded registry: one consumer names its layer, the cell says both.
        ("recovery_planner.py, integration.py (L2)", "L4, L2", ["L4", "L2"]),
        ("a.py (L2), b.py", "L2, L6", ["L2", "L6"]),
        ("a.py, b.py (L2), c.py", "L2, L6", ["L6", "L2", "L6"]),  # the one layer no consumer named, for both
        ("a.py, b.py (L2)", "", [None, "L2"]),  # the cell says nothing: unknown, as before
    ],
)
def test_consumers_without_their_own_layer_take_the_c_layer_cells(
    consumer: str, c_layer: str, layers: list[str | None]
) -> None:
    found, problem = cells.consumers(consumer, c_layer)
    assert [c.layer for c in found] == layers and problem is None


def test_consumers_the_c_layer_cannot_place_are_a_warning() -> None:
    found, problem = cells.consumers("a.py, b.py (L2), c.py", "L4, L5, L6, L2")
    assert [c.layer for c in found] == [None, "L2", None]
    assert problem is not None and "cannot tell the layer of a.py, c.py" in problem
