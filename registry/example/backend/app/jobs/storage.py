# Layer: L5 — Execution & Workers
# Temporal:
#   Trigger: r2-fallback-retry.timer via scripts/ops/retry_r2_fallbacks.sh
# Role: Keep R2 uploads that failed on local disk and retry them later

from __future__ import annotations

import logging
import os
from pathlib import Path

import boto3
from botocore.exceptions import BotoCoreError, ClientError

log = logging.getLogger(__name__)

FALLBACK_DIR = Path(os.environ.get("R2_FALLBACK_DIR", "/opt/agenticverz/state/fallback-uploads"))


class R2Storage:
    def __init__(self) -> None:
        self.client = boto3.client("s3", endpoint_url=os.environ["R2_ENDPOINT_URL"])
        self.bucket = os.environ.get("R2_BUCKET", "agenticverz-failures")

    def upload(self, key: str, path: Path) -> None:
        self.client.upload_file(str(path), self.bucket, key)


def write_local_fallback(key: str, body: bytes) -> Path:
    """Write the object next to its key so retry_local_fallback() can upload it later."""
    FALLBACK_DIR.mkdir(parents=True, exist_ok=True)
    target = FALLBACK_DIR / key.replace("/", "__")
    partial = target.with_suffix(".partial")
    partial.write_bytes(body)
    os.replace(partial, target)  # atomic: the retry never sees half a file
    return target


def retry_local_fallback(limit: int = 100) -> int:
    """Upload fallback files to R2; mark each done with an .uploaded marker (atomic rename)."""
    storage = R2Storage()
    uploaded = 0
    for path in sorted(FALLBACK_DIR.glob("*"))[:limit]:
        if path.suffix in {".uploaded", ".partial", ".tmp"}:
            continue
        marker = path.with_suffix(".uploaded")
        if marker.exists():
            continue
        try:
            storage.upload(path.name.replace("__", "/"), path)
        except (BotoCoreError, ClientError) as exc:
            log.warning("retry failed for %s: %s", path, exc)
            continue
        tmp_marker = path.with_suffix(".tmp")
        with open(tmp_marker, "w") as fh:
            fh.write("uploaded\n")
        tmp_marker.rename(marker)
        uploaded += 1
    return uploaded
