"""What an execute() runs: SQL text, SQLAlchemy constructs, and the project's own ways of building them.

A statement is followed the way a reviewer follows it:

- through a name it was bound to (`stmt = update(Run)...`, or `PURGE =
  text("DELETE ...")` at module level, executed in a function), and a method
  carried on it (`stmt.on_conflict_do_nothing()`, `stmt.bindparams(...)`);
- through text(), and through a function of this file that hands a parameter
  to text() or to execute() (`def sql_text(s): return text(s)`,
  `async def _run(self, stmt): await self.session.execute(stmt)`), or that
  builds the statement and returns it (`def _upsert(self, rows): ...`);
- across files: a wrapper of text() or an SQL constant imported from another
  module is recorded as a PendingWrite and settled by link_files() once every
  file is read.

A statement that writes nothing but calls a database function
("SELECT m10.cleanup_fn()", "CALL archive()", select(func.x())) writes when
the caller commits it: a commit later in the same function, or a block that
commits on leaving it (`with engine.begin():`, psycopg's `with conn:`).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from layerflow.evidence.context import Module
from layerflow.evidence.pysource import argument, dotted, qualified, root_call, show, template, terminal
from layerflow.evidence.receivers import read_receiver
from layerflow.evidence.sql import database_functions, looks_like_sql, sql_writes
from layerflow.model import Location
from layerflow.model.facts import POSTGRESQL, SQL, PendingWrite, TextHelper, WriteSite

# SQL statement runners: they write when the statement they are given writes.
EXECUTE_METHODS = frozenset(
    {"execute", "executemany", "exec", "exec_driver_sql", "executescript", "fetch", "fetchrow", "fetchval"}
)
COPY_METHODS = frozenset({"copy_records_to_table", "copy_to_table"})  # asyncpg bulk loads: the table is argument 0
TRANSACTION_METHODS = frozenset({"begin", "begin_nested", "transaction"})  # `with engine.begin():` commits on exit
_TRANSACTION_OWNERS = frozenset({"session", "engine", "db", "conn", "connection", "database", "pool"})
_STATEMENT_ARGUMENTS = ("statement", "query", "sql", "operation")
_COMMITTING_CONNECTIONS = frozenset({"psycopg2", "psycopg", "sqlite3"})  # `with conn:` commits on success
_FUNC_PREFIXES = ("sqlalchemy.func.", "sqlalchemy.sql.func.", "sqlalchemy.sql.expression.func.")


@dataclass(frozen=True, slots=True)
class _Resolved:
    """What a statement expression runs, as far as this file can tell."""

    writes: tuple[tuple[str, str], ...] | None = None  # (verb, table) of each write; None: unknown
    source: ast.Call | None = None  # the text() or wrapper call it came from, reported here and not again
    functions: tuple[str, ...] = ()  # database functions a statement that writes nothing calls
    via: str = ""  # the wrapper of text() it went through: "sql_text"
    verb: str = "SELECT"  # with `functions`: how the statement calls them, SELECT or CALL
    imported: str = ""  # an imported function the SQL went through, or an imported statement; settled across files
    arguments: tuple[tuple[str, str], ...] = ()  # with `imported`: its string arguments
    constant: bool = False  # `imported` names a statement (PURGE = "DELETE ..."), not a function


# ------------------------------------------------------------- before the walk


def statement_helpers(nodes: list[tuple[ast.AST, ast.AST]], tree: ast.Module, module: Module) -> None:
    """The functions of this file a statement goes through, kept on the module for _resolve().

    A helper hands one of its parameters to text() or to execute()
    (`def sql_text(s): return text(s)`, `async def _run(self, stmt):
    await self.session.execute(stmt)`): what it is called with is what runs.
    Any other function or method may build a statement and return it
    (`def _upsert(self, rows): return pg_insert(Model).values(rows)`): an
    execute() of its call runs what it returns. Module-level helpers are also
    offered to other files (FileEvidence.text_helpers).
    """
    owners = {
        id(node): (node, scope) for node, scope in nodes if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    for function, scope in owners.values():
        if scope is tree:
            module.functions.setdefault(function.name, function)
        elif isinstance(scope, ast.ClassDef):
            module.methods.setdefault(function.name, function)
    for node, scope in nodes:
        owner = owners.get(id(scope))
        if owner is None or not isinstance(node, ast.Call):
            continue
        function, where = owner
        in_class = isinstance(where, ast.ClassDef)
        helpers = module.text_helpers if where is tree else module.method_helpers if in_class else None
        if helpers is None or function.name in helpers:
            continue
        if _short_name(node, module) == "text":
            given = argument(node, 0, "text")
        elif isinstance(node.func, ast.Attribute) and node.func.attr in EXECUTE_METHODS:
            given = argument(node, 0, *_STATEMENT_ARGUMENTS)
            given = given if isinstance(given, ast.Name) else None  # the parameter itself, not a statement built here
        else:
            continue
        helper = _parameter_in(function, given, method=in_class)
        if helper is not None:
            helpers[function.name] = helper


def _parameter_in(
    function: ast.FunctionDef | ast.AsyncFunctionDef, given: ast.expr | None, *, method: bool
) -> TextHelper | None:
    """The parameter of a function that an expression uses, as a call would pass it."""
    if given is None:
        return None
    used = {n.id for n in ast.walk(given) if isinstance(n, ast.Name)}
    parameters = [*function.args.posonlyargs, *function.args.args]
    skip = 1 if method and parameters and parameters[0].arg in {"self", "cls"} else 0
    for position, parameter in enumerate(parameters[skip:]):
        if parameter.arg in used:
            return TextHelper(function.name, position, parameter.arg)
    keyword = next((p.arg for p in function.args.kwonlyargs if p.arg in used), None)
    return TextHelper(function.name, 1_000, keyword) if keyword is not None else None


def sql_constants(nodes: list[tuple[ast.AST, ast.AST]], tree: ast.Module, module: Module) -> dict[str, str]:
    """Module-level names holding SQL (`PURGE = "DELETE ..."`, `PURGE = text("DELETE ...")`), for importers.

    A text() that is such a constant is a statement defined, not run: it
    writes where it is executed, here or in a module that imports it.
    """
    found: dict[str, str] = {}
    for node, scope in nodes:
        if scope is not tree or not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
            continue
        value = node.value
        if isinstance(value, ast.Call) and _short_name(value, module) == "text":
            module.definitions.add(id(value))
            inner = argument(value, 0, "text")
            value = inner if inner is not None else value
        sql = template(value)
        if sql is None or not looks_like_sql(sql):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                found[target.id] = sql
    return found


def transaction_bounds(nodes: list[tuple[ast.AST, ast.AST]], module: Module) -> None:
    """Where transactions are committed, and what a commit writes, by scope.

    Commits are commit() calls and blocks that commit on leaving them:
    `with engine.begin():`, `async with session.begin():`, asyncpg's
    `conn.transaction()`, and `with conn:` on a psycopg or sqlite3
    connection. What a commit writes besides the calls before it is the
    objects the function changed: `item.status = "done"` or
    `setattr(item, field, value)` on a row it loaded.
    """
    for node, scope in nodes:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit":
            if read_receiver(node.func.value, scope, module.bindings).is_sql():
                module.commits.setdefault(id(scope), []).append(node.lineno)
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if _opens_transaction(item.context_expr, scope, module):
                    module.transactions.setdefault(id(scope), []).append((node.lineno, node.end_lineno or node.lineno))
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and _changes_an_object(target, module):
                    module.mutations.setdefault(id(scope), []).append((node.lineno, target))
        elif isinstance(node, ast.Call) and _is_setattr(node) and _changes_an_object(node.args[0], module):
            module.mutations.setdefault(id(scope), []).append((node.lineno, node))


def _is_setattr(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Name) and call.func.id == "setattr" and bool(call.args)


def _changes_an_object(target: ast.expr, module: Module) -> bool:
    """item.status = ... on an object of the function; not self.x, not a module's settings.x."""
    base = target
    while isinstance(base, ast.Attribute):
        base = base.value
    return isinstance(base, ast.Name) and base.id not in {"self", "cls"} and base.id not in module.aliases


