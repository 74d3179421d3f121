"""Signals seen through the gate language's eyes: field values, multi-valued where the registry is."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from layerflow.model import NONE, UNKNOWN, Signal, named_layers


class SignalFields:
    """A `FieldSource` over one signal. None means the column is absent: unknown, not false."""

    def __init__(self, signal: Signal) -> None:
        self.signal = signal

    def value(self, field: str) -> str | tuple[str, ...] | None:
        return signal_value(self.signal, field)

    def all_values(self) -> Iterable[str | tuple[str, ...]]:
        values = dict(self.signal.fields)  # copied and popped rather than filtered: two C calls, not a loop
        values.pop("uid", None)
        return tuple(values.values())


FieldValue = str | tuple[str, ...] | None


def _c_layer(signal: Signal) -> FieldValue:
    if "c_layer" not in signal.fields and not any(c.layer for c in signal.consumers):
        return None
    return UNKNOWN if signal.fields.get("c_layer") == UNKNOWN else signal.c_layers


def _consumer(signal: Signal) -> FieldValue:
    raw = signal.fields.get("consumer")
    if raw is None or raw == UNKNOWN:
        return raw
    return tuple(c.name for c in signal.consumers)


def _exposure(signal: Signal) -> FieldValue:
    if "exposure" in signal.fields:
        return signal.fields["exposure"]
    return _exposure_from_api(signal.fields.get("l2_api"))


# The fields the gate language reads otherwise than as the stored cell; every other field is the cell.
_DERIVED: dict[str, Callable[[Signal], FieldValue]] = {
    "uid": lambda signal: signal.uid,
    "domain": lambda signal: signal.domain,
    "p_layer": lambda signal: signal.p_layer,  # a sub-layer reads as its layer: "L7b" is p_layer=L7
    "x_layer": lambda signal: _layers(signal.fields.get("x_layer")),
    "c_layer": _c_layer,
    "consumer": _consumer,
    "exposure": _exposure,  # without an Exposure column: derived from the L2 API
}


def signal_value(signal: Signal, field: str) -> FieldValue:
    """A signal's field as the gate language reads it (`SignalFields.value`)."""
    derived = _DERIVED.get(field)
    return signal.fields.get(field) if derived is None else derived(signal)


class SignalColumns:
    """`[SignalFields(s).value(field) for s in signals]` for any field, each field worked out once for
    every gate that reads it (gates run over every row: p_layer and c_layer are in most of them)."""

    def __init__(self, signals: Sequence[Signal]) -> None:
        self.signals = signals
        self._columns: dict[str, list[FieldValue]] = {}

    def __call__(self, field: str) -> list[FieldValue]:
        column = self._columns.get(field)
        if column is None:
            derived = _DERIVED.get(field)
            if derived is not None:
                column = [derived(signal) for signal in self.signals]
            else:  # a cell as stored: no need to ask which field it is once per signal
                column = [signal.fields.get(field) for signal in self.signals]
            self._columns[field] = column
        return column


def _layers(written: str | None) -> str | tuple[str, ...] | None:
    """A layer cell as the gate language compares it: its layers, sub-layers read as their layer."""
    if written is None or written in (NONE, UNKNOWN):
        return written
    layers = named_layers(written)
    if not layers:
        return written
    return layers[0] if len(layers) == 1 else layers


def _exposure_from_api(api: str | None) -> str | None:
    """No Exposure column: an L2 API means the signal is exposed directly, none means internal-only."""
    if api is None or api == UNKNOWN:
        return api
    return "internal-only" if api == NONE else "direct"
