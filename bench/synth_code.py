"""A deterministic synthetic Python code base for timing the evidence scanner.

Each file is a plausible module: a header comment, imports, a model class,
and functions mixing the write patterns scan_python() detects (SQLAlchemy
sessions sync and async, raw SQL, Redis, S3/R2, files, Prometheus) with code
that must not count (reads, comments and docstrings that mention writes,
TYPE_CHECKING blocks). The same count and seed always give the same files.

    python bench/synth_code.py OUT_DIR [--files N] [--seed S]   # write them to disk
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from pathlib import Path

DEFAULT_FILES = 5_000

HEADER = """# Layer: {layer} — {title}
# Temporal:
#   Trigger: {trigger}
# Role: synthetic module {index}
\"\"\"Synthetic module {index}.

Mentions session.add(x), r.set("k") and INSERT INTO {table} in prose only.
\"\"\"

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
import redis
from prometheus_client import Counter, Gauge
from sqlalchemy import insert, select, text, update

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

RUNS = Counter("synthetic_{index}_runs_total", "runs")
DEPTH = Gauge("synthetic_{index}_depth", "depth", ["queue"])
r = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost"))


class Record{index}(Base):
    __tablename__ = "{table}"
"""

PATTERNS = [
    """
async def persist_{n}(session, value):
    # session.add(Record{index}(value=value)) is below; this comment is not a write
    session.add(Record{index}(value=value))
    await session.commit()
""",
    """
def insert_raw_{n}(conn, rows):
    for row in rows:
        conn.execute(text("INSERT INTO {table}_log (value) VALUES (:v)"), {{"v": row}})
    conn.commit()
""",
    """
def read_only_{n}(session):
    query = text("SELECT id FROM {table} WHERE updated_at > now() - interval '1 day' FOR UPDATE")
    return session.execute(query).all()
""",
    """
async def bump_{n}(session, ids):
    await session.execute(update(Record{index}).where(Record{index}.id.in_(ids)).values(seen=True))
    await session.execute(insert(Record{index}).values(value=1))
""",
    """
def cache_{n}(key, value):
    r.set(f"synthetic:{index}:{{key}}", value, ex=60)
    pipe = r.pipeline()
    pipe.hset("synthetic:{index}:hash", mapping={{"v": value}})
    pipe.execute()
""",
    """
def upload_{n}(body):
    client = boto3.client("s3", endpoint_url=os.environ["R2_ENDPOINT_URL"])
    client.put_object(Bucket="bucket", Key="reports/{table}.json", Body=body)
""",
    """
def export_{n}(rows, out_dir):
    path = Path(out_dir) / "{table}.csv"
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerows(rows)
    marker = path.with_suffix(".done")
    marker.write_text("ok")
""",
    """
def report_{n}(data, out_dir):
    tmp = os.path.join(out_dir, "{table}.json.tmp")
    with open(tmp, "w") as fh:
        json.dump(data, fh)
    os.replace(tmp, os.path.join(out_dir, "{table}.json"))
""",
    """
def observe_{n}(queue, depth):
    RUNS.inc()
    DEPTH.labels(queue=queue).set(depth)
""",
    """
def compute_{n}(values):
    \"\"\"Pure code: loops, comprehensions and string work, no writes.\"\"\"
    total = 0
    for index, value in enumerate(values):
        if value % 3 == 0:
            total += value * index
        elif value % 5 == 0:
            total -= value
    words = [str(v).replace("1", "one") for v in values]
    return total, " ".join(words), {{v: v * v for v in values if v}}
""",
]

LAYERS = [("L4", "Domain Engines"), ("L5", "Execution & Workers"), ("L7", "Ops & Scheduling")]
TRIGGERS = ["every 15 minutes", "daily 02:00 UTC", "api call", "worker event"]


def generate(count: int = DEFAULT_FILES, seed: int = 0) -> Iterator[tuple[str, str]]:
    """(relative path, source) for each synthetic file, in order."""
    rng = random.Random(seed)
    for index in range(count):
        layer, title = rng.choice(LAYERS)
        table = f"synthetic_table_{index % 97}"
        parts = [HEADER.format(layer=layer, title=title, trigger=rng.choice(TRIGGERS), index=index, table=table)]
        for n in range(rng.randint(4, 12)):
            parts.append(rng.choice(PATTERNS).format(n=n, index=index, table=table))
        yield f"pkg{index // 100:03d}/module_{index:05d}.py", "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--files", type=int, default=DEFAULT_FILES)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for relative, source in generate(args.files, args.seed):
        target = args.out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source, encoding="utf-8")
    print(f"wrote {args.files} files under {args.out_dir}")


if __name__ == "__main__":
    main()
