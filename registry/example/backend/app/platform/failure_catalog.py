# Layer: L6 — Platform Substrate
# Role: Keep the failure catalog: one entry per accepted failure pattern (SIG-207 FailureCatalogEntry)

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def add_entry(session: AsyncSession, signature: str, category: str) -> None:
    await session.execute(
        text("INSERT INTO failure_catalog (signature, category, created_at) VALUES (:s, :c, now())"),
        {"s": signature, "c": category},
    )
    await session.commit()
