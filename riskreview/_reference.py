"""The reference evaluator: a direct, pure-Python reading of a rule's condition.

It walks the parsed condition over the case objects themselves, with three-valued
(Kleene) logic: ``True``, ``False`` or ``None`` for *cannot be decided because a
fact is unknown*. It shares nothing with the engine path but the parsed
condition, so it is the oracle for differential tests, and it produces the
evidence and why-not explanations that the engine cannot.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import attrs

from riskreview._conditions import (
    All,
    AnyOf,
    Cmp,
    FieldRef,
    Named,
    Node,
    Not,
    ParamRef,
    Quant,
    Window,
)
from riskreview._condnodes import CALENDAR_UNITS, add_months, window_months
from riskreview._fields import EXTRA, Field, read_path
from riskreview._logic import Truth, agree, all_of, any_of, comparer
from riskreview._quick import compile_truth, cond_key
from riskreview.calendar import Calendar


class Result:
    """The outcome of one node, with its parts: the material of every explanation.

    A plain slotted class (not attrs): one is made per condition node per rule
    explained, so its construction cost is on the hot path, and the compiled
    evaluators below pass its arguments by position (node, truth, parts, actual,
    expected, path), which Python calls faster than by keyword.
    """

    __slots__ = ("actual", "expected", "measure", "node", "note", "parts", "path", "truth")

    def __init__(
        self,
        node: Node,
        truth: Truth,
        parts: tuple[Result, ...] = (),
        actual: Any = None,  # the field's value (Cmp) or the matching item indexes (Quant)
        expected: Any = None,  # the resolved comparison value (Cmp)
        path: str = "",  # full path of the field, with the item index inside a list
        measure: Any = None,  # for time windows: (amount elapsed, unit)
        note: str = "",  # how a derived value the condition reads was computed
    ) -> None:
        self.node = node
        self.truth = truth
        self.parts = parts
        self.actual = actual
        self.expected = expected
        self.path = path
        self.measure = measure
        self.note = note

    def __repr__(self) -> str:
        return f"Result({self.path or type(self.node).__name__}, {self.truth})"


#: the item truth that decides a list test without the rest: a false item decides an
#: "all", a true one a "none" (an "any" reads every item, each matching one is evidence)
_STOP: dict[str, bool] = {"all": False, "none": True}

ParamLookup = Callable[[str, date], Any]
#: a compiled condition node: (reference, item or None, path prefix) → its Result
Evaluator = Callable[["Reference", Any, str], Result]


@attrs.define
class Reference:
    """Evaluates conditions against one case on one date."""

    case: Any
    as_of: date
    param: ParamLookup
    calendar: Calendar
    extras: Mapping[str, Any] = attrs.field(factory=dict)
    notes: Mapping[str, str] = attrs.field(factory=dict)  # derived value → explanation
    complete: bool = False  # evaluate every part, even after the outcome is decided
    #: evaluate every alternative of an ``any``, even after one holds, so that every
    #: true alternative is seen (what a due date anchored on matched items needs); an
    #: ``all`` still stops at a false part, which no true alternative goes through
    alternatives: bool = False
    index_lists: bool = True  # let an ``any`` skip items its own key test rules out
    # id(node) → (node, its quick truth test), -id(node) → (node, its evaluator),
    # ("key", id(node)) → (node, its item key): each worked out once and shared by every
    # evaluation of a policy period
    quick: dict[Any, tuple[Node, Any]] = attrs.field(factory=dict)
    #: fields whose absence is unknown, not "not done" (a record group not held)
    unheld: frozenset[str] = frozenset()
    _read: dict[str, Any] = attrs.field(factory=dict, init=False, repr=False)
    _index: dict[tuple[str, str, bool], dict[Any, list[int]]] = attrs.field(
        factory=dict, init=False, repr=False
    )
    #: a named condition's result for the case, by name: several rules of a pack read
    #: the same named condition (who the person is), evaluated once per case
    _named: dict[str, Result] = attrs.field(factory=dict, init=False, repr=False)
    #: what a stage works out once for the case, under a key of its own (the counts of
    #: several derived values over one list, made in one pass: :mod:`_derive_fast`)
    memo: dict[Any, Any] = attrs.field(factory=dict, init=False, repr=False)

    def on(self, day: date) -> Reference:
        """The same evaluator reading the case on another day (its caches start empty;
        what ``attrs.evolve`` gives, at a fraction of its cost)."""
        return Reference(
            case=self.case,
            as_of=day,
            param=self.param,
            calendar=self.calendar,
            extras=self.extras,
            notes=self.notes,
            complete=self.complete,
            alternatives=self.alternatives,
            index_lists=self.index_lists,
            quick=self.quick,
            unheld=self.unheld,
        )

    # ------------------------------------------------------------- values

    def lookup(self, root: Any, field: Field) -> Any:
        """The value of ``field`` below ``root``; None if any step on the way is None."""
        if field.virtual == EXTRA:
            return self.extras.get(field.path)
        if root is self.case:
            read = self._read
            if field.path not in read:
                read[field.path] = self._walk(root, field)
            return read[field.path]
        return self._walk(root, field)

    def _walk(self, root: Any, field: Field) -> Any:
        return read_path(root, field.steps, field.virtual, self.as_of)

    def _resolve(self, value: Any) -> Any:
        """A comparison value as a plain value (None when it depends on an unknown)."""
        if isinstance(value, FieldRef):
            return self.lookup(self.case, value.field)
        if isinstance(value, ParamRef):
            raw = self.param(value.name, self.as_of)
            if value.by is None:
                return raw
            assert value.by_field is not None
            key = self.lookup(self.case, value.by_field)
            return None if key is None else raw[key.value]
        return value

    # ------------------------------------------------------------- nodes

    def evaluate(self, node: Node, item: Any = None, prefix: str = "") -> Result:
        """Evaluate ``node`` for the case (or, inside a list, for ``item``).

        Each node is compiled once per policy period into a function of its own
        (:func:`_compile`): what the node is, its operator and its value are decided
        then, not on every evaluation."""
        return self._evaluator(node)(self, item, prefix)

    def _evaluator(self, node: Node) -> Evaluator:
        """``node`` compiled to its evaluator (once per policy period)."""
        entry = self.quick.get(-id(node))
        if entry is None:
            entry = self.quick[-id(node)] = (node, _compile(node))
        evaluator: Evaluator = entry[1]
        return evaluator

    def _quant(self, node: Quant, plan: tuple[Any, Evaluator] | None = None) -> Result:
        """``node`` over its list; ``plan``: its item key (see :func:`item_key`) and its
        condition's evaluator, when compiled beforehand."""
        if plan is None:
            plan = (item_key(node), self._evaluator(node.cond))
        key, cond = plan
        items = self.lookup(self.case, node.field)
        if items is None:
            return Result(node, None, (), None, None, node.path)
        # "all" is decided by a false item and "none" by a true one; "any" keeps going,
        # since every matching item is evidence (and may be the due date's anchor)
        stop = _STOP.get(node.mode, "never")
        # an "any" records only the items that match or cannot be decided: a quick
        # truth test passes over the rest (an explanation, which describes every
        # item, does not index lists and so records them all)
        test = self.quick_test(node.cond) if node.mode == "any" and self.index_lists else None
        kept: list[int] = []
        collected: list[Result] = []
        for i in self._scanned(node, items, key):
            if test is not None and test(self, items[i]) is False:
                continue
            part = cond(self, items[i], f"{node.path}[{i}].")
            kept.append(i)
            collected.append(part)
            if part.truth is stop and not self.complete:
                break
        parts = tuple(collected)
        truths = [p.truth for p in parts]
        matched = tuple([i for i, t in zip(kept, truths, strict=True) if t])
        if node.mode == "any":
            truth = any_of(truths)
        elif node.mode == "all":
            truth = all_of(truths)
        else:
            found = any_of(truths)
            truth = None if found is None else not found
        # ``expected`` holds how many items the list has (``parts`` may be fewer)
        return Result(node, truth, parts, matched, len(items), node.path)

    def _scanned(self, node: Quant, items: Any, key: Any) -> Sequence[int]:
        """The items an ``any`` must look at: where its condition requires a field of the
        item to take given values (``type: arrest``), or a list of the item to hold one
        of them (``categories: {contains_any: [sexual]}``), only the items with one of
        those values or none recorded; the rest are false for it. The index of each list by
        each such field is built once per case. Every item is scanned for ``all`` and
        ``none``, and for an explanation, which describes every item."""
        if key is None or node.mode != "any" or not self.index_lists:
            return range(len(items))
        return self.keyed(node.path, items, key)

    def candidates(self, field: Field, items: Sequence[Any], cond: Node) -> Sequence[int]:
        """The indexes of the items of the list at ``field`` that ``cond`` may hold for,
        in order: where it requires a field of the item to take given values, only
        the items with one of them or none recorded (it is false for every other
        item); else every item. A derived value's ``where`` over records is scanned so
        (``question: {in: [...]}`` reads a handful of a case's answers, not all)."""
        entry = self.quick.get(("key", id(cond)))
        if entry is None:  # worked out once per policy period
            entry = self.quick[("key", id(cond))] = (cond, cond_key(cond))
        key = entry[1]
        return range(len(items)) if key is None else self.keyed(field.path, items, key)

    def keyed(
        self,
        path: str,
        items: Sequence[Any],
        key: tuple[Field, tuple[Any, ...], bool],
        ordered: bool = True,
    ) -> Sequence[int]:
        """The indexes of the items of the list at ``path`` whose ``key`` field holds one
        of its values or none (see :func:`cond_key`), each once: in the case's order, or
        with ``ordered`` False in any order (what a count needs)."""
        field, wanted, many = key
        index = self._index.get((path, field.path, many))
        if index is None:  # built once per case
            index = self._index_by(path, items, field, many)
        chosen = [i for value in wanted for i in index.get(value, ())]
        chosen += index.get(None, ())  # an item without a value may still match
        if many:  # an item may be under several of the values
            return sorted(set(chosen))
        return sorted(chosen) if ordered else chosen

    def _index_by(
        self, path: str, items: Sequence[Any], field: Field, many: bool
    ) -> dict[Any, list[int]]:
        """The list at ``path`` indexed by its items' ``field``, kept for the case: each
        value → the indexes, in order, of the items holding it (None: of those without
        one; with ``many``, a field holding a list, each of its members)."""
        found: dict[Any, list[int]] = {}
        attribute = field.attribute
        for i, item in enumerate(items):
            value = self.lookup(item, field) if attribute is None else getattr(item, attribute)
            if many and value is not None:
                for member in set(value):  # an item under each value its list holds
                    found.setdefault(member, []).append(i)
            else:
                found.setdefault(value, []).append(i)
        self._index[(path, field.path, many)] = found
        return found

    def truth(self, node: Node, item: Any = None) -> Truth:
        """The three-valued truth of ``node`` alone (for the case, or ``item``), with no
        :class:`Result` made: what :meth:`evaluate` decides, at a fraction of the cost.
        A list's condition is compiled once per policy period (:mod:`riskreview._quick`)."""
        return self.quick_test(node)(self, item)

    def quick_test(self, node: Node) -> Callable[[Any, Any], Truth]:
        """``node`` compiled to a quick truth test (once per policy period)."""
        entry = self.quick.get(id(node))
        if entry is None:
            entry = self.quick[id(node)] = (node, compile_truth(node))
        test: Callable[[Any, Any], Truth] = entry[1]
        return test

    def window_truth(self, node: Cmp, actual: date | None) -> Truth:
        """The truth of a time window over ``actual`` (a date of the case or an item)."""
        return self._window(node, actual, "").truth

    def _noted(self, result: Result) -> Result:
        if result.node.field.virtual == EXTRA:  # type: ignore[union-attr]
            note = self.notes.get(result.path)
            if note:
                result.note = note
        return result

    def options(self, value: Any) -> list[Any]:
        """The values a comparison value can take: one, or every row of a keyed table
        whose key is unknown (the test is decided only if all rows agree)."""
        if isinstance(value, ParamRef) and value.by is not None:
            assert value.by_field is not None
            if self.lookup(self.case, value.by_field) is None:
                return list(self.param(value.name, self.as_of).values())
        if isinstance(value, tuple):
            return [value]
        return [self._resolve(value)]

    def _window(self, node: Cmp, actual: date | None, path: str) -> Result:
        window: Window = node.value
        if actual is None:
            return Result(node, None, (), actual, None, path)
        if window.unit in CALENDAR_UNITS:
            return self._calendar_window(node, actual, path)
        if window.unit == "working_days":
            elapsed = self.calendar.working_days_between(actual, self.as_of)
        else:
            elapsed = (self.as_of - actual).days
        scale = 7 if window.unit == "weeks" else 1
        amounts = [None if a is None else a * scale for a in self.options(window.amount)]
        truths: list[Truth] = [
            None if amount is None else _elapsed_holds(node.op, elapsed, amount)
            for amount in amounts
        ]
        unit = "working_days" if window.unit == "working_days" else "days"
        # one amount, or (shortest, longest) of a table whose key is unknown
        known = sorted({a for a in amounts if a is not None})
        expected: Any = None
        if known and None not in amounts:
            expected = known[0] if len(known) == 1 else (known[0], known[-1])
        return Result(
            node,
            agree(truths),
            actual=actual,
            expected=expected,
            path=path,
            measure=(elapsed, unit),
        )

    def _calendar_window(self, node: Cmp, actual: date, path: str) -> Result:
        """A window of calendar months or years: the edge is ``as_of`` moved by them."""
        window: Window = node.value
        truths: list[Truth] = []
        edges: list[date] = []
        for amount in self.options(window.amount):
            if amount is None:
                truths.append(None)
                continue
            months = window_months(window, int(amount))
            edge = add_months(self.as_of, months if node.op == "within_next" else -months)
            truths.append(_edge_holds(node.op, actual, self.as_of, edge))
            edges.append(edge)
        return Result(
            node,
            agree(truths),
            actual=actual,
            expected=edges[0] if len(edges) == 1 else None,
            path=path,
            measure=((self.as_of - actual).days, "days"),
        )


