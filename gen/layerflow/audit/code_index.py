"""Where the registry's producers are in the code base: file references, matching, ORM tables. Pure.

The index is built once per analysis (audit.analysis) and handed on: the checks
in `audit.evidence` and `audit.gaps` ask it, for every signal, which files a
Producer cell names, what they import, and which writes touch a signal's table.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from layerflow.evidence.commands import SCRIPT_SUFFIXES
from layerflow.model.facts import SQL, CodeEvidence, FileEvidence, WriteSite

SOURCE_SUFFIXES = (".py", *SCRIPT_SUFFIXES)
CLOSE_NAME_CUTOFF = 0.6  # difflib's own default, on stems: billing_service ~ billing_driver is 0.69

# Producer cells name several files as "a.py, b.py", "a.py + b.py" or "a.py and b.py".
_SPLIT = re.compile(r",|;|\s\+\s|\s+and\s+")
_PARENTHETICAL = re.compile(r"\s*\([^)]*\)")


def file_references(cell: str) -> tuple[str, ...]:
    """The files a Producer cell or a source-file entry names: `a.py`, `scripts/x.sh`; not `DL processor`."""
    found: list[str] = []
    for part in _SPLIT.split(_PARENTHETICAL.sub("", cell)):
        ref = part.strip().strip("`'\"").replace("\\", "/").removeprefix("./")
        name = ref.rsplit("/", 1)[-1]
        if ref and not any(c.isspace() for c in ref) and name.endswith(SOURCE_SUFFIXES) and "." in name.lstrip("."):
            found.append(ref)
    return tuple(dict.fromkeys(found))


def module_reference(module: str) -> str:
    """`app.jobs.graduation_evaluator` as the file it names: `app/jobs/graduation_evaluator.py`."""
    return module.replace(".", "/") + ".py"


_TEST_NAMES = re.compile(r"^(test_.*|.*_test|conftest)\.py$")
_TEST_DIRS = frozenset({"tests", "test", "testing"})
_MIGRATION_DIRS = frozenset({"migrations", "alembic"})


def code_role(path: str) -> str:
    """ "test" or "migration" for code that runs outside production; "" for the code base proper.

    Tests write to their own databases and migrations change the schema once:
    neither is a producer a registry would list.
    """
    segments = _segments(path)
    if _TEST_NAMES.match(segments[-1] if segments else "") or _TEST_DIRS.intersection(segments[:-1]):
        return "test"
    return "migration" if _MIGRATION_DIRS.intersection(segments[:-1]) else ""


def _identifier_key(name: str) -> str:
    """UserWriteService, user_write_service and user-write-service alike: "userwriteservice"."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def same_file(a: str, b: str) -> bool:
    """Two references to one file: one path ends with the other, directory by directory."""
    left, right = _segments(a), _segments(b)
    return bool(left) and bool(right) and _common_tail(left, right) == min(len(left), len(right))


def _segments(path: str) -> list[str]:
    return [s for s in path.replace("\\", "/").split("/") if s not in ("", ".")]


def _common_tail(left: Sequence[str], right: Sequence[str]) -> int:
    count = 0
    for a, b in zip(reversed(left), reversed(right), strict=False):
        if a != b:
            break
        count += 1
    return count


