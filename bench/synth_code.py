"""A deterministic synthetic code base, written the way a FastAPI/SQLAlchemy backend with ops scripts is.

It is for measuring `--code`, so it is built to be like the code a team has,
not like what the scanner looks for: a `backend/app` package (models,
schemas, repositories, services, API routes, workers, Redis caches, HTTP
clients, a metrics module, db/session.py with its sessionmaker and a
committing get_db, db/sql.py with the team's text() helpers), `scripts/ops`
maintenance scripts (retention deletes, stored database functions run and
committed, read-only reports, S3 exports, psycopg2 and asyncpg), alembic
migrations, tests with fixtures, utilities with in-process caches, a few
files that do not parse, and producers renamed from `*_service.py` to
`*_driver.py` with their class names kept. Each kind comes in the styles
real code uses (sync and async sessions, 1.x `db.query(...)` and 2.0
`select()`, helpers imported from the module that defines them or from the
package that re-exports them...).

The generator knows what every file does because it wrote it, and records
that in `truth.json`: for each file its role (runtime, test, migration,
unparsable), the kinds of state its code writes (sql, redis_state,
redis_cache, pubsub, object_store, file, metric), the line of its first SQL
write, and whether the registry accounts for it. The registry accounts for a
file it names as a producer and for the modules such a file imports directly
(the producer's own code, one hop, as the README documents). The
unregistered SQL writers are the runtime files that write SQL and that the
registry does not account for: `bench/code_precision.py` scores
layerflow's UNREGISTERED_DB_WRITER gate against them.

    python bench/synth_code.py OUT_DIR [--files N] [--seed S]   # code base, registry and truth.json
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_FILES = 2_000

SQL, REDIS_STATE, REDIS_CACHE, PUBSUB = "sql", "redis_state", "redis_cache", "pubsub"
OBJECT_STORE, FILE, METRIC = "object_store", "file", "metric"

_FIRST = [
    "billing", "order", "user", "tenant", "invoice", "payment", "shipment", "catalog", "pricing", "audit", "webhook",
    "notification", "report", "export", "quota", "usage", "plan", "subscription", "coupon", "refund", "ledger",
    "account", "profile", "team", "project", "task", "schedule", "alert", "incident", "feature", "experiment",
    "cohort", "segment", "campaign", "email", "device", "token", "credential", "policy", "role", "permission",
    "group", "member", "invite", "comment", "review", "rating", "ticket", "message", "thread", "channel", "asset",
    "media", "document", "template", "workflow", "pipeline", "stage", "artifact", "build", "release", "deploy",
    "cluster", "node", "region", "vendor", "supplier", "warehouse", "stock", "carrier", "parcel", "customer",
    "contract", "budget", "forecast", "payout", "dispute", "balance", "wallet", "transfer",
]  # fmt: skip
_SECOND = ["", "item", "record", "snapshot", "history", "batch", "rule", "summary", "link", "window"]
_RENAMED = ["user_write", "ledger_sync", "fraud_score", "search_index", "geo_lookup", "tax_quote", "kyc_check"]
_METRIC_NAMES = ["REQUESTS", "OPERATIONS", "FAILURES", "LATENCY", "QUEUE_DEPTH"]


@dataclass
class Source:
    """One file being written: its lines, and what the generator knows it does."""

    path: str
    lines: list[str] = field(default_factory=list)
    role: str = "runtime"  # runtime, test, migration, unparsable
    writes: set[str] = field(default_factory=set)
    first_sql: int = 0  # line of the first SQL write
    imports: set[str] = field(default_factory=set)  # code-base files it imports directly

    def add(self, text: str, *, write: str = "", at: int = 0) -> None:
        """Append lines; `write` is what the line `at` (0-based within text) writes, if anything.

        The line of a write is where the call that writes starts (`db.query(...)` of a
        chained `.update()`, the `await db.commit()` that sends an object's changes).
        """
        start = len(self.lines)
        self.lines.extend(text.split("\n"))
        if write:
            self.writes.add(write)
            if write == SQL and not self.first_sql:
                self.first_sql = start + at + 1

    @property
    def text(self) -> str:
        return "\n".join(self.lines).rstrip("\n") + "\n"


@dataclass
class Project:
    files: dict[str, Source] = field(default_factory=dict)
    signals: list[tuple[str, str, str]] = field(default_factory=list)  # (producer cell, persistence, named path)
    renamed: dict[str, str] = field(default_factory=dict)  # stale registry name -> the file that took its place

    def new(self, path: str, role: str = "runtime") -> Source:
        assert path not in self.files, path
        source = Source(path, role=role)
        self.files[path] = source
        return source

    def register(self, path: str, persistence: str, cell: str = "") -> None:
        self.signals.append((cell or path.rsplit("/", 1)[-1], persistence, path))

    def truth(self) -> dict[str, object]:
        named = {path for _, _, path in self.signals if path in self.files}
        covered = named | {i for p in named for i in self.files[p].imports}
        files = {
            path: {
                "role": s.role,
                "writes": sorted(s.writes),
                "first_sql_line": s.first_sql,
                "registered": path in covered,
            }
            for path, s in sorted(self.files.items())
        }
        runtime = {p: s for p, s in self.files.items() if s.role == "runtime" and p not in covered}
        writers = sorted(p for p, s in runtime.items() if SQL in s.writes)
        state = sorted(p for p, s in runtime.items() if REDIS_STATE in s.writes and SQL not in s.writes)
        return {
            "unregistered_sql_writers": writers,
            "unregistered_redis_state_writers": state,  # database writers too, once a signal persists in Redis
            "renamed_producers": dict(sorted(self.renamed.items())),
            "files": files,
        }


def _base(name: str) -> str:
    """billing_2 -> billing: a second file about the same domain."""
    head, _, tail = name.rpartition("_")
    return head if tail.isdigit() else name


def _camel(snake: str) -> str:
    return "".join(part.title() for part in snake.split("_"))


def _domains(count: int, rng: random.Random) -> list[str]:
    names = [f"{a}_{b}" if b else a for b in _SECOND for a in _FIRST]
    rng.shuffle(names)
    return sorted(names[:count])


# ------------------------------------------------------------------ infrastructure


def _infrastructure(project: Project) -> None:
    for package in ("backend/app", "backend/app/core", "backend/app/models", "backend/app/api", "backend/app/services"):
        project.new(f"{package}/__init__.py").add('"""Package."""')
    project.new("backend/app/core/config.py").add(
        '''"""Settings read from the environment."""

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    database_url: str = "postgresql+asyncpg://app:app@localhost/app"
    redis_url: str = "redis://localhost:6379/0"
    cache_ttl_seconds: int = 300


settings = Settings()'''
    )
    project.new("backend/app/core/redis.py").add(
        '''"""The Redis clients the app shares."""

import redis
import redis.asyncio as aioredis

from app.core.config import settings

redis_client = aioredis.from_url(settings.redis_url, decode_responses=True)
sync_redis = redis.Redis.from_url(settings.redis_url)


async def get_redis() -> aioredis.Redis:
    return redis_client'''
    )
    session = project.new("backend/app/db/session.py")
    session.imports.add("backend/app/core/config.py")
    session.add(
        '''"""Engine and sessions. get_db() commits what a request did, or rolls it back."""

from collections.abc import AsyncIterator

from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import sessionmaker

from app.core.config import settings

engine = create_async_engine(settings.database_url, pool_pre_ping=True, pool_size=10)
AsyncSessionLocal = async_sessionmaker(engine, expire_on_commit=False)
sync_engine = create_engine(settings.database_url.replace("+asyncpg", "+psycopg2"))
SessionLocal = sessionmaker(bind=sync_engine, autoflush=False)


async def get_db() -> AsyncIterator[AsyncSession]:
    async with AsyncSessionLocal() as session:
        try:
            yield session
            await session.commit()
        except Exception:
            await session.rollback()
            raise'''
    )
    project.new("backend/app/db/base.py").add(
        """from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass"""
    )
    project.new("backend/app/db/sql.py").add(
        '''"""SQL text helpers: one place that builds statements from strings."""

import textwrap

from sqlalchemy import TextClause, text


def sql_text(query: str) -> TextClause:
    return text(query)


def raw(sql: str, **params: object) -> TextClause:
    """A statement written as an indented block in the caller."""
    return text(textwrap.dedent(sql)).bindparams(**params)'''
    )
    init = project.new("backend/app/db/__init__.py")
    init.imports.add("backend/app/db/sql.py")
    init.add('from .sql import raw, sql_text\n\n__all__ = ["raw", "sql_text"]')
    metrics = project.new("backend/app/metrics.py")
    metrics.add(
        '''"""Prometheus metrics of the app; modules import what they update."""

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter("app_requests_total", "Requests handled", ["route"])
OPERATIONS = Counter("app_operations_total", "Domain operations", ["domain", "op"])
FAILURES = Counter("app_failures_total", "Failures", ["domain"])
LATENCY = Histogram("app_operation_seconds", "Operation latency", ["domain"])
QUEUE_DEPTH = Gauge("app_queue_depth", "Jobs waiting", ["queue"])
runs_total = Counter("app_job_runs_total", "Job runs", ["job", "outcome"])'''
    )
    project.new("backend/app/repositories/base.py").add(
        '''"""What every repository does the same way."""

from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


class BaseRepository(Generic[T]):
    session: AsyncSession

    async def save(self, obj: T) -> T:'''
    )
    project.files["backend/app/repositories/base.py"].add(
        """        self.session.add(obj)
        await self.session.flush()
        return obj

    async def remove(self, obj: T) -> None:
        await self.session.delete(obj)""",
        write=SQL,
    )
    project.new("backend/app/tasks/celery_app.py").add(
        """from celery import Celery

from app.core.config import settings

celery_app = Celery("backend", broker=settings.redis_url, backend=settings.redis_url)
celery_app.conf.task_acks_late = True"""
    )
    main = project.new("backend/app/main.py")
    main.add(
        """from fastapi import FastAPI

from app.api.router import api_router

app = FastAPI(title="backend")
app.include_router(api_router, prefix="/api/v1")"""
    )


# ------------------------------------------------------------------- per domain


def _model(project: Project, d: str) -> None:
    entity = _camel(d)
    source = project.new(f"backend/app/models/{d}.py")
    source.imports.add("backend/app/db/base.py")
    source.add(
        f'''import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class {entity}(Base):
    __tablename__ = "{d}s"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32), default="active")
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())'''
    )


def _schema(project: Project, d: str) -> None:
    entity = _camel(d)
    project.new(f"backend/app/schemas/{d}.py").add(
        f"""import uuid

from pydantic import BaseModel, ConfigDict


class {entity}Create(BaseModel):
    name: str


class {entity}Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    status: str"""
    )


def _repository(project: Project, d: str, rng: random.Random) -> None:
    entity = _camel(d)
    source = project.new(f"backend/app/repositories/{d}_repository.py")
    source.imports.add(f"backend/app/models/{d}.py")
    style = rng.choice(["async", "async", "sync", "raw", "helper", "readonly", "builder", "runner"])
    if style == "sync":
        source.add(
            f'''"""Data access for {entity} (sync session)."""

from sqlalchemy.orm import Session

from app.models.{d} import {entity}


class {entity}Repository:
    def __init__(self, db: Session) -> None:
        self.db = db

    def get(self, item_id):
        return self.db.query({entity}).filter({entity}.id == item_id).first()

    def list_active(self, limit: int = 100):
        return self.db.query({entity}).filter({entity}.status == "active").limit(limit).all()
'''
        )
        source.add(
            f"""    def create(self, name: str) -> {entity}:
        item = {entity}(name=name)
        self.db.add(item)
        self.db.commit()
        self.db.refresh(item)
        return item
""",
            write=SQL,
            at=2,
        )
        source.add(
            f"""    def archive_stale(self, ids) -> int:
        count = self.db.query({entity}).filter({entity}.id.in_(ids)).update({{"archived": True}})
        self.db.commit()
        return count""",
            write=SQL,
            at=1,
        )
        return
    head = f'''"""Data access for {entity}."""

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
'''
    if style == "builder":
        head += "from sqlalchemy.dialects.postgresql import insert as pg_insert\n"
    base = style in ("async", "raw") and rng.random() < 0.4
    if base:
        head += "\nfrom app.repositories.base import BaseRepository\n"
        source.imports.add("backend/app/repositories/base.py")
    if style == "helper":
        how = rng.choice(["module", "package"])
        head += "\nfrom app.db.sql import sql_text\n" if how == "module" else "\nfrom app.db import sql_text\n"
        source.imports.add("backend/app/db/sql.py" if how == "module" else "backend/app/db/__init__.py")
    source.add(
        head
        + f"""from app.models.{d} import {entity}


class {entity}Repository{"(BaseRepository[" + entity + "])" if base else ""}:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, item_id: uuid.UUID) -> {entity} | None:
        return await self.session.get({entity}, item_id)

    async def list_recent(self, limit: int = 50) -> Sequence[{entity}]:
        result = await self.session.execute(select({entity}).order_by({entity}.created_at.desc()).limit(limit))
        return result.scalars().all()

    async def count_active(self) -> int:
        result = await self.session.execute(text("SELECT count(*) FROM {d}s WHERE status = 'active'"))
        return result.scalar_one()
