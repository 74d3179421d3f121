"""The small expression language of CI-gate checks, parsed without eval.

A gate check such as ``p_layer=L7 AND c_layer contains L6 AND verified_path!=YES``
is read by a hand-written tokenizer and a recursive-descent parser:

    expr       := or
    or         := and ("OR" and)*
    and        := unary ("AND" unary)*
    unary      := "NOT" unary | primary
    primary    := "(" or ")" | "any" "field" op value | field op value
    op         := "=" | "!=" | "contains"
    value      := bare word | quoted string

Keywords are case-insensitive. A check with no comparison at all is prose that
needs evidence beyond the registry ("grep for session.add/execute not in
registry"); it is answered with `Prose`, not an error, so the audit can say
the gate could not be evaluated instead of skipping it.

Every step is linear in the text and nesting is bounded, so a hostile 2 MB
check costs a single pass and never exhausts the stack.
"""

from __future__ import annotations

import difflib
from collections import deque
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Literal, NoReturn, TypeAlias

# The registry fields of FORMATS.md §1, plus the domain taken from headings.
CANONICAL_FIELDS: tuple[str, ...] = (
    "uid",
    "name",
    "class",
    "trigger",
    "producer",
    "p_layer",
    "processor",
    "x_layer",
    "intermediary_hops",
    "output_artifact",
    "form",
    "persistence",
    "consumer",
    "c_layer",
    "exposure",
    "l2_api",
    "verified_path",
    "source_files",
    "confidence",
    "domain",
)

MAX_DEPTH = 50  # parentheses and NOTs nested deeper than this are not a real check
_SHOWN = 40  # characters of a user's word quoted back in a message

Op = Literal["=", "!=", "contains"]

_KEYWORDS = frozenset({"and", "or", "not", "contains"})
_BARE_PUNCTUATION = frozenset("-_.*/:")


@dataclass(frozen=True, slots=True)
class Compare:
    field: str  # canonical, lower-case field name
    op: Op
    value: str  # as written; compared case-insensitively


@dataclass(frozen=True, slots=True)
class AnyField:
    """``any field=UNKNOWN``: true when at least one field of the subject compares true."""

    op: Op
    value: str


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Expr, ...]  # two or more, none of them an And


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Expr, ...]  # two or more, none of them an Or


@dataclass(frozen=True, slots=True)
class Not:
    operand: Expr


Expr: TypeAlias = Compare | AnyField | And | Or | Not


@dataclass(frozen=True, slots=True)
class Prose:
    """The check is text for a person (or for evidence outside the registry), not an expression."""

    reason: str


@dataclass(frozen=True, slots=True)
class ExprError:
    """The check looks like an expression but cannot be read; column is 1-based."""

    message: str
    column: int

    def __str__(self) -> str:
        return f"column {self.column}: {self.message}"


# ------------------------------------------------------------------ public


def parse_check(text: str, known_fields: Collection[str]) -> Expr | Prose | ExprError:
    """Read a gate check: an expression over known fields, prose, or a located error."""
    if not _has_comparison(text):
        return Prose("no comparison (=, != or contains): the check needs evidence beyond the registry")
    known = frozenset(normalize_field(f) for f in known_fields)
    try:
        return _Parser(_tokens(text), known).parse()
    except _Failure as failure:
        return failure.error


def normalize_field(name: str) -> str:
    """``P-Layer`` and ``p_layer`` name the same field: lower case, punctuation runs to one ``_``."""
    words: list[str] = []
    current: list[str] = []
    for ch in name.strip().lower():
        if ch.isalnum():
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return "_".join(words)


def fields_of(expr: Expr) -> frozenset[str]:
    """The fields an expression names; ``any field`` names none in particular."""
    if isinstance(expr, Compare):
        return frozenset({expr.field})
    if isinstance(expr, AnyField):
        return frozenset()
    if isinstance(expr, Not):
        return fields_of(expr.operand)
    return frozenset().union(*(fields_of(o) for o in expr.operands))


