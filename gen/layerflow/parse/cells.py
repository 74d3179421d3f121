"""What a registry cell means: plain text, none vs UNKNOWN, layers, consumers, stores.

Shared by the registry, change-record and inventory parsers, so that a value
written in any of them compares equal to the same value written in another.
"""

from __future__ import annotations

import functools
import re

from layerflow.model import LAYER_TOKEN, LAYERS, NONE, UNKNOWN, Consumer, Persistence, Store, named_layers

# Header names seen in real registries, folded to letters and digits only.
FIELD_ALIASES: dict[str, str] = {
    "uid": "uid",
    "signaluid": "uid",
    "id": "uid",
    "signal": "name",
    "signalname": "name",
    "name": "name",
    "class": "class",
    "signalclass": "class",
    "trigger": "trigger",
    "producer": "producer",
    "source": "producer",
    "player": "p_layer",
    "producerlayer": "p_layer",
    "processor": "processor",
    "xlayer": "x_layer",
    "intermediaryhops": "intermediary_hops",
    "hops": "intermediary_hops",
    "outputartifact": "output_artifact",
    "form": "form",
    "persistence": "persistence",
    "consumer": "consumer",
    "consumers": "consumer",
    "clayer": "c_layer",
    "consumerlayer": "c_layer",
    "exposure": "exposure",
    "l2api": "l2_api",
    "api": "l2_api",
    "verifiedpath": "verified_path",
    "verified": "verified_path",
    "sourcefiles": "source_files",
    "confidence": "confidence",
}

# What a cell writes for "none". The gate language reads `field=NONE` with the same words.
NONE_MARKERS = frozenset({"", "—", "–", "-", "n/a", "na", "none", "nil"})
_STATUS_MARKS = re.compile("[\u2705\u274c\u26a0\ufe0f\u2714\u2716\U0001f534\U0001f7e0\U0001f7e1\U0001f7e2]")
_CODE = re.compile(r"`+([^`]*)`+")
# Link text may not hold "[" and a destination holds at most one level of "(...)", so a failed
# match stops where the next candidate starts: a cell of many "[" is one pass, not one per bracket.
_LINK = re.compile(r"!?\[([^\][]*)\]\((?:[^()]|\([^()]*\))*\)")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?!\s)([^*]+?)\*(?!\w)")
_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
_SIG_REF = re.compile(r"\bSIG-\d+\b")
_UID = re.compile(r"^SIG-\d+$")


def fold(header: str) -> str:
    """Header text folded for lookup: case- and punctuation-insensitive."""
    return "".join(ch for ch in plain(header).lower() if ch.isalnum())


def canonical_field(header: str) -> str | None:
    return FIELD_ALIASES.get(fold(header))


# What `plain` strips starts with one of these characters, or is "__" (a single "_" is text: snake_case names).
_MARKUP = re.compile("[`\\[*<\\\\\u2600-\u27bf\ufe0f\U0001f300-\U0001faff]|__")


