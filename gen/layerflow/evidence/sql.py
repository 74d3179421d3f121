"""Which SQL statements write, and to which table.

This reads SQL text found in Python code (a string passed to execute() or
text()). Quoted literals and comments are removed first, so
"SELECT 'INSERT INTO x'" and "SELECT ... FOR UPDATE" are reads, and the verb
that decides is the statement's own, at parenthesis depth 0. A data-modifying
CTE ("WITH moved AS (DELETE FROM ...) SELECT ...") writes too.

A statement that only calls functions ("SELECT m10.cleanup_fn()", "CALL
archive()") may write through them: the text cannot say, but whether the
caller commits can, so database_functions() names the functions a
statement calls that are not SQL's own.
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


_SQL_START = re.compile(
    r"\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*\(?\s*(?:insert|update|delete|merge|truncate|upsert|replace|refresh|create"
    r"|drop|alter|select|call|with|copy)\b",
    re.IGNORECASE | re.DOTALL,
)


def looks_like_sql(text: str) -> bool:
    """A cheap first look: the text starts with a statement verb. Most strings in a code base are not SQL."""
    return bool(_SQL_START.match(text))


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


# Words followed by "(" that are SQL syntax, not function calls.
_CALL_KEYWORDS = frozenset(
    {
        "IN", "ANY", "ALL", "SOME", "EXISTS", "LATERAL", "FILTER", "OVER", "AS", "USING", "ON", "VALUES", "AND",
        "OR", "NOT", "WHERE", "FROM", "JOIN", "SELECT", "WITH", "WHEN", "THEN", "ELSE", "BY", "ROW", "ARRAY",
        "CAST", "INTERVAL", "DISTINCT", "IS", "LIKE", "ILIKE", "BETWEEN", "RETURNING", "OFFSET", "LIMIT",
        "WINDOW", "PARTITION", "GROUPING", "ROLLUP", "CUBE", "SETS", "TABLESAMPLE", "CALL", "INTO", "SET",
        "UNION", "INTERSECT", "EXCEPT", "HAVING", "ORDER", "GROUP",
    }
)  # fmt: skip
# Functions every database has: they compute, they do not write.
_BUILTIN_FUNCTIONS = frozenset(
    {
        "count", "sum", "avg", "min", "max", "now", "coalesce", "nullif", "greatest", "least", "lower", "upper",
        "length", "char_length", "octet_length", "substring", "substr", "trim", "ltrim", "rtrim", "btrim",
        "replace", "concat", "concat_ws", "format", "to_char", "to_date", "to_timestamp", "to_number",
        "date_trunc", "date_part", "date_bin", "extract", "age", "abs", "round", "floor", "ceil", "ceiling",
        "power", "sqrt", "mod", "random", "gen_random_uuid", "uuid_generate_v4", "json_build_object",
        "jsonb_build_object", "json_build_array", "jsonb_build_array", "json_agg", "jsonb_agg", "json_object_agg",
        "jsonb_object_agg", "array_agg", "string_agg", "array_length", "array_to_string", "string_to_array",
        "cardinality", "unnest", "generate_series", "row_number", "rank", "dense_rank", "ntile", "lag", "lead",
        "first_value", "last_value", "nth_value", "percent_rank", "cume_dist", "current_date", "current_timestamp",
        "localtimestamp", "clock_timestamp", "statement_timestamp", "transaction_timestamp", "timezone",
        "make_interval", "make_date", "make_timestamp", "jsonb_set", "jsonb_insert", "jsonb_array_elements",
        "json_array_elements", "jsonb_array_length", "jsonb_each", "json_each", "jsonb_each_text",
        "jsonb_object_keys", "jsonb_path_query", "jsonb_strip_nulls", "to_jsonb", "to_json", "row_to_json",
        "bool_and", "bool_or", "every", "percentile_cont", "percentile_disc", "mode", "stddev", "stddev_pop",
        "stddev_samp", "variance", "var_pop", "var_samp", "corr", "current_setting", "set_config", "version",
        "txid_current", "nextval", "currval", "lastval", "setval", "md5", "sha256", "encode", "decode",
        "split_part", "regexp_replace", "regexp_match", "regexp_matches", "position", "strpos", "left", "right",
        "lpad", "rpad", "repeat", "reverse", "initcap", "date", "timestamp", "time", "numeric", "int", "integer",
        "bigint", "smallint", "text", "varchar", "char", "float", "decimal", "double", "real", "boolean", "bool",
        "uuid", "json", "jsonb", "interval", "isfinite", "justify_days", "width_bucket", "sign", "trunc", "ln",
        "log", "exp", "pi", "degrees", "radians", "cos", "sin", "tan", "to_tsvector", "to_tsquery",
        "plainto_tsquery", "websearch_to_tsquery", "ts_rank", "ts_headline", "similarity", "st_distance",
        "st_makepoint", "st_setsrid", "quote_ident", "quote_literal", "format_type", "has_table_privilege",
        "exists", "overlay", "translate", "ascii", "chr", "bit_length", "array_position", "array_remove",
        "array_append", "array_cat", "array_prepend", "array_dims", "array_upper", "array_lower", "num_nonnulls",
        "num_nulls", "ifnull", "isnull", "datetime", "strftime", "julianday", "group_concat", "instr", "iif",
        "datediff", "dateadd", "getdate", "sysdate", "current_user", "session_user", "user", "database",
    }
)  # fmt: skip
_BUILTIN_SCHEMAS = ("pg_catalog.", "information_schema.")
_IDENTIFIER = re.compile(r'^(?:[A-Za-z_][\w$]*|"[^"]+")(?:\.(?:[A-Za-z_][\w$]*|"[^"]+"))*$')


def database_functions(sql: str) -> tuple[str, ...]:
    """The functions a statement that writes nothing calls, other than SQL's own; () for any other statement.

    "SELECT m10_recovery.cleanup_expired(30)" -> ("m10_recovery.cleanup_expired",);
    "SELECT count(*) FROM runs WHERE created_at < now()" -> (). Whether such a
    call writes is for the caller's commit to say.
    """
    found: list[str] = []
    for statement in _statements(_strip_literals(sql)):
        tokens = _TOKEN.findall(statement)
        upper = [t.upper() for t in tokens]
        if _statement_writes(tokens) or not upper or upper[0] not in {"SELECT", "CALL", "WITH"}:
            continue
        for index, token in enumerate(tokens[:-1]):
            if tokens[index + 1] != "(" or not _IDENTIFIER.match(token) or upper[index] in _CALL_KEYWORDS:
                continue
            name = token.replace('"', "")
            lowered = name.lower()
            if lowered.startswith(_BUILTIN_SCHEMAS) or name.startswith("{"):
                continue
            short = lowered.rsplit(".", 1)[-1]
            if "." not in name and (short in _BUILTIN_FUNCTIONS or short.startswith("pg_")):
                continue
            found.append(name)
    return tuple(dict.fromkeys(found))