def _compile(node: Node) -> Evaluator:
    """``node`` as a function of (reference, item, path prefix) giving its
    :class:`Result`: the evaluation :meth:`Reference.evaluate` describes, with every
    choice that depends only on the node made here, once."""
    if isinstance(node, Cmp):
        return _compile_cmp(node)
    if isinstance(node, All | AnyOf):
        return _compile_group(node)
    if isinstance(node, Named):
        return _compile_named(node)
    if isinstance(node, Not):
        inner = _compile(node.item)

        def negated(ref: Reference, item: Any, prefix: str) -> Result:
            part = inner(ref, item, prefix)
            return Result(node, None if part.truth is None else not part.truth, (part,))

        return negated
    assert isinstance(node, Quant)
    plan = (item_key(node), _compile(node.cond))
    return lambda ref, item, prefix: ref._quant(node, plan)


def _compile_group(node: All | AnyOf) -> Evaluator:
    # Kleene logic lets a false part decide an "all" and a true part an "any": unless
    # a complete explanation is asked for, the rest is not evaluated.
    parts = tuple(_compile(n) for n in node.items)
    decisive = isinstance(node, AnyOf)

    def group(ref: Reference, item: Any, prefix: str) -> Result:
        results: list[Result] = []
        complete = ref.complete or (decisive and ref.alternatives)
        truth: Truth = not decisive  # Kleene's and/or, worked out as the parts come
        for part in parts:
            result = part(ref, item, prefix)
            results.append(result)
            t = result.truth
            if t is decisive:
                truth = decisive
                if not complete:
                    break
            elif t is None and truth is not decisive:
                truth = None
        return Result(node, truth, tuple(results))

    return group