def plain(cell: str) -> str:
    """Cell text without inline Markdown, status emoji or escapes; spaces folded."""
    if not cell:
        return ""
    if _MARKUP.search(cell) is None:  # most cells: nothing to strip
        return " ".join(cell.split())
    text = cell
    if "`" in text:
        text = _CODE.sub(lambda m: m.group(1), text)
    if "[" in text:
        text = _LINK.sub(lambda m: m.group(1), text)
    if "*" in text or "__" in text:
        text = _EMPHASIS.sub(lambda m: m.group(2) or m.group(3) or "", text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    text = text.replace("\\|", "|")
    text = _STATUS_MARKS.sub("", text)
    return " ".join(text.split())


def value(cell: str) -> str:
    """The stored value of a cell: NONE for the none markers, UNKNOWN kept, else plain text."""
    text = plain(cell)
    lowered = text.lower()
    if lowered in NONE_MARKERS:
        return NONE
    if lowered == "unknown":
        return UNKNOWN
    return text


def is_uid(text: str) -> bool:
    return bool(_UID.match(text))


def uid_number(uid: str) -> int:
    digits = uid[4:]
    return int(digits) if digits.isdigit() else -1


def layers_in(text: str) -> tuple[str, ...]:
    """Layers named in a cell, in order, without repeats: "L6, L2" -> ("L6", "L2"); "L2a" reads as "L2"."""
    return named_layers(text)


def written_layers(text: str) -> tuple[tuple[str, str], ...]:
    """(layer, as written) for each layer a cell names, as `layers_in` counts them: "L6a" -> (("L6", "L6a"),)."""
    if "L" not in text:
        return ()
    seen: dict[str, str] = {}
    for match in LAYER_TOKEN.finditer(text):
        layer = "L" + match.group(1)
        if layer in _LAYER_SET:
            seen.setdefault(layer, match.group(0))
    return tuple(seen.items())


_LAYER_SET = frozenset(LAYERS)
# A LAYER_TOKEN whose number is not one digit 1..8: "L9", "L0", "L07", "L10". One search per cell decides
# whether a cell needs a closer look; nearly every cell of a registry is answered by it.
_NOT_A_LAYER = re.compile(r"\bL(?![1-8][A-Za-z]?\b)\d+[A-Za-z]?\b")


def names_a_non_layer(text: str) -> bool:
    """Whether `not_layers(text)` would find anything; one regex search, for the common case of nothing."""
    return _NOT_A_LAYER.search(text) is not None


def not_layers(text: str) -> tuple[str, ...]:
    """What a cell writes as a layer that is none of L1..L8: "L9", "L0", "L10"; in order, without repeats."""
    if "L" not in text:
        return ()
    return tuple(dict.fromkeys(m.group(0) for m in _NOT_A_LAYER.finditer(text)))


def _written(layer: str | None, written: str) -> str:
    """A consumer's `written_layer`: kept only when it says more than the layer (a sub-layer)."""
    return written if layer and written != layer else ""


_LIST_PUNCTUATION = re.compile(r"[(),;]")
_LIST_SEPARATOR = re.compile(r"[,;]")


def _closed(part: str) -> bool:
    """Whether a part, read from depth 0, ends at depth 0 without a ")" before its "(": then a separator
    after it is at depth 0. Decided for no parenthesis or one pair; anything else takes the long way."""
    opened = part.count("(")
    if opened == 0:
        return ")" not in part
    return opened == 1 and part.count(")") == 1 and part.index("(") < part.index(")")


def split_list(text: str) -> list[str]:
    """Comma-separated items, ignoring commas inside parentheses."""
    if "," not in text and ";" not in text:  # one item, as most consumer cells are: nothing to split
        item = text.strip()
        return [item] if item else []
    parts = _LIST_SEPARATOR.split(text)
    if all(_closed(part) for part in parts):  # "a.py (L6), b.py": no separator is inside parentheses
        return [item for item in (part.strip() for part in parts) if item]
    items: list[str] = []
    depth = 0
    start = 0
    for match in _LIST_PUNCTUATION.finditer(text):  # only the characters that matter, not every character
        ch = match.group()
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            i = match.start()
            items.append(text[start:i].strip())
            start = i + 1
    items.append(text[start:].strip())
    return [item for item in items if item]


@functools.lru_cache(maxsize=4096)  # a registry writes the same few notes ("L6", "L7") thousands of times
def _note(note: str) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]] | None:
    """The layers and signal refs of a consumer's trailing "(...)" note; None when it is neither a layer
    nor a signal note ("(L9)" is a layer note too, naming no layer: the registry parser warns about it)."""
    note_layers = written_layers(note)
    note_refs = tuple(_SIG_REF.findall(note))
    if not note_layers and not note_refs and not not_layers(note):
        return None
    return note_layers, note_refs


