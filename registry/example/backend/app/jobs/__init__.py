# Layer: L5 — Execution & Workers
# Role: Job definitions for graduation, failure aggregation and storage retry
#
# STRUCTURAL NOTE (Phase 2):
# This module contains job definitions that are NOT currently scheduled.
# No scheduler is wired. These are either:
# - Future work (incomplete)
# - Dead code (to be removed in future phase)
#
# Actual scheduling is via systemd timers (scripts/ops/systemd/) and the
# scripts in scripts/ops/ that call these job functions.

from app.jobs.failure_aggregation import run_failure_aggregation
from app.jobs.graduation_evaluator import run_graduation_evaluation
from app.jobs.storage import retry_local_fallback

__all__ = ["retry_local_fallback", "run_failure_aggregation", "run_graduation_evaluation"]
