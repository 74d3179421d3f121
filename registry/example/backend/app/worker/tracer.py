# Layer: L5 — Execution & Workers
# Role: Record each step of a run as a trace row (SIG-003 StepTrace)

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

INSERT_STEP = text("INSERT INTO aos_traces (run_id, step, payload, at) VALUES (:run_id, :step, :payload, now())")


async def trace_step(session: AsyncSession, run_id: str, step: int, payload: str) -> None:
    await session.execute(INSERT_STEP, {"run_id": run_id, "step": step, "payload": payload})
