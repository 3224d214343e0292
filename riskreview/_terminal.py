"""Text made safe to show to a person: control characters spelt out, never obeyed.

A case id (or any other text that came from outside) could hold an escape
sequence that clears or recolours a terminal, or a bidirectional override that
makes a line read differently from what it holds. :func:`printable` shows each
such character as a Python-style escape (``\\x1b``, ``\\u202e``) instead.
"""

from __future__ import annotations

import re

#: C0 controls, DEL, C1 controls, the bidirectional embeddings and overrides
#: (U+202A-U+202E) and isolates (U+2066-U+2069)
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: the same, except a line break and a tab: for multi-line text a pack wrote
_UNSAFE_IN_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _spelt(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str, *, lines: bool = False) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``, ``\\u202e``).

    With ``lines=True`` line breaks and tabs are kept (for multi-line text).

    >>> printable("C1\\x1b[2J")
    'C1\\\\x1b[2J'
    """
    pattern = _UNSAFE_IN_LINES if lines else _UNSAFE
    return pattern.sub(_spelt, text)