"""
    )
    if style == "readonly":
        return
    if style == "builder":
        source.add(
            f"""    def _upsert(self, rows: Sequence[dict]):
        stmt = pg_insert({entity}).values(list(rows))
        return stmt.on_conflict_do_update(index_elements=[{entity}.id], set_={{"name": stmt.excluded.name}})

    async def save_many(self, rows: Sequence[dict]) -> None:
        await self.session.execute(self._upsert(rows))
""",
            write=SQL,
            at=5,
        )
        return
    if style == "runner":
        source.add(
            f"""    async def _run(self, statement, params: dict | None = None) -> int:
        result = await self.session.execute(statement, params or {{}})
        return result.rowcount

    async def expire(self, days: int) -> int:
        return await self._run(
            update({entity})
            .where({entity}.created_at < text("now() - make_interval(days => :d)"))
            .values(status="expired"),
            {{"d": days}},
        )
""",
            write=SQL,
            at=5,
        )
        return
    if style == "raw":
        source.add(
            f"""    async def create(self, name: str) -> None:
        await self.session.execute(
            text("INSERT INTO {d}s (id, name) VALUES (gen_random_uuid(), :name)"),
            {{"name": name}},
        )
""",
            write=SQL,
            at=1,
        )
    elif style == "helper":
        source.add(
            f"""    async def touch(self, item_id: uuid.UUID) -> None:
        await self.session.execute(
            sql_text("UPDATE {d}s SET status = 'seen' WHERE id = :id"), {{"id": item_id}}
        )
