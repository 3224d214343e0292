"""Derived values, values first: each definition compiled once per policy period into a
function that computes its value alone.

The full computation (:mod:`riskreview._derive_compute`) gives every value with what
it waits on and how it was computed. Most values of most cases are never shown, so
the values stage computes them with the functions compiled here: a value from the
values before it, with no result object and no explanation, or the mark that it has
none (:data:`ABSENT`) or is unknown (:data:`UNKNOWN`: what it waits on is left to its
full result). Where the answer is not that plain (a condition of a ``sum`` term that
cannot be decided, a default to apply, a result read at another scale) a function gives
up (:data:`SLOW`) and the full computation handles that value as before. A value
computed here gets its full result only when something reads it (:class:`DerivedValues`:
a reported value, a reason, a trace, the facts an unknown waits on), and that result
must agree with it or the evaluation fails.

Every function is held to the full computation by differential tests over every
example pack and a pack of edge cases (tests/properties/test_derived_fast.py,
tests/unit/test_derive_fast_edges.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from enum import StrEnum
from typing import Any

from riskreview._conditions import All, Cmp, FieldRef, Named, Node, ParamRef, Quant, Window, walk
from riskreview._derive_compute import OPS, Ctx, DerivedResult, compute_one
from riskreview._derive_ctx import show
from riskreview._derivedefs import DerivedDef, Operand
from riskreview._fields import EXTRA, Field
from riskreview._quick import compile_truth, cond_key
from riskreview.errors import EngineError

__all__ = ["ABSENT", "SLOW", "UNKNOWN", "DerivedValues", "compute", "in_full", "plan"]


class _Mark:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: a compiled function's answer when the value is not plainly known: compute it in full
SLOW: Any = _Mark("SLOW")
#: a compiled function's answer when the value is known to have none
ABSENT: Any = _Mark("ABSENT")
#: a compiled function's answer when the value is unknown (or one the policy cannot
#: decide): what it waits on is left to its full result, made when read
UNKNOWN: Any = _Mark("UNKNOWN")

#: (the case's values so far by path, the case's reference evaluator) → value,
#: :data:`ABSENT`, :data:`UNKNOWN` or :data:`SLOW`
Fast = Callable[[dict[str, Any], Any], Any]
#: each definition with its compiled function, as a test may write them out
Steps = list[tuple[DerivedDef, "Fast | None"]]


class Plan(list[tuple[DerivedDef, "Fast | None"]]):
    """Each definition in dependency order with its compiled function (None: computed
    in full), and the definitions by name, made once. ``remembered``: the full
    computations whose results are kept by the values they read (:class:`Remembered`)."""

    remembered: dict[str, Remembered]

    def __init__(
        self, steps: Iterable[tuple[DerivedDef, Fast | None]] = (), remember: bool = False
    ) -> None:
        super().__init__(steps)
        self.remembered = {}
        if remember:
            for d, _ in self:
                reads = _pure_reads(d)
                if reads is not None:
                    self.remembered[d.name] = Remembered(d, *reads)

    @functools.cached_property
    def defs(self) -> dict[str, DerivedDef]:
        """The definitions by name."""
        return {d.name: d for d, _ in self}

_Read = Callable[[dict[str, Any], Any], Any]
_Test = Callable[[Any, Any], "bool | None"]


def plan(defs: tuple[DerivedDef, ...] | list[DerivedDef]) -> Plan:
    """Each definition, in order, with its compiled function (None: computed in full,
    as a reported value is, since its explanation is shown on every decision)."""
    has = {d.path: d.has_path for d in defs if d.has_path is not None}
    steps = _grouped([(d, None if d.reported else _compile(d, has)) for d in defs])
    return Plan(steps, remember=True)


def in_full(defs: Iterable[DerivedDef]) -> Plan:
    """Each definition with no compiled function: every value computed in full, the
    computation the compiled functions are held to."""
    return Plan((d, None) for d in defs)  # nothing kept: every result computed


def compute(steps: Steps, ctx: Ctx, ref: Any) -> DerivedValues:
    """The derived values of the case ``ctx`` and ``ref`` read, in order, each added to
    ``ctx.extras`` by its path (and whether it has one, for a value that can have
    none); in full (``ctx.results``) only those no compiled function could give."""
    extras, full = ctx.extras, ctx.results
    derived = DerivedValues(steps, ctx)
    marks, remembered = derived.marks, derived.remembered
    # a full computation reading a value made here builds its result (through state
    # that does not hold ``ctx``: no reference cycle)
    ctx.later = functools.partial(_made, derived.defs, marks, remembered)
    for d, fast in steps:
        if fast is not None:
            v = fast(extras, ref)
            if type(v) is not _Mark:  # the commonest: a plain value
                extras[d.path] = v
                if d.has_path is not None:
                    extras[d.has_path] = True
                continue
        else:
            v = SLOW
        if v is SLOW or ((v is ABSENT or v is UNKNOWN) and d.default is not None):
            result = full[d.name] = _in_full(d, ctx, remembered)
            v = result.value
            has = True if v is not None else (False if result.absent else None)
        elif v is ABSENT:
            marks[d.name] = ABSENT
            v, has = None, False
        elif v is UNKNOWN:
            marks[d.name] = UNKNOWN
            v = has = None
        else:
            has = True
        extras[d.path] = v
        if d.has_path is not None:
            extras[d.has_path] = has
    return derived


class DerivedValues(Mapping[str, DerivedResult]):
    """A case's derived values by name, each one's full result made on first read and
    checked against what the compiled function gave."""

    def __init__(self, steps: Steps, ctx: Ctx) -> None:
        self.defs = steps.defs if isinstance(steps, Plan) else Plan(steps).defs
        #: the full results kept by the values they read (:class:`Remembered`)
        self.remembered = steps.remembered if isinstance(steps, Plan) else {}
        self._ctx = ctx
        #: the values a compiled function found to have none (:data:`ABSENT`) or to be
        #: unknown (:data:`UNKNOWN`), by name
        self.marks: dict[str, Any] = {}

    def __getitem__(self, name: str) -> DerivedResult:
        result = _made(self.defs, self.marks, self.remembered, self._ctx, name)
        if result is None:
            raise KeyError(name)
        return result

    def __contains__(self, name: object) -> bool:
        return name in self.defs

    def __iter__(self) -> Iterator[str]:
        return iter(self.defs)

    def __len__(self) -> int:
        return len(self.defs)

    def computed_in_full(self) -> Mapping[str, DerivedResult]:
        """The values whose full result is made so far."""
        return self._ctx.results

    def without_value(self) -> Iterator[tuple[str, DerivedResult]]:
        """Each value that is unknown or undecidable (not one known to have none), with
        its full result."""
        for name, d in self.defs.items():
            if self._ctx.extras[d.path] is None and self.marks.get(name) is not ABSENT:
                result = self[name]
                if not result.absent:
                    yield name, result


def _made(
    defs: Mapping[str, DerivedDef],
    marks: Mapping[str, Any],
    remembered: Mapping[str, Remembered],
    ctx: Ctx,
    name: str,
) -> DerivedResult | None:
    """The full result of the value ``name`` (None for a name not declared), made now
    for one a compiled function gave (or given again, kept by the values it read),
    and checked against what it gave."""
    full = ctx.results
    result = full.get(name)
    if result is not None:
        return result
    d = defs.get(name)
    if d is None:
        return None
    result = full[name] = _in_full(d, ctx, remembered)
    known, mark = ctx.extras[d.path], marks.get(name)
    if (
        result.value != known
        or type(result.value) is not type(known)
        or result.absent is not (mark is ABSENT)
    ):
        said = {ABSENT: "no value", UNKNOWN: "unknown"}.get(mark, repr(known))
        got = "no value" if result.absent else repr(result.value)
        raise EngineError(f"derived.{name} computed two ways disagrees: {said} against {got}")
    return result


# ------------------------------------------- full results kept by what they read


def _in_full(d: DerivedDef, ctx: Ctx, remembered: Mapping[str, Remembered]) -> DerivedResult:
    """The full result of ``d``: given again when kept by the values it read
    (:class:`Remembered`), else computed."""
    memo = remembered.get(d.name)
    return compute_one(d, ctx) if memo is None else memo(ctx)


class Remembered:
    """The full results of one value, kept by the values it read.

    A value that reads only plain values of the case's inputs and derived values
    (flags, numbers and labels: no text or date, which may be personal, no list, no
    case field, no parameter, no day) is a function of them alone: its full
    result, explanation and all, is the same for every case that gives them the same
    values. A caseload repeats a few hundred combinations of a policy's scores, so
    the result of a value computed in full (a reported one, whose explanation every
    decision shows, or one no function is compiled for), or of a compiled one whose
    result something reads, is kept under those values with their types and given
    again (at most :attr:`LIMIT` of them, all let go when it is reached).

    A derived value read that is unknown, undecidable or has none keys the result by
    what its own result says of it (the facts it waits on, why the policy cannot
    decide it, that it has none), which is all the full computation reads of it; an
    input read that is unknown, by that alone. An input that is both tested for
    being there and read is never kept by when unknown: whether its record group is
    held (``Case.not_held``) changes the answer.
    """

    #: the most results kept for one value
    LIMIT = 2048

    __slots__ = ("_d", "_kept", "_tested", "asked", "computed", "paths", "present")

    def __init__(
        self,
        d: DerivedDef,
        paths: tuple[str, ...],
        present: tuple[str, ...] = (),
        tested: frozenset[str] = frozenset(),
    ) -> None:
        self._d = d
        #: the paths of the values it reads, which its results are kept by
        self.paths = paths
        #: the paths it only asks are there: kept by only while they are
        self.present = present
        self._tested = tested  # paths read and also asked whether they are there
        self._kept: dict[tuple[Any, ...], DerivedResult] = {}
        #: how many results were asked for under a key, and how many of those were
        #: computed (not kept yet); counted without a lock: figures, not a ledger
        self.asked = self.computed = 0

    def __len__(self) -> int:
        return len(self._kept)

    def __call__(self, ctx: Ctx) -> DerivedResult:
        get = ctx.extras.get
        values = [get(p) for p in self.paths]
        if self.present and None in [get(p) for p in self.present]:
            return compute_one(self._d, ctx)
        key: tuple[Any, ...] | None
        if None in values:
            key = self._unknown_key(ctx, values)
            if key is None:
                return compute_one(self._d, ctx)
        else:
            key = (*values, *map(type, values))
        kept = self._kept
        try:
            found = kept.get(key)
        except TypeError:  # a value that cannot be a key: computed every time
            return compute_one(self._d, ctx)
        self.asked += 1
        if found is None:
            self.computed += 1
            # its explanation is still written when first read: the operations'
            # text functions hold the values they show, never the case
            found = compute_one(self._d, ctx)
            if len(kept) >= self.LIMIT:
                kept.clear()
            kept[key] = found
        return found

    def _unknown_key(self, ctx: Ctx, values: list[Any]) -> tuple[Any, ...] | None:
        """The key of values some of which are unknown or have none (None when one
        cannot key a result)."""
        key: list[Any] = []
        for path, v in zip(self.paths, values, strict=True):
            if v is not None:
                key += (v, type(v))
            elif path in self._tested:
                return None
            elif path.startswith("derived."):
                inner = ctx.inner(path)
                if inner is None:  # whether a value has one, itself unknown
                    return None
                key += (_NO_VALUE, (inner.absent, inner.undecidable, inner.unknown))
            else:
                key += (_NO_VALUE, None)
        return tuple(key)


#: a value read that is unknown or has none, in a kept result's key
_NO_VALUE: Any = _Mark("NO_VALUE")


#: the kinds of value a kept result is keyed by: flags, numbers (decimals in their
#: units) and labels of the policy's own vocabularies, never text or dates
_KEYABLE = frozenset(("bool", "int", "enum"))

#: operations that read a list, the day or the case: never kept by their values
_NOT_PURE = frozenset(("count", "latest", "earliest", "any", "all", "none", "age"))


def _pure_reads(
    d: DerivedDef,
) -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str]] | None:
    """The paths of the plain inputs and derived values ``d`` reads, when they are all
    it reads (see :class:`Remembered`): those whose values it reads, those it only
    asks are there (``exists``, ``missing``: known to be there, their value does not
    matter), and those it does both; else None."""
    if d.op in _NOT_PURE or d.reads_as_of or d.parameters or d.where is not None:
        return None
    fields = list(d.operand_fields)
    present: list[Field] = []
    for node in d.conditions:
        for n in walk(node):
            if isinstance(n, Quant):
                return None
            if isinstance(n, Cmp):
                if isinstance(n.value, Window | ParamRef):
                    return None
                (present if n.op in ("exists", "missing") else fields).append(n.field)
                if isinstance(n.value, FieldRef):
                    fields.append(n.value.field)
    if any(f.virtual != EXTRA or f.path == "as_of" for f in (*fields, *present)):
        return None
    if any(f.kind not in _KEYABLE for f in fields):
        return None  # a text or a date may be personal: never kept in a key
    read = {f.path for f in fields}
    asked = {f.path for f in present}
    return tuple(sorted(read)), tuple(sorted(asked - read)), frozenset(asked & read)


# ------------------------------------------------------------------ compiling


def _compile(d: DerivedDef, has: Mapping[str, str]) -> Fast | None:
    """``d`` compiled (``has``: where whether each derived value that can have none has
    one is read, by its path); None for an operation always computed in full."""
    make = _MAKERS.get(d.op)
    return None if make is None else make(d, has)


def _reader(field: Field) -> _Read:
    """How the full computation's ``Ctx.value`` reads ``field``, as one function."""
    if field.virtual == EXTRA:
        path = field.path
        return lambda x, ref: x.get(path)
    if field.path == "as_of":
        return lambda x, ref: ref.as_of
    return lambda x, ref: ref.lookup(ref.case, field)


