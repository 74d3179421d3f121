#!/usr/bin/env python3
# Layer: L7 — Ops & Scheduling
# Temporal:
#   Trigger: costsim-canary.timer (daily)
# Role: Run the CostSim canary, write its report and the circuit-breaker state (SIG-015, SIG-016)

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.costsim import CostSimulator
from app.db import AsyncSessionLocal
from sqlalchemy import text

REPORT_DIR = Path(__file__).resolve().parent / "reports"


@dataclass
class CanaryReport:
    started_at: str
    passed: bool
    drift_pct: float
    samples: int


UPSERT_CB_STATE = text(
    """
    INSERT INTO costsim_cb_state (name, state, reason, updated_at)
    VALUES ('costsim', :state, :reason, now())
    ON CONFLICT (name) DO UPDATE SET state = EXCLUDED.state, reason = EXCLUDED.reason, updated_at = now()
    """
)


async def run_canary(samples: int = 200, max_drift_pct: float = 5.0) -> CanaryReport:
    simulator = CostSimulator()
    drift = await simulator.compare_with_production(samples)
    report = CanaryReport(datetime.now(UTC).isoformat(), drift <= max_drift_pct, drift, samples)

    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    partial = REPORT_DIR / "latest_report.json.partial"
    with open(partial, "w") as fh:
        json.dump(asdict(report), fh, indent=2)
    partial.replace(REPORT_DIR / "latest_report.json")

    async with AsyncSessionLocal() as session:
        state = "closed" if report.passed else "open"
        await session.execute(UPSERT_CB_STATE, {"state": state, "reason": f"canary drift {drift:.2f}%"})
        await session.commit()
    return report


if __name__ == "__main__":
    asyncio.run(run_canary())
