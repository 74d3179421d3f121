# Layer: L4 — Domain Engines
# Temporal:
#   Trigger: called after each cost snapshot completes
# Role: Detect cost anomalies from COMPLETE snapshots only (SIG-011)

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# Reads only: "SELECT ... FOR UPDATE" locks rows but writes nothing, and the
# word UPDATE inside it must not make this a write.
COMPLETE_SNAPSHOTS = text(
    """
    SELECT s.id, l.tenant_id, l.total_cents
    FROM cost_snapshots s JOIN cost_snapshot_lines l ON l.snapshot_id = s.id
    WHERE s.status = 'COMPLETE' AND s.period = :period
    ORDER BY s.period_start DESC
    LIMIT 48
    FOR UPDATE OF s SKIP LOCKED
    """
)


@dataclass(frozen=True)
class Anomaly:
    tenant_id: str
    snapshot_id: str
    ratio: float


class CostAnomalyDetector:
    def __init__(self, threshold: float = 2.5) -> None:
        self.threshold = threshold

    async def detect(self, session: AsyncSession, period: str = "hourly") -> list[Anomaly]:
        rows = (await session.execute(COMPLETE_SNAPSHOTS, {"period": period})).all()
        anomalies = self._compare(rows)
        for anomaly in anomalies:
            await session.execute(
                text(
                    "INSERT INTO cost_anomalies (tenant_id, snapshot_id, ratio, detected_at) "
                    "VALUES (:tenant_id, :snapshot_id, :ratio, now())"
                ),
                {"tenant_id": anomaly.tenant_id, "snapshot_id": anomaly.snapshot_id, "ratio": anomaly.ratio},
            )
        await session.commit()
        return anomalies

    def _compare(self, rows: list) -> list[Anomaly]:
        by_tenant: dict[str, list[tuple[str, int]]] = {}
        for snapshot_id, tenant_id, total in rows:
            by_tenant.setdefault(tenant_id, []).append((snapshot_id, total))
        found = []
        for tenant_id, series in by_tenant.items():
            latest_id, latest = series[0]
            baseline = sum(t for _, t in series[1:]) / max(len(series) - 1, 1)
            if baseline and latest / baseline >= self.threshold:
                found.append(Anomaly(tenant_id, latest_id, latest / baseline))
        return found
