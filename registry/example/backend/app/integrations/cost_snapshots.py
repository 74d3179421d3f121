# Layer: L5 — Execution & Workers
# Temporal:
#   Trigger: cost-snapshot-hourly.timer (:05) and cost-snapshot-daily.timer (00:30 UTC)
# Role: Compute cost snapshots: PENDING -> COMPUTING -> COMPLETE

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

SNAPSHOT_PENDING = "PENDING"
SNAPSHOT_COMPUTING = "COMPUTING"
SNAPSHOT_COMPLETE = "COMPLETE"

CREATE_SNAPSHOT = text(
    """
    INSERT INTO cost_snapshots (id, tenant_id, period, period_start, status, created_at)
    VALUES (:id, :tenant_id, :period, :period_start, 'PENDING', now())
    """
)

MARK_STATUS_SQL = "UPDATE cost_snapshots SET status = :status, updated_at = now() WHERE id = :id"

TOTALS_SQL = """
    SELECT tenant_id, sum(cost_cents) AS total_cents
    FROM cost_records
    WHERE created_at >= :start AND created_at < :end
    GROUP BY tenant_id
"""


async def create_snapshot(session: AsyncSession, tenant_id: str, period: str, start: datetime) -> str:
    snapshot_id = str(uuid.uuid4())
    await session.execute(
        CREATE_SNAPSHOT, {"id": snapshot_id, "tenant_id": tenant_id, "period": period, "period_start": start}
    )
    return snapshot_id


async def compute_snapshot(session: AsyncSession, snapshot_id: str, start: datetime, end: datetime) -> int:
    await session.execute(text(MARK_STATUS_SQL), {"status": SNAPSHOT_COMPUTING, "id": snapshot_id})
    totals = (await session.execute(text(TOTALS_SQL), {"start": start, "end": end})).all()
    for tenant_id, total_cents in totals:
        await session.execute(
            text(
                "INSERT INTO cost_snapshot_lines (snapshot_id, tenant_id, total_cents) "
                "VALUES (:sid, :tid, :total)"
            ),
            {"sid": snapshot_id, "tid": tenant_id, "total": total_cents},
        )
    await session.execute(text(MARK_STATUS_SQL), {"status": SNAPSHOT_COMPLETE, "id": snapshot_id})
    await session.commit()
    return len(totals)
