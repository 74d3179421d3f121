"""YAML to plain data that remembers its line numbers, loaded safely.

PyYAML's composer gives nodes with marks; we convert them ourselves instead of
constructing objects, so no tag can build a Python object, and an alias bomb
is stopped by counting the nodes an expansion would create.

Most files use none of YAML's graph features, and composing PyYAML nodes
(then converting them) is most of the time a large inventory takes. So
`load_yaml` first builds YNodes straight from libyaml's event stream; at the
first event it does not handle the same way (an anchor, an alias, an explicit
tag, a merge key, a key that is not plain text, a repeated key, a second
document, or any error) it starts again on the composer path, which stays the
one definition of what a file means. tests/test_fast_paths.py checks that both
give the same answer.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

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


@dataclass(slots=True)
class YNode:
    """A YAML value with the line it starts on (1-based) and, in a mapping, its key's line.

    Read-only by convention, not frozen: a frozen dataclass sets each field through object.__setattr__,
    six times the cost of a plain slot, and a large inventory makes one node per YAML value (a fifth of
    loading it). Nothing writes to a node once it is built.
    """

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
    from layerflow.parse.yamllines import scan_yaml  # here: it builds on this module's YNode and scalar_node

    scanned = scan_yaml(path, text)
    if scanned is not None:
        return Parsed(scanned[0], scanned[1])
    fast = _from_events(path, text)
    return fast if fast is not None else load_yaml_composed(path, text)


def load_yaml_composed(path: str, text: str) -> Parsed[YNode | None]:
    """`load_yaml` through PyYAML's composer: every feature of YAML, every error located."""
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


class _Unhandled(Exception):
    """An event the event-stream reader leaves to the composer path."""


_MAP = "tag:yaml.org,2002:map"
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"


def _from_events(path: str, text: str) -> Parsed[YNode | None] | None:
    """`load_yaml` from libyaml's events, or None where the composer path must answer (see the module)."""
    loader: yaml.SafeLoader | None = None
    try:
        loader = _Loader(text)
        return _compose_events(path, text, loader)
    except (_Unhandled, _TooLarge, RecursionError, yaml.YAMLError):
        return None
    finally:
        if loader is not None:
            loader.dispose()


def _compose_events(path: str, text: str, loader: yaml.SafeLoader) -> Parsed[YNode | None]:  # noqa: PLR0912, PLR0915
    """The tree `_convert` makes of the composed node, built from the events in one pass.

    One loop with the event types inline, on purpose: it runs once per YAML node of every input, and
    a call per event was most of what this fast path saves over the composer (see _convert).
    """
    get_event: Callable[[], Any] = loader.get_event  # events are read by their type, below
    lines = _Lines(text)
    odd_lines = bool(lines.extra)
    budget = _Budget(len(text))
    problems: list[Problem] = []
    constructed: dict[tuple[str, str], Scalar] = {}
    tags: dict[tuple[str, tuple[bool, bool]], str] = {}  # (scalar, implicit) -> the resolved tag
    # A frame per open collection: [dict or list, line, key_line, pending key or None, the key's line].
    stack: list[list[Any]] = []
    root: YNode | None = None
    event = get_event()
    if type(event) is not yaml.StreamStartEvent:
        raise _Unhandled
    event = get_event()
    if type(event) is yaml.StreamEndEvent:
        return Parsed(None)
    if type(event) is not yaml.DocumentStartEvent:
        raise _Unhandled
    while True:
        event = get_event()
        kind = type(event)
        if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            value, line, key_line, pending, _ = stack.pop()
            if pending is not None:
                raise _Unhandled  # a key without a value cannot be: leave it to the composer
            node = YNode(value, line, key_line)
        elif kind is yaml.ScalarEvent or kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if event.anchor is not None or event.tag is not None:
                raise _Unhandled
            mark = event.start_mark
            line = mark.line + 1 if not odd_lines else lines.of(mark)
            key_line = 0
            if stack:
                frame = stack[-1]
                if type(frame[0]) is dict:
                    if frame[3] is None:  # this node is a key
                        if kind is not yaml.ScalarEvent:
                            raise _Unhandled
                        key = str(event.value)
                        # The resolver finds its candidates by first character: only "<..." can be a merge key.
                        merge = key[:1] == "<" and _tag_of(loader, tags, event.value, event.implicit) == _MERGE
                        if merge or key in frame[0]:
                            raise _Unhandled
                        frame[3], frame[4] = key, line
                        continue
                    key_line = frame[4]
            budget.left -= 1
            if budget.left < 0:
                raise _TooLarge(line)
            if kind is yaml.MappingStartEvent:
                stack.append([{}, line, key_line, None, 0])
                continue
            if kind is yaml.SequenceStartEvent:
                stack.append([[], line, key_line, None, 0])
                continue
            tag = _tag_of(loader, tags, event.value, event.implicit)
            if tag == _STR:  # most scalars: text as written, no call
                node = YNode(event.value, line, key_line)
            else:
                node = scalar_node(path, loader, tag, event.value, line, key_line, problems, constructed)
        elif kind is yaml.DocumentEndEvent:
            if stack or type(get_event()) is not yaml.StreamEndEvent:
                raise _Unhandled  # a second document: the composer says so, located
            return Parsed(root, tuple(problems))
        else:  # an alias, or anything unexpected
            raise _Unhandled
        if not stack:
            root = node
            continue
        frame = stack[-1]
        if type(frame[0]) is dict:
            frame[0][frame[3]] = node
            frame[3] = None
        else:
            frame[0].append(node)