""",
            write=SQL,
            at=1,
        )
    else:
        source.add(
            f"""    async def create(self, name: str) -> {entity}:
        item = {entity}(name=name)
        self.session.add(item)
        await self.session.flush()
        return item
""",
            write=SQL,
            at=2,
        )
    source.add(
        f"""    async def archive(self, ids: Sequence[uuid.UUID]) -> None:
        await self.session.execute(update({entity}).where({entity}.id.in_(ids)).values(archived=True))

    async def purge(self, item_id: uuid.UUID) -> None:
        await self.session.execute(delete({entity}).where({entity}.id == item_id))""",
        write=SQL,
        at=1,
    )


def _service(project: Project, d: str, rng: random.Random, clients: list[str]) -> Source:
    entity = _camel(d)
    source = project.new(f"backend/app/services/{d}_service.py")
    source.imports.update({f"backend/app/repositories/{d}_repository.py", f"backend/app/models/{d}.py"})
    cache, publish, direct, metric, mutate, flags = (rng.random() < p for p in (0.5, 0.3, 0.25, 0.5, 0.2, 0.15))
    client = rng.choice(clients) if clients and rng.random() < 0.25 else ""
    imports = [
        "import json",
        "import uuid",
        "",
        "from sqlalchemy import text",
        "from sqlalchemy.ext.asyncio import AsyncSession",
        "",
    ]
    if cache or publish:
        imports.insert(0, "import redis.asyncio as redis")
    if metric:
        style = rng.choice(["names", "module"])
        imports.append(
            "from app import metrics" if style == "module" else "from app.metrics import LATENCY, OPERATIONS"
        )
        source.imports.add("backend/app/metrics.py")
    if client:
        imports.append(f"from app.clients.{client}_client import {_camel(client)}Client")
        source.imports.add(f"backend/app/clients/{client}_client.py")
    if flags:
        imports.append("from app.core.redis import redis_client")
        source.imports.add("backend/app/core/redis.py")
    imports += [
        f"from app.models.{d} import {entity}",
        f"from app.repositories.{d}_repository import {entity}Repository",
    ]
    source.add('"""Business logic for ' + entity + '."""\n\n' + "\n".join(imports) + "\n\nCACHE_TTL = 300\n")
    uses_redis = cache or publish
    parameters = ", cache: redis.Redis | None = None" if uses_redis else ""
    source.add(
        f"""
class {entity}Service:
    def __init__(self, session: AsyncSession{parameters}) -> None:
        self.session = session
        self.repo = {entity}Repository(session)"""
        + ("\n        self.redis = cache\n" if uses_redis else "\n")
    )
    if cache:
        ttl = rng.choice(["set_ex", "setex", "pipeline"])
        if ttl == "set_ex":
            body, at = "await self.redis.set(key, json.dumps(payload), ex=CACHE_TTL)", 7
        elif ttl == "setex":
            body, at = "await self.redis.setex(key, CACHE_TTL, json.dumps(payload))", 7
        else:
            body, at = (
                (
                    "pipe = self.redis.pipeline()\n        pipe.hset(key, mapping=payload)\n"
                    "        pipe.expire(key, CACHE_TTL)\n        await pipe.execute()"
                ),
                8,
            )
        source.add(
            f'''    async def get_cached(self, item_id: uuid.UUID) -> dict | None:
        key = f"{d}:{{item_id}}"
        if (hit := await self.redis.get(key)) is not None:
            return json.loads(hit)
        item = await self.repo.get(item_id)
        payload = {{"id": str(item.id), "name": item.name}} if item else {{}}
        {body}
        return payload

    async def invalidate(self, item_id: uuid.UUID) -> None:
        await self.redis.delete(f"{d}:{{item_id}}")
''',
            write=REDIS_CACHE,
            at=at - 1,
        )
    create_lines = [
        "    async def create(self, name: str):",
        "        item = await self.repo.create(name=name)",
    ]
    if metric:
        create_lines.append(
            f'        metrics.OPERATIONS.labels(domain="{d}", op="create").inc()'
            if style == "module"
            else f'        OPERATIONS.labels(domain="{d}", op="create").inc()'
        )
    if publish:
        create_lines.append(f'        await self.redis.publish("events:{d}", json.dumps({{"created": name}}))')
    if client:
        create_lines.append(f"        await {_camel(client)}Client().notify(name)")
    create_lines.append("        return item")
    source.add("\n".join(create_lines) + "\n", write=METRIC if metric else "")
    if publish:
        source.writes.add(PUBSUB)
    if mutate:
        source.add(
            """    async def archive(self, item_id: uuid.UUID) -> None:
        item = await self.repo.get(item_id)
        item.archived = True
        item.status = "archived"
        await self.session.commit()
