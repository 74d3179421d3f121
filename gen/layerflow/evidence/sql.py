"""Which SQL statements write, and to which table.

This reads SQL text found in Python code (a string passed to execute() or
text()). Quoted literals and comments are removed first, so
"SELECT 'INSERT INTO x'" and "SELECT ... FOR UPDATE" are reads, and the verb
that decides is the statement's own, at parenthesis depth 0. A data-modifying
CTE ("WITH moved AS (DELETE FROM ...) SELECT ...") writes too.
"""

from __future__ import annotations

import re

# A name (a word, a quoted identifier or an f-string placeholder, possibly
# schema-qualified with dots), a parenthesis, or any other single character.
_PART = r'(?:\{[^}]*\}|"[^"]*"|[\w$]+)'
_TOKEN = re.compile(rf"{_PART}(?:\.{_PART})*|[()]|\S")

# Verbs that start a statement; only the first at depth 0 decides what it is.
_VERBS = frozenset(
    {
        "SELECT", "VALUES", "SHOW", "EXPLAIN", "TABLE", "SET", "BEGIN", "COMMIT", "ROLLBACK",
        "LOCK", "CALL", "DO", "LISTEN", "NOTIFY", "PREPARE", "GRANT", "REVOKE", "VACUUM", "ANALYZE",
        "INSERT", "UPSERT", "REPLACE", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "REFRESH",
        "CREATE", "DROP", "ALTER", "COPY",
    }
)  # fmt: skip
_WRITE_VERBS = frozenset(
    {"INSERT", "UPSERT", "REPLACE", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "REFRESH", "CREATE", "DROP", "ALTER"}
)
_CTE_WRITES = frozenset({"INSERT", "UPDATE", "DELETE"})

# Words that may sit between a verb and the table it writes.
_NOISE = frozenset(
    {
        "INTO", "FROM", "ONLY", "TABLE", "MATERIALIZED", "VIEW", "CONCURRENTLY", "IF", "NOT", "EXISTS",
        "OR", "TEMP", "TEMPORARY", "UNLOGGED", "INDEX", "UNIQUE", "SEQUENCE", "SCHEMA", "IGNORE", "LOW_PRIORITY",
        "FUNCTION", "TRIGGER", "EXTENSION", "TYPE",
    }
)  # fmt: skip


def sql_writes(sql: str) -> tuple[tuple[str, str], ...]:
    """(verb, table) for every statement in sql that writes; () when it only reads.

    The table is "" when the statement does not name one we can read.
    """
    found: list[tuple[str, str]] = []
    for statement in _statements(_strip_literals(sql)):
        found.extend(_statement_writes(_TOKEN.findall(statement)))
    return tuple(found)


def _statement_writes(tokens: list[str]) -> list[tuple[str, str]]:
    upper = [t.upper() for t in tokens]
    found: list[tuple[str, str]] = []
    depth = 0
    main_verb = ""
    for index, token in enumerate(upper):
        if token == "(":
            depth += 1
        elif token == ")":
            depth = max(depth - 1, 0)
        elif depth == 0 and not main_verb and token in _VERBS:
            main_verb = token
            if _is_write(token, upper, index):
                found.append((token, _target(tokens, index)))
        elif upper[0] == "WITH" and token in _CTE_WRITES and index > 0 and upper[index - 1] == "(":
            found.append((token, _target(tokens, index)))
    return found


def _is_write(verb: str, upper: list[str], index: int) -> bool:
    if verb == "COPY":  # COPY t FROM loads a table; COPY t TO and COPY (query) TO only read
        rest = upper[index + 1 :]
        return "FROM" in rest and "TO" not in rest
    return verb in _WRITE_VERBS


def _target(tokens: list[str], verb_index: int) -> str:
    for token in tokens[verb_index + 1 :]:
        if token.upper() in _NOISE:
            continue
        if token in "();,":
            return ""
        return token.replace('"', "")
    return ""


def _statements(sql: str) -> list[str]:
    parts = [part.strip() for part in sql.split(";")]
    return [part for part in parts if part]


def _strip_literals(sql: str) -> str:
    """SQL without comments and without the contents of quoted string literals."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end < 0 else end + 2
            out.append(" ")
        elif ch == "'":
            end = i + 1
            while end < n:
                if sql[end] == "'" and sql.startswith("''", end):
                    end += 2  # an escaped quote inside the literal
                    continue
                if sql[end] == "'":
                    break
                end += 1
            out.append("''")
            i = end + 1
        elif ch == "$" and (tag := _dollar_tag(sql, i)):
            end = sql.find(tag, i + len(tag))
            out.append("''")
            i = n if end < 0 else end + len(tag)
        else:
            out.append(ch)
            i += 1
    return "".join(out)


_DOLLAR_TAG = re.compile(r"\$[A-Za-z_]*\$")


def _dollar_tag(sql: str, start: int) -> str:
    match = _DOLLAR_TAG.match(sql, start)
    return match.group(0) if match else ""
