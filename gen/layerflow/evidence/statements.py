"""What an execute() runs: SQL text, SQLAlchemy constructs, text() and the project's own wrappers of it.

A statement is followed the way a reviewer follows it: through a name it was
bound to (`PURGE = text("DELETE ...")` at module level, executed in a
function), through text() and through a function of the code base that hands
its parameter to text() (`def sql_text(s): return text(s)`). A wrapper
defined in this file is followed here; one imported from another module is
recorded as a PendingWrite and settled by link_files() once every file is
read.

A statement that writes nothing but calls a database function
("SELECT m10.cleanup_fn()") writes when the caller commits it: a commit
later in the same function, or a `with engine.begin():` block around it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from layerflow.evidence.context import Module
from layerflow.evidence.facts import POSTGRESQL, SQL, PendingWrite, TextHelper, WriteSite
from layerflow.evidence.pysource import argument, dotted, qualified, root_call, show, template, terminal
from layerflow.evidence.receivers import read_receiver
from layerflow.evidence.sql import database_functions, looks_like_sql, sql_writes
from layerflow.model import Location

# SQL statement runners: they write when the statement they are given writes.
EXECUTE_METHODS = frozenset(
    {"execute", "executemany", "exec", "exec_driver_sql", "executescript", "fetch", "fetchrow", "fetchval"}
)
COPY_METHODS = frozenset({"copy_records_to_table", "copy_to_table"})  # asyncpg bulk loads: the table is argument 0
TRANSACTION_METHODS = frozenset({"begin", "begin_nested", "transaction"})  # `with engine.begin():` commits on exit
_TRANSACTION_OWNERS = frozenset({"session", "engine", "db", "conn", "connection", "database", "pool"})
_STATEMENT_ARGUMENTS = ("statement", "query", "sql", "operation")


@dataclass(frozen=True, slots=True)
class _Resolved:
    """What a statement expression runs, as far as this file can tell."""

    writes: tuple[tuple[str, str], ...] | None = None  # (verb, table) of each write; None: unknown
    source: ast.Call | None = None  # the text() or wrapper call it came from, reported here and not again
    functions: tuple[str, ...] = ()  # database functions a statement that writes nothing calls
    via: str = ""  # the wrapper of text() it went through: "sql_text"
    verb: str = "SELECT"  # with `functions`: how the statement calls them, SELECT or CALL
    imported: str = ""  # an imported function the SQL went through, settled across files
    arguments: tuple[tuple[str, str], ...] = ()  # with `imported`: its string arguments


# ------------------------------------------------------------- before the walk


def text_helpers(nodes: list[tuple[ast.AST, ast.AST]], tree: ast.Module, module: Module) -> dict[str, TextHelper]:
    """Module-level functions that hand a parameter to text(): the SQL they are called with is run."""
    functions = {
        id(node): node
        for node, scope in nodes
        if scope is tree and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    found: dict[str, TextHelper] = {}
    for node, scope in nodes:
        function = functions.get(id(scope))
        if function is None or function.name in found or not isinstance(node, ast.Call):
            continue
        if _short_name(node, module) != "text":
            continue
        sql = argument(node, 0, "text")
        used = {n.id for n in ast.walk(sql) if isinstance(n, ast.Name)} if sql is not None else set()
        parameters = [*function.args.posonlyargs, *function.args.args]
        for position, parameter in enumerate(parameters):
            if parameter.arg in used:
                found[function.name] = TextHelper(function.name, position, parameter.arg)
                break
        else:
            keyword = next((p.arg for p in function.args.kwonlyargs if p.arg in used), None)
            if keyword is not None:
                found[function.name] = TextHelper(function.name, 1_000, keyword)
    return found


def transaction_bounds(nodes: list[tuple[ast.AST, ast.AST]], module: Module) -> None:
    """Where transactions are committed: commit() calls and `with x.begin():` blocks, by scope."""
    for node, scope in nodes:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit":
            if read_receiver(node.func.value, scope, module.bindings).is_sql():
                module.commits.setdefault(id(scope), []).append(node.lineno)
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if _opens_transaction(item.context_expr, scope, module):
                    module.transactions.setdefault(id(scope), []).append((node.lineno, node.end_lineno or node.lineno))


def _opens_transaction(expr: ast.expr, scope: ast.AST, module: Module) -> bool:
    if isinstance(expr, ast.Await):
        expr = expr.value
    if not (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute)):
        return False
    if expr.func.attr not in TRANSACTION_METHODS:
        return False
    receiver = read_receiver(expr.func.value, scope, module.bindings)
    return receiver.is_sql() or bool(_TRANSACTION_OWNERS.intersection(receiver.own))


def statement_sources(calls: list[tuple[ast.Call, ast.AST]], module: Module) -> None:
    """Resolve what each execute() runs, before any site is reported.

    A text() bound to a name at module level and executed in a function is
    one write, reported where it is executed; so every execute() is read
    first, and the text() calls they account for are remembered.
    """
    for call, scope in calls:
        if not (isinstance(call.func, ast.Attribute) and call.func.attr in EXECUTE_METHODS):
            continue
        statement = argument(call, 0, *_STATEMENT_ARGUMENTS)
        if statement is None:
            continue
        found = _resolve(statement, scope, module, 0)
        if found.source is not None:
            module.consumed.add(id(found.source))
        if found.writes:
            module.statements[id(call)] = found.writes
            if found.via:
                module.reasons[id(call)] = _through(found.via)
        elif found.functions and module.committed(call, scope):
            module.statements[id(call)] = tuple((found.verb, name) for name in found.functions)
            module.reasons[id(call)] = _committed_reason(found.functions, found.via)
        elif found.imported:
            module.pending.append(_pending(call, found, module, committed=module.committed(call, scope)))


# ----------------------------------------------------------------- detectors


def statement_writes(call: ast.Call, func: ast.Attribute, scope: ast.AST, module: Module) -> list[WriteSite]:
    """The writes of an execute() read by statement_sources(), and asyncpg's bulk copies."""
    if func.attr in COPY_METHODS:
        table = module.text_of(argument(call, 0, "table_name"), scope)
        return [module.site(SQL, POSTGRESQL, table, call, "COPY")]
    writes = module.statements.get(id(call), ())
    reason = module.reasons.get(id(call), "")
    return [module.site(SQL, POSTGRESQL, table, call, verb, reason) for verb, table in writes]