def _opens_transaction(expr: ast.expr, scope: ast.AST, module: Module) -> bool:
    if isinstance(expr, ast.Await):
        expr = expr.value
    if isinstance(expr, ast.Name | ast.Attribute):  # with conn: psycopg and sqlite3 commit on leaving the block
        bound = module.bindings.value_of(expr, scope)
        made = (qualified(bound.func, module.aliases) or "") if isinstance(bound, ast.Call) else ""
        return made.split(".")[0] in _COMMITTING_CONNECTIONS and made.endswith(".connect")
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
    if id(call) in module.consumed or id(call) in module.definitions:
        return []
    name = _short_name(call, module)
    if name == "text" or _local(call, module.text_helpers, module.method_helpers, module) is not None:
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
    if isinstance(expr, ast.Name | ast.Attribute):
        bound = module.bindings.value_of(expr, scope)
        if bound is not None:
            return _resolve(bound, scope, module, depth + 1)
        name = dotted(expr)
        if name is not None and name.split(".")[0] in module.aliases:  # from app.db.queries import PURGE
            return _Resolved(imported=qualified(expr, module.aliases) or "", constant=True)
        return _Resolved()
    root = root_call(expr)
    if root is None:
        return _Resolved()
    return _resolve_call(root, scope, module, depth)