""",
            write=SQL,
            at=4,
        )
    if flags:
        source.add(
            f"""    async def set_flags(self, flags: dict[str, str]) -> None:
        await redis_client.hset("flags:{d}", mapping=flags)
""",
            write=REDIS_STATE,
            at=1,
        )
    if direct:
        source.add(
            f"""    async def record_view(self, item_id: uuid.UUID) -> None:
        await self.session.execute(
            text("UPDATE {d}s SET status = 'viewed' WHERE id = :id AND status = 'active'"), {{"id": item_id}}
        )
        await self.session.commit()
""",
            write=SQL,
            at=1,
        )
    return source


def _route(project: Project, d: str, rng: random.Random) -> Source:
    entity = _camel(d)
    source = project.new(f"backend/app/api/routes/{d}.py")
    source.imports.update({f"backend/app/models/{d}.py", f"backend/app/schemas/{d}.py", "backend/app/db/session.py"})
    style = rng.choice(["direct", "direct", "service", "readonly", "sync", "update"])
    if style == "sync":
        source.add(
            f'''from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

from app.api.deps import get_sync_db
from app.models.{d} import {entity}
from app.schemas.{d} import {entity}Create, {entity}Read

router = APIRouter(prefix="/{d.replace("_", "-")}", tags=["{d}"])


@router.get("/{{item_id}}", response_model={entity}Read)
def read_{d}(item_id: str, db: Session = Depends(get_sync_db)):
    item = db.query({entity}).get(item_id)
    if item is None:
        raise HTTPException(status_code=404)
    return item

'''
        )
        source.imports.add("backend/app/api/deps.py")
        source.add(
            f"""@router.delete("/{{item_id}}", status_code=204)
def delete_{d}(item_id: str, db: Session = Depends(get_sync_db)):
    db.query({entity}).filter({entity}.id == item_id).delete()
    db.commit()""",
            write=SQL,
            at=2,
        )
        return source
    head = f"""from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import get_db
from app.models.{d} import {entity}
from app.schemas.{d} import {entity}Create, {entity}Read
"""
    if style == "service":
        head += f"from app.services.{d}_service import {entity}Service\n"
        source.imports.add(f"backend/app/services/{d}_service.py")
    source.add(
        head
        + f'''
router = APIRouter(prefix="/{d.replace("_", "-")}", tags=["{d}"])


@router.get("/", response_model=list[{entity}Read])
async def list_{d}(db: AsyncSession = Depends(get_db)):
    result = await db.execute(select({entity}).where({entity}.archived.is_(False)).limit(100))
    return result.scalars().all()
'''
    )
    if style == "direct":
        source.add(
            f"""

@router.post("/", response_model={entity}Read, status_code=201)
async def create_{d}(body: {entity}Create, db: AsyncSession = Depends(get_db)):
    item = {entity}(**body.model_dump())
    db.add(item)
    await db.commit()
    await db.refresh(item)
    return item""",
            write=SQL,
            at=5,
        )
    elif style == "service":
        source.add(
            f"""

@router.post("/", response_model={entity}Read, status_code=201)
async def create_{d}(body: {entity}Create, db: AsyncSession = Depends(get_db)):
    return await {entity}Service(db).create(body.name)"""
        )
    elif style == "update":
        source.add(
            f"""

@router.patch("/{{item_id}}", response_model={entity}Read)
async def rename_{d}(item_id: str, body: {entity}Create, db: AsyncSession = Depends(get_db)):
    item = await db.get({entity}, item_id)
    if item is None:
        raise HTTPException(status_code=404)
    for field, value in body.model_dump(exclude_unset=True).items():
        setattr(item, field, value)
    await db.commit()
    return item""",
            write=SQL,
            at=9,
        )
    return source


def _test(project: Project, d: str, rng: random.Random) -> None:
    entity = _camel(d)
    source = project.new(f"backend/tests/test_{d}.py", role="test")
    source.add(
        f'''import pytest

from app.models.{d} import {entity}
from app.repositories.{d}_repository import {entity}Repository


@pytest.fixture
async def seeded(session):
    item = {entity}(name="seed")
    session.add(item)
    await session.commit()
    return item


async def test_get_returns_the_seeded_row(session, seeded):
    assert (await {entity}Repository(session).get(seeded.id)).name == "seed"''',
        write=SQL,
        at=8,
    )


# ----------------------------------------------------------------- other kinds


def _worker(project: Project, n: int, name: str, rng: random.Random) -> Source:
    d = _base(name)
    entity = _camel(d)
    source = project.new(f"backend/app/workers/{name}_worker.py")
    beat = rng.choice(["publish", "setex", "hset"])
    results = rng.choice(["sql", "sql", "lpush", "none"])
    source.imports.add("backend/app/db/session.py")
    source.add(
        f'''"""Consumes the {d} queue; announces itself while it runs."""

import asyncio
import json
import logging
import os
import socket
import time

import redis.asyncio as redis

from app.core.config import settings
from app.db.session import AsyncSessionLocal
from app.models.{d} import {entity}

log = logging.getLogger(__name__)
WORKER_ID = f"{{socket.gethostname()}}-{{os.getpid()}}"
QUEUE = "queue:{d}"


async def heartbeat(r: redis.Redis) -> None:
    while True:'''
    )
    if beat == "publish":
        source.add(
            '        await r.publish("workers:heartbeat", json.dumps({"id": WORKER_ID, "at": time.time()}))',
            write=PUBSUB,
        )
    elif beat == "setex":
        source.add('        await r.setex(f"worker:{WORKER_ID}:alive", 30, str(time.time()))', write=REDIS_CACHE)
    else:
        source.add('        await r.hset("workers:last_seen", WORKER_ID, str(time.time()))', write=REDIS_STATE)
    source.add(
        """        await asyncio.sleep(10)


async def consume(r: redis.Redis) -> None:
    while True:
        popped = await r.blpop(QUEUE, timeout=5)
        if popped is None:
            continue
        job = json.loads(popped[1])"""
    )
    if results == "sql":
        source.add(
            f"""        async with AsyncSessionLocal() as session:
            session.add({entity}(name=job["name"]))
            await session.commit()""",
            write=SQL,
            at=1,
        )
    elif results == "lpush":
        source.add('        await r.lpush(f"{QUEUE}:done", json.dumps(job))', write=REDIS_STATE)
    else:
        source.add('        log.info("processed %s", job.get("id"))')
    source.add(
        """

