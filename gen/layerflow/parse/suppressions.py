"""Reasoned suppressions, as teams write them where the finding is.

On a registry row, an HTML comment (invisible on the rendered page):

    | SIG-012 | CostBudgetStatus | ... | <!-- layerflow: ignore gate.UNKNOWN_FIELDS -- vendor has not said yet -->

In code, a comment on the flagged line, or in the file's header (the comment
lines before the first statement) for the whole file:

    session.add(row)  # layerflow: ignore[gate.UNREGISTERED_DB_WRITER] test fixture loader, never runs in prod

Several rules are separated by commas; a trailing `*` names a family
(`evidence.*`). A suppression without a reason is invalid input: the reason is
the point, it is shown on the report beside what it hides. A `layerflow:`
comment that is not `ignore` is read as an ordinary comment, with a note.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterator

from layerflow.errors import Parsed, error, note
from layerflow.model import Location, Problem, Suppression

MARKER = "layerflow:"
_HTML = re.compile(r"<!--\s*layerflow:(?P<body>.*?)-->", re.DOTALL)
_HTML_IGNORE = re.compile(r"\s*ignore\b(?P<rules>.*?)(?:\s--(?P<reason>.*))?\s*$", re.DOTALL)
_CODE = re.compile(r"#\s*layerflow:\s*(?P<body>.*)$")
_CODE_IGNORE = re.compile(r"ignore\s*\[(?P<rules>[^\]]*)\](?P<reason>.*)$")
_RULE = re.compile(r"^[A-Za-z0-9_.\-]+\*?$|^\*$")
_EXAMPLE_ROW = "<!-- layerflow: ignore RULE -- why it does not apply -->"
_EXAMPLE_CODE = "# layerflow: ignore[RULE] why it does not apply"


def strip_directives(line: str) -> str:
    """A registry row without its `<!-- layerflow: ... -->` comments, so they never count as a cell."""
    return _HTML.sub("", line) if "<!--" in line else line


def _rules(text: str, path: str, line: int, example: str, problems: list[Problem]) -> tuple[str, ...] | None:
    rules = tuple(r.strip() for r in text.replace(",", " ").split() if r.strip())
    if not rules:
        problems.append(error(path, line, f"layerflow: ignore names no rule; write {example}"))
        return None
    bad = [r for r in rules if not _RULE.match(r)]
    if bad:
        problems.append(error(path, line, f"layerflow: ignore: {', '.join(map(repr, bad))} is not a rule id"))
        return None
    return rules


def _reason(text: str | None, path: str, line: int, example: str, problems: list[Problem]) -> str | None:
    reason = " ".join((text or "").split())
    if not reason:
        problems.append(error(path, line, f"layerflow: ignore without a reason; write {example}"))
        return None
    return reason


def registry_suppressions(path: str, text: str) -> Parsed[tuple[Suppression, ...]]:
    """`<!-- layerflow: ignore RULE -- reason -->` comments in a registry file; each applies to its row."""
    if MARKER not in text:
        return Parsed(())
    found: list[Suppression] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _HTML.finditer(line):
            directive = _HTML_IGNORE.match(match.group("body"))
            if directive is None:
                problems.append(
                    note(path, number, f"'layerflow:{match.group('body').rstrip()}' is not 'ignore'; read as a comment")
                )
                continue
            rules = _rules(directive.group("rules"), path, number, _EXAMPLE_ROW, problems)
            reason = _reason(directive.group("reason"), path, number, _EXAMPLE_ROW, problems)
            if rules is None or reason is None:
                continue
            if "|" not in line[: match.start()]:
                problems.append(note(path, number, "layerflow: ignore is on no table row; it applies to nothing"))
                continue
            found.append(Suppression(rules, reason, Location(path, number), "row"))
    return Parsed(tuple(found), tuple(problems))


def code_suppressions(path: str, text: str) -> Parsed[tuple[Suppression, ...]]:
    """`# layerflow: ignore[RULE] reason` in a Python file, a script, a unit or a crontab."""
    if MARKER not in text:
        return Parsed(())
    found: list[Suppression] = []
    problems: list[Problem] = []
    for line, comment, header in _comments(path, text):
        match = _CODE.search(comment)
        if match is None:
            continue
        directive = _CODE_IGNORE.match(match.group("body").strip())
        if directive is None:
            problems.append(
                note(path, line, f"'{comment.strip()}' is not 'layerflow: ignore[RULE] reason'; read as a comment")
            )
            continue
        rules = _rules(directive.group("rules"), path, line, _EXAMPLE_CODE, problems)
        reason = _reason(directive.group("reason"), path, line, _EXAMPLE_CODE, problems)
        if rules is not None and reason is not None:
            found.append(Suppression(rules, reason, Location(path, line), "file" if header else "line"))
    return Parsed(tuple(found), tuple(problems))


def _comments(path: str, text: str) -> Iterator[tuple[int, str, bool]]:
    """(line, comment, in the header) for each `#` comment; Python is tokenized, so a `#` in a string is none."""
    if path.endswith(".py"):
        try:
            yield from _python_comments(text)
            return
        except (tokenize.TokenError, SyntaxError, IndentationError):
            pass  # a file that does not tokenize: read line by line, as any other
    header = True
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip()
        if not stripped:
            continue
        if stripped.startswith(("#", ";")):
            yield number, stripped.lstrip(";"), header
            continue
        header = False
        at = line.find(" #")
        if at >= 0:
            yield number, line[at + 1 :], False


def _python_comments(text: str) -> Iterator[tuple[int, str, bool]]:
    header = True
    found: list[tuple[int, str, bool]] = []
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.ENCODING}
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            found.append((token.start[0], token.string, header and token.line.lstrip().startswith("#")))
        elif token.type not in skip and token.type != tokenize.ENDMARKER:
            header = False
    yield from found
