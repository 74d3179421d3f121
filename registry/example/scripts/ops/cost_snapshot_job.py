#!/usr/bin/env python3
# Layer: L7 — Ops & Scheduling
# Temporal:
#   Trigger: systemd timer (hourly at :05, daily at 00:30 UTC)
# Role: Create and compute cost snapshots, then run anomaly detection

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime, timedelta

from app.db import AsyncSessionLocal
from app.integrations.cost_snapshots import compute_snapshot, create_snapshot
from app.services.cost_anomaly_detector import CostAnomalyDetector

PERIODS = {"hourly": timedelta(hours=1), "daily": timedelta(days=1)}


async def main(mode: str) -> None:
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start = end - PERIODS[mode]
    async with AsyncSessionLocal() as session:
        snapshot_id = await create_snapshot(session, "all", mode, start)
        await compute_snapshot(session, snapshot_id, start, end)
        await CostAnomalyDetector().detect(session, mode)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mode", choices=sorted(PERIODS), default="hourly")
    asyncio.run(main(parser.parse_args().mode))
