"""The JSON contract's three large arrays, signals, flows and findings, written from templates.

`machine.signals_json` (and flows_json, findings_json) define what each record
holds; `jsontext.dumps_indented` defines how it is written. At 10k signals,
building a dict per record and then walking it key by key was most of the time
`check --format json` spent writing. Here each record is one format string,
made once from its keys at its depth, filled with the values already encoded:
the same bytes (tests/test_fast_paths.py holds them to the dicts written the
generic way, on every fixture project and a synthetic one), a third of the time.
A record's keys are named once, below, in the order machine.py gives them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from json.encoder import encode_basestring  # the C escaper json.dumps uses with ensure_ascii=False

from layerflow.model import Analysis, Consumer, Finding, Flow, Location, Signal
from layerflow.model.fingerprint import fingerprints
from layerflow.render.jsontext import scalar_text

ITEM = 4  # records are items of a top-level array: four spaces in


def _record(keys: Sequence[str], indent: int) -> str:
    """`{"key": %s, ...}` as dumps_indented writes a dict of these keys whose `{` stands `indent` spaces in."""
    inner = "\n" + " " * (indent + 2)
    fields = ("," + inner).join(f"{encode_basestring(key)}: %s" for key in keys)
    return "{" + inner + fields + "\n" + " " * indent + "}"


def _items(texts: Sequence[str], indent: int) -> str:
    """A list of already written items whose `[` stands `indent` spaces in."""
    if not texts:
        return "[]"
    opening, separator, closing = _BRACKETS[indent]
    return opening + separator.join(texts) + closing


def _brackets(indent: int) -> tuple[str, str, str]:
    inner = "\n" + " " * (indent + 2)
    return "[" + inner, "," + inner, "\n" + " " * indent + "]"


# `_items` writes a list per record at 10k records (consumers, decisions, checks, signals): the indents
# are these few, their opening, separator and closing made once rather than on every call.
_BRACKETS = {indent: _brackets(indent) for indent in range(0, ITEM + 8, 2)}


def _texts(values: Iterable[str], indent: int) -> str:
    return _items(list(map(encode_basestring, values)), indent)


_e = encode_basestring  # for the fields the model types as str (a StrEnum is its value): one C call


def _v(value: object) -> str:
    """A field that may be None (or a flag): as dumps_indented writes a scalar."""
    return encode_basestring(value) if type(value) is str else scalar_text(value)


_LOCATION = _record(("path", "line"), ITEM + 2).replace('"line": %s', '"line": %d')  # a line is an int
_CONSUMER = _record(("name", "layer", "signal"), ITEM + 4)
_SIGNAL = _record(("uid", "name", "domain", "p_layer", "producer", "consumers", "persistence", "location"), ITEM)
_DECISION = _record(("node", "question", "answer"), ITEM + 4)
_CHECK = _record(("node", "name", "passed", "message"), ITEM + 4)
_FLOW = _record(
    (
        "id",
        "producer",
        "producer_id",
        "output",
        "signals",
        "class",
        "category",
        "flow",
        "decision",
        "checks",
        "status",
        "location",
    ),
    ITEM,
)
_FINDING = _record(("rule", "severity", "subject", "message", "location", "signals", "fingerprint"), ITEM)


_FLAG = {True: "true", False: "false"}


def _location(location: Location) -> str:
    return _LOCATION % (_e(location.path), location.line)


def _consumers(consumers: Sequence[Consumer]) -> str:
    return _items(
        [_CONSUMER % (_e(c.name), _v(c.layer), _v(c.signal_ref)) for c in consumers],
        ITEM + 2,
    )


def _signal(s: Signal) -> str:
    return _SIGNAL % (
        _e(s.uid),
        _e(s.name),
        _e(s.domain),
        _v(s.p_layer),
        _e(s.producer),
        _consumers(s.consumers),
        _v(None if s.persistence is None else s.persistence.text),
        _location(s.location),
    )


def _flow(f: Flow) -> str:
    return _FLOW % (
        _e(f.id),
        _e(f.producer),
        _e(f.producer_id),
        _e(f.output),
        _texts(f.signals, ITEM + 2),
        _e(f.klass),
        _v(f.category or None),
        _e(f.flow_kind),
        _items([_DECISION % (_e(d.node), _e(d.question), _FLAG[d.answer]) for d in f.decision], ITEM + 2),
        _items([_CHECK % (_e(c.node), _e(c.name), _FLAG[c.passed], _e(c.message)) for c in f.checks], ITEM + 2),
        _e(f.status),
        _location(f.location),
    )


def _finding(f: Finding, fingerprint: str) -> str:
    return _FINDING % (
        _e(f.rule),
        _e(f.severity),
        _e(f.subject),
        _e(f.message),
        _location(f.location),
        _texts(f.signals, ITEM + 2),
        _e(fingerprint),
    )


def signals_text(analysis: Analysis) -> str:
    """`dumps_indented` of `machine.signals_json(analysis)` as the value of a top-level key."""
    return _items([_signal(s) for s in analysis.inputs.registry.signals], ITEM - 2)


def flows_text(analysis: Analysis) -> str:
    """`machine.flows_json`, likewise."""
    return _items([_flow(f) for f in analysis.flows], ITEM - 2)


def findings_text(analysis: Analysis) -> str:
    """`machine.findings_json`, likewise."""
    prints = fingerprints(analysis.findings, analysis.gaps)
    return _items([_finding(f, fp) for f, fp in zip(analysis.findings, prints, strict=True)], ITEM - 2)
