"""Cross-field rules of the case model: dates that may not come before others.

A release from custody before the sentence, a response before its request, a
person born after supervision started: each field is valid alone, the
combination is impossible. The structurer and direct construction both check
them here.
"""

from __future__ import annotations

from typing import Any

import attrs

from riskreview.errors import Problem


def _before(a: Any, b: Any) -> bool:
    return a is not None and b is not None and a < b


_CrossCheck = tuple[str, str, str]
#: (later field, earlier field, message): the later one may not be before the earlier one.
ORDER: dict[str, list[_CrossCheck]] = {
    "Supervision": [
        ("start_date", "sentence_date", ""),
        ("release_date", "sentence_date", "release from custody is before the sentence date"),
        ("release_date", "start_date", "release from custody is before the start of supervision"),
        ("end_date", "start_date", "supervision ends before it starts"),
        ("expected_release_date", "sentence_date", "expected release is before the sentence date"),
    ],
    "Check": [("response_date", "requested_date", "the response is dated before the request")],
}


def cross_field_problems_of(cls: type, values: dict[str, Any], path: str) -> list[Problem]:
    """Impossible combinations of dates within one object of the case."""
    problems = []
    for later, earlier, message in ORDER.get(cls.__name__, []):
        if message and _before(values.get(later), values.get(earlier)):
            problems.append(Problem(f"{path}.{later}", message))
    if cls.__name__ == "Case":
        problems.extend(_case_problems(values, path))
    return problems


def _case_problems(values: dict[str, Any], path: str) -> list[Problem]:
    problems = []
    supervision = values.get("supervision")
    person = values.get("person")
    offence = values.get("index_offence")
    sentenced = supervision.sentence_date if supervision is not None else None
    if offence is not None and _before(sentenced, offence.date):
        problems.append(Problem(f"{path}.index_offence.date", "the offence is after the sentence"))
    born = person.date_of_birth if person is not None else None
    if supervision is not None and born is not None:
        for name in ("sentence_date", "start_date"):
            if _before(getattr(supervision, name), born):
                problems.append(
                    Problem(f"{path}.person.date_of_birth", f"is after supervision.{name}")
                )
    return problems


def cross_field_problems(case: Any) -> list[Problem]:
    """Cross-field problems of a built case (used when a case is constructed directly)."""
    values = {a.name: getattr(case, a.name) for a in attrs.fields(type(case))}
    return cross_field_problems_of(type(case), values, "$")
