"""Converters: what one variable part of a rule matches, and how its text becomes a value.

Each converter is a regular expression (matched against the decoded path, whole segments only)
plus ``to_python`` (may raise ``ValidationError``, which makes the rule not match) and ``to_url``
(the inverse, for URL building). ``weight`` orders rules: lower is more specific.
"""

from __future__ import annotations

import math
import re
import uuid
from decimal import Decimal
from typing import Any

from .urls import quote_path, quote_segment

# Precedence weights (see routing.Rule.sort_key); a static part weighs STATIC.
STATIC = 0
TYPED = 1
DEFAULT = 2
PATH = 3


class ValidationError(ValueError):
    """The segment has the converter's form but not an acceptable value: the rule does not match."""


class BaseConverter:
    regex = "[^/]+"
    weight = DEFAULT

    def to_python(self, value: str) -> Any:
        return value

    def to_url(self, value: Any) -> str:
        return quote_segment(str(value))


class UnicodeConverter(BaseConverter):
    """``<name>`` and ``<string(minlength, maxlength, length):name>``: one non-empty segment."""

    def __init__(self, minlength: int = 1, maxlength: int | None = None, length: int | None = None):
        if length is not None:
            self.regex = f"[^/]{{{int(length)}}}"
        else:
            upper = "" if maxlength is None else str(int(maxlength))
            self.regex = f"[^/]{{{int(minlength)},{upper}}}"


class NumberConverter(BaseConverter):
    """Shared by int and float: ASCII digits only, an optional '-' only when ``signed``."""

    weight = TYPED
    digits = "[0-9]+"
    convert: Any = int

    def __init__(self, min: float | None = None, max: float | None = None, signed: bool = False):
        self.min = min
        self.max = max
        self.regex = ("-?" if signed else "") + self.digits

    def to_python(self, value: str) -> Any:
        number = self.convert(value)  # int() refuses more than 4300 digits: a ValueError, no match
        if self.min is not None and number < self.min:
            raise ValidationError(value)
        if self.max is not None and number > self.max:
            raise ValidationError(value)
        return number


class IntegerConverter(NumberConverter):
    """``<int:n>``; leading zeros are accepted and converted (``007`` gives 7)."""

    def __init__(self, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False):
        super().__init__(min, max, signed)
        self.fixed_digits = int(fixed_digits)
        if self.fixed_digits:
            self.regex = ("-?" if signed else "") + f"[0-9]{{{self.fixed_digits}}}"

    def to_url(self, value: Any) -> str:
        number = int(value)
        sign = "-" if number < 0 else ""
        return sign + str(abs(number)).zfill(self.fixed_digits)


class FloatConverter(NumberConverter):
    """``<float:f>``: ``digits.digits`` only, so ``1`` and ``1.0`` are not two spellings."""

    digits = r"[0-9]+\.[0-9]+"
    convert = float

    def to_python(self, value: str) -> float:
        number = super().to_python(value)
        if not math.isfinite(number):  # 400 digits overflow to inf: not a value a view can use
            raise ValidationError(value)
        return number

    def to_url(self, value: Any) -> str:
        # repr() is the shortest text that round-trips; Decimal writes it without an exponent.
        text = format(Decimal(repr(float(value))), "f")
        return text if "." in text else text + ".0"


class PathConverter(BaseConverter):
    """``<path:p>``: one or more non-empty segments, so a static suffix after it can still match."""

    regex = "[^/]+(?:/[^/]+)*"
    weight = PATH

    def to_url(self, value: Any) -> str:
        return quote_path(str(value))


class UUIDConverter(BaseConverter):
    regex = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    weight = TYPED

    def to_python(self, value: str) -> uuid.UUID:
        return uuid.UUID(value)

    def to_url(self, value: Any) -> str:
        return str(value)


class AnyConverter(BaseConverter):
    """``<any('a', 'b'):x>``: exactly one of the items, passed as ``str``."""

    weight = TYPED

    def __init__(self, *items: str):
        if not items:
            raise ValueError("any() needs at least one item")
        self.items = tuple(str(item) for item in items)
        self.regex = "(?:" + "|".join(re.escape(item) for item in self.items) + ")"


CONVERTERS: dict[str, type[BaseConverter]] = {
    "default": UnicodeConverter,
    "string": UnicodeConverter,
    "int": IntegerConverter,
    "float": FloatConverter,
    "path": PathConverter,
    "uuid": UUIDConverter,
    "any": AnyConverter,
}