@functools.lru_cache(maxsize=65536)  # the same reader of many signals is one Consumer (they are frozen)
def _consumer(item: str) -> Consumer:
    layer: str | None = None
    written = ""
    ref: str | None = None
    # Trailing parenthesised notes: "(L6)", "(SIG-011)", "(L6, SIG-011)"; other notes stay in the name.
    # The name is item[:end]; moving `end` instead of re-slicing keeps many notes linear.
    end = len(item)
    while end and item[end - 1] == ")":
        open_at = item.rfind("(", 0, end)
        if open_at < 0:
            break
        said = _note(item[open_at + 1 : end - 1])
        if said is None:
            break
        note_layers, note_refs = said
        if layer is None and note_layers:
            layer, written = note_layers[0]
        ref = ref or (note_refs[0] if note_refs else None)
        end = open_at
        while end and item[end - 1].isspace():
            end -= 1
    name = item[:end].strip() if end < len(item) else item
    return Consumer(name=name, layer=layer, signal_ref=ref, written_layer=_written(layer, written))


def consumer_notes_not_layers(consumer_cell: str) -> tuple[str, ...]:
    """Layer notes of a Consumer cell that name no layer: "x.py (L9)" -> ("L9",)."""
    text = value(consumer_cell)
    if "L" not in text:
        return ()
    found: list[str] = []
    for item in split_list(text):
        end = len(item)
        while end and item[end - 1] == ")":
            open_at = item.rfind("(", 0, end)
            if open_at < 0:
                break
            found.extend(not_layers(item[open_at + 1 : end - 1]))
            end = open_at
            while end and item[end - 1].isspace():
                end -= 1
    return tuple(dict.fromkeys(found))


def consumers(consumer_cell: str, layer_cell: str | None) -> tuple[tuple[Consumer, ...], str | None]:
    """Consumers of a signal, each with its layer where the registry says it.

    Returns the consumers and, when layers could not be paired to consumers, why.
    """
    return consumers_of_value(value(consumer_cell), layer_cell)


def consumers_of_value(text: str, layer_cell: str | None) -> tuple[tuple[Consumer, ...], str | None]:
    """`consumers` of a cell whose `value` is `text`, for a reader that has cleaned the cell already."""
    if text in (NONE, UNKNOWN):
        return (), None
    parsed = [_consumer(item) for item in split_list(text)]
    if all(c.layer for c in parsed):
        return tuple(parsed), None
    if any(c.layer for c in parsed):
        return _fill_unnamed(parsed, written_layers(layer_cell or ""))
    cell_layers = written_layers(layer_cell or "")
    if not cell_layers:
        return tuple(parsed), None
    if len(cell_layers) == 1:
        layer, written = cell_layers[0]
        return tuple(Consumer(c.name, layer, c.signal_ref, _written(layer, written)) for c in parsed), None
    if len(cell_layers) == len(parsed):
        paired = zip(parsed, cell_layers, strict=True)
        return tuple(Consumer(c.name, lay, c.signal_ref, _written(lay, w)) for c, (lay, w) in paired), None
    return tuple(parsed), (
        f"cannot pair {len(parsed)} consumer(s) with {len(cell_layers)} consumer layers "
        f"({', '.join(w for _, w in cell_layers)}); name each consumer's layer, as in 'x.py (L6)'"
    )


def _fill_unnamed(parsed: list[Consumer], cell: tuple[tuple[str, str], ...]) -> tuple[tuple[Consumer, ...], str | None]:
    """Some consumers name their layer (`integration.py (L2)`), others do not: the C-Layer cell says theirs.

    By position when the cell has a layer per consumer and agrees with every layer named; else the cell's
    layers no consumer named, in order, one per unnamed consumer (one such layer serves them all).
    `recovery_planner.py, integration.py (L2)` with C-Layer `L4, L2` is recovery_planner.py in L4.
    """
    if len(cell) == len(parsed) and all(c.layer in (None, lay) for c, (lay, _) in zip(parsed, cell, strict=True)):
        pairs = list(cell)
        return tuple(c if c.layer else _in_layer(c, pairs[i]) for i, c in enumerate(parsed)), None
    named = {c.layer for c in parsed if c.layer}
    rest = [pair for pair in cell if pair[0] not in named]
    unnamed = sum(1 for c in parsed if not c.layer)
    if len(rest) == 1:
        rest *= unnamed
    if len(rest) != unnamed:
        if not cell:
            return tuple(parsed), None
        names = ", ".join(c.name for c in parsed if not c.layer)
        return tuple(parsed), (
            f"cannot tell the layer of {names} from the consumer layers ({', '.join(w for _, w in cell)}); "
            "name each consumer's layer, as in 'x.py (L6)'"
        )
    left = iter(rest)
    return tuple(c if c.layer else _in_layer(c, next(left)) for c in parsed), None


