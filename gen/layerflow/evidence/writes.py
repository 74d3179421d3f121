"""Which calls write durable state, and to which store.

One detector per kind of store. Each looks at a single call and answers with
the write sites it makes, or none. The order in call_writes() matters only
where two readings are possible: a metric's .set() is not a Redis SET, and a
database session's .delete() is not a Redis DEL. What execute() runs is read
in statements.py, Redis in redis_writes.py, files in files.py.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from layerflow.evidence.context import Module
from layerflow.evidence.files import file_function_writes, file_method_writes
from layerflow.evidence.pysource import argument, dotted, qualified, show, template, terminal
from layerflow.evidence.receivers import read_receiver
from layerflow.evidence.redis_writes import key_text, redis_writes
from layerflow.evidence.statements import statement_writes, text_writes
from layerflow.model import Location
from layerflow.model.facts import (
    COMMIT_OPERATIONS,
    METRIC,
    OBJECT_STORE,
    POSTGRESQL,
    PROMETHEUS,
    R2,
    S3,
    SQL,
    PendingWrite,
    WriteSite,
)

ORM_METHODS = frozenset(
    {"add", "add_all", "merge", "delete", "commit", "flush", "bulk_save_objects", "bulk_insert_mappings",
     "bulk_update_mappings"}
)  # fmt: skip
OBJECT_METHODS = frozenset(
    {"put_object", "upload_file", "upload_fileobj", "copy_object", "delete_object", "delete_objects",
     "complete_multipart_upload"}
)  # fmt: skip
METRIC_METHODS = frozenset({"inc", "dec", "set", "observe", "set_to_current_time", "info", "state"})
IMPORTED_METRIC_METHODS = METRIC_METHODS - {"info", "state"}  # logger.info() is everywhere; Info/Enum are rare
METRIC_CONSTRUCTORS = frozenset({"Counter", "Gauge", "Histogram", "Summary", "Info", "Enum"})
_PROMETHEUS_MODULES = ("prometheus_client", "prometheus_client.metrics")
_NOT_METRIC_MODULES = frozenset({"collections", "typing", "typing_extensions", "enum"})


Detector = Callable[[ast.Call, ast.Attribute, ast.AST, Module], list[WriteSite]]


def call_writes(call: ast.Call, scope: ast.AST, module: Module) -> list[WriteSite]:
    """The write sites one call makes; usually none.

    A call no detector claims may still update a metric another module
    defines: that is recorded in module.pending, for link_files().
    """
    sites = file_function_writes(call, scope, module) or text_writes(call, scope, module)
    if sites or not isinstance(call.func, ast.Attribute):
        return sites
    detectors: tuple[Detector, ...] = (
        _metric,
        statement_writes,
        _query_bulk,
        _dataframe_to_sql,
        _orm,
        redis_writes,
        _object_store,
        file_method_writes,
    )
    for detector in detectors:
        sites = detector(call, call.func, scope, module)
        if sites:
            return sites
    _imported_metric(call, call.func, module)
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


def _imported_metric(call: ast.Call, func: ast.Attribute, module: Module) -> None:
    """`runs_total.inc()` after `from app.metrics import runs_total`, or `metrics.runs_total.labels(...).inc()`."""
    if func.attr not in IMPORTED_METRIC_METHODS:
        return
    target = func.value
    while isinstance(target, ast.Call) and isinstance(target.func, ast.Attribute) and target.func.attr == "labels":
        target = target.func.value
    name = dotted(target)
    if name is None or name.split(".")[0] not in module.aliases or name in module.metrics:
        return
    full = qualified(target, module.aliases)
    if full:
        location = Location(module.path, call.lineno)
        module.pending.append(PendingWrite(METRIC, full, location, id(call) in module.awaited, func.attr))


# -------------------------------------------------------------------- SQL


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
    elif operation in COMMIT_OPERATIONS and (changed := module.changed_before(call, scope)):
        shown = ", ".join(dict.fromkeys(changed))
        reason = f"commits what this function changed on objects it holds: {shown}"
        return [module.site(SQL, POSTGRESQL, "", call, operation, reason)]
    else:
        details = [""]
    return [module.site(SQL, POSTGRESQL, detail, call, operation) for detail in details]


def _dataframe_to_sql(call: ast.Call, func: ast.Attribute, scope: ast.AST, module: Module) -> list[WriteSite]:
    """pandas' frame.to_sql("table", engine): rows appended to (or replacing) a table."""
    if func.attr != "to_sql" or argument(call, 1, "con") is None:
        return []
    return [module.site(SQL, POSTGRESQL, module.text_of(argument(call, 0, "name"), scope), call, "to_sql")]


def _query_bulk(call: ast.Call, func: ast.Attribute, scope: ast.AST, module: Module) -> list[WriteSite]:
    """SQLAlchemy's Query bulk writes: db.query(Model).filter(...).delete() and .update({...})."""
    if func.attr not in {"delete", "update"} or not isinstance(func.value, ast.Call):
        return []
    link: ast.expr = func.value
    while isinstance(link, ast.Call) and isinstance(link.func, ast.Attribute):
        if link.func.attr == "query":
            if not read_receiver(link.func.value, scope, module.bindings).is_sql():
                return []
            return [module.site(SQL, POSTGRESQL, _model_table(argument(link, 0), module), call, func.attr)]
        link = link.func.value
    return []


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


# ----------------------------------------------------------- object store


def _object_store(call: ast.Call, func: ast.Attribute, scope: ast.AST, module: Module) -> list[WriteSite]:
    if func.attr not in OBJECT_METHODS:
        return []
    target = R2 if read_receiver(func.value, scope, module.bindings).names_r2 else S3
    position = 2 if func.attr in {"upload_file", "upload_fileobj"} else 99  # boto3: (Filename, Bucket, Key)
    key_name = "Bucket" if func.attr == "delete_objects" else "Key"
    key = key_text(argument(call, position, key_name), scope, module)
    return [module.site(OBJECT_STORE, target, key, call, func.attr)]