def _number(n: int | ParamRef) -> Callable[[Any], int]:
    if isinstance(n, ParamRef):
        name = n.name
        return lambda ref: int(ref.param(name, ref.as_of))
    return lambda ref: n


def _test(node: Node | None) -> _Test | None:
    return None if node is None else compile_truth(node)


def _matching(
    field: Field, where: Node, ordered: bool = False
) -> Callable[[Any, Any], list[Any] | None]:
    """The items of the list at ``field`` that ``where`` holds for, looking only at those
    it may hold for (:func:`~riskreview._quick.cond_key`), in the case's order when
    ``ordered``; None when one cannot be decided."""
    test = compile_truth(where)
    key, path = cond_key(where), field.path
    return lambda items, ref: _kept(
        items,
        range(len(items)) if key is None else ref.keyed(path, items, key, ordered),
        test,
        ref,
    )


def _kept(items: Any, indexes: Iterable[int], test: _Test, ref: Any) -> list[Any] | None:
    """The items at ``indexes`` that ``test`` holds for; None when one is undecided."""
    out = []
    for i in indexes:
        t = test(ref, items[i])
        if t is None:
            return None
        if t:
            out.append(items[i])
    return out


def _records(
    d: DerivedDef, ordered: bool = False
) -> Callable[[dict[str, Any], Any], Sequence[Any] | None]:
    """The records of ``d``'s list its ``where`` holds for (every record without one);
    None when the list is unknown or a record cannot be decided."""
    field = d.fields[0]
    read = _reader(field)
    matching = None if d.where is None else _matching(field, d.where, ordered)

    def records(x: dict[str, Any], ref: Any) -> Sequence[Any] | None:
        items: Sequence[Any] | None = read(x, ref)
        if items is None or matching is None:
            return items
        return matching(items, ref)

    return records


