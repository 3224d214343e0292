"""Decimal numbers held exactly, as whole numbers of their smallest unit.

A pack declares a decimal input or value with its places (``places: 2``); the
value is held as a whole number of hundredths, so RSR 7.25 is 725 and both
evaluators compare it exactly, and 99.99 is 99.99 (no binary floating point).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

_DECIMAL = re.compile(r"[-+]?\d{1,15}(\.\d{1,15})?")


def to_units(value: Any, places: int) -> int | None:
    """``value`` (an int, a float as YAML or JSON wrote it, or decimal text) as a whole
    number of ``10**-places`` units, or None if it is not a number with at most
    ``places`` places. Read through its text, so 99.99 is exactly 9,999 hundredths."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    if isinstance(value, str) and (len(value) > 40 or not _DECIMAL.fullmatch(value.strip())):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    exact = Decimal(str(value).strip())
    units = exact.scaleb(places)
    if units != units.to_integral_value() or abs(units) >= 10**15:
        return None
    return int(units)


def from_units(units: int, places: int) -> Decimal:
    """The decimal a whole number of ``10**-places`` units stands for."""
    return Decimal(units).scaleb(-places) if places else Decimal(units)


def show_units(units: int, places: int) -> str:
    """A decimal held in units, written with its places: 725 with 2 places is 7.25."""
    return f"{from_units(units, places):.{places}f}" if places else str(units)


def as_given(field: Any, value: Any) -> Any:
    """A value of ``field`` as the case gave it: a decimal held in units as its text
    with the declared places (725 of a 2-place field is "7.25"), anything else as it is."""
    places = getattr(field, "scale", 0)
    if places and type(value) is int:
        return show_units(value, places)
    return value