async def main() -> None:
    r = redis.from_url(settings.redis_url)
    await asyncio.gather(heartbeat(r), consume(r))


if __name__ == "__main__":
    asyncio.run(main())"""
    )
    return source


def _cache_module(project: Project, name: str, rng: random.Random) -> None:
    d = _base(name)
    entity = _camel(d)
    source = project.new(f"backend/app/cache/{name}_cache.py")
    source.imports.add("backend/app/core/redis.py")
    style = rng.choice(["class", "functions"])
    if style == "class":
        source.add(
            f'''"""A read-through Redis cache for {entity} lookups."""

import json

from redis.asyncio import Redis

from app.core.redis import redis_client


class {entity}Cache:
    def __init__(self, client: Redis = redis_client, ttl: int = 600) -> None:
        self.redis = client
        self.ttl = ttl

    def _key(self, item_id: str) -> str:
        return f"cache:{d}:{{item_id}}"

    async def get(self, item_id: str) -> dict | None:
        raw = await self.redis.get(self._key(item_id))
        return json.loads(raw) if raw else None

    async def put(self, item_id: str, value: dict) -> None:
        await self.redis.set(self._key(item_id), json.dumps(value), ex=self.ttl)

    async def invalidate(self, item_id: str) -> None:
        await self.redis.delete(self._key(item_id))''',
            write=REDIS_CACHE,
        )
    else:
        source.add(
            f'''"""Short-lived counters for {d} rate limits."""

from app.core.redis import sync_redis

WINDOW_SECONDS = 60


def hit(client_id: str) -> int:
    key = f"ratelimit:{d}:{{client_id}}"
    count = sync_redis.incr(key)
    if count == 1:
        sync_redis.expire(key, WINDOW_SECONDS)
    return count


def remember_token(client_id: str, token: str) -> None:
    sync_redis.psetex(f"token:{d}:{{client_id}}", 3_600_000, token)''',
            write=REDIS_CACHE,
        )


def _client(project: Project, name: str, rng: random.Random) -> None:
    entity = _camel(name)
    source = project.new(f"backend/app/clients/{name}_client.py")
    style = rng.choice(["httpx", "httpx_with", "requests"])
    if style == "requests":
        source.add(
            f'''"""Blocking client for the {name} partner API."""

import requests


class {entity}Client:
    def __init__(self, base_url: str = "https://{name}.example.com") -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "backend/1.0"

    def notify(self, name: str) -> None:
        self.session.post(f"{{self.base_url}}/v1/events", json={{"name": name}}, timeout=5)

    def update(self, item_id: str, body: dict) -> None:
        self.session.put(f"{{self.base_url}}/v1/items/{{item_id}}", json=body, timeout=5)

    def delete(self, item_id: str) -> None:
        self.session.delete(f"{{self.base_url}}/v1/items/{{item_id}}", timeout=5)'''
        )
        return
    if style == "httpx_with":
        source.add(
            f'''"""Calls to the {name} service."""

import httpx

BASE_URL = "https://{name}.internal"


class {entity}Client:
    async def notify(self, name: str) -> None:
        async with httpx.AsyncClient(base_url=BASE_URL, timeout=5) as client:
            await client.post("/v1/events", json={{"name": name}})

    async def remove(self, item_id: str) -> None:
        async with httpx.AsyncClient(base_url=BASE_URL, timeout=5) as client:
            response = await client.delete(f"/v1/items/{{item_id}}")
            response.raise_for_status()'''
        )
        return
    source.add(
        f'''"""Async client for the {name} API, with its token cached in Redis."""

import httpx
import redis.asyncio as redis

from app.core.config import settings


class {entity}Client:
    def __init__(self) -> None:
        self._client = httpx.AsyncClient(base_url="https://api.{name}.com", timeout=10)
        self._redis = redis.from_url(settings.redis_url)

    async def _token(self) -> str:
        cached = await self._redis.get("token:{name}")
        if cached:
            return cached.decode()
        response = await self._client.post("/oauth/token", data={{"grant_type": "client_credentials"}})
        token = response.json()["access_token"]
        await self._redis.setex("token:{name}", 3500, token)
        return token

    async def notify(self, name: str) -> None:
        await self._client.post("/v1/notify", json={{"name": name}}, headers={{"Authorization": await self._token()}})

    async def delete(self, item_id: str) -> None:
        await self._client.delete(f"/v1/items/{{item_id}}")


async def purge_remote(client, url: str) -> None:
    """Delete a resource the partner handed us a URL for."""
    await client.delete(url)''',
        write=REDIS_CACHE,
    )


def _ops_script(project: Project, n: int, name: str, rng: random.Random) -> Source:
    d = _base(name)
    kind = rng.choice(
        ["retention", "function", "function_helper", "function_read", "psycopg", "asyncpg", "s3_export", "metrics",
         "procedure", "func_construct", "psycopg_function", "pandas", "queries"]
    )  # fmt: skip
    source = project.new(f"scripts/ops/{kind}_{name}.py")
    source.add(f'#!/usr/bin/env python3\n"""Ops job: {kind.replace("_", " ")} for {d}."""\n')
    if kind == "retention":
        source.add(
            """import argparse
import logging
import os

from sqlalchemy import create_engine, text

log = logging.getLogger("retention")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=90)
    args = parser.parse_args()
    engine = create_engine(os.environ["DATABASE_URL"])
    with engine.begin() as conn:"""
        )
        source.add(
            f"""        result = conn.execute(
            text("DELETE FROM {d}s WHERE archived AND created_at < now() - make_interval(days => :days)"),
            {{"days": args.days}},
        )
    log.info("deleted %s rows", result.rowcount)""",
            write=SQL,
        )
    elif kind in ("function", "function_helper"):
        helper = kind == "function_helper"
        call = (
            f'sql_text("SELECT maintenance.rollup_{d}(:since)")'
            if helper
            else f'text("SELECT ops.cleanup_{d}(:since)")'
        )
        imports = "from app.db.sql import sql_text\n" if helper else "from sqlalchemy import text\n"
        source.add(
            f"""import datetime as dt
import sys

{imports}from app.db.session import SessionLocal


