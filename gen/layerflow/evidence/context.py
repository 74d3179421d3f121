"""What the write detectors know about the whole file they are reading."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from layerflow.evidence.paths import path_text
from layerflow.evidence.pysource import Bindings, show, template
from layerflow.model import Location
from layerflow.model.facts import PendingWrite, TextHelper, WriteSite

_REDIS_CLIENTS = frozenset({"redis", "aioredis", "coredis", "valkey"})
_HTTP_CLIENTS = frozenset({"httpx", "requests", "aiohttp", "urllib3"})


@dataclass
class Module:
    """What the detectors need to know about the whole file."""

    path: str
    aliases: dict[str, str]
    bindings: Bindings
    awaited: set[int]  # ids of calls that are awaited or entered with `async with`
    models: dict[str, str]  # ORM class -> table, for classes defined in this file
    metrics: dict[str, str] = field(default_factory=dict)  # dotted name -> metric name
    metric_groups: set[str] = field(default_factory=set)  # dicts and lists holding metrics
    statements: dict[int, tuple[tuple[str, str], ...]] = field(default_factory=dict)  # execute call -> writes
    reasons: dict[int, str] = field(default_factory=dict)  # execute call -> why it writes, when not plain SQL
    consumed: set[int] = field(default_factory=set)  # text() calls an execute() already reports
    classes: frozenset[str] = frozenset()  # classes defined in this file
    text_helpers: dict[str, TextHelper] = field(default_factory=dict)  # module-level functions wrapping text()
    method_helpers: dict[str, TextHelper] = field(default_factory=dict)  # methods wrapping text() or execute()
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)  # module level
    methods: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)  # of any class here
    commits: dict[int, list[int]] = field(default_factory=dict)  # scope -> lines of commit() calls
    transactions: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # scope -> `with x.begin()` lines
    expiring: set[tuple[int, str]] = field(default_factory=set)  # (scope, Redis key) given a TTL in that scope
    expiring_anywhere: set[str] = field(default_factory=set)  # Redis keys given a TTL, spelt as text or a call
    mutations: dict[int, list[tuple[int, ast.expr]]] = field(default_factory=dict)  # scope -> (line, item.status)
    definitions: set[int] = field(default_factory=set)  # calls that are the value of a module-level constant
    pending: list[PendingWrite] = field(default_factory=list)  # writes settled across files

    @property
    def uses_redis(self) -> bool:
        return any(v.split(".")[0] in _REDIS_CLIENTS for v in self.aliases.values())

    @property
    def generic_clients_are_redis(self) -> bool:
        """A bare `client.delete(x)` is Redis in a module that imports Redis and no HTTP library."""
        roots = {v.split(".")[0] for v in self.aliases.values()}
        return bool(roots & _REDIS_CLIENTS) and not roots & _HTTP_CLIENTS

    def site(self, kind: str, target: str, detail: str, call: ast.Call, operation: str, reason: str = "") -> WriteSite:
        location = Location(self.path, call.lineno)
        return WriteSite(kind, target, detail or operation, location, id(call) in self.awaited, operation, reason)

    def changed_before(self, call: ast.Call, scope: ast.AST) -> list[str]:
        """Attributes of objects this function set before the call: what a commit here writes."""
        changed = [target for line, target in self.mutations.get(id(scope), ()) if line <= call.lineno]
        return [f"setattr({show(c.args[0])}, …)" if isinstance(c, ast.Call) else show(c) for c in changed]

    def committed(self, call: ast.Call, scope: ast.AST) -> bool:
        """A commit follows the call in its function, or the call runs inside `with x.begin():`."""
        line = call.lineno
        if any(at > line for at in self.commits.get(id(scope), ())):
            return True
        return any(start <= line <= end for start, end in self.transactions.get(id(scope), ()))

    def path_of(self, expr: ast.expr | None, scope: ast.AST) -> str:
        return path_text(expr, scope, self.bindings, self.aliases) if expr is not None else ""

    def text_of(self, expr: ast.expr | None, scope: ast.AST) -> str:
        """A string argument's text, following one name to the string it holds; else the expression as code."""
        if expr is None:
            return ""
        found = self.spelled(expr, scope)
        return found if found is not None else show(expr)

    def spelled(self, expr: ast.expr, scope: ast.AST) -> str | None:
        """The string the code spells, directly or through one name bound to it; None when it spells none."""
        found = template(expr)
        if found is None and isinstance(expr, ast.Name):
            bound = self.bindings.value_of(expr, scope)
            found = template(bound) if bound is not None else None
        return found