@dataclass(frozen=True)
class CodeIndex:
    """The code base looked up by file name, table and import; built once per CodeEvidence."""

    files: Mapping[str, FileEvidence]  # Python files by path
    by_name: Mapping[str, tuple[str, ...]]  # file name -> paths (Python files and other scripts), sorted
    model_tables: Mapping[str, frozenset[str]]  # ORM class name, lower-cased -> its tables
    table_writes: Mapping[str, tuple[WriteSite, ...]]  # table, lower-cased (also without its schema) -> SQL writes
    definers: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)  # key -> (path, name defined)
    _imports: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)

    def suggest(self, reference: str) -> tuple[str, str]:
        """(a file a reference no file matches probably means, the name it defines that says so); ("", "") if none.

        A file renamed with its class kept (user_write_service.py ->
        user_write_driver.py, class UserWriteService) is found by the class:
        the file that defines a class or function named like the reference's
        stem. Otherwise the closest file name (difflib), if any is close.
        """
        segments = _segments(reference)
        if not segments:
            return ("", "")
        name = segments[-1]
        stem = name.rsplit(".", 1)[0]
        defined = self.definers.get(_identifier_key(stem), ())
        if defined:
            path, what = min(defined, key=lambda d: (-_common_tail(_segments(d[0])[:-1], segments[:-1]), d[0]))
            return (path, what)
        suffix = name[len(stem) :]
        stems = {n[: len(n) - len(suffix)]: n for n in self.by_name if n.endswith(suffix) and n != suffix}
        close = difflib.get_close_matches(stem, sorted(stems), n=1, cutoff=CLOSE_NAME_CUTOFF)
        if not close:
            return ("", "")
        paths = self.by_name[stems[close[0]]]
        return (min(paths, key=lambda p: (-_common_tail(_segments(p)[:-1], segments[:-1]), p)), "")

    def find(self, reference: str) -> tuple[str, ...]:
        """Files a reference names: by path suffix, else by file name; a deploy path by its longest tail."""
        segments = _segments(reference)
        if not segments:
            return ()
        candidates = self.by_name.get(segments[-1], ())
        if len(segments) == 1:
            return candidates
        scored = [(_common_tail(_segments(c), segments), c) for c in candidates]
        if reference.startswith("/"):  # /opt/app/scripts/ops/x.py: the local tree does not hold /opt/app
            best = max((score for score, _ in scored), default=0)
            return tuple(c for score, c in scored if score == best)
        return tuple(c for score, c in scored if score == len(segments))

    def imported(self, path: str) -> tuple[str, ...]:
        """Python files of the code base that a file imports directly."""
        if path not in self._imports:
            self._imports[path] = self._resolve_imports(path)
        return self._imports[path]

    def _resolve_imports(self, path: str) -> tuple[str, ...]:
        evidence = self.files.get(path)
        if evidence is None:
            return ()
        directory = _segments(path)[:-1]
        found: list[str] = []
        for module in evidence.imports:
            found.extend(self._module_files(directory, module))
        return tuple(p for p in dict.fromkeys(found) if p != path)

    def _module_files(self, directory: list[str], module: str) -> list[str]:
        if module.startswith("."):
            dots = len(module) - len(module.lstrip("."))
            base = directory[: len(directory) - (dots - 1)] if dots > 1 else directory
            rest = [p for p in module.lstrip(".").split(".") if p]
            return self._exact([*base, *rest])
        parts = module.split(".")
        sibling = self._exact([*directory, *parts])  # a script importing the module beside it
        if sibling or len(parts) < 2:
            return sibling  # one bare name (json, os) is not looked for across the code base
        found: list[str] = []
        for reference in (module_reference(module), "/".join(parts) + "/__init__.py"):
            found.extend(p for p in self.find(reference) if p in self.files)
        return found

    def _exact(self, parts: list[str]) -> list[str]:
        if not parts:
            return []
        joined = "/".join(parts)
        return [p for p in (joined + ".py", joined + "/__init__.py") if p in self.files]


def code_index(code: CodeEvidence) -> CodeIndex:
    """The index of a code base. `analyse` builds it once and hands it to every check that needs it."""
    by_name: dict[str, list[str]] = {}
    for path in (*(f.path for f in code.files), *code.scripts):
        by_name.setdefault(path.rsplit("/", 1)[-1], []).append(path)
    model_tables: dict[str, set[str]] = {}
    table_writes: dict[str, list[WriteSite]] = {}
    definers: dict[str, list[tuple[str, str]]] = {}
    for evidence in code.files:
        for defined in evidence.defines:
            definers.setdefault(_identifier_key(defined), []).append((evidence.path, defined))
        for model in evidence.models:
            model_tables.setdefault(model.class_name.lower(), set()).add(model.table)
        for site in evidence.writes:
            if site.kind == SQL and site.detail and site.detail != site.operation:
                table = site.detail.lower()
                for key in {table, table.rsplit(".", 1)[-1]}:
                    table_writes.setdefault(key, []).append(site)
    index = CodeIndex(
        files={f.path: f for f in code.files},
        by_name={name: tuple(sorted(set(paths))) for name, paths in by_name.items()},
        model_tables={name: frozenset(tables) for name, tables in model_tables.items()},
        table_writes={table: tuple(sites) for table, sites in table_writes.items()},
        definers={key: tuple(found) for key, found in definers.items()},
    )
    return index
