"""No free text from a case ever appears in an error message; the case id is the one
identifier that may.

A case may hold personal data in any string, and error messages travel: to logs, to
the batch errors file, to a screen. So a message describes what it was given ("a
string of 15 characters", "an unknown key of 15 characters") and never repeats it.
Allowed values (a pack's or the model's vocabulary) are shown, and "did you mean"
suggestions come only from that vocabulary. A key is named only when it is a plain
name (``colour``), where a misspelt field name belongs.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskreview
from riskreview import Case
from riskreview.errors import CaseError
from riskreview.strategies import case_dicts

AS_OF = date(2026, 11, 23)
TIERING = riskreview.load_pack(
    Path(__file__).resolve().parents[2] / "examples" / "packs" / "tiering"
)
NAME = "Jane Q. Example"


def _messages(build: Any, *args: Any, **kwargs: Any) -> str:
    """Everything a CaseError from ``build`` says: its text and every path and message."""
    with pytest.raises(CaseError) as caught:
        build(*args, **kwargs)
    error = caught.value
    return "\n".join([str(error), *(f"{p.path} {p.message}" for p in error.problems)])


# ---------------------------------------------------------------- the review's examples


def test_a_pack_input_value_outside_its_values_is_not_repeated() -> None:
    said = _messages(
        Case.from_dict, {"case_id": "P1", "inputs": {"complexity_flags": [NAME]}}, pack=TIERING
    )
    assert NAME not in said
    assert (
        "$.inputs.complexity_flags item 0 is not one of the allowed values (mental_health, "
        "learning_disability, substance_misuse, homelessness, care_leaver, young_adult)"
    ) in said


def test_a_model_enum_value_outside_its_values_is_not_repeated() -> None:
    said = _messages(Case.from_dict, {"case_id": "P1", "supervision": {"stage": NAME}})
    assert NAME not in said
    assert "$.supervision.stage is not one of the allowed values (pre_sentence, " in said


def test_even_a_single_word_enum_value_is_not_repeated() -> None:
    # a word can be a surname as easily as a misspelt value
    said = _messages(Case.from_dict, {"case_id": "P1", "registrations": ["Smithson"]})
    assert "Smithson" not in said


def test_a_misspelt_value_gets_a_suggestion_from_the_allowed_values() -> None:
    said = _messages(
        Case.from_dict, {"case_id": "P1", "inputs": {"complexity_flags": ["homelesness"]}}, TIERING
    )
    assert "did you mean 'homelessness'?" in said
    assert "homelesness" not in said


def test_an_undeclared_input_with_a_plain_name_is_named() -> None:
    said = _messages(Case.from_dict, {"case_id": "P1", "inputs": {"ogrs_scor": 5}}, pack=TIERING)
    assert (
        "$.inputs.ogrs_scor is not an input this pack declares; did you mean 'ogrs_score'?" in said
    )


def test_an_undeclared_input_whose_key_is_free_text_is_described_not_named() -> None:
    key = "Jane Q. Example, 12 Acacia Avenue, Anytown AB1 2CD, wife"
    said = _messages(Case.from_dict, {"case_id": "P1", "inputs": {key: 5}}, pack=TIERING)
    assert key not in said and "Jane" not in said
    assert f"$.inputs has an unknown key of {len(key)} characters" in said
    assert "ogrs_score" in said  # what the pack does declare


def test_an_unknown_field_whose_key_is_free_text_is_described_not_named() -> None:
    said = _messages(Case.from_dict, {"case_id": "P1", "household": {NAME: True}})
    assert NAME not in said
    assert "$.household has an unknown key of 15 characters" in said
    assert "children_in_contact" in said  # the fields it could have been


def test_an_unknown_field_with_a_plain_name_is_named_with_a_suggestion() -> None:
    said = _messages(Case.from_dict, {"case_id": "P1", "household": {"childrn": []}})
    assert "$.household.childrn is not a known field; did you mean 'children'?" in said


@pytest.mark.parametrize(("key", "shown"), [("level", "'level'"), (NAME, "of 15 characters")])
def test_a_duplicate_json_key_is_named_only_when_it_is_a_plain_name(key: str, shown: str) -> None:
    quoted = json.dumps(key)
    text = f'{{"case_id": "P1", "mappa": {{{quoted}: 1, {quoted}: 2}}}}'
    said = _messages(Case.from_json, text)
    assert f"duplicate key {shown}" in said
    assert key == "level" or NAME not in said


def test_an_input_value_of_the_wrong_type_under_a_free_text_key_is_not_repeated() -> None:
    said = _messages(Case.from_dict, {"case_id": "P1", "inputs": {NAME: {"address": NAME}}})
    assert NAME not in said
    assert "$.inputs the input under a key of 15 characters: expected a string" in said


def test_the_case_id_is_the_one_identifier_a_message_shows() -> None:
    said = _messages(Case.from_dict, {"case_id": "N123456", "supervision": {"stage": NAME}})
    assert said.startswith("case N123456 is invalid")


# ---------------------------------------------------------------- the property

#: personal-looking text: names, addresses, e-mail addresses, telephone numbers
_PERSONAL = st.one_of(
    st.from_regex(r"[A-Z][a-z]{2,9} [A-Z]\. [A-Z][a-z]{2,12}", fullmatch=True),
    st.from_regex(r"[1-9][0-9]{0,2} [A-Z][a-z]{3,9} (Road|Street|Avenue|Close)", fullmatch=True),
    st.from_regex(r"[a-z]{3,8}\.[a-z]{3,8}@[a-z]{4,8}\.(org|com)", fullmatch=True),
    st.from_regex(r"07[0-9]{3} [0-9]{6}", fullmatch=True),
)

Json = Any


def _places(data: Json, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], str]]:
    """Every place text could go: (path, how) with how one of value, item, key, inside."""
    out: list[tuple[tuple[Any, ...], str]] = []
    if isinstance(data, dict):
        out += [(path, "key"), (path, "inside")]
        for key, value in data.items():
            if path == () and key == "case_id":
                continue  # the one identifier a message may show
            out.append(((*path, key), "value"))
            out += _places(value, (*path, key))
    elif isinstance(data, list):
        out.append((path, "item"))
        for index, value in enumerate(data):
            out.append(((*path, index), "value"))
            out += _places(value, (*path, index))
    return out


def _plant(data: Json, place: tuple[tuple[Any, ...], str], text: str) -> Json:
    planted = copy.deepcopy(data)
    path, how = place
    holder = planted
    for step in path[:-1] if how == "value" else path:
        holder = holder[step]
    if how == "value":
        holder[path[-1]] = text
    elif how == "item":
        holder.append(text)
    elif how == "key":
        holder[text] = 1
    else:
        holder["notes"] = text
    return planted


@st.composite
def _planted_cases(draw: st.DrawFn) -> tuple[Json, str]:
    data = draw(case_dicts(AS_OF, pack=TIERING))
    data.setdefault("inputs", {})
    text = draw(_PERSONAL)
    place = draw(st.sampled_from(_places(data)))
    return _plant(data, place, text), text


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(_planted_cases())
def test_planted_personal_text_never_appears_in_a_case_error(planted: tuple[Json, str]) -> None:
    data, text = planted
    attempts = [
        lambda: Case.from_dict(data),
        lambda: Case.from_dict(data, pack=TIERING),
        lambda: Case.from_json(json.dumps(data)),
        lambda: riskreview.evaluate(data, as_of=AS_OF, pack=TIERING),
    ]
    for attempt in attempts:
        try:
            attempt()
        except CaseError as error:
            said = "\n".join([str(error), *(f"{p.path} {p.message}" for p in error.problems)])
            assert text not in said
