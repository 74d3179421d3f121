# Layer: L6 — Platform Substrate
# Role: ORM models for M25 graduation state

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class GraduationHistory(Base):
    """One evaluation of one capability: append-only."""

    __tablename__ = "graduation_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    capability: Mapped[str] = mapped_column(String(64))
    level: Mapped[int] = mapped_column(Integer)
    evaluated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class GraduationStatus(Base):
    """The current level of each capability; read by capability gating."""

    __tablename__ = "m25_graduation_status"

    capability: Mapped[str] = mapped_column(String(64), primary_key=True)
    level: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CapabilityLockout(Base):
    """A capability held back until it graduates; L6 feature gating reads this."""

    __tablename__ = "capability_lockouts"

    capability: Mapped[str] = mapped_column(String(64), primary_key=True)
    locked: Mapped[bool] = mapped_column(Boolean, default=True)
    reason: Mapped[str] = mapped_column(String(256))