def _count(d: DerivedDef, has: Mapping[str, str]) -> Fast | None:
    records = _records(d)
    if d.distinct is not None:
        attribute = d.distinct.path

        def distinct(x: dict[str, Any], ref: Any) -> Any:
            chosen = records(x, ref)
            if chosen is None:
                return UNKNOWN
            seen = set()
            for item in chosen:
                v = getattr(item, attribute)
                if v is None:
                    return UNKNOWN
                seen.add(v)
            return len(seen)

        return distinct
    if d.equals is not None:
        read, equals = _reader(d.fields[0]), d.equals

        def equal(x: dict[str, Any], ref: Any) -> Any:
            items = read(x, ref)
            return UNKNOWN if items is None else sum(1 for v in items if v == equals)

        return equal

    def count(x: dict[str, Any], ref: Any) -> Any:
        chosen = records(x, ref)
        return UNKNOWN if chosen is None else len(chosen)

    return count


# --------------------------------------------- counts over one list, in one pass


#: (item attribute, the values it must hold): one test of a plain count's ``where``
_Held = tuple[str, tuple[Any, ...]]


def _grouped(steps: Steps) -> Steps:
    """``steps`` with each plain count (:func:`_plain_count`) that shares its list and
    key with another one computed by a single pass over the list for all of them.

    A section score counts a case's answers to a few questions, once for each answer
    that scores: sixteen counts over the same answers, each reading them through the
    list's index. One pass reads each answer once and adds it to every count it
    belongs to. Where the pass cannot decide a count plainly (the list unknown, an
    item's key or a tested field with no value) that count is left to its own
    compiled function, which gives what it always gave.
    """
    groups: dict[tuple[str, str], list[tuple[int, tuple[Any, ...], tuple[_Held, ...]]]] = {}
    for i, (d, fast) in enumerate(steps):
        plain = None if fast is None else _plain_count(d)
        if plain is not None:
            key, wanted, rest = plain
            groups.setdefault(key, []).append((i, wanted, rest))
    out = list(steps)
    for (_, attribute), members in groups.items():
        if len(members) < 2:
            continue
        first = steps[members[0][0]][0]
        scan = _scan(_reader(first.fields[0]), attribute, [(w, r) for _, w, r in members])
        for j, (i, _, _) in enumerate(members):
            d, own = steps[i]
            assert own is not None
            out[i] = (d, _counted(scan, j, own))
    return out