def render(expr: Expr) -> str:
    """Canonical text: upper-case keywords, no spaces around = and !=, only the parentheses needed."""
    if isinstance(expr, Compare):
        return f"{expr.field}{_render_op(expr.op)}{_render_value(expr.value)}"
    if isinstance(expr, AnyField):
        return f"any field{_render_op(expr.op)}{_render_value(expr.value)}"
    if isinstance(expr, Not):
        inner = render(expr.operand)
        return f"NOT ({inner})" if isinstance(expr.operand, (And, Or)) else f"NOT {inner}"
    if isinstance(expr, And):
        # AND binds tighter than OR, so only an OR operand needs parentheses.
        return " AND ".join(f"({render(o)})" if isinstance(o, Or) else render(o) for o in expr.operands)
    return " OR ".join(render(o) for o in expr.operands)


# --------------------------------------------------------------- tokenizer


TokenKind = Literal["word", "string", "=", "!=", "(", ")", "end"]


@dataclass(frozen=True, slots=True)
class _Token:
    kind: TokenKind
    text: str
    column: int

    def is_keyword(self, keyword: str) -> bool:
        return self.kind == "word" and self.text.lower() == keyword


_PUNCTUATION: dict[str, TokenKind] = {"(": "(", ")": ")", "=": "="}


class _Failure(Exception):
    """Unwinds the parser to parse_check, which turns it back into a value."""

    def __init__(self, error: ExprError) -> None:
        super().__init__(str(error))
        self.error = error


def _has_comparison(text: str) -> bool:
    return "=" in text or any(word.lower() == "contains" for word in text.split())


def _is_bare(ch: str) -> bool:
    return ch.isalnum() or ch in _BARE_PUNCTUATION


def _tokens(text: str) -> Iterator[_Token]:
    """Tokens on demand, so a bad start fails at once instead of after the whole text."""
    i = 0
    while i < len(text):
        ch, column = text[i], i + 1
        if ch.isspace():
            i += 1
        elif ch in _PUNCTUATION:
            yield _Token(_PUNCTUATION[ch], ch, column)
            i += 1
        elif ch == "!":
            if not text.startswith("!=", i):
                raise _Failure(ExprError("'!' must be followed by '=' (write != or NOT)", column))
            yield _Token("!=", "!=", column)
            i += 2
        elif ch in "\"'":
            value, i = _read_quoted(text, i)
            yield _Token("string", value, column)
        elif _is_bare(ch):
            start = i
            while i < len(text) and _is_bare(text[i]):
                i += 1
            yield _Token("word", text[start:i], column)
        else:
            raise _Failure(ExprError(f"unexpected character {ch!r}; quote a value that contains it", column))
    yield _Token("end", "", len(text) + 1)


def _read_quoted(text: str, start: int) -> tuple[str, int]:
    """The string opened by the quote at start, with \\" and \\\\ escapes, and the index after it."""
    quote = text[start]
    chars: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in (quote, "\\"):
            chars.append(text[i + 1])
            i += 2
        elif ch == quote:
            return "".join(chars), i + 1
        else:
            chars.append(ch)
            i += 1
    raise _Failure(ExprError(f"unterminated string: the {quote} opened here is never closed", start + 1))


# ------------------------------------------------------------------ parser


def _describe(token: _Token) -> str:
    if token.kind == "end":
        return "the end of the check"
    return repr(_shorten(token.text)) if token.kind in ("word", "string") else repr(token.kind)


def _shorten(text: str) -> str:
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


