"""Making frozen dataclasses quickly, for the few the suite makes on every request.

A frozen dataclass's generated ``__init__`` sets each field through ``object.__setattr__``: for
the Expectation the oracle makes per request, or the Observation the driver makes, that is about
a microsecond, as much as a fast framework spends answering (issue 9). ``maker(cls)`` gives a
function that builds the same instance by filling its ``__dict__`` in one step.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, TypeVar

T = TypeVar("T")


def maker(cls: type[T]) -> Callable[..., T]:
    """``cls(*args, **fields)`` for a frozen dataclass without ``__slots__`` or
    ``__post_init__``: the same instance, equal to the one ``cls`` would make."""
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    if hasattr(cls, "__post_init__") or hasattr(cls, "__slots__"):
        raise TypeError(f"{cls.__name__}: maker() fills __dict__ and runs no __post_init__")
    names = tuple(f.name for f in fields)
    defaults: dict[str, Any] = {}
    for f in fields:
        if f.default is not dataclasses.MISSING:
            defaults[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
            raise TypeError(f"{cls.__name__}.{f.name}: maker() shares defaults, not factories")
    count, known = len(names), frozenset(names)
    new = object.__new__

    def make(*args: Any, **values: Any) -> T:
        if len(args) > count or not values.keys() <= known:
            return cls(*args, **values)  # raises the TypeError cls would
        obj = new(cls)
        data = obj.__dict__
        data.update(defaults)
        if args:
            data.update(zip(names, args))
        data.update(values)
        if len(data) != count:  # a field without a value
            return cls(*args, **values)
        return obj

    make.__doc__ = f"{cls.__name__}(...) without its field-by-field __init__ (conformance.frozen)."
    return make
