# Layer: L4 — Domain Engines
# Role: Report a tenant's budget status (SIG-012 CostBudgetStatus); where it persists is still being researched

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

SPENT = text("SELECT coalesce(sum(cents), 0) FROM cost_records WHERE tenant_id = :tenant")


async def budget_status(session: AsyncSession, tenant_id: str, limit_cents: int) -> dict[str, int]:
    spent = (await session.execute(SPENT, {"tenant": tenant_id})).scalar_one()
    return {"spent_cents": spent, "limit_cents": limit_cents, "remaining_cents": max(limit_cents - spent, 0)}