def _plain_count(
    d: DerivedDef,
) -> tuple[tuple[str, str], tuple[Any, ...], tuple[_Held, ...]] | None:
    """For a count whose ``where`` is only tests of its items' own fields against given
    labels, numbers or text (``eq``, ``in``) and names a key (:func:`cond_key`): (its
    list and key attribute, the key's values, the other tests); else None."""
    if d.op != "count" or d.distinct is not None or d.equals is not None or d.where is None:
        return None
    key = cond_key(d.where)
    if key is None or key[2] or key[0].attribute is None:
        return None
    cond = d.where
    while isinstance(cond, Named):
        cond = cond.item
    tests: list[_Held] = []
    for t in cond.items if isinstance(cond, All) else (cond,):
        held = _held(t)
        if held is None:
            return None
        tests.append(held)
    attribute, wanted = key[0].attribute, key[1]
    if (attribute, wanted) not in tests:
        return None
    rest = list(tests)
    rest.remove((attribute, wanted))  # the key's own test: the pass looks items up by it
    return (d.fields[0].path, attribute), wanted, tuple(rest)


def _held(t: Node) -> _Held | None:
    """(attribute, values) for a test that an item's own field holds one of given
    values; None for any other test."""
    if not (
        isinstance(t, Cmp)
        and t.scope == "item"
        and t.field.virtual is None
        and t.field.attribute is not None
        and t.op in ("eq", "in")
        and not isinstance(t.value, ParamRef | FieldRef | Window)
    ):
        return None
    values = (t.value,) if t.op == "eq" else t.value
    if not isinstance(values, tuple) or not all(
        type(v) in (bool, int, str) or isinstance(v, StrEnum) for v in values
    ):
        return None
    return t.field.attribute, values


