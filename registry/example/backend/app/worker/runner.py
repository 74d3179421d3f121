# Layer: L5 — Execution & Workers
# Role: Run one agent run and record its start and end (SIG-001 RunStarted, SIG-002 RunCompleted)

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def start_run(session: AsyncSession, run_id: str, tenant_id: str) -> None:
    await session.execute(
        text("INSERT INTO runs (id, tenant_id, status, started_at) VALUES (:id, :tenant, 'RUNNING', now())"),
        {"id": run_id, "tenant": tenant_id},
    )
    await session.commit()


async def complete_run(session: AsyncSession, run_id: str, status: str) -> None:
    await session.execute(
        text("UPDATE runs SET status = :status, finished_at = now() WHERE id = :id"), {"id": run_id, "status": status}
    )
    await session.commit()
