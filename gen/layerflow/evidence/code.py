"""Where a Python file writes durable state, read from its syntax tree.

scan_python() parses the file with ast and looks at calls only, so comments,
docstrings and strings never count as writes; code under `if TYPE_CHECKING:`
or `if False:` never runs and is skipped. What a call writes is decided by
the detectors in writes.py. A file that does not parse is reported, never
raised: evidence is best-effort and must not stop an audit; its evidence
says why (FileEvidence.unread), so it is listed once, with the reason.

Each file is read alone. What it offers other files (text() wrappers, SQL
constants, metrics, the classes and functions it defines) and what it needs
from them (PendingWrite) are recorded here and joined by link_files().
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import replace

from layerflow.errors import Parsed, warning
from layerflow.evidence.context import Module
from layerflow.evidence.header import parse_header
from layerflow.evidence.pysource import collect_bindings, collect_imports, live_nodes, template
from layerflow.evidence.redis_writes import expiring_keys
from layerflow.evidence.statements import sql_constants, statement_helpers, statement_sources, transaction_bounds
from layerflow.evidence.writes import call_writes, metric_objects
from layerflow.model import Location
from layerflow.model.facts import SQL, FileEvidence, LayerHeader, ModelTable, Unread, WriteSite


def scan_python(path: str, text: str) -> Parsed[FileEvidence]:
    """The writes, header claim, imports and ORM tables of one Python file."""
    text = text.removeprefix("\ufeff")  # a byte-order mark is not code
    header = parse_header(path, text)
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        return _unread(path, exc.lineno or 0, _unparsable(exc.msg), header)
    except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes; nesting deeper than the parser allows
        return _unread(path, 0, _unparsable(str(exc)), header)
    try:
        evidence = _read_tree(path, tree)
    except RecursionError:  # a pathological expression; the walk is iterative, rendering may not be
        return _unread(path, 0, "code nested too deeply to read; no writes reported", header)
    return Parsed(replace(evidence, header=header.value), header.problems)


def _unread(path: str, line: int, reason: str, header: Parsed[LayerHeader | None]) -> Parsed[FileEvidence]:
    """Empty evidence that says why: the file is listed once, with its reason, in the problems and the report."""
    location = Location(path, line)
    evidence = FileEvidence(path, header=header.value, unread=Unread(location, reason))
    return Parsed(evidence, (warning(path, line, reason), *header.problems))


def name_tables(files: Iterable[FileEvidence]) -> tuple[FileEvidence, ...]:
    """The same evidence, with SQL writes that name an ORM class renamed to the class's table.

    session.add(GraduationHistory(...)) in one file and `__tablename__ =
    "graduation_history"` in another: scanned one at a time, the write can only
    say "GraduationHistory". A class name defined with two different tables
    is left as it is: guessing would be worse than saying the class.
    """
    files = tuple(files)
    tables: dict[str, set[str]] = {}
    for evidence in files:
        for model in evidence.models:
            tables.setdefault(model.class_name, set()).add(model.table)
    known = {name: next(iter(found)) for name, found in tables.items() if len(found) == 1}
    return tuple(replace(evidence, writes=tuple(_named(w, known) for w in evidence.writes)) for evidence in files)


def _named(site: WriteSite, tables: dict[str, str]) -> WriteSite:
    return replace(site, detail=tables[site.detail]) if site.kind == SQL and site.detail in tables else site


def _unparsable(message: str) -> str:
    return f"cannot parse Python: {message or 'invalid syntax'}"


# The nodes the detectors look at; everything else is only walked through.
_INTERESTING = frozenset(
    {ast.Call, ast.Assign, ast.AnnAssign, ast.NamedExpr, ast.With, ast.AsyncWith, ast.Await, ast.Import,
     ast.ImportFrom, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef}
)  # fmt: skip


def _read_tree(path: str, tree: ast.Module) -> FileEvidence:
    nodes = [(node, scope) for node, scope in live_nodes(tree) if type(node) in _INTERESTING]
    aliases, imports = collect_imports(nodes)
    models = _models(path, nodes)
    defined = [node for node in tree.body if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)]
    module = Module(
        path=path,
        aliases=aliases,
        bindings=collect_bindings(nodes, tree),
        awaited=_awaited(nodes),
        models={m.class_name: m.table for m in models},
        classes=frozenset(node.name for node, _ in nodes if isinstance(node, ast.ClassDef)),
    )
    module.metrics, module.metric_groups = metric_objects(nodes, module)
    statement_helpers(nodes, tree, module)
    constants = sql_constants(nodes, tree, module)
    calls = [(node, scope) for node, scope in nodes if isinstance(node, ast.Call)]
    transaction_bounds(nodes, module)
    expiring_keys(calls, module)
    statement_sources(calls, module)
    found: list[tuple[int, int, WriteSite]] = []
    for call, scope in calls:
        found.extend((call.lineno, call.col_offset, site) for site in call_writes(call, scope, module))
    found.sort(key=lambda item: (item[0], item[1]))
    return FileEvidence(
        path,
        writes=tuple(site for _, _, site in found),
        imports=imports,
        models=models,
        defines=tuple(node.name for node in defined),
        text_helpers=tuple(module.text_helpers.values()),
        metrics=tuple((name, metric) for name, metric in module.metrics.items() if "." not in name),
        sql_constants=tuple(constants.items()),
        pending=tuple(module.pending),
    )


def _awaited(nodes: list[tuple[ast.AST, ast.AST]]) -> set[int]:
    """Calls that run asynchronously: `await x()` and `async with x() as y`."""
    found: set[int] = set()
    for node, _ in nodes:
        if isinstance(node, ast.Await):
            found.add(id(node.value))
        elif isinstance(node, ast.AsyncWith):
            found.update(id(item.context_expr) for item in node.items)
    return found


def _models(path: str, nodes: list[tuple[ast.AST, ast.AST]]) -> tuple[ModelTable, ...]:
    """ORM classes defined here: `__tablename__ = "x"`, or SQLModel's `table=True` (lower-cased class name)."""
    found: list[ModelTable] = []
    for node, _ in nodes:
        if not isinstance(node, ast.ClassDef):
            continue
        table = _tablename(node)
        if table is None and any(k.arg == "table" and _is_true(k.value) for k in node.keywords):
            table = node.name.lower()
        if table is not None:
            found.append(ModelTable(node.name, table, Location(path, node.lineno)))
    return tuple(found)


def _tablename(node: ast.ClassDef) -> str | None:
    for statement in node.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign):
            targets, value = [statement.target], statement.value
        if value is not None and any(isinstance(t, ast.Name) and t.id == "__tablename__" for t in targets):
            return template(value)
    return None


def _is_true(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is True
