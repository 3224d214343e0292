"""Reference.on(day) is attrs.evolve(ref, as_of=day) written out: every field the
evaluator is built with carries over, so a field added later cannot be dropped."""

from __future__ import annotations

from datetime import date

import attrs

from riskreview._reference import Reference
from riskreview.calendar import Calendar


def test_on_another_day_keeps_every_field_but_the_day() -> None:
    ref = Reference(
        case=object(),
        as_of=date(2026, 11, 23),
        param=lambda name, day: 1,
        calendar=Calendar(),
        extras={"inputs.x": 1},
        notes={"derived.y": "y: 2"},
        complete=True,
        index_lists=False,
        quick={1: (object(), len)},
        unheld=frozenset({"checks.police_domestic_abuse.requested_date"}),
    )
    day = date(2026, 12, 1)
    moved = ref.on(day)
    expected = attrs.evolve(ref, as_of=day)
    for field in attrs.fields(Reference):
        if field.init:
            assert getattr(moved, field.name) is getattr(expected, field.name), field.name
    assert moved.as_of == day
