#!/usr/bin/env python3
# Layer: L7 — Ops & Scheduling
# Temporal:
#   Trigger: failure-aggregation.timer (daily 02:00 UTC)
# Role: Run the failure aggregation job defined in backend/app/jobs

from __future__ import annotations

import sys

from app.jobs.failure_aggregation import run_failure_aggregation

if __name__ == "__main__":
    report = run_failure_aggregation()
    sys.exit(0 if report["candidates"] is not None else 1)
