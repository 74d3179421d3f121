# Layer: L5 — Execution & Workers
# Temporal:
#   Trigger: scheduler (daily 02:00 UTC, failure-aggregation.timer)
# Role: Aggregate unmatched failures into candidate patterns for the failure catalog

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from datetime import UTC, datetime

import boto3
from app.db import SessionLocal
from app.jobs.storage import write_local_fallback
from botocore.exceptions import ClientError
from sqlalchemy import text

log = logging.getLogger(__name__)

R2_BUCKET = os.environ.get("R2_BUCKET", "agenticverz-failures")
PATTERNS_KEY = "failure_catalog/candidate_failure_patterns.json"


def _r2_client():
    return boto3.client(
        "s3",
        endpoint_url=os.environ["R2_ENDPOINT_URL"],
        aws_access_key_id=os.environ["R2_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["R2_SECRET_ACCESS_KEY"],
    )


def run_failure_aggregation(window_hours: int = 24) -> dict:
    """Count failure signatures and publish the candidates; a Counter here is collections', not Prometheus'."""
    counts: Counter[str] = Counter()
    with SessionLocal() as db:
        rows = db.execute(
            text("SELECT error_signature FROM failure_matches WHERE created_at > now() - make_interval(hours => :h)"),
            {"h": window_hours},
        )
        for row in rows:
            counts[row.error_signature] += 1
        candidates = [{"signature": s, "count": n} for s, n in counts.most_common(50) if n >= 3]
        db.execute(
            text(
                "INSERT INTO failure_matches (error_signature, catalog_entry_id, matched_at) "
                "SELECT signature, NULL, now() FROM unnest(:sigs) AS signature ON CONFLICT DO NOTHING"
            ),
            {"sigs": [c["signature"] for c in candidates]},
        )
        db.commit()

    report = {"generated_at": datetime.now(UTC).isoformat(), "candidates": candidates}
    body = json.dumps(report, indent=2).encode()
    try:
        r2 = _r2_client()
        r2.put_object(Bucket=R2_BUCKET, Key=PATTERNS_KEY, Body=body, ContentType="application/json")
    except ClientError:
        log.warning("R2 upload failed; keeping a local fallback for retry_local_fallback()")
        write_local_fallback(PATTERNS_KEY, body)
    return report
