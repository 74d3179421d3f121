#!/usr/bin/env python3
# Layer: L7 — Ops & Scheduling
# Temporal:
#   Trigger: m10-maintenance.timer (every 5 minutes)
# Role: M10 maintenance: leader-elected tasks over the m10_recovery schema and Redis

from __future__ import annotations

import logging
import os
import time
from contextlib import contextmanager

import redis
from sqlalchemy import create_engine, text

log = logging.getLogger("m10.orchestrator")

engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
r = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))

MATVIEWS = ("m10_recovery.mv_failure_rollup", "m10_recovery.mv_dead_letter_counts")

ACQUIRE_LOCK = text(
    """
    INSERT INTO m10_recovery.distributed_locks (lock_name, holder, expires_at)
    VALUES (:name, :holder, now() + make_interval(secs => :ttl))
    ON CONFLICT (lock_name) DO UPDATE
        SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
        WHERE m10_recovery.distributed_locks.expires_at < now()
    RETURNING holder
    """
)
RELEASE_LOCK = "DELETE FROM m10_recovery.distributed_locks WHERE lock_name = :name AND holder = :holder"


@contextmanager
def leader(name: str, ttl: int = 240):
    holder = f"{os.uname().nodename}:{os.getpid()}"
    with engine.begin() as conn:
        won = conn.execute(ACQUIRE_LOCK, {"name": name, "holder": holder, "ttl": ttl}).scalar() == holder
    try:
        yield won
    finally:
        if won:
            with engine.begin() as conn:
                conn.execute(text(RELEASE_LOCK), {"name": name, "holder": holder})


def process_outbox(batch: int = 500) -> int:
    with leader("m10:outbox_processor") as won, engine.begin() as conn:
        if not won:
            return 0
        rows = conn.execute(
            text("SELECT id, topic, payload FROM m10_recovery.outbox WHERE processed_at IS NULL LIMIT :n"),
            {"n": batch},
        ).all()
        for row in rows:
            r.xadd(f"m10:outbox:{row.topic}", {"id": str(row.id), "payload": row.payload})
            conn.execute(
                text("UPDATE m10_recovery.outbox SET processed_at = now() WHERE id = :id"), {"id": row.id}
            )
            conn.execute(
                text("INSERT INTO m10_recovery.replay_log (outbox_id, replayed_at) VALUES (:id, now())"),
                {"id": row.id},
            )
        return len(rows)


def reconcile_dead_letters() -> int:
    with leader("dl_reconcile") as won:
        if not won:
            return 0
        acked = 0
        for stream, messages in r.xreadgroup("m10-dl", "orchestrator", {"m10:dead_letter": ">"}, count=100):
            for message_id, fields in messages:
                with engine.begin() as conn:
                    conn.execute(
                        text(
                            "INSERT INTO m10_recovery.dead_letter_archive (message_id, stream, body) "
                            "VALUES (:mid, :stream, :body)"
                        ),
                        {"mid": message_id, "stream": stream, "body": str(fields)},
                    )
                r.xack("m10:dead_letter", "m10-dl", message_id)
                acked += 1
        return acked


def refresh_matviews() -> None:
    for view in MATVIEWS:
        with leader(f"matview_{view.rsplit('.', 1)[-1]}") as won:
            if won:
                with engine.begin() as conn:
                    conn.execute(text(f"REFRESH MATERIALIZED VIEW CONCURRENTLY {view}"))


def retention_cleanup(days: int = 30) -> None:
    with leader("retention_cleanup") as won, engine.begin() as conn:
        if won:
            conn.execute(
                text("DELETE FROM m10_recovery.replay_log WHERE replayed_at < now() - make_interval(days => :d)"),
                {"d": days},
            )
            conn.execute(
                text("INSERT INTO m10_recovery.retention_jobs (ran_at, days) VALUES (now(), :d)"), {"d": days}
            )


def reclaim_expired_locks() -> None:
    with leader("reclaim_gc") as won, engine.begin() as conn:
        if won:
            conn.execute(text("DELETE FROM m10_recovery.distributed_locks WHERE expires_at < now()"))


def main() -> None:
    started = time.monotonic()
    processed = process_outbox()
    acked = reconcile_dead_letters()
    refresh_matviews()
    retention_cleanup()
    reclaim_expired_locks()
    pipe = r.pipeline()
    pipe.hset("m10:maintenance:last_run", mapping={"processed": processed, "acked": acked})
    pipe.expire("m10:maintenance:last_run", 3600)
    pipe.execute()
    log.info("maintenance done in %.1fs", time.monotonic() - started)


if __name__ == "__main__":
    main()