def run(since: dt.datetime) -> None:
    with SessionLocal() as session:"""
        )
        source.add(f'        session.execute({call}, {{"since": since}})', write=SQL)
        source.add(
            """        session.commit()


if __name__ == "__main__":
    run(dt.datetime.now(dt.UTC) - dt.timedelta(days=int(sys.argv[1]) if len(sys.argv) > 1 else 1))"""
        )
        source.imports.add("backend/app/db/session.py")
        if helper:
            source.imports.add("backend/app/db/sql.py")
    elif kind == "procedure":
        source.add(
            """import logging

from sqlalchemy import text

from app.db.session import SessionLocal

log = logging.getLogger(__name__)


def main() -> None:
    session = SessionLocal()
    try:"""
        )
        source.add(f'        session.execute(text("CALL archive.move_closed_{d}s()"))', write=SQL)
        source.add(
            """        session.commit()
    except Exception:
        session.rollback()
        log.exception("archive failed")
        raise
    finally:
        session.close()


if __name__ == "__main__":
    main()"""
        )
        source.imports.add("backend/app/db/session.py")
    elif kind == "func_construct":
        source.add(
            """import asyncio

from sqlalchemy import func, select

from app.db.session import AsyncSessionLocal


async def main() -> None:
    async with AsyncSessionLocal() as session:"""
        )
        source.add(f"        await session.execute(select(func.maintenance.recompute_{d}_scores()))", write=SQL)
        source.add('        await session.commit()\n\n\nif __name__ == "__main__":\n    asyncio.run(main())')
        source.imports.add("backend/app/db/session.py")
    elif kind == "psycopg_function":
        source.add(
            """import os

import psycopg2


def main() -> None:
    conn = psycopg2.connect(os.environ["DATABASE_URL"])
    try:
        with conn:
            with conn.cursor() as cur:"""
        )
        source.add(f'                cur.execute("SELECT ops.expire_{d}_sessions(%s)", (30,))', write=SQL)
        source.add('    finally:\n        conn.close()\n\n\nif __name__ == "__main__":\n    main()')
    elif kind == "pandas":
        source.add(
            """import os
import sys

import pandas as pd
from sqlalchemy import create_engine


def main(csv_path: str) -> None:
    engine = create_engine(os.environ["DATABASE_URL"])
    frame = pd.read_csv(csv_path, parse_dates=["day"])
    frame = frame.dropna(subset=["name"]).drop_duplicates()"""
        )
        source.add(
            f'    frame.to_sql("{d}_imports", engine, if_exists="append", index=False, method="multi")', write=SQL
        )
        source.add("""

if __name__ == "__main__":
    main(sys.argv[1])""")
    elif kind == "queries":
        module = _queries_module(project, d)
        source.imports.update({module, "backend/app/db/session.py"})
        source.add(
            f"""import logging

from sqlalchemy import text

from app.db.queries.{d} import ACTIVE_COUNT, MARK_STALE, PURGE_ARCHIVED
from app.db.session import SessionLocal

log = logging.getLogger(__name__)


def main() -> None:
    with SessionLocal() as session:
        before = session.execute(text(ACTIVE_COUNT)).scalar_one()"""
        )
        source.add("        session.execute(text(PURGE_ARCHIVED))", write=SQL)
        source.add(
            """        session.execute(MARK_STALE)
        session.commit()
    log.info("active before purge: %s", before)


if __name__ == "__main__":
    main()"""
        )
    elif kind == "function_read":
        source.add(
            f"""import csv
import sys

from sqlalchemy import text

from app.db.session import SessionLocal


def main(out_path: str) -> None:
    with SessionLocal() as session:
        rows = session.execute(text("SELECT * FROM ops.{d}_health(:limit)"), {{"limit": 500}}).mappings().all()
    with open(out_path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["name", "status", "age"])
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main(sys.argv[1])"""
        )
        source.writes.add(FILE)
        source.imports.add("backend/app/db/session.py")
    elif kind == "psycopg":
        source.add(
            """import os

import psycopg2


def main() -> None:
    conn = psycopg2.connect(os.environ["DATABASE_URL"])
    with conn, conn.cursor() as cur:"""
        )
        source.add(f"        cur.execute(\"UPDATE {d}s SET status = 'expired' WHERE status = 'pending'\")", write=SQL)
        source.add(
            '        print(f"expired {cur.rowcount}")\n    conn.close()\n\n\nif __name__ == "__main__":\n    main()'
        )
    elif kind == "asyncpg":
        source.add(
            f"""import asyncio
import os

import asyncpg


async def main() -> None:
    conn = await asyncpg.connect(os.environ["DATABASE_URL"])
    try:
        stale = await conn.fetch("SELECT id FROM {d}s WHERE status = 'stuck' LIMIT 1000")"""
        )
        source.add(
            f"""        await conn.executemany(
            "UPDATE {d}s SET status = 'retry' WHERE id = $1", [(r["id"],) for r in stale]
        )""",
            write=SQL,
        )
        source.add("    finally:\n        await conn.close()\n\n\nasyncio.run(main())")
    elif kind == "s3_export":
        source.add(
            f'''import datetime as dt
import os
import tempfile

import boto3
from sqlalchemy import create_engine, text


def main() -> None:
    engine = create_engine(os.environ["DATABASE_URL"])
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, name FROM {d}s WHERE created_at > now() - interval '1 day'")).all()
    path = os.path.join(tempfile.gettempdir(), "{d}.csv")
    with open(path, "w") as fh:
        fh.writelines(f"{{r.id}},{{r.name}}\\n" for r in rows)
    s3 = boto3.client("s3")
    s3.upload_file(path, "exports", f"{d}/{{dt.date.today()}}.csv")


if __name__ == "__main__":
    main()'''
        )
        source.writes.update({FILE, OBJECT_STORE})
    else:
        source.add(
            f'''import os

from prometheus_client import CollectorRegistry, Gauge, push_to_gateway
from sqlalchemy import create_engine, text

registry = CollectorRegistry()
BACKLOG = Gauge("ops_{d}_backlog", "Rows waiting", registry=registry)


def main() -> None:
    engine = create_engine(os.environ["DATABASE_URL"])
    with engine.connect() as conn:
        BACKLOG.set(conn.execute(text("SELECT count(*) FROM {d}s WHERE status = 'pending'")).scalar_one())
    push_to_gateway(os.environ.get("PUSHGATEWAY", "localhost:9091"), job="{d}_backlog", registry=registry)


if __name__ == "__main__":
    main()'''
        )
        source.writes.add(METRIC)
    return source


def _queries_module(project: Project, d: str) -> str:
    """SQL kept as constants in one module, run by the jobs that import them."""
    path = f"backend/app/db/queries/{d}.py"
    if path not in project.files:
        project.new(path).add(
            f'''"""SQL for the {d} maintenance jobs, kept in one place for review."""

from sqlalchemy import text

ACTIVE_COUNT = "SELECT count(*) FROM {d}s WHERE status = 'active'"

PURGE_ARCHIVED = """
    DELETE FROM {d}s
    WHERE archived
      AND created_at < now() - interval '180 days'
