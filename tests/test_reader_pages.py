"""Stores, rules and layer-matrix pages of the embedded registry: every count is of what the page lists."""

from __future__ import annotations

import re

import pytest

from layerflow.adapters.application import load_and_analyse
from layerflow.adapters.load import Sources
from layerflow.adapters.site_files import render_site
from layerflow.model import Analysis
from layerflow.render.pages.stores import stores_of
from layerflow.render.site import build_site

CODE = ("registry/example",)
OPS = ("registry/example/scripts/ops/systemd",)


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    found, problems = load_and_analyse(Sources(base="registry", code=CODE, ops=OPS))
    assert found is not None, problems
    return found


def test_a_store_page_answers_who_writes_and_who_reads(analysis: Analysis) -> None:
    site = render_site(analysis, {})  # as the plugin makes it: with the code files' pages to link to
    page = site.pages["stores/postgresql-cost-snapshots.md"]
    assert page.startswith("---\nsearch:\n  boost: 8\n---\n\n# cost\\_snapshots (PostgreSQL)")
    assert "**Read by:** cost\\_anomaly\\_detector.py (L4)" in page
    assert "[Cost Snapshot Job](../producers/cost-snapshot-job.md)" in page
    assert page.count("cost\\_snapshots.py:") == 3, "the three write sites the code has"
    assert "](../source/registry/example/backend/app/integrations/cost_snapshots.py.md#L37)" in page


def test_the_stores_index_counts_what_each_store_page_lists(analysis: Analysis) -> None:
    stores = stores_of(analysis)
    site = build_site(analysis, lambda text: text)
    index = site.pages["stores/index.md"]
    assert f"{len(stores)} tables, keys, files and metrics" in index
    for facts in stores:
        page = site.pages[f"stores/{facts.slug}.md"]
        signals = page.split("## Signals kept here", 1)[1].split("## L7 outputs", 1)[0]
        assert len(re.findall(r"^\| \[SIG-", signals, re.MULTILINE)) == len(facts.signals)
        assert f"| {len(facts.signals)} | {len(facts.outputs)} | {len(facts.writes)} | {len(facts.readers)} |" in index


def test_the_layer_matrix_counts_link_to_the_signals_behind_them(analysis: Analysis) -> None:
    page = build_site(analysis, lambda text: text).pages["layers.md"]
    cells = re.findall(r"\[(\d+)\]\(#([a-z0-9-]+)\)", page)
    assert cells
    for count, anchor in cells:
        producer, consumer = anchor.split("-to-")
        section = page.split(f"## {producer.upper()} to {consumer.upper().replace('UNKNOWN', 'unknown')}\n", 1)[1]
        listed = section.split("\n## ", 1)[0]
        assert len(re.findall(r"\[SIG-\d+\]", listed)) == int(count), anchor
    assert "L7 (allowed)" in page and "L2 (boundary)" in page, "the rules' layer constraints are marked"


def test_the_rules_page_counts_each_gate(analysis: Analysis) -> None:
    page = build_site(analysis, lambda text: text).pages["rules.md"]
    for gate in analysis.gates:
        row = next(
            line for line in page.splitlines() if line.startswith(f"| {gate.rule.replace('_', chr(92) + '_')} |")
        )
        if gate.machine_checkable:
            assert f"| {len(gate.matched)} | {len(gate.undecided)} |" in row
    assert "## Decision tree, constraints and notes" in page


def test_home_report_signal_and_producer_pages_link_to_them(analysis: Analysis) -> None:
    site = build_site(analysis, lambda text: text)
    home = site.pages["index.md"]
    assert "(stores/index.md)" in home and "(rules.md)" in home and "(layers.md)" in home
    report = site.pages["report.md"]
    assert "(rules.md)" in report and "(layers.md)" in report and "(stores/index.md)" in report
    assert "(../stores/postgresql-cost-records.md)" in site.pages["signals/sig-010.md"]
    assert "(../stores/postgresql-cost-snapshots.md)" in site.pages["producers/cost-snapshot-job.md"]
