#!/usr/bin/env bash
# Layer: L7 — Ops & Scheduling
# Trigger: r2-fallback-retry.timer (interval configurable, default 10min)
# Role: Retry R2 uploads that fell back to local disk; one run at a time.
set -euo pipefail

STATE_DIR="${R2_FALLBACK_DIR:-/opt/agenticverz/state/fallback-uploads}"
LOCK_FILE="/run/lock/r2-fallback-retry.lock"

exec 9>"$LOCK_FILE"
flock -n 9 || { echo "another retry is running"; exit 0; }

cd /opt/agenticverz/backend
/opt/agenticverz/.venv/bin/python -c 'from app.jobs.storage import retry_local_fallback; print(retry_local_fallback())'

# Clean markers older than a week: the .uploaded files say the upload happened.
find "$STATE_DIR" -name '*.uploaded' -mtime +7 -delete