"""

MARK_STALE = text(
    "UPDATE {d}s SET status = 'stale' WHERE status = 'active' AND created_at < now() - interval '1 year'"
)'''
        )
    return path


def _task(project: Project, name: str) -> Source:
    """A Celery task in the sync, SQLAlchemy 1.x style."""
    d = _base(name)
    entity = _camel(d)
    source = project.new(f"backend/app/tasks/{name}_tasks.py")
    source.imports.update(
        {"backend/app/db/session.py", f"backend/app/models/{d}.py", "backend/app/tasks/celery_app.py"}
    )
    source.add(
        f'''from app.db.session import SessionLocal
from app.models.{d} import {entity}
from app.tasks.celery_app import celery_app


@celery_app.task(name="{d}.expire_pending")
def expire_pending() -> int:
    with SessionLocal() as db:'''
    )
    source.add(
        f"""        count = (
            db.query({entity})
            .filter({entity}.status == "pending")
            .update({{"status": "expired"}}, synchronize_session=False)
        )
        db.commit()
    return count""",
        write=SQL,
        at=1,
    )
    return source


def _job_runner(project: Project, name: str) -> Source:
    """A job that updates a metric defined in app/metrics.py: the registry says it persists in Prometheus."""
    d = _base(name)
    source = project.new(f"backend/app/jobs/{name}_refresh.py")
    source.imports.add("backend/app/metrics.py")
    source.add(
        f'''"""Refreshes {d} aggregates; counts its runs."""

import logging

import app.metrics as metrics
from app.metrics import runs_total

log = logging.getLogger(__name__)


def run() -> None:
    try:
        log.info("refreshing {d}")
        runs_total.labels(job="{d}_refresh", outcome="ok").inc()
    except Exception:
        metrics.FAILURES.labels(domain="{d}").inc()
        raise''',
        write=METRIC,
    )
    return source


def _migration(project: Project, n: int, name: str) -> None:
    d = _base(name)
    source = project.new(f"backend/alembic/versions/{n:04d}_{d}.py", role="migration")
    source.add(
        f'''"""add {d} status

Revision ID: {n:04d}
"""

import sqlalchemy as sa
from alembic import op

revision = "{n:04d}"
down_revision = "{max(n - 1, 0):04d}"


def upgrade() -> None:
    op.add_column("{d}s", sa.Column("status", sa.String(32), nullable=True))'''
    )
    source.add(f"    op.execute(\"UPDATE {d}s SET status = 'active' WHERE status IS NULL\")", write=SQL)
    source.add(
        f'''    op.alter_column("{d}s", "status", nullable=False)


def downgrade() -> None:
    op.drop_column("{d}s", "status")'''
    )


def _utility(project: Project, n: int, name: str, rng: random.Random) -> None:
    d = _base(name)
    style = rng.choice(["dict_cache", "local_cache", "lru", "sql_builder", "pure"])
    source = project.new(f"backend/app/utils/{name}_{style}.py")
    if style == "dict_cache":
        source.add(
            '''"""Memoise slow lookups for the lifetime of the process."""

import time
from typing import Any, Callable

cache: dict[str, tuple[float, Any]] = {}


def cached(key: str, load: Callable[[], Any], ttl: float = 60.0) -> Any:
    hit = cache.get(key)
    if hit and time.monotonic() - hit[0] < ttl:
        return hit[1]
    value = load()
    cache[key] = (time.monotonic(), value)
    return value


def forget(key: str) -> None:
    cache.pop(key, None)'''
        )
    elif style == "local_cache":
        source.add(
            '''"""A tiny in-process TTL cache, for values too cheap to put in Redis."""

import time


class LocalCache:
    def __init__(self) -> None:
        self._data: dict[str, tuple[float, object]] = {}

    def set(self, key: str, value: object, ttl: float = 30.0) -> None:
        self._data[key] = (time.monotonic() + ttl, value)

    def get(self, key: str) -> object | None:
        expires, value = self._data.get(key, (0.0, None))
        return value if expires > time.monotonic() else None

    def delete(self, key: str) -> None:
        self._data.pop(key, None)


cache = LocalCache()


def remember(key: str, value: object) -> None:
    cache.set(key, value)


def forget(key: str) -> None:
    cache.delete(key)'''
        )
    elif style == "lru":
        source.add(
            f"""from functools import lru_cache


