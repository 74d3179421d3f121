"""A line scanner for the YAML subset inventories are written in, or None.

Iterating libyaml's events alone costs more than a large inventory may take to load, so
`scan_yaml` reads the common subset line by line: block mappings and sequences by
indentation, `#` comments, plain and quoted one-line scalars, and one-line flow lists and
mappings of those. It gives the YNode tree `load_yaml` gives, resolving plain scalars with
PyYAML's own (YAML 1.1) resolver table. At anything it does not handle with certainty
(anchors, tags, block scalars, multi-line scalars, tabs, odd line breaks, duplicate or
merge keys, escapes beyond the few below, anything malformed) it returns None and the
existing paths answer, which stay the one definition of what a file means (and of every
error). tests/test_fast_paths.py checks it agrees with them.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from layerflow.model import Problem
from layerflow.parse.yamlsrc import Scalar, YNode, scalar_node

_ODD = re.compile("[\t\r\x85\u2028\u2029\ufeff]")
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE
# A key: plain text with no indicator first and no ':', '#' or flow character in it, or quoted; then ':'.
_KEY = re.compile(
    r"""([^\s\-?:,\[\]{}#&*!|>'"%@`][^:#,\[\]{}]*?|'(?:[^']|'')*'|"(?:[^"\\]|\\["\\/nt])*") *:(?: +(.*))?$"""
)
_SINGLE = re.compile(r"'((?:[^']|'')*)'")
_DOUBLE = re.compile(r'"((?:[^"\\]|\\["\\/nt])*)"')
# Flow tokens: an indicator, ': ', a quoted or plain scalar, a comment (after a space), or anything else.
_FLOW_TOKEN = re.compile(
    r""" *(?:([\[\]{},])|(: )|('(?:[^']|'')*'|"(?:[^"\\]|\\["\\/nt])*")"""
    r"""|((?:[^\s,\[\]{}#&*!|>'"%@`?:\-]|-(?=[^\s,\[\]{}#:?'"]))[^,\[\]{}#:?'"]*)|(?<= )(#.*)|(.))"""
)
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "n": "\n", "t": "\t"}
_ESCAPE = re.compile(r"\\(.)")
# A plain scalar may not start with these (c-indicator); '-' may when text follows it.
_BAD_FIRST = frozenset("&*!|>%@`?:,[]{}#'\"")
_RESOLVERS: dict[Any, list[tuple[str, re.Pattern[str]]]] = yaml.resolver.Resolver.yaml_implicit_resolvers
_RESOLVED_FIRST = frozenset(first for first in _RESOLVERS if first)
_STR = "tag:yaml.org,2002:str"
_MAX_DEPTH = 200


class _Unhandled(Exception):
    """A construct the scanner leaves to `load_yaml`'s other paths."""


def _unquote(text: str) -> str:
    if text[0] == "'":
        return text[1:-1].replace("''", "'")
    return _ESCAPE.sub(lambda m: _ESCAPES[m.group(1)], text[1:-1])