def _compile_named(node: Named) -> Evaluator:
    inner = _compile(node.item)
    name = node.name

    def named(ref: Reference, item: Any, prefix: str) -> Result:
        if item is None:  # a named condition of the case: the same for every rule
            found = ref._named.get(name)
            if found is None:
                part = inner(ref, None, "")
                found = ref._named[name] = Result(node, part.truth, (part,))
            return found
        part = inner(ref, item, prefix)
        return Result(node, part.truth, (part,))

    return named


def _compile_cmp(node: Cmp) -> Evaluator:
    """A test of one field: how it reads its value, and what it does with it."""
    field, op, value, own = node.field, node.op, node.value, node.path
    in_item = node.scope == "item"
    noted = field.virtual == EXTRA  # a derived value: its explanation goes with it
    attribute = field.attribute

    def read(ref: Reference, item: Any) -> Any:
        if not in_item:
            return ref.lookup(ref.case, field)
        if attribute is not None:
            return getattr(item, attribute)
        return ref.lookup(item, field)

    if op in ("exists", "missing"):
        wanted = op == "exists"

        def presence(ref: Reference, item: Any, prefix: str) -> Result:
            actual = read(ref, item)
            path = prefix + own if in_item else own
            if actual is None and not in_item and path in ref.unheld:
                return ref._noted(Result(node, None, (), actual, None, path))
            exists = actual is not None
            return ref._noted(
                Result(node, exists if wanted else not exists, (), actual, None, path)
            )

        return presence
    if op in ("older_than", "within_last", "within_next"):

        def window(ref: Reference, item: Any, prefix: str) -> Result:
            return ref._window(node, read(ref, item), prefix + own if in_item else own)

        return window
    holds = comparer(op, node.field.labelled)
    if isinstance(value, ParamRef) and value.by is None:
        name = value.name

        def against_parameter(ref: Reference, item: Any, prefix: str) -> Result:
            actual = read(ref, item)
            path = prefix + own if in_item else own
            if actual is None:
                return ref._noted(Result(node, None, (), actual, None, path))
            expected = ref.param(name, ref.as_of)
            truth = None if expected is None else holds(actual, expected)
            return ref._noted(Result(node, truth, (), actual, expected, path))

        return against_parameter
    if isinstance(value, ParamRef | FieldRef):

        def against(ref: Reference, item: Any, prefix: str) -> Result:
            actual = read(ref, item)
            path = prefix + own if in_item else own
            if actual is None:
                return ref._noted(Result(node, None, (), actual, None, path))
            options = ref.options(value)
            truth = agree([None if e is None else holds(actual, e) for e in options])
            expected = options[0] if len(options) == 1 else None
            return ref._noted(Result(node, truth, (), actual, expected, path))

        return against

    def literal(ref: Reference, item: Any, prefix: str) -> Result:
        actual = read(ref, item)
        path = prefix + own if in_item else own
        if actual is None:
            result = Result(node, None, (), actual, None, path)
        else:
            result = Result(node, holds(actual, value), (), actual, value, path)
        return ref._noted(result) if noted else result

    return literal