@lru_cache(maxsize=1024)
def {d}_slug(name: str) -> str:
    return "-".join(name.lower().split())"""
        )
    elif style == "sql_builder":
        source.add(
            f'''"""Reporting queries, built here and run by the report endpoints."""

from sqlalchemy import text

SUMMARY = text("SELECT status, count(*) FROM {d}s GROUP BY status")


def recent(days: int):
    return text("SELECT id, name FROM {d}s WHERE created_at > now() - make_interval(days => :d)").bindparams(d=days)'''
        )
    else:
        source.add(
            f"""def normalise_{d}(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for value in values:
        key = value.strip().lower()
        if key and key not in seen:
            seen.add(key)
            out.append(key)
    return out"""
        )


def _renamed(project: Project, stem: str) -> None:
    entity = _camel(stem) + "Service"
    path = f"backend/app/drivers/{stem}_driver.py"
    source = project.new(path)
    source.add(
        f'''"""{entity}: moved here from services/ when the drivers package was split out."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


class {entity}:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def apply(self, payload: dict) -> None:'''
    )
    source.add(
        f"""        await self.session.execute(
            text("INSERT INTO {stem}_events (payload) VALUES (:p)"), {{"p": payload}}
        )
        await self.session.commit()""",
        write=SQL,
    )
    project.renamed[f"{stem}_service.py"] = path
    # The registry still names the old file: no file is registered under it, so the driver is not.
    project.register(f"backend/app/services/{stem}_service.py", f"PostgreSQL ({stem}_events)")


_BROKEN = [
    'print "migrating legacy rows"\nfor row in rows:\n    print row\n',
    "def main():\n<<<<<<< HEAD\n    run(fast=True)\n=======\n    run()\n>>>>>>> feature\n",
    '"""{{ cookiecutter.project_name }} job."""\nclass {{ cookiecutter.class_name }}:\n    pass\n',
    "def handler(event):\n    if event:\n        return process(event\n",
]


def _broken(project: Project, n: int) -> None:
    source = project.new(f"scripts/legacy/broken_{n:02d}.py", role="unparsable")
    source.add(_BROKEN[n % len(_BROKEN)].rstrip("\n"))


# --------------------------------------------------------------------- assembly


class _Picker:
    """Domains for the other kinds of files, in a shuffled order; a domain used again gets a number."""

    def __init__(self, domains: list[str], rng: random.Random) -> None:
        self.order = rng.sample(domains, len(domains))
        self.used: dict[str, int] = {}
        self.index = 0

    def __call__(self, kind: str) -> str:
        d = self.order[self.index % len(self.order)]
        self.index += 1
        count = self.used.get(f"{kind}:{d}", 0) + 1
        self.used[f"{kind}:{d}"] = count
        return d if count == 1 else f"{d}_{count}"


def build(count: int = DEFAULT_FILES, seed: int = 0) -> Project:
    """The whole project: about `count` Python files, a registry naming some of them, and the truth."""
    rng = random.Random(seed)
    project = Project()
    _infrastructure(project)
    extra = max(count // 8, 6)
    domains = _domains(max((count - 4 * extra) // 6, 4), rng)
    others = _domains(len(_FIRST) * len(_SECOND), random.Random(seed + 1))
    clients = [c for c in others if c not in domains][: max(extra // 3, 2)]
    for name in clients:
        _client(project, name, rng)
    project.new("backend/app/api/deps.py").add(
        "from app.db.session import SessionLocal\n\n\ndef get_sync_db():\n    db = SessionLocal()\n    try:\n"
        "        yield db\n    finally:\n        db.close()"
    )
    router = project.new("backend/app/api/router.py")
    router_lines = ["from fastapi import APIRouter", ""]
    for d in domains:
        _model(project, d)
        _schema(project, d)
        _repository(project, d, rng)
        service = _service(project, d, rng, clients)
        route = _route(project, d, rng)
        _test(project, d, rng)
        router_lines.append(f"from app.api.routes.{d} import router as {d}_router")
        if rng.random() < 0.45:
            project.register(service.path, f"PostgreSQL ({d}s)")
        elif SQL in route.writes and rng.random() < 0.3:
            project.register(route.path, f"PostgreSQL ({d}s)", cell=f"`api/routes/{d}.py`")
    router.add("\n".join(router_lines) + "\n\napi_router = APIRouter()")
    pick = _Picker(domains, rng)
    for n in range(extra):
        worker = _worker(project, n, pick("worker"), rng)
        if SQL in worker.writes and rng.random() < 0.3:
            project.register(worker.path, "PostgreSQL")
    for _ in range(extra // 2):
        _cache_module(project, pick("cache"), rng)
    for n in range(extra):
        script = _ops_script(project, n, pick("script"), rng)
        if rng.random() < 0.4:
            project.register(script.path, "PostgreSQL", cell=f"`{script.path}`")
    for _ in range(extra // 3):
        task = _task(project, pick("task"))
        if rng.random() < 0.3:
            project.register(task.path, "PostgreSQL")
    for n in range(extra // 2):
        job = _job_runner(project, pick("job"))
        if n % 2 == 0:
            project.register(job.path, "Prometheus")
    for n in range(extra // 2):
        _migration(project, n + 1, pick("migration"))
    for n in range(extra // 2):
        _utility(project, n, pick("utility"), rng)
    for stem in _RENAMED[: max(min(extra // 20, len(_RENAMED)), 1)]:
        _renamed(project, stem)
    for n in range(max(extra // 25, 2)):
        _broken(project, n)
    return project


def registry_markdown(project: Project) -> str:
    rows = [
        "# Signal Registry (synthetic)",
        "",
        "## Backend Signals",
        "",
        "| UID | Signal | Producer | P-Layer | Consumer | C-Layer | Persistence |",
        "|---|---|---|---|---|---|---|",
    ]
    for number, (cell, persistence, path) in enumerate(project.signals, 1):
        stem = path.rsplit("/", 1)[-1].removesuffix(".py")
        producer = cell if cell.startswith("`") else f"`{cell}`"
        rows.append(
            f"| SIG-{number:04d} | {_camel(stem)}Output | {producer} | L5 | dashboard.py | L2 | {persistence} |"
        )
    return "\n".join(rows) + "\n"


RULES = Path(__file__).resolve().parent.parent / "registry" / "auditor_rules.yaml"  # holds UNREGISTERED_DB_WRITER


def write_project(dest: Path, count: int = DEFAULT_FILES, seed: int = 0, *, redis_signal: bool = False) -> Project:
    """code/ (the code base), registry/ (signals.md, auditor_rules.yaml) and truth.json under dest.

    With redis_signal, the registry also has a signal persisted in Redis, which
    makes Redis state writes database writes too (the gate's rule).
    """
    project = build(count, seed)
    if redis_signal:
        project.register("backend/app/core/redis.py", "Redis (feature flags)")
    shutil.rmtree(dest / "code", ignore_errors=True)  # a code base left by an earlier run is not this one
    for path, source in project.files.items():
        target = dest / "code" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source.text, encoding="utf-8")
    (dest / "registry").mkdir(parents=True, exist_ok=True)
    (dest / "registry" / "signals.md").write_text(registry_markdown(project), encoding="utf-8")
    (dest / "registry" / "auditor_rules.yaml").write_text(RULES.read_text(encoding="utf-8"), encoding="utf-8")
    truth = project.truth()
    (dest / "truth.json").write_text(json.dumps(truth, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return project


def generate(count: int = DEFAULT_FILES, seed: int = 0) -> Iterator[tuple[str, str]]:
    """(relative path, source) of each Python file, for timing the scanner alone (scan_code.py)."""
    for path, source in build(count, seed).files.items():
        yield path, source.text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--files", type=int, default=DEFAULT_FILES)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    project = write_project(args.out_dir, args.files, args.seed)
    print(f"wrote {len(project.files)} files and {len(project.signals)} signals under {args.out_dir}")


if __name__ == "__main__":
    main()
