#!/usr/bin/env python3
# Layer: L7 — Ops & Scheduling
# Temporal:
#   Trigger: m10-daily-stats.timer (daily 00:05 UTC, Persistent=true)
# Role: Append yesterday's M10 recovery stats to the month's CSV and mark the day processed

from __future__ import annotations

import csv
import os
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import create_engine, text

STATS_DIR = os.environ.get("M10_STATS_DIR", "/var/log/m10")

DAILY_STATS = text(
    """
    SELECT count(*) FILTER (WHERE processed_at IS NOT NULL) AS processed,
           count(*) FILTER (WHERE processed_at IS NULL) AS pending
    FROM m10_recovery.outbox
    WHERE created_at::date = :day
    """
)


def export(day: date) -> str:
    engine = create_engine(os.environ["DATABASE_URL"])
    with engine.connect() as conn:
        processed, pending = conn.execute(DAILY_STATS, {"day": day}).one()
    csv_path = os.path.join(STATS_DIR, f"m10_stats_{day:%Y-%m}.csv")
    new_file = not os.path.exists(csv_path)
    with open(csv_path, "a", newline="") as fh:
        writer = csv.writer(fh)
        if new_file:
            writer.writerow(["day", "processed", "pending"])
        writer.writerow([day.isoformat(), processed, pending])
    marker = f"{csv_path}.{day:%d}.processed"
    tmp = marker + ".tmp"
    with open(tmp, "w") as fh:
        fh.write(datetime.now(UTC).isoformat())
    os.rename(tmp, marker)
    return csv_path


if __name__ == "__main__":
    export(datetime.now(UTC).date() - timedelta(days=1))
