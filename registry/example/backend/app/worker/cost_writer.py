# Layer: L5 — Execution & Workers
# Role: Write one cost record per billed step (SIG-010 CostRecord)

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def record_cost(session: AsyncSession, run_id: str, tenant_id: str, cents: int) -> None:
    await session.execute(
        text("INSERT INTO cost_records (run_id, tenant_id, cents, at) VALUES (:run_id, :tenant, :cents, now())"),
        {"run_id": run_id, "tenant": tenant_id, "cents": cents},
    )