def _scan(
    read: _Read, attribute: str, members: list[tuple[tuple[Any, ...], tuple[_Held, ...]]]
) -> Callable[[dict[str, Any], Any], list[int | None] | None]:
    """One pass over a list: how many items each member's tests hold for (None for a
    member the pass cannot decide plainly; None for all when the list is unknown or
    an item has no key)."""
    by_key: dict[Any, list[tuple[int, tuple[_Held, ...]]]] = {}
    for j, (wanted, rest) in enumerate(members):
        for value in dict.fromkeys(wanted):
            by_key.setdefault(value, []).append((j, rest))
    size = len(members)

    def scan(x: dict[str, Any], ref: Any) -> list[int | None] | None:
        items = read(x, ref)
        if items is None:
            return None
        counts: list[int | None] = [0] * size
        for item in items:
            key = getattr(item, attribute)
            if key is None:
                return None
            for j, rest in by_key.get(key, ()):
                n = counts[j]
                if n is None:
                    continue
                for name, values in rest:
                    a = getattr(item, name)
                    if a is None:
                        counts[j] = None
                        break
                    if a not in values:
                        break
                else:
                    counts[j] = n + 1
        return counts

    return scan


def _counted(
    scan: Callable[[dict[str, Any], Any], list[int | None] | None], j: int, own: Fast
) -> Fast:
    """Member ``j`` of a pass's counts, the pass made once a case (``ref.memo``)."""

    def counted(x: dict[str, Any], ref: Any) -> Any:
        memo = ref.memo
        counts = memo.get(scan, _NO_PASS)
        if counts is _NO_PASS:
            counts = memo[scan] = scan(x, ref)
        n = None if counts is None else counts[j]
        return own(x, ref) if n is None else n

    return counted


