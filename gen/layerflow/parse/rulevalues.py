"""What the short values of a rules file mean: an outcome's expectations, an expected UNKNOWN rate.

Teams write these as words (`internal-only`, `NONE`, `required`, `L7→L5→L4`,
`"10-20% at scale"`). Each is read into something the audit can compare, or,
when the words say something layerflow cannot check, kept as prose: shown,
never guessed at.
"""

from __future__ import annotations

import re

from layerflow.model import Expectation, ExpectKind, Location, Rate
from layerflow.parse.cells import NONE_MARKERS

EXPECTATION_KEYS = ("exposure", "l2_api", "consumer_layer", "intermediary_hops")

_NONE_WORDS = NONE_MARKERS | {"no", "false"}
_NO_HOPS = frozenset({"direct", "no hops"})
_SOME_WORDS = frozenset({"yes", "true", "required", "explicit", "present", "listed", "named", "any", "some"})
_LAYER = re.compile(r"\bL[1-8]\b")
_PATH_TOKEN = re.compile(r"\bL[1-8]\b|\*|…|\.\.\.")
_ALTERNATIVES = re.compile(r"\s*(?:,|/|\||\bor\b)\s*")
_JOINERS = re.compile(r"(?:,|/|\||\+|&|\bor\b|\band\b|\s)+", re.IGNORECASE)
_ARROWS = re.compile(r"→|->|=>|>|,|\s")


def norm_word(text: str) -> str:
    """`Internal Only`, `internal_only` and `internal-only` are one word."""
    return re.sub(r"[\s_]+", "-", text.strip().lower()).strip("-")


def expectation(key: str, text: str, location: Location) -> Expectation:
    """The expectation an `if_yes.<key>` value states; PROSE when its words cannot be checked."""
    words = text.strip()
    lowered = words.lower()

    def made(kind: ExpectKind, values: tuple[str, ...] = ()) -> Expectation:
        return Expectation(key, words, kind, values, location)

    if key == "exposure":
        options = tuple(norm_word(w) for w in _ALTERNATIVES.split(lowered) if norm_word(w))
        return made(ExpectKind.EQUALS, options) if options else made(ExpectKind.PROSE)
    if lowered in _NONE_WORDS or (key == "intermediary_hops" and lowered in _NO_HOPS):
        return made(ExpectKind.NONE)
    if lowered in _SOME_WORDS:
        return made(ExpectKind.SOME)
    if key == "consumer_layer":
        layers = tuple(dict.fromkeys(_LAYER.findall(words)))
        # "L6", "L6 or L5": a consumer in one of them; "L7 and L6", "L7 + L6": in each of them.
        # Any other word ("L7 only", "runtime") says something this cannot check.
        leftover = _JOINERS.sub(" ", _LAYER.sub(" ", words)).strip()
        if not layers or leftover:
            return made(ExpectKind.PROSE)
        every = re.search(r"\band\b|\+|&", lowered) is not None
        return made(ExpectKind.ALL_LAYERS if every and len(layers) > 1 else ExpectKind.LAYERS, layers)
    if key == "intermediary_hops":
        tokens = [t for t in _ARROWS.split(words) if t]
        path = tuple("*" if t in ("*", "…", "...") else t for t in tokens)
        if len(path) >= 2 and all(_PATH_TOKEN.fullmatch(t) for t in tokens):
            return made(ExpectKind.PATH, path)
        return made(ExpectKind.PROSE)
    if key == "l2_api" and words.startswith("/"):
        return made(ExpectKind.EQUALS, (words,))
    return made(ExpectKind.PROSE)


def path_matches(pattern: tuple[str, ...], hops: tuple[str, ...]) -> bool:
    """Does a layer path (`L7`, `L5`, `L4`) match a pattern where `*` stands for any run of layers?"""
    regex = "".join(".*" if p == "*" else re.escape(p + " ") for p in pattern)
    return re.fullmatch(regex, "".join(h + " " for h in hops)) is not None


_NUMBER = r"(\d+(?:\.\d+)?)"
_RANGE = re.compile(_NUMBER + r"\s*%?\s*(?:-|–|—|to)\s*" + _NUMBER + r"\s*%")
_BOUND = re.compile(
    r"(<=|≤|=<|<|under|below|less than|at most|up to|no more than|max(?:imum)?|>=|≥|>|over|above|at least)?"
    r"\s*~?\s*" + _NUMBER + r"\s*%",
    re.IGNORECASE,
)
_EXCLUSIVE = frozenset({"<", "under", "below", "less than"})
_FLOOR = frozenset({">=", "≥", ">", "over", "above", "at least"})


def parse_rate(text: str) -> Rate | None:
    """The ceiling an expected rate sets; None when the text sets none ("> 5%", "rare", "0.1")."""
    ranged = _RANGE.search(text)
    if ranged:
        return Rate(float(ranged.group(2)), inclusive=True)
    bound = _BOUND.search(text)
    if bound is None:
        return None
    word = (bound.group(1) or "").lower()
    if word in _FLOOR:
        return None
    return Rate(float(bound.group(2)), inclusive=word not in _EXCLUSIVE)
