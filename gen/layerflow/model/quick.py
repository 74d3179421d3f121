"""A faster `__init__` for the frozen, slotted dataclasses an analysis makes by the ten thousand.

A frozen dataclass's generated `__init__` sets each field with `object.__setattr__(self, name, value)`,
looked up through a global on every field of every instance: an analysis of 10,000 signals makes about
90,000 such values (locations, consumers, signals, findings, flows, table rows), and building them was a
tenth of its time. `quick_init` gives the class an `__init__` of the same signature that stores each field
through its slot's own descriptor (`member_descriptor.__set__`, bound once per class): the same values in
the same slots, twice as fast, and the class stays frozen (assignment still raises FrozenInstanceError),
compares, hashes, orders, prints and pickles as the dataclass does.

Only what the model uses is supported (defaults, default factories, `init=False` fields, `__post_init__`);
anything else (keyword-only fields, InitVar) is refused when the class is defined, not got subtly wrong.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any, TypeVar, cast

_T = TypeVar("_T")


class _Factory:
    """The default of a field with a default factory, as `inspect.signature` shows it ("<factory>", as
    dataclasses' own `__init__` does): the factory is called per instance when the argument is not given."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


def quick_init(cls: type[_T]) -> type[_T]:
    """Replace a frozen slotted dataclass's `__init__` with one that sets the slots directly (see the module)."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"quick_init: {cls.__name__} is not a frozen dataclass with slots")
    fields = dataclasses.fields(cast(Any, cls))
    # dataclasses' own __init__ takes exactly the init fields unless an InitVar adds a parameter; asked of its
    # signature, because with postponed annotations an InitVar is only a string ("InitVar[int]").
    if list(inspect.signature(cls.__init__).parameters)[1:] != [f.name for f in fields if f.init]:
        raise TypeError(f"quick_init: {cls.__name__} has an InitVar")
    namespace: dict[str, Any] = {"FACTORY": _FACTORY}
    args: list[str] = []
    body: list[str] = []
    for index, f in enumerate(fields):
        if f.kw_only:
            raise TypeError(f"quick_init: {cls.__name__}.{f.name} is keyword-only")
        setter = f"_set{index}"
        namespace[setter] = _slot(cls, f.name).__set__
        has_factory = f.default_factory is not dataclasses.MISSING
        if has_factory:
            namespace[f"_factory{index}"] = f.default_factory
        elif f.default is not dataclasses.MISSING:
            namespace[f"_default{index}"] = f.default
        if not f.init:
            if has_factory:
                body.append(f"{setter}(self, _factory{index}())")
            elif f.default is not dataclasses.MISSING:
                body.append(f"{setter}(self, _default{index})")
            continue
        if has_factory:  # as dataclasses does it: a sentinel default, the factory called per instance
            args.append(f"{f.name}=FACTORY")
            body.append(f"{setter}(self, _factory{index}() if {f.name} is FACTORY else {f.name})")
        else:
            args.append(f"{f.name}=_default{index}" if f.default is not dataclasses.MISSING else f.name)
            body.append(f"{setter}(self, {f.name})")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    source = f"def __init__(self, {', '.join(args)}):\n    " + ("\n    ".join(body) or "pass") + "\n"
    exec(source, namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = cls.__init__.__doc__
    # The annotations dataclasses gives its __init__: inspect.signature and get_type_hints read them.
    init.__annotations__ = {f.name: f.type for f in fields if f.init} | {"return": None}
    cls.__init__ = init  # type: ignore[method-assign]
    return cls


def _slot(cls: type, name: str) -> Any:
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    raise TypeError(f"quick_init: {cls.__name__}.{name} has no slot")