_NO_PASS: Any = _Mark("NO_PASS")


def _sum(d: DerivedDef, has: Mapping[str, str]) -> Fast | None:
    terms = [
        (
            _test(t.when),
            None if t.value is None else _reader(t.value),
            t.points if isinstance(t.points, int) else _number(t.points),
        )
        for t in d.terms
    ]

    def total(x: dict[str, Any], ref: Any) -> Any:
        n = 0
        for test, read, points in terms:
            if test is not None:
                t = test(ref, None)
                if t is None:
                    return SLOW
                if not t:
                    continue
            p = points if type(points) is int else points(ref)  # type: ignore[operator]
            if read is None:
                n += p
                continue
            v = read(x, ref)
            if v is None:
                return UNKNOWN
            n += v * p
        return n

    return total


def _extreme(d: DerivedDef, has: Mapping[str, str]) -> Fast | None:
    # a value read may be known to have none (passed over), told by its has-value key
    reads = [(_reader(f), has.get(f.path)) for f in d.fields]
    rank = d.rank
    enum = d.enum
    larger = d.op == "max"

    def extreme(x: dict[str, Any], ref: Any) -> Any:
        best: Any = None
        best_key: Any = None
        for read, known in reads:
            v = read(x, ref)
            if v is None:
                if known is None or x.get(known) is not False:
                    return UNKNOWN
                continue
            key = rank[v] if rank else v
            if best is None or (key > best_key if larger else key < best_key):
                best, best_key = v, key
        if best is None:  # every value read has none
            return ABSENT
        if enum is not None and type(best) is not enum:
            best = enum(best.value)
        return best

    return extreme


