# Layer: L6 — Platform Substrate
# Role: Gate runtime features on graduation: lock and release capabilities (SIG-101 CapabilityLockout)

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def release(session: AsyncSession, capability: str) -> None:
    await session.execute(
        text("UPDATE capability_lockouts SET locked = false, reason = 'graduated' WHERE capability = :c"),
        {"c": capability},
    )
    await session.commit()
