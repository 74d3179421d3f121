"""File writes: open() for writing, pathlib writes, renames and serialisers to open files.

Paths are shown as the code builds them (paths.py), so an atomic write reads
as a reviewer would say it: open("{dir}/x.partial", "w") then
replace -> "{dir}/x".
"""

from __future__ import annotations

import ast
import re

from layerflow.evidence.context import Module
from layerflow.evidence.pysource import argument, dotted, qualified, show, template, terminal, words
from layerflow.model.facts import FILE, FILE_STORE, WriteSite

OPEN_FUNCTIONS = frozenset(
    {"open", "io.open", "builtins.open", "codecs.open", "gzip.open", "bz2.open", "lzma.open", "aiofiles.open",
     "tarfile.open"}
)  # fmt: skip
MOVE_FUNCTIONS = {
    "os.rename": "rename",
    "os.renames": "rename",
    "os.replace": "replace",
    "shutil.move": "move",
    "shutil.copy": "copy",
    "shutil.copy2": "copy",
    "shutil.copyfile": "copy",
}
DUMP_FUNCTIONS = frozenset(
    {"json.dump", "pickle.dump", "yaml.dump", "yaml.safe_dump", "yaml.dump_all", "yaml.safe_dump_all",
     "marshal.dump", "toml.dump", "tomli_w.dump"}
)  # fmt: skip
WRITER_FUNCTIONS = frozenset({"csv.writer", "csv.DictWriter"})
_CONSOLE = frozenset({"sys.stdout", "sys.stderr"})
_WRITE_MODE = re.compile(r"^[rwxabtU+]*[wax+][rwxabtU+]*(:\w*)?$")
# Words that make a name look like a filesystem path, for telling Path.replace(p) from pandas' .replace(m).
_PATH_WORDS = frozenset(
    {"path", "tmp", "temp", "file", "filename", "fname", "dir", "marker", "dest", "target", "src", "source",
     "out", "output", "final", "staging", "report", "csv", "json", "partial"}
)  # fmt: skip


def file_function_writes(call: ast.Call, scope: ast.AST, module: Module) -> list[WriteSite]:
    """Writes by functions: open(), os.replace(), shutil.move(), json.dump(), csv.writer()."""
    name = qualified(call.func, module.aliases)
    if name is None:
        return []
    if name in OPEN_FUNCTIONS:
        if _is_write_mode(argument(call, 1, "mode")):
            path = module.path_of(argument(call, 0, "file", "name", "filename"), scope)
            return [module.site(FILE, FILE_STORE, path, call, "open")]
        return []
    if name in MOVE_FUNCTIONS:
        destination = module.path_of(argument(call, 1, "dst"), scope)
        return [module.site(FILE, FILE_STORE, destination, call, MOVE_FUNCTIONS[name])]
    if name in DUMP_FUNCTIONS or name in WRITER_FUNCTIONS:
        position = 0 if name in WRITER_FUNCTIONS else 1
        handle = argument(call, position, "fp", "stream", "file", "f", "csvfile")
        if handle is None or dotted(handle) in _CONSOLE:
            return []
        return [module.site(FILE, FILE_STORE, _handle_path(handle, scope, module), call, name)]
    return []


def file_method_writes(call: ast.Call, func: ast.Attribute, scope: ast.AST, module: Module) -> list[WriteSite]:
    """Path-style writes: p.write_text(), p.open("w"), tmp.replace(final)."""
    if func.attr in {"write_text", "write_bytes"}:
        return [module.site(FILE, FILE_STORE, module.path_of(func.value, scope), call, func.attr)]
    if func.attr == "open" and _is_write_mode(argument(call, 0, "mode")):
        return [module.site(FILE, FILE_STORE, module.path_of(func.value, scope), call, "open")]
    if func.attr in {"rename", "replace"} and len(call.args) == 1 and not call.keywords:
        destination = call.args[0]
        if _looks_like_path(func.value, scope, module) or _looks_like_path(destination, scope, module):
            return [module.site(FILE, FILE_STORE, module.path_of(destination, scope), call, func.attr)]
    return []


def _is_write_mode(expr: ast.expr | None) -> bool:
    mode = template(expr) if expr is not None else None
    return mode is not None and bool(_WRITE_MODE.match(mode))


def _handle_path(handle: ast.expr, scope: ast.AST, module: Module) -> str:
    """The path a file handle was opened on, when this file opened it: `with open(p, "w") as f`."""
    opened = module.bindings.value_of(handle, scope) if isinstance(handle, ast.Name) else None
    if isinstance(opened, ast.Call) and terminal(opened.func) == "open":
        if qualified(opened.func, module.aliases) in OPEN_FUNCTIONS:
            return module.path_of(argument(opened, 0, "file", "name", "filename"), scope)
        if isinstance(opened.func, ast.Attribute):
            return module.path_of(opened.func.value, scope)
    return show(handle)


def _looks_like_path(expr: ast.expr, scope: ast.AST, module: Module, depth: int = 0) -> bool:
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div):
        return True  # Path / "name"
    if isinstance(expr, ast.Call):
        return terminal(expr.func) in {"Path", "PurePath", "with_suffix", "with_name", "joinpath"}
    if isinstance(expr, ast.Name | ast.Attribute):
        if _PATH_WORDS.intersection(words(dotted(expr) or "")):
            return True
        bound = module.bindings.value_of(expr, scope) if depth < 3 else None
        return bound is not None and _looks_like_path(bound, scope, module, depth + 1)
    return False