def _result(d: DerivedDef, operand: Operand) -> Fast | None:
    """An ``if`` or lookup result, as the full computation's ``_result`` gives it;
    None when it cannot be given plainly (a decimal read at another scale)."""
    if operand.undecidable:
        return lambda x, ref: UNKNOWN
    if operand.absent:
        return lambda x, ref: ABSENT
    enum = d.enum

    def own(v: Any) -> Any:
        """``v`` in the value's own labels (a label of a list declared apart)."""
        if enum is not None and isinstance(v, StrEnum) and not isinstance(v, enum):
            return enum(v.value)
        return v

    if operand.field is not None:
        if d.kind == "decimal" and operand.field.scale != d.places:
            return None
        read = _reader(operand.field)

        def field_value(x: dict[str, Any], ref: Any) -> Any:
            v = read(x, ref)
            return SLOW if v is None else own(v)

        return field_value
    if operand.param is not None:
        name = operand.param.name

        def parameter(x: dict[str, Any], ref: Any) -> Any:
            v = ref.param(name, ref.as_of)
            return SLOW if v is None else own(v)

        return parameter
    if operand.literal is None:
        return None
    v = own(operand.literal)
    return lambda x, ref: v


def _if(d: DerivedDef, has: Mapping[str, str]) -> Fast | None:
    branches = []
    for b in d.branches:
        result = _result(d, b.result)
        if result is None:
            return None
        branches.append((_test(b.when), result))

    def choose(x: dict[str, Any], ref: Any) -> Any:
        for test, result in branches:
            if test is not None:
                t = test(ref, None)
                if t is None:
                    return UNKNOWN
                if not t:
                    continue
            return result(x, ref)
        return ABSENT

    return choose


def _lookup(d: DerivedDef, has: Mapping[str, str]) -> Fast | None:
    key_field = d.fields[0]
    read, known = _reader(key_field), has.get(key_field.path)
    table = {}
    for key, operand in d.by_key.items():
        result = _result(d, operand)
        if result is None:
            return None
        table[key] = result
    otherwise: Fast | None = lambda x, ref: ABSENT  # noqa: E731
    if d.otherwise is not None:
        otherwise = _result(d, d.otherwise)
        if otherwise is None:
            return None
    chosen_otherwise: Fast = otherwise  # type: ignore[assignment]

    def look_up(x: dict[str, Any], ref: Any) -> Any:
        key = read(x, ref)
        if key is None:
            if known is None or x.get(known) is not False:
                return UNKNOWN
            return chosen_otherwise(x, ref)
        return table.get(key, chosen_otherwise)(x, ref)

    return look_up


def _chosen(d: DerivedDef, has: Mapping[str, str]) -> Fast | None:
    records = _records(d, ordered=True)
    by, value = d.by, d.read
    assert by is not None and value is not None
    by_name, value_name = by.path, value.path
    latest = d.op == "latest"

    def choose(x: dict[str, Any], ref: Any) -> Any:
        kept = records(x, ref)
        if kept is None:
            return UNKNOWN
        record: Any = None
        when: Any = None
        for item in kept:
            day = getattr(item, by_name)
            if day is None:
                return UNKNOWN
            # the first of equal dates in the case's order wins
            if record is None or (day > when if latest else day < when):
                record, when = item, day
        if record is None:
            return ABSENT
        v = getattr(record, value_name)
        return UNKNOWN if v is None else v

    return choose


def _band(d: DerivedDef, has: Mapping[str, str]) -> Fast | None:
    read = _reader(d.fields[0])
    enum = d.enum
    assert enum is not None
    edges = [(enum(label), _number(low)) for label, low in d.edges]

    def band(x: dict[str, Any], ref: Any) -> Any:
        v = read(x, ref)
        if v is None:
            return UNKNOWN
        chosen = None
        for label, low in edges:
            if v >= low(ref):
                chosen = label
        return UNKNOWN if chosen is None else chosen

    return band


def _grid(d: DerivedDef, has: Mapping[str, str]) -> Fast | None:
    read_row, read_column = (_reader(f) for f in d.fields)
    enum = d.enum
    assert enum is not None
    table = {r: {c: enum(label) for c, label in cols.items()} for r, cols in d.table.items()}

    def grid(x: dict[str, Any], ref: Any) -> Any:
        row, column = read_row(x, ref), read_column(x, ref)
        if row is None or column is None:
            return UNKNOWN
        return table[show(row)][show(column)]

    return grid


