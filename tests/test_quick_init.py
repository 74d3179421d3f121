"""model.quick_init: the fast __init__ of the model's frozen dataclasses behaves as dataclasses' own."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from dataclasses import dataclass, field

import pytest

from layerflow.model import Consumer, Location, Signal
from layerflow.model.quick import quick_init


def _ticket_class(name: str) -> type:
    """The same dataclass twice, once per side of the comparison: only the decorator may differ."""

    @dataclass(frozen=True, slots=True)
    class Ticket:
        title: str
        labels: list[str] = field(default_factory=list)
        priority: int = 3
        _cache: str | None = field(default=None, init=False, compare=False)

    Ticket.__name__ = Ticket.__qualname__ = name
    return Ticket


_Ticket = quick_init(_ticket_class("_Ticket"))
_PlainTicket = _ticket_class("_PlainTicket")


def test_same_values_as_the_dataclass_init() -> None:
    quick = _Ticket("disk full", ["ops"], priority=1)
    plain = _PlainTicket("disk full", ["ops"], priority=1)
    assert (quick.title, quick.labels, quick.priority, quick._cache) == (
        plain.title,
        plain.labels,
        plain.priority,
        plain._cache,
    )
    assert repr(quick).replace("_Ticket", "_PlainTicket") == repr(plain)


def test_defaults_and_a_fresh_factory_value_per_instance() -> None:
    first, second = _Ticket("a"), _Ticket("b")
    assert first.priority == 3 and first.labels == [] and first._cache is None
    assert first.labels is not second.labels
    assert _Ticket("a", labels=["x"]).labels == ["x"]


def test_the_signature_reads_as_the_dataclass_one() -> None:
    assert str(inspect.signature(_Ticket)) == str(inspect.signature(_PlainTicket))


def test_still_frozen_equal_hashable_and_picklable() -> None:
    ticket = _Ticket("a", ["x"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        ticket.title = "b"  # type: ignore[misc]
    assert ticket == _Ticket("a", ["x"]) and ticket != _Ticket("a", ["y"])
    assert pickle.loads(pickle.dumps(ticket)) == ticket
    assert dataclasses.replace(ticket, priority=1).priority == 1
    location = Location("registry/signals.md", 12)
    assert hash(location) == hash(Location("registry/signals.md", 12)) and location < Location("registry/z.md")


def test_missing_and_unexpected_arguments_raise_as_before() -> None:
    with pytest.raises(TypeError):
        _Ticket()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        _Ticket("a", owner="ops")  # type: ignore[call-arg]


def test_model_classes_keep_their_fields() -> None:
    signal = Signal(
        uid="SIG-00001",
        domain="billing",
        fields={"p_layer": "L7"},
        consumers=(Consumer("invoice_job.py", "L6"),),
        persistence=None,
        location=Location("registry/billing.md", 9),
    )
    assert signal.extra == {} and signal.also_defined == () and signal.header == ()
    assert signal.c_layers == ("L6",)
    assert dataclasses.replace(signal, uid="SIG-00002").c_layers == ("L6",)


def test_refuses_what_it_does_not_support() -> None:
    @dataclass(slots=True)
    class Mutable:
        name: str

    @dataclass(frozen=True, slots=True, kw_only=True)
    class KeywordOnly:
        name: str

    @dataclass(frozen=True)
    class Unslotted:
        name: str

    for cls in (Mutable, KeywordOnly, Unslotted):
        with pytest.raises(TypeError, match="quick_init"):
            quick_init(cls)


def test_an_initvar_is_refused_even_as_a_postponed_annotation() -> None:
    # This module postpones annotations: the InitVar reaches quick_init as the string "InitVar[int]".
    @dataclass(frozen=True, slots=True)
    class WithInitVar:
        title: str
        scale: dataclasses.InitVar[int] = 1

        def __post_init__(self, scale: int) -> None:
            pass

    with pytest.raises(TypeError, match="InitVar"):
        quick_init(WithInitVar)