class _Scan:
    def __init__(self, path: str, rows: list[tuple[int, int, str]]) -> None:
        self.path = path
        self.rows = rows
        self.at = 0
        self.problems: list[Problem] = []
        self.tags: dict[str, str] = {}
        self.constructed: dict[tuple[str, str], Scalar] = {}
        self.loader: yaml.SafeLoader | None = None

    def plain(self, text: str, line: int, key_line: int) -> YNode:
        """A plain scalar, resolved as the composer resolves it."""
        if text and text[0] not in _RESOLVED_FIRST:
            return YNode(text, line, key_line)  # most text: no resolver starts with its first character
        tag = self.tags.get(text)
        if tag is None:
            tag = _STR
            for candidate, regexp in _RESOLVERS.get(text[:1] if text else "", ()):
                if regexp.match(text):
                    tag = candidate
                    break
            self.tags[text] = tag
        if tag == _STR:
            return YNode(text, line, key_line)
        if self.loader is None:
            self.loader = yaml.SafeLoader("")
        return scalar_node(self.path, self.loader, tag, text, line, key_line, self.problems, self.constructed)

    def value(self, text: str, line: int, key_line: int) -> YNode:
        """A scalar or flow collection that is the whole rest of a line (trailing comment allowed)."""
        first = text[0]
        if first in "[{":
            return self.flow(text, line, key_line)
        if first in "'\"":
            match = (_SINGLE if first == "'" else _DOUBLE).match(text)
            if match is None:
                raise _Unhandled
            self.tail(text, match.end())
            return YNode(_unquote(match.group(0)), line, key_line)
        if first in _BAD_FIRST or (first == "-" and (len(text) == 1 or text[1] == " ")):
            raise _Unhandled
        cut = text.find(" #")
        if cut >= 0:
            text = text[:cut].rstrip(" ")
        if ": " in text or text[-1] == ":":
            raise _Unhandled
        return self.plain(text, line, key_line)

    @staticmethod
    def tail(text: str, end: int) -> None:
        rest = text[end:]
        if rest and not (rest[0] == " " and rest.lstrip(" ").startswith("#")) and rest.strip(" "):
            raise _Unhandled

    def flow(self, text: str, line: int, key_line: int) -> YNode:  # noqa: PLR0912, PLR0915
        """A one-line flow collection (text is the rest of the line): tokens in one regex call, then a stack."""
        stack: list[list[Any]] = []  # frames: [list or dict, is a mapping, pending key or None]
        root: YNode | None = None
        state = 0  # 0: a node is due, 1: ',' or a close is due, 2: ': ' is due
        for ind, colon, quoted, plain, comment, bad in _FLOW_TOKEN.findall(text):
            if bad or root is not None:
                if root is not None and comment:
                    break
                raise _Unhandled
            if ind:
                if ind in "[{":
                    if state != 0 or (stack and stack[-1][1] and stack[-1][2] is None) or len(stack) > _MAX_DEPTH:
                        raise _Unhandled  # a collection as a key, or out of place
                    stack.append([{} if ind == "{" else [], ind == "{", None])
                    continue
                if ind == ",":
                    if state != 1:
                        raise _Unhandled
                    state = 0
                    continue
                frame = stack.pop()
                if (ind == "}") != frame[1] or state == 2 or (state == 0 and (frame[0] or frame[2] is not None)):
                    raise _Unhandled  # a mismatched close, a trailing comma or a key without a value
                node = YNode(frame[0], line, (line if stack[-1][1] else 0) if stack else key_line)
                state = 1
            elif colon:
                if state != 2:
                    raise _Unhandled
                state = 0
                continue
            elif comment:
                raise _Unhandled
            else:
                if state != 0 or not stack:
                    raise _Unhandled
                frame = stack[-1]
                if frame[1] and frame[2] is None:
                    key = _unquote(quoted) if quoted else plain.rstrip(" ")
                    if key in frame[0] or (not quoted and key == "<<"):
                        raise _Unhandled
                    frame[2] = key
                    state = 2
                    continue
                kl = line if frame[1] else 0
                node = YNode(_unquote(quoted), line, kl) if quoted else self.plain(plain.rstrip(" "), line, kl)
                state = 1
            if not stack:
                root = node
                continue
            frame = stack[-1]
            if frame[1]:
                frame[0][frame[2]] = node
                frame[2] = None
            else:
                frame[0].append(node)
        if root is None:
            raise _Unhandled
        return root

    def block(self, depth: int) -> YNode:
        """The block collection whose first row is the current one, at that row's indent."""
        if depth > _MAX_DEPTH:
            raise _Unhandled
        _, indent, text = self.rows[self.at]
        if text[0] == "-" and (len(text) == 1 or text[1] == " "):
            return self.sequence(indent, depth)
        return self.mapping(indent, text, depth)

    def after(self, indent: int) -> int:
        """The indent of the next row (-1 at the end); deeper than the collection's is an error or a continuation."""
        if self.at >= len(self.rows):
            return -1
        next_indent = self.rows[self.at][1]
        if next_indent > indent:
            raise _Unhandled
        return next_indent

    def sequence(self, indent: int, depth: int) -> YNode:
        rows = self.rows
        items: list[YNode] = []
        start = rows[self.at][0]
        while True:
            line, _, text = rows[self.at]
            rest = text[1:].lstrip(" ")
            self.at += 1
            if not rest or rest[0] == "#":
                items.append(self.nested(indent, line, 0, depth, False))
            elif rest[0] == "-" and (len(rest) == 1 or rest[1] == " "):
                raise _Unhandled
            else:
                col = indent + len(text) - len(rest)
                if _KEY.match(rest):
                    self.at -= 1
                    items.append(self.mapping(col, rest, depth + 1))
                else:
                    items.append(self.value(rest, line, 0))
            next_indent = self.after(indent)
            if next_indent < indent:
                return YNode(items, start, 0)
            text = rows[self.at][2]
            if not (text[0] == "-" and (len(text) == 1 or text[1] == " ")):
                return YNode(items, start, 0)

    def nested(self, indent: int, line: int, key_line: int, depth: int, in_map: bool) -> YNode:
        """The value of an empty `key:` or `-`: a deeper block, an indentless sequence, or null."""
        if self.at < len(self.rows):
            _, next_indent, text = self.rows[self.at]
            dash = text[0] == "-" and (len(text) == 1 or text[1] == " ")
            if next_indent > indent or (in_map and next_indent == indent and dash):
                node = self.block(depth + 1)
                return YNode(node.value, node.line, key_line)
        return self.plain("", line, key_line)

    def mapping(self, indent: int, first: str, depth: int) -> YNode:
        rows = self.rows
        mapping: dict[str, YNode] = {}
        text = first
        start = rows[self.at][0]
        while True:
            line = rows[self.at][0]
            match = _KEY.match(text)
            if match is None:
                raise _Unhandled
            key = match.group(1)
            if key[0] == "'" or key[0] == '"':
                key = _unquote(key)
            elif key == "<<":
                raise _Unhandled
            if key in mapping:
                raise _Unhandled
            rest = match.group(2)
            self.at += 1
            if not rest or rest[0] == "#":
                mapping[key] = self.nested(indent, line, line, depth, True)
            else:
                mapping[key] = self.value(rest, line, line)
            if self.after(indent) < indent:
                return YNode(mapping, start, 0)
            text = rows[self.at][2]


def scan_yaml(path: str, text: str) -> tuple[YNode, tuple[Problem, ...]] | None:
    """The tree and problems `load_yaml` gives for text in the subset, or None for anything else."""
    if _ODD.search(text) or _NON_PRINTABLE.search(text):
        return None
    rows: list[tuple[int, int, str]] = []
    for number, raw in enumerate(text.split("\n"), 1):
        stripped = raw.lstrip(" ")
        if not stripped or stripped[0] == "#":
            continue
        indent = len(raw) - len(stripped)
        if indent == 0 and (stripped[0] == "%" or stripped.startswith(("---", "..."))):
            return None
        rows.append((number, indent, stripped.rstrip(" ")))
    if not rows:
        return None
    scan = _Scan(path, rows)
    try:
        root = scan.block(0)
    except (_Unhandled, RecursionError):
        return None
    finally:
        if scan.loader is not None:
            scan.loader.dispose()
    if scan.at != len(rows):
        return None
    return root, tuple(scan.problems)