def _quant(d: DerivedDef, has: Mapping[str, str]) -> Fast | None:
    # the same test as a rule's ``any``, ``all`` or ``none`` of a list: it stops at the
    # record that decides it, and an any or none looks only at the records it may hold for
    field, where = d.fields[0], d.where
    assert where is not None
    test = compile_truth(Quant(field.path, d.op, where, field))

    def quant(x: dict[str, Any], ref: Any) -> Any:
        t = test(ref, None)
        return UNKNOWN if t is None else t

    return quant


def _first_present(d: DerivedDef, has: Mapping[str, str]) -> Fast | None:
    reads = [_reader(f) for f in d.fields]

    def first(x: dict[str, Any], ref: Any) -> Any:
        for read in reads:
            v = read(x, ref)
            if v is not None:
                return v
        return UNKNOWN

    return first


def _age(d: DerivedDef, has: Mapping[str, str]) -> Fast | None:
    read = _reader(d.fields[0])

    def age(x: dict[str, Any], ref: Any) -> Any:
        born, as_of = read(x, ref), ref.as_of
        if born is None or born > as_of:
            return UNKNOWN
        return as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))

    return age


def _days_between(d: DerivedDef, has: Mapping[str, str]) -> Fast | None:
    read_start, read_end = (_reader(f) for f in d.fields)
    unit = d.unit

    def days(x: dict[str, Any], ref: Any) -> Any:
        start, end = read_start(x, ref), read_end(x, ref)
        if start is None or end is None:
            return UNKNOWN
        if unit == "working_days":
            return ref.calendar.working_days_between(start, end)
        return (end - start).days // (7 if unit == "weeks" else 1)

    return days


#: beyond this size a whole number is left to the full computation's exact decimals
#: (28 digits), which would round it
_WHOLE = 10**27


def _arithmetic(d: DerivedDef, has: Mapping[str, str]) -> Fast | None:
    """``quotient``, ``product`` or ``difference`` of whole numbers (fields of no
    places, whole literals), as the full computation's exact decimals give them: a
    quotient rounded toward zero. Decimals, parameters and a division by zero are
    left to the full computation."""
    if d.kind != "int":
        return None
    reads: list[_Read] = []
    for o in d.operands:
        if o.field is not None and not o.field.scale:
            reads.append(_reader(o.field))
        elif o.field is None and o.param is None and type(o.literal) is int:
            reads.append(functools.partial(_literal, o.literal))
        else:
            return None
    op = d.op

    def whole(x: dict[str, Any], ref: Any) -> Any:
        values = [read(x, ref) for read in reads]
        for v in values:
            if type(v) is not int or not -_WHOLE < v < _WHOLE:
                return SLOW  # unknown, no value, or too large: in full
        if op == "quotient":
            top, bottom = values
            if bottom == 0:
                return SLOW
            n = abs(top) // abs(bottom)
            result = -n if (top < 0) != (bottom < 0) else n
        elif op == "product":
            result = 1
            for v in values:
                result *= v
        else:
            result = values[0] - sum(values[1:])
        return result if -_WHOLE < result < _WHOLE else SLOW

    return whole


def _literal(value: int, x: dict[str, Any], ref: Any) -> int:
    return value


#: how each operation is compiled; an operation not here is always computed in full
#: (joined labels, a handful a case)
_MAKERS: dict[str, Callable[[DerivedDef, Mapping[str, str]], Fast | None]] = {
    "count": _count,
    "sum": _sum,
    "max": _extreme,
    "min": _extreme,
    "if": _if,
    "lookup": _lookup,
    "latest": _chosen,
    "earliest": _chosen,
    "band": _band,
    "grid": _grid,
    "any": _quant,
    "all": _quant,
    "none": _quant,
    "first_present": _first_present,
    "age": _age,
    "days_between": _days_between,
    "quotient": _arithmetic,
    "product": _arithmetic,
    "difference": _arithmetic,
}
assert set(_MAKERS) <= set(OPS)
