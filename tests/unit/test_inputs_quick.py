"""An input's quick check reads a value exactly as the full check does, or leaves it to it.

``InputDef.quick`` accepts a plainly valid value at a fraction of the cost; for
anything else it answers MISS and the full check reads the value, with its message.
Here every input of the packs that declare inputs is given values drawn to be valid,
nearly valid (another case of a label, a bound, a date that does not exist, a
record with an unknown field) and plainly wrong: whatever the quick check accepts,
the full check accepts as the same value, and whatever the full check refuses, the
quick check leaves to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskreview
from riskreview._inputs import MISS, InputDef, _input_value

ROOT = Path(__file__).resolve().parents[2]
PACKS = {
    "hmpps-tier": ROOT / "examples" / "packs" / "hmpps-tier",
    "tiering": ROOT / "examples" / "packs" / "tiering",
    "scored": ROOT / "tests" / "fixtures" / "packs" / "scored",
}

junk = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False),
    st.text(max_size=6), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(), st.text(), max_size=1),
)


def values_for(d: InputDef) -> st.SearchStrategy[Any]:
    """Values for ``d``: valid ones and near misses, with junk."""
    if d.kind == "bool":
        near: st.SearchStrategy[Any] = st.booleans()
    elif d.kind in ("int", "decimal"):
        low = d.minimum if d.minimum is not None else -10**6
        high = d.maximum if d.maximum is not None else 10**6
        scale = 10**d.places
        near = st.one_of(st.integers(low - 2, high + 2),
                         st.integers(low - 2, high + 2).map(lambda u: u / scale),
                         st.sampled_from(["1", "1.5", 1.005, 2.0]))
    elif d.kind == "date":
        near = st.one_of(st.dates().map(lambda x: x.isoformat()),
                         st.sampled_from(["2025-02-30", "2025-2-1", "20250101", "2025-W01-1"]))
    elif d.kind == "text":
        near = st.text(max_size=8)
    elif d.kind in ("enum", "list"):
        labels = [m.value for m in d.enum or ()]
        one = st.one_of(st.sampled_from(labels), st.sampled_from(labels).map(str.upper),
                        st.sampled_from(labels).map(str.lower), st.text(max_size=5))
        near = st.lists(one, max_size=3) if d.kind == "list" else one
    else:
        assert d.kind == "records"
        fields = {k: values_for(sub) for k, sub in d.fields.items()}
        record = st.fixed_dictionaries({}, optional=fields)
        odd = record.map(lambda r: {**r, "unknown_field": 1})
        near = st.one_of(st.lists(record, max_size=4), st.lists(st.one_of(record, odd), max_size=3),
                         st.tuples(record).map(list))
    return st.one_of(near, near, junk)


@pytest.mark.parametrize("which", list(PACKS))
def test_the_quick_check_agrees_with_the_full_check(which: str) -> None:
    pack = riskreview.load_pack(PACKS[which])
    assert pack.inputs
    quick_read: list[str] = []

    def check(name: str, d: InputDef) -> None:
        @settings(max_examples=150, deadline=None)
        @given(values_for(d))
        def agree(value: Any) -> None:
            quick = d.quick(value)
            full, message = _input_value(d, value)
            if message:
                assert quick is MISS, (name, value)
            elif quick is not MISS:
                assert quick == full and type(quick) is type(full), (name, value)
                quick_read.append(name)

        agree()

    for name, d in pack.inputs.items():
        check(name, d)
    read = set(quick_read)
    plain = {n for n, d in pack.inputs.items() if d.kind != "list"}
    assert plain <= read, f"never read by the quick check: {sorted(plain - read)}"