class _Parser:
    def __init__(self, tokens: Iterator[_Token], known_fields: frozenset[str]) -> None:
        self.tokens = tokens
        self.lookahead: deque[_Token] = deque()
        self.known_fields = known_fields
        self.depth = 0

    def parse(self) -> Expr:
        expr = self._or()
        token = self._peek()
        if token.kind != "end":
            hint = " (an unquoted value with spaces? quote it)" if token.kind in ("word", "string") else ""
            self._fail(f"expected AND, OR or the end of the check, found {_describe(token)}{hint}", token)
        return expr

    # Each level gathers its operands and flattens them, so no tree grows deeper than the nesting.
    def _or(self) -> Expr:
        parts = [self._and()]
        while self._peek().is_keyword("or"):
            self._advance()
            parts.append(self._and())
        return _join(Or, parts)

    def _and(self) -> Expr:
        parts = [self._unary()]
        while self._peek().is_keyword("and"):
            self._advance()
            parts.append(self._unary())
        return _join(And, parts)

    def _unary(self) -> Expr:
        token = self._peek()
        if not token.is_keyword("not"):
            return self._primary()
        self._enter(token)
        self._advance()
        operand = self._unary()
        self.depth -= 1
        return Not(operand)

    def _primary(self) -> Expr:
        token = self._peek()
        if token.kind == "(":
            self._enter(token)
            self._advance()
            inner = self._or()
            closing = self._peek()
            if closing.kind != ")":
                found = _describe(closing)
                self._fail(f"expected ')' to close the '(' at column {token.column}, found {found}", closing)
            self._advance()
            self.depth -= 1
            return inner
        if token.is_keyword("any") and self._peek(1).is_keyword("field"):
            self._advance(2)
            op = self._operator()
            return AnyField(op, self._value())
        return self._comparison()

    def _comparison(self) -> Compare:
        token = self._peek()
        if token.kind != "word" or token.text.lower() in _KEYWORDS:
            self._fail(f"expected a field name, found {_describe(token)}", token)
        field = self._field(token)
        self._advance()
        op = self._operator()
        return Compare(field, op, self._value())

    def _field(self, token: _Token) -> str:
        name = normalize_field(token.text)
        if name in self.known_fields:
            return name
        close = difflib.get_close_matches(name, sorted(self.known_fields), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        self._fail(f"unknown field {_shorten(token.text)!r}{hint}", token)

    def _operator(self) -> Op:
        token = self._peek()
        self._advance()
        if token.kind == "=":
            return "="
        if token.kind == "!=":
            return "!="
        if token.is_keyword("contains"):
            return "contains"
        self._fail(f"expected =, != or contains, found {_describe(token)}", token)

    def _value(self) -> str:
        token = self._peek()
        if token.kind not in ("word", "string"):
            hint = " (write = once, not ==)" if token.kind == "=" else ""
            self._fail(f"expected a value, found {_describe(token)}{hint}", token)
        self._advance()
        return token.text

    def _peek(self, ahead: int = 0) -> _Token:
        while len(self.lookahead) <= ahead:
            if self.lookahead and self.lookahead[-1].kind == "end":
                return self.lookahead[-1]
            self.lookahead.append(next(self.tokens))
        return self.lookahead[ahead]

    def _advance(self, count: int = 1) -> None:
        for _ in range(count):
            self._peek()
            if self.lookahead[0].kind != "end":
                self.lookahead.popleft()

    def _enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self._fail(f"nested more than {MAX_DEPTH} deep", token)

    def _fail(self, message: str, token: _Token) -> NoReturn:
        raise _Failure(ExprError(message, token.column))


# ------------------------------------------------------------------ helpers


def _join(kind: type[And] | type[Or], parts: list[Expr]) -> Expr:
    """``a AND b AND ...`` (or OR), flattened so that equal checks have equal trees."""
    if len(parts) == 1:
        return parts[0]
    operands: list[Expr] = []
    for part in parts:
        if isinstance(part, kind):
            operands.extend(part.operands)
        else:
            operands.append(part)
    return kind(tuple(operands))


def _render_op(op: Op) -> str:
    return " contains " if op == "contains" else op


def _render_value(value: str) -> str:
    if value and all(_is_bare(ch) for ch in value) and value.lower() not in _KEYWORDS:
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
