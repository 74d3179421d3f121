"""Which calls write durable state, and to which store.

One detector per kind of store. Each looks at a single call and answers with
the write sites it makes, or none. The order in call_writes() matters only
where two readings are possible: a metric's .set() is not a Redis SET, and a
database session's .delete() is not a Redis DEL. File writes are in files.py.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from layerflow.evidence.context import Module
from layerflow.evidence.facts import (
    METRIC,
    OBJECT_STORE,
    POSTGRESQL,
    PROMETHEUS,
    R2,
    REDIS,
    REDIS_STORE,
    S3,
    SQL,
    WriteSite,
)
from layerflow.evidence.files import file_function_writes, file_method_writes
from layerflow.evidence.pysource import (
    argument,
    dotted,
    qualified,
    root_call,
    show,
    template,
    terminal,
)
from layerflow.evidence.receivers import read_receiver
from layerflow.evidence.sql import sql_writes

# SQL statement runners: they write when the statement they are given writes.
EXECUTE_METHODS = frozenset(
    {"execute", "executemany", "exec", "exec_driver_sql", "executescript", "fetch", "fetchrow", "fetchval"}
)
COPY_METHODS = frozenset({"copy_records_to_table", "copy_to_table"})  # asyncpg bulk loads: the table is argument 0
ORM_METHODS = frozenset(
    {"add", "add_all", "merge", "delete", "commit", "flush", "bulk_save_objects", "bulk_insert_mappings",
     "bulk_update_mappings"}
)  # fmt: skip
REDIS_METHODS = frozenset(
    {"set", "setex", "psetex", "setnx", "mset", "getset", "hset", "hmset", "hsetnx", "hincrby", "hdel", "xadd",
     "xack", "xtrim", "lpush", "rpush", "lpop", "rpop", "lrem", "ltrim", "sadd", "srem", "zadd", "zrem",
     "zincrby", "incr", "incrby", "decr", "decrby", "expire", "pexpire", "expireat", "delete", "unlink",
     "publish", "eval", "evalsha", "register_script"}
)  # fmt: skip
_REDIS_KEYLESS = frozenset({"eval", "evalsha", "register_script", "mset"})  # argument 0 is a script or a mapping
OBJECT_METHODS = frozenset(
    {"put_object", "upload_file", "upload_fileobj", "copy_object", "delete_object", "delete_objects",
     "complete_multipart_upload"}
)  # fmt: skip
METRIC_METHODS = frozenset({"inc", "dec", "set", "observe", "set_to_current_time", "info", "state"})
METRIC_CONSTRUCTORS = frozenset({"Counter", "Gauge", "Histogram", "Summary", "Info", "Enum"})
_PROMETHEUS_MODULES = ("prometheus_client", "prometheus_client.metrics")
_NOT_METRIC_MODULES = frozenset({"collections", "typing", "typing_extensions", "enum"})


Detector = Callable[[ast.Call, ast.Attribute, ast.AST, Module], list[WriteSite]]


def call_writes(call: ast.Call, scope: ast.AST, module: Module) -> list[WriteSite]:
    """The write sites one call makes; usually none."""
    sites = file_function_writes(call, scope, module)
    if not sites and terminal(call.func) == "text":
        sites = _text(call, scope, module)
    if sites or not isinstance(call.func, ast.Attribute):
        return sites
    detectors: tuple[Detector, ...] = (_metric, _statement, _orm, _redis, _object_store, file_method_writes)
    for detector in detectors:
        sites = detector(call, call.func, scope, module)
        if sites:
            return sites
    return []


# ---------------------------------------------------------------- metrics


def metric_objects(nodes: list[tuple[ast.AST, ast.AST]], module: Module) -> tuple[dict[str, str], set[str]]:
    """Names bound to Prometheus metrics in this file, and containers of metrics."""
    metrics: dict[str, str] = {}
    groups: set[str] = set()
    for node, _ in nodes:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        for target in targets:
            name = dotted(target)
            if name is None:
                continue
            if _is_metric(value, module):
                assert isinstance(value, ast.Call)
                metric_name = argument(value, 0, "name")
                metrics[name] = (template(metric_name) if metric_name is not None else None) or name
            elif isinstance(value, ast.Dict | ast.List | ast.Tuple):
                members = value.values if isinstance(value, ast.Dict) else value.elts
                if any(_is_metric(member, module) for member in members if member is not None):
                    groups.add(name)
    return metrics, groups


def _is_metric(value: ast.expr, module: Module) -> bool:
    """A call that builds a Prometheus metric: Gauge(...) imported from prometheus_client or a project wrapper.

    Counter from collections (or typing) counts words, and Enum/Info are too
    common as names to trust unless they come from prometheus_client itself.
    """
    if not isinstance(value, ast.Call):
        return False
    name = qualified(value.func, module.aliases) or ""
    origin, _, constructor = name.rpartition(".")
    if constructor not in METRIC_CONSTRUCTORS:
        return False
    if origin.split(".")[0] == "prometheus_client":
        return True
    if origin:
        return origin.split(".")[0] not in _NOT_METRIC_MODULES and constructor not in {"Enum", "Info"}
    return any(f"*{m}" in module.aliases for m in _PROMETHEUS_MODULES)  # a bare name: only after a star import


def _metric(call: ast.Call, func: ast.Attribute, scope: ast.AST, module: Module) -> list[WriteSite]:
    if func.attr not in METRIC_METHODS:
        return []
    target = func.value
    while isinstance(target, ast.Call) and isinstance(target.func, ast.Attribute) and target.func.attr == "labels":
        target = target.func.value
    name = dotted(target)
    if name is not None and name in module.metrics:
        detail = module.metrics[name]
    elif isinstance(target, ast.Subscript) and dotted(target.value) in module.metric_groups:
        detail = show(target)
    else:
        return []
    return [module.site(METRIC, PROMETHEUS, detail, call, func.attr)]


# -------------------------------------------------------------------- SQL


def statement_sources(calls: list[tuple[ast.Call, ast.AST]], module: Module) -> None:
    """Resolve what each execute() runs, before any site is reported.

    A text() bound to a name at module level and executed in a function is
    one write, reported where it is executed; so every execute() is read
    first, and the text() calls they account for are remembered.
    """
    for call, scope in calls:
        if isinstance(call.func, ast.Attribute) and call.func.attr in EXECUTE_METHODS:
            statement = argument(call, 0, "statement", "query", "sql", "operation")
            if statement is None:
                continue
            writes, text_call = _resolve_statement(statement, scope, module, 0)
            if text_call is not None:
                module.consumed.add(id(text_call))
            if writes:
                module.statements[id(call)] = writes


def _resolve_statement(
    expr: ast.expr, scope: ast.AST, module: Module, depth: int
) -> tuple[tuple[tuple[str, str], ...] | None, ast.Call | None]:
    """(the writes a statement makes, or None when unknown; the text() call it came from)."""
    if depth > 4:
        return None, None
    sql = template(expr)
    if sql is not None:
        return sql_writes(sql), None
    if isinstance(expr, ast.Name):
        bound = module.bindings.value_of(expr, scope)
        return _resolve_statement(bound, scope, module, depth + 1) if bound is not None else (None, None)
    root = root_call(expr)
    if root is None:
        return None, None
    name = (qualified(root.func, module.aliases) or terminal(root.func)).rsplit(".", 1)[-1]  # pg_insert -> insert
    if name == "text":
        text_argument = argument(root, 0, "text")
        writes = _resolve_statement(text_argument, scope, module, depth + 1)[0] if text_argument else None
        return writes, root
    if name in {"insert", "update", "delete"}:
        return ((name.upper(), _construct_table(root, module)),), None
    if name in {"select", "exists", "union", "union_all", "values"}:
        return (), None
    return None, None


def _construct_table(root: ast.Call, module: Module) -> str:
    """The table of insert(Model) / Model.__table__.insert() / table.update()."""
    if root.args:
        target: ast.expr | None = root.args[0]
    else:
        target = root.func.value if isinstance(root.func, ast.Attribute) else None
    if target is None:
        return ""
    name = dotted(target) or show(target)
    name = name.removesuffix(".__table__")
    return module.models.get(name.rsplit(".", 1)[-1], name)


def _statement(call: ast.Call, func: ast.Attribute, scope: ast.AST, module: Module) -> list[WriteSite]:
    if func.attr in COPY_METHODS:
        table = module.text_of(argument(call, 0, "table_name"), scope)
        return [module.site(SQL, POSTGRESQL, table, call, "COPY")]
    writes = module.statements.get(id(call), ())
    return [module.site(SQL, POSTGRESQL, table, call, verb) for verb, table in writes]


def _text(call: ast.Call, scope: ast.AST, module: Module) -> list[WriteSite]:
    """A text("INSERT ...") that no execute() in this file accounts for."""
    if id(call) in module.consumed:
        return []
    sql = argument(call, 0, "text")
    if sql is None:
        return []
    writes = _resolve_statement(sql, scope, module, 1)[0] or ()
    return [module.site(SQL, POSTGRESQL, table, call, verb) for verb, table in writes]


def _orm(call: ast.Call, func: ast.Attribute, scope: ast.AST, module: Module) -> list[WriteSite]:
    if func.attr not in ORM_METHODS or not read_receiver(func.value, scope, module.bindings).is_sql():
        return []
    operation = func.attr
    first = argument(call, 0)
    if operation in {"add", "merge", "delete"}:
        details = [_instance_table(first, scope, module)]
    elif operation in {"add_all", "bulk_save_objects"}:
        members = first.elts if isinstance(first, ast.List | ast.Tuple | ast.Set) else []
        details = sorted({_instance_table(m, scope, module) for m in members}) or [""]
    elif operation in {"bulk_insert_mappings", "bulk_update_mappings"}:
        details = [_model_table(first, module)]
    else:
        details = [""]
    return [module.site(SQL, POSTGRESQL, detail, call, operation) for detail in details]


def _instance_table(expr: ast.expr | None, scope: ast.AST, module: Module) -> str:
    """The table of the object added: GraduationHistory(...) -> graduation_history when the class is known."""
    if isinstance(expr, ast.Name):
        declared = module.bindings.annotation_of(expr, scope)  # def save(run: Run): session.add(run)
        expr = module.bindings.value_of(expr, scope)
        if expr is None and declared is not None and terminal(declared)[:1].isupper():
            return _model_table(declared, module)
    if isinstance(expr, ast.Call) and terminal(expr.func)[:1].isupper():
        return _model_table(expr.func, module)
    return ""


def _model_table(expr: ast.expr | None, module: Module) -> str:
    name = terminal(expr) if expr is not None else ""
    return module.models.get(name, name)


# ------------------------------------------------------------------ Redis


def _redis(call: ast.Call, func: ast.Attribute, scope: ast.AST, module: Module) -> list[WriteSite]:
    if func.attr not in REDIS_METHODS or not read_receiver(func.value, scope, module.bindings).is_redis(
        module.uses_redis
    ):
        return []
    key = "" if func.attr in _REDIS_KEYLESS else _key_text(argument(call, 0, "name", "channel"), scope, module)
    return [module.site(REDIS, REDIS_STORE, key, call, func.attr)]


def _key_text(expr: ast.expr | None, scope: ast.AST, module: Module) -> str:
    """A key's text when the code spells it (directly or through one name); else ""."""
    if expr is None:
        return ""
    found = template(expr)
    if found is None and isinstance(expr, ast.Name):
        bound = module.bindings.value_of(expr, scope)
        found = template(bound) if bound is not None else None
    return found or ""


# ----------------------------------------------------------- object store


def _object_store(call: ast.Call, func: ast.Attribute, scope: ast.AST, module: Module) -> list[WriteSite]:
    if func.attr not in OBJECT_METHODS:
        return []
    target = R2 if read_receiver(func.value, scope, module.bindings).names_r2 else S3
    position = 2 if func.attr in {"upload_file", "upload_fileobj"} else 99  # boto3: (Filename, Bucket, Key)
    key_name = "Bucket" if func.attr == "delete_objects" else "Key"
    key = _key_text(argument(call, position, key_name), scope, module)
    return [module.site(OBJECT_STORE, target, key, call, func.attr)]