def _tag_of(
    loader: yaml.SafeLoader, tags: dict[tuple[str, tuple[bool, bool]], str], value: str, implicit: tuple[bool, bool]
) -> str:
    """The tag the composer resolves a scalar to (it has no explicit tag): the resolver's answer, remembered."""
    key = (value, implicit)
    tag = tags.get(key)
    if tag is None:
        tag = tags[key] = loader.resolve(yaml.ScalarNode, value, implicit)  # type: ignore[no-untyped-call]
    return tag


def scalar_node(
    path: str,
    loader: yaml.SafeLoader,
    tag: str,
    text: str,
    line: int,
    key_line: int,
    problems: list[Problem],
    constructed: dict[tuple[str, str], Scalar],
) -> YNode:
    """A scalar node as `_convert` reads it: text for a string, the constructed value for a number, flag or null."""
    if tag == _STR:
        return YNode(text, line, key_line)
    if tag not in _SAFE_SCALAR_TAGS:
        problems.append(error(path, line, f"unsupported YAML tag {tag!r}: only plain data is read"))
        return YNode(str(text), line, key_line)
    if tag == "tag:yaml.org,2002:timestamp":
        return YNode(str(text), line, key_line)  # dates stay as written
    key = (tag, text)
    if key in constructed:
        return YNode(constructed[key], line, key_line)
    try:
        value = loader.construct_object(yaml.ScalarNode(tag, text))
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        problems.append(error(path, line, f"cannot read value {text!r}: {exc}"))
        return YNode(str(text), line, key_line)
    if not isinstance(value, (str, int, float, bool)) and value is not None:
        value = str(text)
    constructed[key] = value
    return YNode(value, line, key_line)


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
        return YNode(_convert_mapping(node, path, loader, problems, budget, lines, line), line, key_line)
    if isinstance(node, yaml.SequenceNode):
        if node.tag != "tag:yaml.org,2002:seq":
            problems.append(error(path, line, f"unsupported YAML tag {node.tag!r}: only plain data is read"))
        items = [_convert(item, path, loader, problems, budget, 0, lines) for item in node.value]
        return YNode(items, line, key_line)
    return _convert_scalar(node, path, loader, problems, key_line, line)


def _convert_mapping(
    node: yaml.MappingNode,
    path: str,
    loader: yaml.SafeLoader,
    problems: list[Problem],
    budget: _Budget,
    lines: _Lines,
    line: int,
) -> dict[str, YNode]:
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
    return mapping


def _convert_scalar(
    node: yaml.Node, path: str, loader: yaml.SafeLoader, problems: list[Problem], key_line: int, line: int
) -> YNode:
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
