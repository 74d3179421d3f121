"""Reading a Python syntax tree the way a reviewer does: live code, names, bindings.

Helpers the write detectors share. Nothing here knows about stores: it says
which nodes can run, what a name was last bound to, what a module alias
stands for, and how to show an expression in a report.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

_SCOPES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
# Nodes with nothing inside that can run: not worth visiting (a third of a typical tree).
_LEAVES = (ast.Name, ast.Constant, ast.expr_context, ast.operator, ast.boolop, ast.cmpop, ast.unaryop, ast.alias)
SHOW_LIMIT = 80  # characters of an expression shown in a detail


# ------------------------------------------------------------- live code


def live_nodes(tree: ast.Module) -> Iterator[tuple[ast.AST, ast.AST]]:
    """Every node that can run, with its enclosing scope, in source order.

    The body of `if TYPE_CHECKING:` never runs, nor does `if False:`; their
    `else` branches do. Iterative, so deeply nested code cannot exhaust the
    Python stack here.
    """
    stack: list[tuple[ast.AST, ast.AST]] = [(tree, tree)]
    while stack:
        node, scope = stack.pop()
        yield node, scope
        inner = node if isinstance(node, _SCOPES) else scope
        children = _live_children(node)
        for index in range(len(children) - 1, -1, -1):
            child = children[index]
            if not isinstance(child, _LEAVES):
                stack.append((child, inner))


def _live_children(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.If):
        truth = static_truth(node.test)
        if truth is True:
            return [node.test, *node.body]
        if truth is False:
            return [node.test, *node.orelse]
    children: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            children.append(value)
        elif isinstance(value, list):
            children.extend(item for item in value if isinstance(item, ast.AST))
    return children


def static_truth(test: ast.expr) -> bool | None:
    """What a condition is at run time when the source alone decides it, else None."""
    if isinstance(test, ast.Constant):
        return bool(test.value)
    if isinstance(test, ast.Name | ast.Attribute) and terminal(test) == "TYPE_CHECKING":
        return False  # true only for type checkers
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = static_truth(test.operand)
        return None if inner is None else not inner
    return None


# ------------------------------------------------------------------ names


def dotted(expr: ast.AST) -> str | None:
    """ "self.client" for self.client; None for anything but names and attributes."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        base = dotted(expr.value)
        return f"{base}.{expr.attr}" if base else None
    return None


def terminal(expr: ast.AST) -> str:
    """The last name in an expression: "commit" for session.commit, "get_db" for get_db()."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Call):
        return terminal(expr.func)
    if isinstance(expr, ast.Subscript | ast.Await | ast.Starred):
        return terminal(expr.value)
    return ""


def reference(expr: ast.AST) -> str:
    """A name for what an expression refers to, for reading its words.

    self.redis -> "self.redis"; get_redis() -> "get_redis"; (await pool()).x -> "pool".
    """
    if isinstance(expr, ast.Call):
        return reference(expr.func)
    if isinstance(expr, ast.Await | ast.Subscript | ast.Starred):
        return reference(expr.value)
    return dotted(expr) or terminal(expr)


_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_SPLIT = re.compile(r"[^a-z0-9]+")


def words(name: str) -> list[str]:
    """Lower-case words of an identifier: "AsyncSessionLocal" -> async, session, local."""
    return [w for w in _SPLIT.split(_CAMEL.sub(r"\1_\2", name).lower()) if w]


# ------------------------------------------------------------- showing


def template(expr: ast.AST) -> str | None:
    """The text of a string expression, placeholders kept: f"lock:{n}" -> "lock:{n}"."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.JoinedStr):
        parts: list[str] = []
        for value in expr.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            elif isinstance(value, ast.FormattedValue):
                parts.append("{" + show(value.value) + "}")
        return "".join(parts)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        left, right = template(expr.left), template(expr.right)
        if left is not None or right is not None:
            return (left if left is not None else "{" + show(expr.left) + "}") + (
                right if right is not None else "{" + show(expr.right) + "}"
            )
        return None
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod):  # "INSERT ... %s" % args
        return template(expr.left)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "format":
        return template(expr.func.value)
    return None


def show(expr: ast.AST) -> str:
    """An expression as a person would write it, shortened for a report."""
    text = template(expr)
    if text is None:
        try:
            text = ast.unparse(expr)
        except (RecursionError, ValueError):
            text = "…"
    text = " ".join(text.split())
    return text if len(text) <= SHOW_LIMIT else text[: SHOW_LIMIT - 1] + "…"


# --------------------------------------------------------------- bindings


