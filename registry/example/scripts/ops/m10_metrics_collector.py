#!/usr/bin/env python3
# Layer: L7 — Ops & Scheduling
# Temporal:
#   Trigger: m10-metrics-collector.timer (every 30 seconds)
# Role: Publish M10 recovery health as Prometheus gauges (SIG-110..SIG-113)

from __future__ import annotations

import os

import redis
from prometheus_client import CollectorRegistry, Gauge, push_to_gateway
from sqlalchemy import create_engine, text

registry = CollectorRegistry()
OUTBOX_PENDING = Gauge("m10_outbox_pending", "Outbox rows not yet processed", registry=registry)
DEAD_LETTERS = Gauge("m10_dead_letter_total", "Messages in the dead-letter stream", registry=registry)
LOCKS_HELD = Gauge("m10_locks_held", "Distributed locks currently held", ["lock"], registry=registry)
REPLAY_LAG = Gauge("m10_replay_lag_seconds", "Age of the oldest unprocessed outbox row", registry=registry)

engine = create_engine(os.environ["DATABASE_URL"])
redis_client = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))


def collect() -> None:
    with engine.connect() as conn:
        OUTBOX_PENDING.set(
            conn.execute(text("SELECT count(*) FROM m10_recovery.outbox WHERE processed_at IS NULL")).scalar()
        )
        lag = conn.execute(
            text("SELECT extract(epoch FROM now() - min(created_at)) FROM m10_recovery.outbox WHERE processed_at IS NULL")
        ).scalar()
        REPLAY_LAG.set(lag or 0)
        for lock_name, in conn.execute(text("SELECT lock_name FROM m10_recovery.distributed_locks")):
            LOCKS_HELD.labels(lock=lock_name).set(1)
    DEAD_LETTERS.set(redis_client.xlen("m10:dead_letter"))


if __name__ == "__main__":
    collect()
    push_to_gateway(os.environ.get("PUSHGATEWAY", "localhost:9091"), job="m10_metrics", registry=registry)