def text_writes(call: ast.Call, scope: ast.AST, module: Module) -> list[WriteSite]:
    """A text("INSERT ...") or sql_text("INSERT ...") that no execute() in this file accounts for."""
    if id(call) in module.consumed:
        return []
    name = _short_name(call, module)
    if name == "text" or (
        isinstance(call.func, ast.Name) and call.func.id in module.text_helpers and call.func.id not in module.aliases
    ):
        found = _resolve(call, scope, module, 0)
    elif _is_imported(call, module):
        found = _resolve(call, scope, module, 0)
        if found.imported and any(sql_writes(sql) for _, sql in found.arguments):
            module.pending.append(_pending(call, found, module, committed=False))
        return []
    else:
        return []
    reason = _through(found.via) if found.via else ""
    return [module.site(SQL, POSTGRESQL, table, call, verb, reason) for verb, table in found.writes or ()]


# ---------------------------------------------------------------- resolving


def _resolve(expr: ast.expr, scope: ast.AST, module: Module, depth: int) -> _Resolved:
    if depth > 4:
        return _Resolved()
    sql = template(expr)
    if sql is not None:
        writes = sql_writes(sql)
        verb = "CALL" if sql.lstrip()[:4].upper() == "CALL" else "SELECT"
        return _Resolved(writes, functions=() if writes else database_functions(sql), verb=verb)
    if isinstance(expr, ast.Name):
        bound = module.bindings.value_of(expr, scope)
        return _resolve(bound, scope, module, depth + 1) if bound is not None else _Resolved()
    root = root_call(expr)
    if root is None:
        return _Resolved()
    name = _short_name(root, module)  # pg_insert -> insert
    if name == "text":
        inner = argument(root, 0, "text")
        found = _resolve(inner, scope, module, depth + 1) if inner is not None else _Resolved()
        return _Resolved(found.writes, root, found.functions, found.via, verb=found.verb)
    helper = module.text_helpers.get(name) if isinstance(root.func, ast.Name) and name not in module.aliases else None
    if helper is not None:
        inner = argument(root, helper.position, helper.keyword)
        found = _resolve(inner, scope, module, depth + 1) if inner is not None else _Resolved()
        return _Resolved(found.writes, root, found.functions, helper.name, verb=found.verb)
    if name in {"insert", "update", "delete"}:
        return _Resolved(((name.upper(), _construct_table(root, module)),))
    if name in {"select", "exists", "union", "union_all", "values"}:
        return _Resolved(())
    if _is_imported(root, module):
        arguments = _string_arguments(root, scope, module)
        if arguments:
            return _Resolved(source=root, imported=qualified(root.func, module.aliases) or "", arguments=arguments)
    return _Resolved()


def _short_name(call: ast.Call, module: Module) -> str:
    return (qualified(call.func, module.aliases) or terminal(call.func)).rsplit(".", 1)[-1]


def _is_imported(call: ast.Call, module: Module) -> bool:
    """A call of a name another module defines: `sql_text(...)` or `db.sql_text(...)` after an import."""
    name = dotted(call.func)
    return name is not None and name.split(".")[0] in module.aliases and name.rsplit(".", 1)[-1] != "text"


def _string_arguments(call: ast.Call, scope: ast.AST, module: Module) -> tuple[tuple[str, str], ...]:
    """(position or keyword, text) of the arguments that hold SQL a wrapper could run."""
    found: list[tuple[str, str]] = []
    named = [(str(i), a) for i, a in enumerate(call.args)] + [(k.arg, k.value) for k in call.keywords if k.arg]
    for where, value in named:
        text = template(value)
        if text is None and isinstance(value, ast.Name):
            bound = module.bindings.value_of(value, scope)
            text = template(bound) if bound is not None else None
        if text is not None and looks_like_sql(text) and (sql_writes(text) or database_functions(text)):
            found.append((where, text))
    return tuple(found)


def _pending(call: ast.Call, found: _Resolved, module: Module, *, committed: bool) -> PendingWrite:
    location = Location(module.path, call.lineno)
    awaited = id(call) in module.awaited
    return PendingWrite(SQL, found.imported, location, awaited, arguments=found.arguments, committed=committed)


def _through(helper: str) -> str:
    return f"through {helper}(), which returns text()"


def _committed_reason(functions: tuple[str, ...], via: str) -> str:
    names = ", ".join(f"{f}()" for f in functions)
    noun = "function" if len(functions) == 1 else "functions"
    return f"calls database {noun} {names}" + (f" {_through(via)}" if via else "") + " and commits"


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
