"""What several pages share: where links start from, display titles, the producer link."""

from __future__ import annotations

from collections.abc import Collection

from layerflow.model import Analysis, Flow, Gap
from layerflow.model.labels import subject_label
from layerflow.render.escape import md
from layerflow.render.links import Links

ROOT_LINKS = Links(prefix="")  # pages at the docs root: index.md, report.md
ENTITY_LINKS = Links(prefix="../")  # pages one folder down: producers/x.md, signals/index.md
PRIORITY_ADMONITION = {"P1": "danger", "P2": "warning", "P3": "note"}


def producer_link(flow: Flow, known: Collection[str], links: Links) -> str:
    """The flow's producer, linked when it has a page."""
    if flow.producer_id in known:
        return links.link(flow.producer, links.producer(flow.producer_id))
    return md(flow.producer)


def gap_subject(analysis: Analysis, gap: Gap) -> str:
    """What a gap is about, with its signals: `SIG-100 GraduationStatus`, `Sweep Job (SIG-902 SweepMarker)`."""
    return subject_label(gap.subject, gap.signals, analysis.inputs.registry.by_uid())
