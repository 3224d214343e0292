"""Turning a case and ``as_of`` into the engine's facts for one compiled policy period.

Each lane gets two facts: ``v=0`` (definite: unknown values left out) and ``v=1``
(possible: unknown values at ``±BIG``, an unknown list as one unknown item). All
values are integers, so the engine never compares a string with a number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from enum import StrEnum
from typing import Any

from riskreview._compile import BIG, Compiled, Prop
from riskreview._fields import EXTRA, Field, virtual_value
from riskreview.calendar import Calendar


class Ctx:
    """What one evaluation reads besides the object at hand: the case, as_of, the
    pack-declared inputs and derived values (by field path), and the case fields
    already read (several properties read the same field)."""

    __slots__ = ("as_of", "case", "encoded", "extras", "read")

    def __init__(self, case: Any, as_of: date, extras: Mapping[str, Any]) -> None:
        self.case = case
        self.as_of = as_of
        self.extras = extras
        self.read: dict[str, Any] = {}
        self.encoded: dict[tuple[int, int], int | None] = {}  # (item, encoder) → value

    def encode(self, enc: Encoder, item: Any) -> int | None:
        """An item's property, computed once per evaluation (lanes and both facts share it)."""
        key = (id(item), id(enc))
        cache = self.encoded
        if key in cache:
            return cache[key]
        value = cache[key] = enc(item, self)
        return value


Getter = Callable[[Any, Ctx], Any]
Encoder = Callable[[Any, Ctx], int | None]  # (owner, context) → value


def _getter(field: Field) -> Getter:
    if field.virtual == EXTRA:
        path = field.path
        return lambda owner, ctx: ctx.extras.get(path)
    names = field.path.split(".")
    virtual = field.virtual
    steps = names[:-1] if virtual else names

    path = field.path

    def walk(owner: Any, ctx: Ctx) -> Any:
        value = owner
        for name in steps:
            if value is None:
                return None
            value = getattr(value, name)
        if virtual is not None and value is not None:
            return virtual_value(virtual, value, ctx.as_of)
        return value

    def get(owner: Any, ctx: Ctx) -> Any:
        if owner is not ctx.case:
            return walk(owner, ctx)
        read = ctx.read
        if path in read:
            return read[path]
        value = read[path] = walk(owner, ctx)
        return value

    return get


def _as_int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, StrEnum):
        return list(type(value)).index(value)
    return int(value)


def encoder(prop: Prop, calendar: Calendar) -> Encoder:
    """How to compute ``prop`` for one owner (the case, or a list item)."""
    get = _getter(prop.field)
    kind = prop.kind
    if kind == "value":
        return lambda owner, ctx: _as_int(get(owner, ctx))
    if kind == "present":
        return lambda owner, ctx: int(get(owner, ctx) is not None)
    if kind == "oneof":
        members = prop.arg

        def oneof(owner: Any, ctx: Ctx) -> int | None:
            value = get(owner, ctx)
            return None if value is None else int(value in members)

        return oneof
    if kind == "anyof":
        wanted = prop.arg

        def anyof(owner: Any, ctx: Ctx) -> int | None:
            values = get(owner, ctx)
            return None if values is None else int(not wanted.isdisjoint(values))

        return anyof
    if kind == "count":

        def count(owner: Any, ctx: Ctx) -> int | None:
            values = get(owner, ctx)
            return None if values is None else len(values)

        return count
    if kind == "diff":
        other = _getter(prop.arg)

        def diff(owner: Any, ctx: Ctx) -> int | None:
            a, b = get(owner, ctx), other(ctx.case, ctx)
            if a is None or b is None:
                return None
            return (a - b).days if isinstance(a, date) else int(a - b)

        return diff

    def dated(owner: Any, ctx: Ctx) -> int | None:
        value = get(owner, ctx)
        if value is None:
            return None
        if kind == "age_days":
            return int((ctx.as_of - value).days)
        if kind == "age_wd":
            return calendar.working_days_between(value, ctx.as_of)
        return int(value.toordinal())

    return dated


class FactBuilder:
    """Builds the facts of one compiled policy period; reusable across cases."""

    def __init__(self, compiled: Compiled, calendar: Calendar) -> None:
        names = compiled.names
        self._root: list[tuple[tuple[Any, ...], str, str, Encoder]] = []
        seen: set[tuple[Any, ...]] = set()
        self._lanes: list[tuple[int, list[tuple[Any, ...]], list[Any]]] = []
        for lane in compiled.lanes:
            keys = []
            for prop in lane.scalar_props:
                keys.append(prop.key)
                if prop.key not in seen:
                    seen.add(prop.key)
                    self._root.append(
                        (
                            prop.key,
                            names.side(prop, "ge"),
                            names.side(prop, "le"),
                            encoder(prop, calendar),
                        )
                    )
            lists = []
            for part, props in lane.lists:
                items = [
                    (names.side(p, "ge"), names.side(p, "le"), encoder(p, calendar)) for p in props
                ]
                key = encoder(part.key, calendar) if part.key is not None else None
                lists.append((names.list(part), _getter(part.field), tuple(items), key))
            self._lanes.append((lane.number, keys, lists))
        self._names = {key: (ge, le) for key, ge, le, _ in self._root}

    def build(
        self,
        case: Any,
        as_of: date,
        sid: str,
        tag: str,
        extras: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """The definite and possible facts of every lane for ``case`` on ``as_of``."""
        ctx = Ctx(case, as_of, extras or {})
        values = {key: enc(case, ctx) for key, _, _, enc in self._root}
        facts: list[dict[str, Any]] = []
        for number, keys, lists in self._lanes:
            for variant in (0, 1):
                fact: dict[str, Any] = {
                    "id": f"{tag}.{number}.{variant}",
                    "sid": sid,
                    "t": "c",
                    "l": number,
                    "v": variant,
                    "one": 1,
                }
                for key in keys:
                    ge, le = self._names[key]
                    _put(fact, ge, le, values[key], variant)
                for name, get, items, key in lists:
                    fact_items = _items(get(case, ctx), items, ctx, variant, key)
                    if fact_items is not None:
                        fact[name] = fact_items
                facts.append(fact)
        return facts


def _put(obj: dict[str, Any], ge: str, le: str, value: int | None, variant: int) -> None:
    if value is not None:
        obj[ge] = value
        obj[le] = value
    elif variant:
        obj[ge] = BIG
        obj[le] = -BIG


def _items(
    values: Any,
    specs: tuple[tuple[str, str, Encoder], ...],
    ctx: Ctx,
    variant: int,
    key: Encoder | None = None,
) -> list[dict[str, Any]] | None:
    """One list's items (or one part of it, when ``key`` selects the items whose key is
    1; an item whose key is unknown belongs to every part of the possible fact)."""
    if values is None:
        if not variant:
            return None
        phantom: dict[str, int] = {"one": 1}
        for ge, le, _ in specs:
            _put(phantom, ge, le, None, 1)
        return [phantom]
    out = []
    for item in values:
        if key is not None:
            belongs = ctx.encode(key, item)
            if belongs == 0 or (belongs is None and not variant):
                continue
        obj: dict[str, Any] = {"one": 1}
        for ge, le, enc in specs:
            _put(obj, ge, le, ctx.encode(enc, item), variant)
        out.append(obj)
    return out