def window_holds(
    op: str, window: Window, amount: int, actual: date, day: date, calendar: Calendar
) -> bool:
    """Whether the time window ``op`` of ``amount`` (a number of ``window.unit``) holds
    for ``actual`` on ``day``: what :meth:`Reference.evaluate` decides for one amount."""
    if window.unit in CALENDAR_UNITS:
        months = window_months(window, amount)
        edge = add_months(day, months if op == "within_next" else -months)
        return _edge_holds(op, actual, day, edge)
    if window.unit == "working_days":
        elapsed = calendar.working_days_between(actual, day)
    else:
        elapsed = (day - actual).days
    return _elapsed_holds(op, elapsed, amount * (7 if window.unit == "weeks" else 1))


def _elapsed_holds(op: str, elapsed: int, amount: int) -> bool:
    """A window counted in days (or working days): ``elapsed`` from the date to as_of."""
    if op == "older_than":
        return elapsed > amount
    if op == "within_last":
        return 0 <= elapsed <= amount
    return -amount <= elapsed <= 0


def _edge_holds(op: str, actual: date, as_of: date, edge: date) -> bool:
    """A window of calendar months: ``edge`` is as_of moved by them (forward for
    ``within_next``, back otherwise)."""
    if op == "within_next":
        return as_of <= actual <= edge
    if op == "older_than":
        return actual < edge
    return edge <= actual <= as_of