@dataclass
class Bindings:
    """What names were last assigned, per scope, so a use can be traced to its value.

    Plain names are looked up in their own function, then the module.
    Attributes ("self.client") are module-wide: a method binds them and
    another uses them.
    """

    module: ast.AST
    names: dict[tuple[int, str], list[tuple[int, ast.expr]]] = field(default_factory=dict)
    attributes: dict[str, list[tuple[int, ast.expr]]] = field(default_factory=dict)
    annotations: dict[tuple[int, str], ast.expr] = field(default_factory=dict)  # parameters and bare `x: T`

    def bind(self, target: ast.AST, value: ast.expr, scope: ast.AST) -> None:
        line = getattr(target, "lineno", 0)
        if isinstance(target, ast.Name):
            self.names.setdefault((id(scope), target.id), []).append((line, value))
        elif isinstance(target, ast.Attribute) and (name := dotted(target)):
            self.attributes.setdefault(name, []).append((line, value))

    def value_of(self, expr: ast.AST, scope: ast.AST) -> ast.expr | None:
        """The value last bound to a name or attribute before this use, if any."""
        line = getattr(expr, "lineno", 0)
        if isinstance(expr, ast.Name):
            for where in (scope, self.module):
                found = _latest(self.names.get((id(where), expr.id), []), line)
                if found is not None:
                    return found
            return None
        name = dotted(expr)
        return _latest(self.attributes.get(name, []), line) if name else None

    def annotation_of(self, expr: ast.AST, scope: ast.AST) -> ast.expr | None:
        """The declared type of a name: `def f(session: AsyncSession)` -> AsyncSession."""
        if not isinstance(expr, ast.Name):
            return None
        found = self.annotations.get((id(scope), expr.id))
        return found if found is not None else self.annotations.get((id(self.module), expr.id))


def _latest(bound: list[tuple[int, ast.expr]], line: int) -> ast.expr | None:
    before = [value for at, value in bound if at <= line]
    if before:
        return before[-1]
    return bound[-1][1] if bound else None  # bound later in the source, as in a loop


def collect_bindings(nodes: list[tuple[ast.AST, ast.AST]], module: ast.AST) -> Bindings:
    bindings = Bindings(module)
    for node, scope in nodes:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                bindings.bind(target, node.value, scope)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if node.value is not None:
                bindings.bind(node.target, node.value, scope)
            bindings.annotations[(id(scope), node.target.id)] = node.annotation
        elif isinstance(node, ast.NamedExpr):
            bindings.bind(node.target, node.value, scope)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args
            for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
                if arg.annotation is not None:
                    bindings.annotations[(id(node), arg.arg)] = arg.annotation
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if item.optional_vars is not None:
                    bindings.bind(item.optional_vars, item.context_expr, scope)
    return bindings


# ---------------------------------------------------------------- imports


def collect_imports(nodes: list[tuple[ast.AST, ast.AST]]) -> tuple[dict[str, str], tuple[str, ...]]:
    """(local name -> what it stands for, the modules imported).

    `import sqlalchemy as sa` gives sa -> sqlalchemy; `from os import replace`
    gives replace -> os.replace. A star import is kept as "*module" -> module.
    """
    aliases: dict[str, str] = {}
    modules: set[str] = set()
    for node, _ in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                modules.add(alias.name)
                local = alias.asname or alias.name.split(".")[0]
                aliases[local] = alias.name if alias.asname else local
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            if module != "__future__":  # a compiler switch, not a dependency
                modules.add(module)
            for alias in node.names:
                if alias.name == "*":
                    aliases["*" + module] = module
                elif node.module is None:  # from . import metrics: the module ".metrics"
                    aliases[alias.asname or alias.name] = module + alias.name
                else:
                    aliases[alias.asname or alias.name] = f"{module}.{alias.name}"
    return aliases, tuple(sorted(modules))


def qualified(expr: ast.AST, aliases: dict[str, str]) -> str | None:
    """What a name means after imports: sa.text -> sqlalchemy.text; open -> open."""
    if isinstance(expr, ast.Name):
        return aliases.get(expr.id, expr.id)
    if isinstance(expr, ast.Attribute):
        base = qualified(expr.value, aliases)
        return f"{base}.{expr.attr}" if base else None
    return None


def root_call(expr: ast.AST) -> ast.Call | None:
    """The first call of a chain: insert(t) in insert(t).values(...).returning(...)."""
    found: ast.Call | None = None
    while isinstance(expr, ast.Call):
        found = expr
        expr = expr.func.value if isinstance(expr.func, ast.Attribute) else expr.func
        if not isinstance(expr, ast.Call):
            break
    return found


def argument(call: ast.Call, position: int, *keywords: str) -> ast.expr | None:
    """A call's argument by position or by any of its keyword names."""
    for keyword in call.keywords:
        if keyword.arg in keywords:
            return keyword.value
    if position < len(call.args) and not isinstance(call.args[position], ast.Starred):
        return call.args[position]
    return None
