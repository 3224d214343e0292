"""Text shown to people: control characters from a case are spelt out, never obeyed."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskreview._terminal import printable
from riskreview.errors import CaseError, EngineError, Problem

#: every character a terminal may act on: C0, DEL, C1, bidi embeddings, overrides, isolates
UNSAFE = [
    *map(chr, range(0x00, 0x20)),
    "\x7f",
    *map(chr, range(0x80, 0xA0)),
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
]


@pytest.mark.parametrize("char", UNSAFE, ids=lambda c: f"U+{ord(c):04X}")
def test_every_control_character_is_shown_as_its_escape(char: str) -> None:
    shown = printable(f"A{char}B")
    escape = re.fullmatch(r"A(\\x[0-9a-f]{2}|\\u[0-9a-f]{4})B", shown)
    assert escape is not None, shown
    assert int(escape.group(1)[2:], 16) == ord(char)


def test_escape_sequences_that_clear_and_recolour_a_terminal_are_spelt_out() -> None:
    assert printable("\x1b[2J\x1b[31mC1") == "\\x1b[2J\\x1b[31mC1"


def test_a_right_to_left_override_is_spelt_out() -> None:
    assert printable("C1\u202eexe.txt") == "C1\\u202eexe.txt"


@given(st.text(st.characters(blacklist_characters=UNSAFE, blacklist_categories=["Cs"])))
def test_text_without_control_characters_is_left_as_it_is(text: str) -> None:
    assert printable(text) == text


def test_multi_line_text_keeps_its_line_breaks_and_tabs_but_not_escapes() -> None:
    assert printable("one\n\ttwo\x1b[2J", lines=True) == "one\n\ttwo\\x1b[2J"


def test_single_line_text_spells_out_line_breaks() -> None:
    assert printable("C1\nC2") == "C1\\x0aC2"


def test_a_case_error_shows_the_case_id_with_its_control_characters_spelt_out() -> None:
    error = CaseError([Problem("$.x", "is wrong")], subject="C1\x1b[2J\u202e")
    assert "\x1b" not in str(error) and "\u202e" not in str(error)
    assert str(error).startswith("case C1\\x1b[2J\\u202e is invalid")
    assert error.subject == "C1\x1b[2J\u202e"  # the attribute keeps the id as sent


def test_an_engine_error_shows_the_case_id_with_its_control_characters_spelt_out() -> None:
    error = EngineError("lost a fact", rule_id="CS-02", case_id="C1\x9b31m")
    assert str(error) == "lost a fact (rule CS-02) (case C1\\x9b31m)"
    assert error.case_id == "C1\x9b31m"
