# Layer: L4 — Domain Engines
# Role: Decide whether a run has exceeded its budget (SIG-004 BudgetExceeded); keeps nothing

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BudgetExceeded:
    run_id: str
    spent_cents: int
    limit_cents: int


def check_budget(run_id: str, spent_cents: int, limit_cents: int) -> BudgetExceeded | None:
    return BudgetExceeded(run_id, spent_cents, limit_cents) if spent_cents > limit_cents else None
