"""Counts, each computed from the rows it summarises."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from layerflow.model.inputs import FlowKind
from layerflow.model.results import Analysis, Flow, FlowClass, FlowStatus, GapStatus, Severity

CATEGORY_TITLES = {
    "lock": "Distributed locks",
    "marker": "Marker files",
    "checkpoint": "Checkpoint files",
    "service": "Systemd services",
    "table": "L7-private DB tables",
    "other": "Other internal artifacts",
}


@dataclass(frozen=True, slots=True)
class Summary:
    signals: int
    l7_producers: int
    l7_l6: int
    l7_l6_verified: int
    l7_l6_deferred: int
    l7_l7: int
    l7_l8: int
    l7_both: int
    unclassified: int
    categories: tuple[tuple[str, int], ...]
    gaps_total: int
    gaps_open: int
    gaps_resolved: int
    gaps_by_priority: tuple[tuple[str, int, int], ...]  # priority, open, resolved
    blocking: int
    warnings: int
    infos: int
    exit_code: int

    def as_json(self) -> dict[str, object]:
        return {
            "signals": self.signals,
            "l7_producers": self.l7_producers,
            "flows": {
                "l7_l6": self.l7_l6,
                "l7_l6_verified": self.l7_l6_verified,
                "l7_l6_deferred": self.l7_l6_deferred,
                "l7_l7": self.l7_l7,
                "l7_l8": self.l7_l8,
                "l7_both": self.l7_both,
                "unclassified": self.unclassified,
                "l7_l7_by_category": dict(self.categories),
            },
            "gaps": {"total": self.gaps_total, "open": self.gaps_open, "resolved": self.gaps_resolved},
            "findings": {"blocking": self.blocking, "warning": self.warnings, "info": self.infos},
            "exit_code": self.exit_code,
        }


def is_direct_l6(flow: Flow) -> bool:
    return flow.klass is FlowClass.L7_L6 and flow.flow_kind is FlowKind.DIRECT


def is_deferred_l6(flow: Flow) -> bool:
    return flow.klass is FlowClass.L7_L6 and flow.flow_kind is FlowKind.DEFERRED


def producer_ids(analysis: Analysis) -> list[str]:
    """L7 producers: the inventory's, then the producers of L7 registry rows no job covers (`Analysis.producer_ids`,
    worked out once per analysis).

    Internal artifacts without a job (a bare timer, a script) are not producers.
    """
    return list(analysis.producer_ids())


def summarize(analysis: Analysis) -> Summary:
    flows = analysis.flows
    direct = [f for f in flows if is_direct_l6(f)]
    severities = Counter(f.severity for f in analysis.findings)
    categories = Counter(f.category for f in flows if f.klass is FlowClass.L7_L7)
    order = list(CATEGORY_TITLES)
    priorities = sorted({g.priority for g in analysis.gaps})
    return Summary(
        signals=len(analysis.inputs.registry.signals),
        l7_producers=len(producer_ids(analysis)),
        l7_l6=len(direct),
        l7_l6_verified=sum(1 for f in direct if f.status is FlowStatus.VERIFIED),
        l7_l6_deferred=sum(1 for f in flows if is_deferred_l6(f)),
        l7_l7=sum(1 for f in flows if f.klass is FlowClass.L7_L7),
        l7_l8=sum(1 for f in flows if f.klass is FlowClass.L7_L8),
        l7_both=sum(1 for f in flows if f.klass is FlowClass.L7_BOTH),
        unclassified=sum(1 for f in flows if f.klass is FlowClass.UNCLASSIFIED),
        categories=tuple(sorted(categories.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)),
        gaps_total=len(analysis.gaps),
        gaps_open=sum(1 for g in analysis.gaps if g.status is GapStatus.OPEN),
        gaps_resolved=sum(1 for g in analysis.gaps if g.status is GapStatus.RESOLVED),
        gaps_by_priority=tuple(
            (
                p,
                sum(1 for g in analysis.gaps if g.priority == p and g.status is GapStatus.OPEN),
                sum(1 for g in analysis.gaps if g.priority == p and g.status is GapStatus.RESOLVED),
            )
            for p in priorities
        ),
        blocking=severities[Severity.BLOCKING],
        warnings=severities[Severity.WARNING],
        infos=severities[Severity.INFO],
        exit_code=analysis.exit_code,
    )