def _resolve_call(root: ast.Call, scope: ast.AST, module: Module, depth: int) -> _Resolved:
    """A statement built by a call: text(), a local helper or builder, insert/update/delete, select(func...)."""
    name = _short_name(root, module)  # pg_insert -> insert
    if name == "text":
        inner = argument(root, 0, "text")
        found = _resolve(inner, scope, module, depth + 1) if inner is not None else _Resolved()
        return _Resolved(
            found.writes, root, found.functions, found.via, found.verb, found.imported, found.arguments, found.constant
        )
    helper = _local(root, module.text_helpers, module.method_helpers, module)
    if helper is not None:
        inner = argument(root, helper.position, helper.keyword)
        found = _resolve(inner, scope, module, depth + 1) if inner is not None else _Resolved()
        return _Resolved(found.writes, root, found.functions, helper.name, verb=found.verb)
    builder = _local(root, module.functions, module.methods, module)
    if builder is not None:
        return _returned(builder, module, depth + 1)
    if name in {"insert", "update", "delete"}:
        return _Resolved(((name.upper(), _construct_table(root, module)),))
    if name == "select":  # select(func.maintenance.recompute_scores()): SQLAlchemy calling a database function
        return _Resolved((), functions=_func_calls(root, module))
    if name in {"exists", "union", "union_all", "values"}:
        return _Resolved(())
    return _carried_or_imported(root, scope, module, depth)


def _carried_or_imported(root: ast.Call, scope: ast.AST, module: Module, depth: int) -> _Resolved:
    carried = root.func.value if isinstance(root.func, ast.Attribute) else None
    if isinstance(carried, ast.Name | ast.Attribute) and module.bindings.value_of(carried, scope) is not None:
        # stmt.on_conflict_do_nothing(), stmt.bindparams(...): a statement bound to a name here, carried on
        found = _resolve(carried, scope, module, depth + 1)
        if found.writes is not None or found.functions or found.imported:
            return found
    if _is_imported(root, module):
        arguments = _string_arguments(root, scope, module)
        if arguments:
            return _Resolved(source=root, imported=qualified(root.func, module.aliases) or "", arguments=arguments)
    return _Resolved()


_Local = TypeVar("_Local")


def _local(
    call: ast.Call, functions: Mapping[str, _Local], methods: Mapping[str, _Local], module: Module
) -> _Local | None:
    """What a call of a function of this file finds: `name(...)` at module level, `self.name(...)` in a class."""
    func = call.func
    if isinstance(func, ast.Name) and func.id not in module.aliases:
        return functions.get(func.id)
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in {"self", "cls"}:
        return methods.get(func.attr)
    return None


def _returned(function: ast.FunctionDef | ast.AsyncFunctionDef, module: Module, depth: int) -> _Resolved:
    """What a function of this file returns, when that is a statement: the first return that says."""
    for node in ast.walk(function):
        if isinstance(node, ast.Return) and node.value is not None:
            found = _resolve(node.value, function, module, depth)
            if found.writes or found.functions:
                return found
    return _Resolved()


def _func_calls(select: ast.Call, module: Module) -> tuple[str, ...]:
    found: list[str] = []
    for column in select.args:
        if not isinstance(column, ast.Call):
            continue
        name = qualified(column.func, module.aliases) or ""
        prefix = next((p for p in _FUNC_PREFIXES if name.startswith(p)), "func." if name.startswith("func.") else "")
        function = name[len(prefix) :] if prefix else ""
        if function and database_functions(f"SELECT {function}()"):
            found.append(function)
    return tuple(found)


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
    return PendingWrite(
        SQL, found.imported, location, awaited, arguments=found.arguments, committed=committed, constant=found.constant
    )


def _through(helper: str) -> str:
    return f"through {helper}()"


def _committed_reason(functions: tuple[str, ...], via: str) -> str:
    names = ", ".join(f"{f}()" for f in functions)
    noun = "function" if len(functions) == 1 else "functions"
    return f"calls database {noun} {names} and commits" + (f"; {_through(via)}" if via else "")


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