def _in_layer(consumer: Consumer, pair: tuple[str, str]) -> Consumer:
    layer, written = pair
    return Consumer(consumer.name, layer, consumer.signal_ref, _written(layer, written))


_STORE_NAMES = {
    "postgresql": "PostgreSQL",
    "postgres": "PostgreSQL",
    "pg": "PostgreSQL",
    "psql": "PostgreSQL",
    "redis": "Redis",
    "r2": "R2",
    "s3": "S3",
    "inmemory": "In-memory",
    "memory": "In-memory",
    "ram": "In-memory",
    "prometheus": "Prometheus",
    "file": "File",
    "files": "File",
    "filesystem": "File",
    "disk": "File",
    "localfile": "File",
    "csv": "File",
    "json": "File",
    "sqlite": "SQLite",
}


def store(item: str) -> Store:
    detail = ""
    name = item.strip()
    if name.endswith(")") and "(" in name:
        open_at = name.find("(")
        detail = name[open_at + 1 : -1].strip()
        name = name[:open_at].strip()
    key = "".join(ch for ch in name.lower() if ch.isalnum())
    return Store(_STORE_NAMES.get(key, name), detail)


def persistence(cell: str) -> Persistence:
    return persistence_of_value(value(cell))


def persistence_of_value(text: str) -> Persistence:
    """`persistence` of a cell whose `value` is `text`."""
    if text == UNKNOWN:
        return Persistence(text, unknown=True)
    if text == NONE:
        return Persistence(text)
    return Persistence(text, tuple(store(p) for p in _store_parts(text)))


_STORE_SEPARATOR = re.compile(r"\s*\+\s*|\s*,\s*|\s+and\s+")


def _store_parts(text: str) -> list[str]:
    """`R2 + PostgreSQL (a, b)` -> the stores: "+", "and" and commas outside parentheses separate.

    A comma separates unless the next parenthesis after it closes one. That is decided in one
    pass from the right (a look-ahead per comma made a cell of commas quadratic); commas that do
    not separate are masked in a same-length copy, and the text is cut where the copy matches.
    """
    masked = list(text)
    next_paren = ""
    for index in range(len(masked) - 1, -1, -1):
        ch = masked[index]
        if ch in "()":
            next_paren = ch
        elif ch == "," and next_paren == ")":
            masked[index] = "_"  # not whitespace, "+", "," or "and": matches no separator
    parts: list[str] = []
    start = 0
    for match in _STORE_SEPARATOR.finditer("".join(masked)):
        parts.append(text[start : match.start()])
        start = match.end()
    parts.append(text[start:])
    return [part for part in parts if part]


def comparable(field: str, text: str) -> str:
    """A value reduced to what it means, so equal meanings compare equal.

    `x.py (SIG-011)` names the same consumer as `x.py`; `R2 + PostgreSQL` is the
    same claim as `PostgreSQL + R2`; case and spacing never matter.
    """
    val = value(text)
    if val in (NONE, UNKNOWN):
        return val
    if field == "consumer":
        names = sorted({c.name.casefold() for c in consumers(val, None)[0]})
        return ", ".join(names)
    if field == "persistence":
        return " + ".join(sorted(s.name.casefold() for s in persistence(val).stores))
    if field in ("p_layer", "c_layer", "x_layer"):
        found = layers_in(val)
        return ", ".join(sorted(found)) if found else val.casefold()
    return val.casefold()