def item_key(node: Quant) -> tuple[Field, tuple[Any, ...], bool] | None:
    """(item field, values, whether the field is a list) when every matching item must
    have one of those values (``eq``, ``in``: enum members or true/false), or a list
    holding one of them (``contains``, ``contains_any``)."""
    return cond_key(node.cond)


def unknown_paths(result: Result) -> list[str]:
    """The unknown facts that keep ``result`` undetermined (item paths name their list)."""
    if result.truth is not None:
        return []
    node = result.node
    if isinstance(node, Cmp):
        if result.actual is None:
            return [list_path(result.path)]
        value = node.value.amount if isinstance(node.value, Window) else node.value
        if isinstance(value, FieldRef):
            return [value.path]
        if isinstance(value, ParamRef) and value.by:
            return [value.by]
        return [list_path(result.path)]
    if isinstance(node, Quant) and not result.parts and result.truth is None:
        return [node.path]
    out: dict[str, None] = {}  # ordered, each path once
    for part in result.parts:
        out.update(dict.fromkeys(unknown_paths(part)))
    return list(out)


def list_path(path: str) -> str:
    """``household.children[1].contact`` → ``household.children[].contact``."""
    out = []
    for piece in path.split("."):
        out.append(piece.split("[")[0] + "[]" if "[" in piece else piece)
    return ".".join(out)


def days(n: int) -> timedelta:
    """A span of ``n`` days."""
    return timedelta(days=n)
