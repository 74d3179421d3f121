"""A file path as the code builds it, in one line a reviewer can read.

    REPORT_DIR / "latest_report.json"            {REPORT_DIR}/latest_report.json
    os.path.join(STATS_DIR, f"m10_{day}.csv")    /var/log/m10/m10_{day}.csv   (STATS_DIR followed)
    path.with_suffix(".uploaded")                {path}.uploaded

Names are followed to the value they were bound to, a few steps deep, so a
path written as `tmp = target.with_suffix(".tmp")` reads as the target's
path; whatever cannot be followed stays a {placeholder}, like an f-string.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from layerflow.evidence.pysource import Bindings, argument, dotted, qualified, show, template

Render = Callable[[ast.expr], str]
MAX_DEPTH = 8  # steps through names and calls; real paths need four or five
PATH_LIMIT = 100  # characters; a longer path keeps its end, where the file name is


def path_text(expr: ast.expr, scope: ast.AST, bindings: Bindings, aliases: dict[str, str]) -> str:
    text = _path(expr, scope, bindings, aliases, 0)
    return text if len(text) <= PATH_LIMIT else "…" + text[-(PATH_LIMIT - 1) :]


def _path(expr: ast.expr, scope: ast.AST, bindings: Bindings, aliases: dict[str, str], depth: int) -> str:
    def inner(e: ast.expr) -> str:
        return _path(e, scope, bindings, aliases, depth + 1)

    literal = template(expr) if not isinstance(expr, ast.BinOp) else None
    if literal is not None:
        return literal
    if depth >= MAX_DEPTH:
        return "{" + show(expr) + "}"
    if isinstance(expr, ast.Attribute) and expr.attr == "parent":  # Path(__file__).parent
        base = inner(expr.value)
        return base.rsplit("/", 1)[0] if "/" in base and not base.endswith("}") else base + "/.."
    if isinstance(expr, ast.Name | ast.Attribute):
        bound = bindings.value_of(expr, scope)
        return inner(bound) if bound is not None and bound is not expr else "{" + show(expr) + "}"
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div):
        return _join([inner(expr.left), inner(expr.right)])
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return inner(expr.left) + inner(expr.right)
    if isinstance(expr, ast.Call):
        return _call_path(expr, inner, aliases)
    return "{" + show(expr) + "}"


def _call_path(call: ast.Call, inner: Render, aliases: dict[str, str]) -> str:
    name = qualified(call.func, aliases) or ""
    method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    if name in {"os.path.join", "pathlib.Path", "pathlib.PurePath", "Path", "PurePath", "str", "os.fspath"}:
        return _join([inner(a) for a in call.args if not isinstance(a, ast.Starred)])
    if name in {"os.environ.get", "os.getenv"}:
        default = argument(call, 1, "default")
        variable = template(call.args[0]) if call.args else None
        return inner(default) if default is not None else "${" + (variable or "?") + "}"
    if isinstance(call.func, ast.Attribute) and method in {
        "with_suffix",
        "with_name",
        "joinpath",
        "resolve",
        "absolute",
    }:
        base = inner(call.func.value)
        first = argument(call, 0)
        if method == "with_suffix" and first is not None:
            return _with_suffix(base, template(first) or "")
        if method == "with_name" and first is not None:
            return base.rsplit("/", 1)[0] + "/" + inner(first) if "/" in base else inner(first)
        if method == "joinpath":
            return _join([base, *(inner(a) for a in call.args)])
        return base
    return "{" + (dotted(call.func) or show(call)) + "(…)}"


def _with_suffix(path: str, suffix: str) -> str:
    head, _, name = path.rpartition("/")
    stem = name.rsplit(".", 1)[0] if "." in name.strip(".") and not name.endswith("}") else name
    return (head + "/" if head else "") + stem + suffix


def _join(parts: list[str]) -> str:
    """Path parts joined by single slashes: ("/var/log/", "x.csv") -> "/var/log/x.csv"."""
    if not parts:
        return ""
    return "/".join([*(p.rstrip("/") for p in parts[:-1]), parts[-1]])
