"""The fact builder encodes a list's items column by column (the commonest kinds of
property in one pass over an attribute's values); every column is the one the
item-by-item encoder gives, for every list property of every lane."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings

import riskreview
from riskreview import Case, _compile
from riskreview._facts import Ctx, _either_column, column_encoder, encoder
from riskreview._fields import read_path
from riskreview._runtime import runtime
from riskreview._values import values
from riskreview.strategies import cases

AS_OF = date(2026, 11, 23)
PACK = riskreview.default_pack()
RT = runtime(PACK, PACK.epoch(AS_OF))
PROPS = {
    p.key: (part.field, p)
    for lane in RT.compiled.lanes
    for part, props in lane.lists
    for p in (*props, *((part.key,) if part.key is not None else ()))
}


def test_most_list_properties_are_encoded_by_column() -> None:
    by_column = [k for k, (_, p) in PROPS.items() if column_encoder(p, RT.calendar)[0]]
    assert len(by_column) >= len(PROPS) // 2


@settings(max_examples=200, deadline=None)
@given(cases(AS_OF))
def test_columns_are_the_item_by_item_encoding(case: Case) -> None:
    vals = values(PACK, case, AS_OF, RT.calendar)
    ctx = Ctx(case, AS_OF, vals.extras, vals.unheld)
    for field, prop in PROPS.values():
        found = read_path(case, field.steps, field.virtual, AS_OF)
        items = [] if found is None else list(found)
        name, encode = column_encoder(prop, RT.calendar)
        one = encoder(prop, RT.calendar)
        read = items if name is None else [getattr(item, name) for item in items]
        assert encode(read, ctx) == [one(item, ctx) for item in items], prop.key


EITHERS = [(field, p) for field, p in PROPS.values() if p.kind == "either"]


def test_the_default_pack_folds_alternatives_over_list_items() -> None:
    assert EITHERS  # the test below has something to check


@settings(max_examples=200, deadline=None)
@given(cases(AS_OF))
def test_folded_alternatives_by_column_are_the_item_by_item_encoding(case: Case) -> None:
    """Alternatives folded into one property of a list item (``either``) are worked out
    from the columns of the properties they test; item by item they are
    :func:`encoder`'s three-valued truth of the alternatives."""
    vals = values(PACK, case, AS_OF, RT.calendar)
    ctx = Ctx(case, AS_OF, vals.extras, vals.unheld)
    for field, prop in EITHERS:
        found = read_path(case, field.steps, field.virtual, AS_OF)
        items = [] if found is None else list(found)
        tested = list(dict.fromkeys(t.prop for t in _compile.tests_of(prop.arg)))
        parts = [[encoder(p, RT.calendar)(item, ctx) for item in items] for p in tested]
        one = encoder(prop, RT.calendar)
        assert _either_column(prop.arg, tested)(parts, ctx) == [one(i, ctx) for i in items]
