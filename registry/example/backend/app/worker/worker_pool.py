# Layer: L5 — Execution & Workers
# Role: Keep a pool of workers alive and publish their heartbeats (SIG-005 WorkerHeartbeat)

from __future__ import annotations

import os

import redis

r = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
HEARTBEAT_TTL = 30


def heartbeat(worker_id: str) -> None:
    r.setex(f"worker:hb:{worker_id}", HEARTBEAT_TTL, "alive")
