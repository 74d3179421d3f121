"""What an object is, judged as a reviewer would: by its name and what it was made from.

`session.add(x)` writes a database and `r.set(k, v)` writes Redis because of
what `session` and `r` are. Code rarely says so with types, so we read the
receiver's own name and, when it is a local name or attribute, the value it
was last bound to (`pipe = redis.pipeline()`, `s = AsyncSessionLocal()`).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from layerflow.evidence.pysource import Bindings, reference, show, terminal, words

# The last word of a receiver's name that makes it a database handle:
# db_session, self.db, conn, tx, cursor. "session_ids" ends in "ids": a set.
_SQL_NAME_WORDS = frozenset(
    {"session", "sess", "db", "database", "conn", "connection", "tx", "txn", "transaction", "cursor", "cur", "uow"}
)
_SQL_NAME_SUFFIXES = ("session", "conn", "db")
# Any word of what it was bound to: AsyncSessionLocal(), engine.begin(), asyncpg.connect().
_SQL_SOURCE_WORDS = frozenset(
    {"session", "sessionmaker", "engine", "connect", "connection", "conn", "db", "cursor", "asyncpg", "psycopg",
     "psycopg2", "sqlalchemy", "sqlmodel", "transaction"}
)  # fmt: skip
_REDIS_NAMES = frozenset({"r", "rd", "rds", "redis"})
_REDIS_NAME_WORDS = frozenset({"cache"})
_CLIENT_WORDS = frozenset({"client", "pipe", "pipeline", "conn", "pool"})  # Redis handles when the module uses Redis
_HTTP_WORDS = frozenset({"http", "https", "requests", "httpx", "aiohttp", "urllib3", "clientsession", "web"})
_R2 = re.compile(r"(?<![a-z0-9])r2(?![a-z0-9])|cloudflarestorage")
# What a plain in-process cache is made from: its set() and delete() touch no server.
IN_MEMORY_CONSTRUCTORS = frozenset(
    {"dict", "OrderedDict", "defaultdict", "WeakValueDictionary", "WeakKeyDictionary", "TTLCache", "LRUCache",
     "LFUCache", "TLRUCache", "RRCache", "FIFOCache", "MRUCache", "Cache", "ExpiringDict", "SimpleCache"}
)  # fmt: skip
_LITERALS = (ast.Dict, ast.Set, ast.List, ast.DictComp, ast.SetComp, ast.ListComp)


@dataclass(frozen=True, slots=True)
class Receiver:
    """The words of a receiver's name and of the value it was bound to."""

    own: tuple[str, ...]
    source: tuple[str, ...]
    text: str  # the receiver and its source as written, for spotting R2
    made_by: str = ""  # the class or function the receiver was made by: "TTLCache", "from_url"; "" when unknown
    literal: bool = False  # bound to a dict, set or list literal

    @property
    def in_memory(self) -> bool:
        """A dict, a cachetools cache and the like: an object of this process, whatever it is called."""
        return self.literal or self.made_by in IN_MEMORY_CONSTRUCTORS

    @property
    def is_http(self) -> bool:
        return bool(_HTTP_WORDS.intersection(self.own) or _HTTP_WORDS.intersection(self.source))

    def is_sql(self) -> bool:
        if self.is_http or self.source_is_redis:
            return False
        if _SQL_SOURCE_WORDS.intersection(self.source):
            return True
        last = self.own[-1] if self.own else ""
        return last in _SQL_NAME_WORDS or last.endswith(_SQL_NAME_SUFFIXES)

    @property
    def source_is_redis(self) -> bool:
        return any("redis" in word for word in self.source)

    def is_redis(self, module_uses_redis: bool) -> bool:
        if self.is_http or self.in_memory:
            return False
        if self.source_is_redis or any("redis" in word for word in self.own):
            return True
        if _SQL_SOURCE_WORDS.intersection(self.source):
            return False
        last = self.own[-1] if self.own else ""
        if ".".join(self.own) in _REDIS_NAMES or last in _REDIS_NAME_WORDS:
            return True
        return module_uses_redis and last in _CLIENT_WORDS

    @property
    def names_r2(self) -> bool:
        return bool(_R2.search(self.text.lower()))


def read_receiver(expr: ast.expr, scope: ast.AST, bindings: Bindings, depth: int = 0) -> Receiver:
    name = reference(expr)
    own = tuple(w for w in words(name) if w not in {"self", "cls"})
    bound = _bound_value(expr, scope, bindings)
    source: tuple[str, ...] = ()
    text = show(expr)
    made_by = ""
    if bound is not None:
        source = tuple(words(reference(bound)))
        text += " " + show(bound)
        made_by = terminal(bound.func) if isinstance(bound, ast.Call) else ""
        if depth < 2 and isinstance(bound, ast.Call) and isinstance(bound.func, ast.Attribute):
            # pipe = r.pipeline(): the pipeline is Redis because r is
            maker = read_receiver(bound.func.value, scope, bindings, depth + 1)
            if maker.is_redis(module_uses_redis=False):
                source += ("redis",)
    else:
        declared = bindings.annotation_of(expr, scope)  # def run(db: AsyncSession): the type says it
        if declared is not None:
            source = tuple(words(show(declared)))
            text += " " + show(declared)
    return Receiver(own, source, text, made_by, isinstance(bound, _LITERALS))


def _bound_value(expr: ast.expr, scope: ast.AST, bindings: Bindings) -> ast.expr | None:
    while isinstance(expr, ast.Await):
        expr = expr.value
    value = bindings.value_of(expr, scope) if isinstance(expr, ast.Name | ast.Attribute) else None
    while isinstance(value, ast.Await):
        value = value.value
    return value
