"""Checks of public functions' arguments: an ArgumentError that says what to pass."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from riskreview.errors import ArgumentError, ArgumentValueError


def check_date(name: str, value: object) -> None:
    """Refuse ``value`` unless it is a :class:`datetime.date` (a datetime is not one)."""
    if type(value) is date:
        return
    hint = ""
    if isinstance(value, str):
        hint = "; parse text with date.fromisoformat('2026-11-23')"
    elif isinstance(value, datetime):
        hint = "; pass its .date()"
    raise ArgumentError(
        f"{name} must be a datetime.date such as date(2026, 11, 23), "
        f"got {type(value).__name__}{hint}"
    )


def check_whole(name: str, value: object, minimum: int = 0) -> int:
    """``value`` as a whole number of at least ``minimum``, or an argument error."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentError(f"{name} must be a whole number such as 3, got {type(value).__name__}")
    if value < minimum:
        raise ArgumentValueError(
            f"{name} must be a whole number of at least {minimum}, got {value}"
        )
    return value


def check_cases(name: str, value: object) -> None:
    """Refuse a caseload that is not an iterable of cases (text or a dict is one case)."""
    if isinstance(value, str | bytes | bytearray | Mapping) or not isinstance(value, Iterable):
        raise ArgumentError(
            f"{name} must be an iterable of cases (a list, a generator, a file's lines), "
            f"got {type(value).__name__}; put a single case in a list"
        )
