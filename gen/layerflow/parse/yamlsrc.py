"""YAML to plain data that remembers its line numbers, loaded safely.

PyYAML's composer gives nodes with marks; we convert them ourselves instead of
constructing objects, so no tag can build a Python object, and an alias bomb
is stopped by counting the nodes an expansion would create.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass

import yaml

from layerflow.errors import Parsed, error
from layerflow.model import Problem

# Without aliases a YAML document cannot hold more nodes than it has characters, so a
# budget of one node per character (never below the floor) lets any honest file through,
# however large, while an alias bomb, which expands exponentially, passes it at once.
MAX_NODES = 200_000

Scalar = str | int | float | bool | None

_SAFE_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


@dataclass(frozen=True, slots=True)
class YNode:
    """A YAML value with the line it starts on (1-based) and, in a mapping, its key's line."""

    value: dict[str, YNode] | list[YNode] | Scalar
    line: int
    key_line: int = 0

    @property
    def is_map(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)

    def items(self) -> Iterator[tuple[str, YNode]]:
        if isinstance(self.value, dict):
            yield from self.value.items()

    def entries(self) -> Iterator[YNode]:
        if isinstance(self.value, list):
            yield from self.value

    def get(self, key: str) -> YNode | None:
        return self.value.get(key) if isinstance(self.value, dict) else None

    def text(self) -> str:
        """A scalar as text ('' for null); a mapping or list has no text."""
        if self.value is None or isinstance(self.value, (dict, list)):
            return ""
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        return str(self.value)

    def to_plain(self) -> object:
        if isinstance(self.value, dict):
            return {k: v.to_plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.to_plain() for v in self.value]
        return self.value


# libyaml's scanner, when PyYAML was built with it, is ~10x faster on large inventories; it
# gives the same nodes and marks, and construction stays in our own code either way.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Budget:
    def __init__(self, size: int) -> None:
        self.limit = max(MAX_NODES, size)
        self.left = self.limit


class _Lines:
    """Lines as editors count them ('\\n' only); PyYAML also breaks at NEL, U+2028, U+2029 and a lone CR."""

    def __init__(self, text: str) -> None:
        odd = ("\x85", "\u2028", "\u2029", "\r")
        self.extra: list[int] = []
        if any(ch in text for ch in odd):
            self.extra = [
                i for i, ch in enumerate(text) if ch in odd[:3] or (ch == "\r" and text[i + 1 : i + 2] != "\n")
            ]

    def of(self, mark: yaml.Mark) -> int:
        return mark.line + 1 - bisect.bisect_left(self.extra, mark.index)


class _TooLarge(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


def load_yaml(path: str, text: str) -> Parsed[YNode | None]:
    """Parse one YAML document; every problem is a located error, never an exception."""
    loader: yaml.SafeLoader | None = None
    try:
        loader = _Loader(text)  # the reader rejects control characters here, not later
        node = loader.get_single_node()
    except RecursionError:
        return Parsed(None, (error(path, 0, "invalid YAML: nested too deeply"),))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = _Lines(text).of(mark) if mark else 0
        what = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        return Parsed(None, (error(path, line, f"invalid YAML: {what}"),))
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        return Parsed(
            None, (error(path, line, f"invalid YAML: character U+{_code(exc.character):04X} is not allowed"),)
        )
    except yaml.YAMLError as exc:
        return Parsed(None, (error(path, 0, f"invalid YAML: {exc}"),))
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        return Parsed(None)
    problems: list[Problem] = []
    try:
        budget = _Budget(len(text))
        return Parsed(_convert(node, path, loader, problems, budget, 0, _Lines(text)), tuple(problems))
    except RecursionError:
        return Parsed(None, (error(path, 0, "invalid YAML: nested too deeply"),))
    except _TooLarge as exc:
        return Parsed(
            None,
            (error(path, exc.line, f"YAML expands to more than {max(MAX_NODES, len(text))} nodes (an alias bomb?)"),),
        )


def _code(character: object) -> int:
    return character if isinstance(character, int) else ord(str(character)[:1] or "\0")


def _convert(
    node: yaml.Node,
    path: str,
    loader: yaml.SafeLoader,
    problems: list[Problem],
    budget: _Budget,
    key_line: int,
    lines: _Lines,
) -> YNode:
    line = lines.of(node.start_mark)
    budget.left -= 1
    if budget.left < 0:
        raise _TooLarge(line)
    if isinstance(node, yaml.MappingNode):
        if node.tag != "tag:yaml.org,2002:map":
            problems.append(error(path, line, f"unsupported YAML tag {node.tag!r}: only plain data is read"))
        try:
            loader.flatten_mapping(node)  # resolves "<<" merge keys without constructing objects
        except yaml.MarkedYAMLError as exc:
            problems.append(error(path, line, f"invalid YAML merge key: {exc.problem}"))
        mapping: dict[str, YNode] = {}
        for key_node, value_node in node.value:
            klines = lines.of(key_node.start_mark)
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(error(path, klines, "a mapping key must be plain text"))
                continue
            key = str(key_node.value)
            if key in mapping:
                problems.append(error(path, klines, f"duplicate key {key!r} (first on line {mapping[key].key_line})"))
                continue
            mapping[key] = _convert(value_node, path, loader, problems, budget, klines, lines)
        return YNode(mapping, line, key_line)
    if isinstance(node, yaml.SequenceNode):
        if node.tag != "tag:yaml.org,2002:seq":
            problems.append(error(path, line, f"unsupported YAML tag {node.tag!r}: only plain data is read"))
        items = [_convert(item, path, loader, problems, budget, 0, lines) for item in node.value]
        return YNode(items, line, key_line)
    assert isinstance(node, yaml.ScalarNode)
    if node.tag not in _SAFE_SCALAR_TAGS:
        problems.append(error(path, line, f"unsupported YAML tag {node.tag!r}: only plain data is read"))
        return YNode(str(node.value), line, key_line)
    if node.tag == "tag:yaml.org,2002:timestamp":
        return YNode(str(node.value), line, key_line)  # dates stay as written
    try:
        value = loader.construct_object(node)
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        problems.append(error(path, line, f"cannot read value {node.value!r}: {exc}"))
        return YNode(str(node.value), line, key_line)
    if not isinstance(value, (str, int, float, bool)) and value is not None:
        return YNode(str(node.value), line, key_line)
    return YNode(value, line, key_line)
