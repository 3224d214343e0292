"""How values and keys appear in error messages: never free text from a case.

A case may hold personal data in any string, so a message describes what it was
given (``a string of 24 characters``, ``a key of 57 characters``) instead of
repeating it. Only short plain names (``contact``, ``ogrs_score``) are shown,
and suggestions ("did you mean ...?") come only from the known vocabulary.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

_MAX_ECHO = 40
#: a key that may be shown: a short plain name. A single word can be a surname as
#: easily as a field name, but a key is where a field name belongs, and showing it
#: is what lets the writer find a misspelt one; anything else is described
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")
#: allowed values listed in one message, at most
_MAX_LISTED = 30


def suggest(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for a close match among ``choices``, else an empty string.

    The suggestion is always one of ``choices`` (the vocabulary), never ``word``.
    """
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def plural(count: int, word: str, many: str | None = None) -> str:
    """``count`` and ``word``, the plural form unless the count is one: ``1 item``, ``2 items``.

    >>> plural(1, "item"), plural(3, "item"), plural(0, "child", "children")
    ('1 item', '3 items', '0 children')
    """
    return f"{count} {word if count == 1 else (many or word + 's')}"


def echo(value: Any) -> str:
    """Show a value in a message: only short non-text values, never free text."""
    if type(value) is int and abs(value) >= 10**_MAX_ECHO:
        # str() of a huge int is slow, and refused past 4,300 digits
        return f"a whole number of about {int(value.bit_length() * 0.30103)} digits"
    if isinstance(value, bool | int | float) or value is None:
        text = json.dumps(value)
        return text if len(text) <= _MAX_ECHO else text[:_MAX_ECHO] + "…"
    if isinstance(value, str):
        return f"a string of {plural(len(value), 'character')}"
    if isinstance(value, list | tuple):
        return f"a list of {plural(len(value), 'item')}"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def is_name(key: object) -> bool:
    """Whether ``key`` may appear in a message: a plain name of at most 40 characters."""
    return isinstance(key, str) and _NAME.fullmatch(key) is not None


def describe_key(key: object) -> str:
    """A key that is not shown, described: ``key of 57 characters``."""
    if isinstance(key, str):
        return f"key of {len(key)} character{'s' * (len(key) != 1)}"
    return "key that is not text"


def allowed(values: Sequence[str]) -> str:
    """The allowed values, for a message: ``(low, medium, high)``; a long list is cut short."""
    more = len(values) - _MAX_LISTED
    tail = f", and {more} more" if more > 0 else ""
    return f"({', '.join(values[:_MAX_LISTED])}{tail})"


def text_problem(text: str) -> str | None:
    """Why ``text`` is not valid Unicode text (a lone surrogate), or None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode text: it holds a lone surrogate (\\ud800 to \\udfff)"
    return None
