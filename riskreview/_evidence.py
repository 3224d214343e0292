"""What a rule's outcome rests on, gathered by functions compiled once per policy period.

A rule that fired needs two things from its condition: the facts that made it
true (its evidence, in condition order) and, for a due date anchored on the list
items that made it fire (``matched.<list>``), the earliest date among them
(:func:`compile_rule`). An undetermined rule needs the unknown facts to ask for
first (:func:`compile_asked`). Each is one pass over the condition that decides
each part's truth (by the quick truth tests of :mod:`riskreview._quick`) and
records what it needs as it goes, dropping what a part left when the part turns
out not to matter; no :class:`Result` tree is made. What is gathered is what the
reference evaluator's full results give (a test holds the two together on every
node of every rule of four packs):

- a true comparison gives its path and value;
- a true ``all`` gives the evidence of each part, a true ``any`` that of its
  first true alternative (every true alternative when the due date is anchored
  on matched items, so that the anchor is the earliest of them);
- a true list test gives the evidence of each item it holds for; an ``all`` or a
  ``none`` whose items gave none gives how many items the list has;
- a true ``not`` gives the facts that made its condition false: the first false
  part of an ``all``, every part of an ``any``, a list's size with none matching;
- a named guard that a value has one (``…_has_value``) gives nothing: the test
  it guards says it.

A part several rules share (a list test, a named condition) is compiled once for
the policy period and walked once per case.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple

from riskreview._conditions import (
    HAS_VALUE,
    All,
    AnyOf,
    Cmp,
    FieldRef,
    Named,
    Node,
    Not,
    ParamRef,
    Quant,
)
from riskreview._condnodes import Window
from riskreview._logic import Truth
from riskreview._quick import compile_truth, cond_key, reader
from riskreview._reference import list_path
from riskreview._units import as_given
from riskreview._wording import plural

Pairs = list[tuple[str, Any]]
#: ``(reference, item or None, path prefix, out) → truth`` of a node, its evidence
#: added to ``out`` when it is true (and nothing left there when it is not)
Walk = Callable[[Any, Any, str, list[Any]], Truth]
#: the same for a node known false: the facts that made it false
Negated = Callable[[Any, Any, str, Pairs], None]
#: the parts compiled for a policy period, by (node, alternatives, anchor, named)
Table = dict[tuple[Node, bool, str | None, bool], Walk]


class _Matched(NamedTuple):
    """Left among the evidence by a true test of the list a due date is anchored on:
    whether it is below a named condition, its matched items' dates, and whether one
    of them has none."""

    named: bool
    days: tuple[date, ...]
    undated: bool


def compile_rule(
    node: Node, alternatives: bool, anchor: str | None = None, table: Table | None = None
) -> Callable[[Any], tuple[Truth, Pairs, date | None]]:
    """A function giving, for a case, ``node``'s truth, its evidence when true (in
    condition order; a pair may come twice) and, with ``anchor`` (a list's path),
    the earliest date among that list's items that made it true (None: unknown, or
    none). With ``alternatives`` every true alternative of an ``any`` is followed and
    gives its evidence, else only the first.

    Earliest, not latest: when two changes are both unacted on, the action fell due
    from the first, and a later change must never put an overdue action back. A
    matched item whose date is unknown makes the answer unknown (None), as it may
    be the earliest. The items come from the rule's own conditions over the list;
    only a rule with none of its own takes them from the named conditions it uses
    (which mostly say who the person is, not what has just happened). Nothing under
    a ``not`` counts.

    ``table`` holds the parts compiled so far for the policy period: a part that
    several rules share (the same list test, the same named condition) is compiled
    once, and so walked once per case."""
    run = compile_walk(node, alternatives, anchor, False, table)

    def rule(ref: Any) -> tuple[Truth, Pairs, date | None]:
        out: list[Any] = []
        truth = run(ref, None, "", out)
        if anchor is None:
            return truth, out, None
        pairs = [e for e in out if type(e) is tuple]
        marks = [e for e in out if type(e) is _Matched]
        for named in (False, True):
            seen = [m for m in marks if m.named is named]
            if seen:
                days = [d for m in seen for d in m.days]
                undated = any(m.undated for m in seen)
                return truth, pairs, None if undated or not days else min(days)
        return truth, pairs, None

    return rule


def compile_walk(
    node: Node,
    alternatives: bool,
    anchor: str | None = None,
    named: bool = False,
    table: Table | None = None,
) -> Walk:
    """``node`` compiled to a function giving its truth for the case (or an item) and
    adding its evidence to a list when true (see :func:`compile_rule`); ``named``:
    whether the node is below a named condition; ``table``: the parts compiled so far,
    by node and walk (a part met again is the function made for it before)."""
    if table is None:
        table = {}
    key = (node, alternatives, anchor, named)
    found = table.get(key)
    if found is None:
        found = table[key] = _compile_walk(node, alternatives, anchor, named, table)
    return found


def _compile_walk(
    node: Node, alternatives: bool, anchor: str | None, named: bool, table: Table
) -> Walk:
    if isinstance(node, Cmp):
        return _comparison(node)
    if isinstance(node, All | AnyOf):
        return _group(node, alternatives, anchor, named, table)
    if isinstance(node, Named):
        inner = compile_walk(node.item, alternatives, anchor, True, table)
        if node.name.endswith(HAS_VALUE):  # the guard of a test: the test says it

            def guard(ref: Any, item: Any, prefix: str, out: list[Any]) -> Truth:
                mark = len(out)
                truth = inner(ref, item, prefix, out)
                del out[mark:]
                return truth

            return guard
        return _once(inner, every_item=False)
    if isinstance(node, Not):
        test, negated = compile_truth(node.item), compile_negated(node.item, alternatives)

        def against(ref: Any, item: Any, prefix: str, out: list[Any]) -> Truth:
            truth = test(ref, item)
            if truth is False:
                negated(ref, item, prefix, out)
                return True
            return None if truth is None else False

        return against
    assert isinstance(node, Quant)
    # a list test reads the case's list, whatever item it is met in: walked once a case
    return _once(_quantifier(node, alternatives, node.path == anchor, named, table), True)


def _comparison(node: Cmp) -> Walk:
    test, read = compile_truth(node), reader(node)
    own, field = node.path, node.field
    if node.scope == "item":

        def item_value(ref: Any, item: Any, prefix: str, out: list[Any]) -> Truth:
            truth = test(ref, item)
            if truth is True:
                out.append((prefix + own, as_given(field, read(ref, item))))
            return truth

        return item_value

    def case_value(ref: Any, item: Any, prefix: str, out: list[Any]) -> Truth:
        truth = test(ref, item)
        if truth is True:
            out.append((own, as_given(field, read(ref, item))))
        return truth

    return case_value


def _group(
    node: All | AnyOf, alternatives: bool, anchor: str | None, named: bool, table: Table
) -> Walk:
    """Kleene's ``and`` or ``or``, parts in order: a false part decides an ``all`` and
    a true one an ``any`` (with ``alternatives``, the rest of an ``any`` is still walked
    for the evidence of every true alternative)."""
    parts = tuple(compile_walk(n, alternatives, anchor, named, table) for n in node.items)
    if isinstance(node, All):

        def every(ref: Any, item: Any, prefix: str, out: list[Any]) -> Truth:
            mark = len(out)
            truth: Truth = True
            for part in parts:
                t = part(ref, item, prefix, out)
                if t is False:
                    truth = False
                    break
                if t is None:
                    truth = None
            if truth is not True:
                del out[mark:]
            return truth

        return every

    def first(ref: Any, item: Any, prefix: str, out: list[Any]) -> Truth:
        truth: Truth = False
        for part in parts:  # a part not true leaves nothing behind
            t = part(ref, item, prefix, out)
            if t is True:
                truth = True
                if not alternatives:
                    break
            elif t is None and truth is False:
                truth = None
        return truth

    return first


def _once(inner: Walk, every_item: bool, key: str = "evidence") -> Walk:
    """``inner`` walked once per case (and walk): its truth and evidence kept for the
    case and given again. Several rules read the same named condition (who the person
    is) and the same list tests. A named condition of an item is walked every time;
    with ``every_item``, the node reads the case alone, so it is kept in an item too."""
    memo = (key, id(inner))

    def once(ref: Any, item: Any, prefix: str, out: list[Any]) -> Truth:
        if item is not None and not every_item:
            return inner(ref, item, prefix, out)
        found = ref.memo.get(memo)
        if found is None:
            mark = len(out)
            found = ref.memo[memo] = (inner(ref, item, prefix, out), out[mark:], inner)
        else:
            out.extend(found[1])
        truth: Truth = found[0]
        return truth

    return once


def _quantifier(
    node: Quant, alternatives: bool, anchored: bool, named: bool, table: Table
) -> Walk:
    """A list of the case put to an item condition. An ``any`` looks only at the items
    its key allows and its quick test does not rule out (as the reference walk does)
    and gives the evidence of each it holds for; an ``all`` stops at a false item and
    a ``none`` at a true one; an ``all`` or ``none`` whose items gave no evidence says
    how many items the list has."""
    field, path, mode = node.field, node.path, node.mode
    cond = compile_walk(node.cond, alternatives, None, False, table)
    test = compile_truth(node.cond)
    key = cond_key(node.cond) if mode == "any" else None

    def items_of(ref: Any, item: Any, prefix: str, out: list[Any]) -> Truth:
        items = ref.lookup(ref.case, field)
        if items is None:
            return None
        mark = len(out)
        matched: list[Any] = []
        if mode == "any":
            truth: Truth = False
            for i in _looked_at(ref, path, items, key, test):
                one = items[i]
                t = cond(ref, one, f"{path}[{i}].", out)
                if t is True:
                    truth = True
                    matched.append(one)
                elif t is None and truth is False:
                    truth = None
        elif mode == "all":
            truth = True
            for i, one in enumerate(items):
                t = cond(ref, one, f"{path}[{i}].", out)
                if t is False:  # a false item decides an "all"
                    truth = False
                    break
                if t is None:
                    truth = None
                else:
                    matched.append(one)
        else:  # "none": a true item decides it
            truth = True
            for i, one in enumerate(items):
                t = cond(ref, one, f"{path}[{i}].", out)
                if t is True:
                    truth = False
                    break
                if t is None:
                    truth = None
        if mode != "any" and truth is True and len(out) == mark:
            out.append((path, plural(len(items), "item")))
        if truth is not True:
            del out[mark:]
            return truth
        if anchored:
            days = [getattr(one, "date", None) for one in matched]
            dated = tuple(d for d in days if isinstance(d, date))
            out.append(_Matched(named, dated, len(dated) < len(days)))
        return truth

    return items_of


def _looked_at(ref: Any, path: str, items: Any, key: Any, test: Callable[..., Truth]) -> list[int]:
    """The indexes of the items an ``any`` over the list at ``path`` looks at, in order:
    those its key allows (see :func:`riskreview._quick.cond_key`) and its quick truth
    test does not rule out, as the reference walk looks at them."""
    if key is None or not ref.index_lists:
        return [i for i in range(len(items)) if test(ref, items[i]) is not False]
    return [i for i in ref.keyed(path, items, key) if test(ref, items[i]) is not False]


def compile_negated(node: Node, alternatives: bool) -> Negated:
    """A function adding to a list the facts that make ``node`` false, for a case (or an
    item) for which it is false (``alternatives``: for a ``not`` inside it, as in
    :func:`compile_walk`)."""
    if isinstance(node, Cmp):
        read = reader(node)
        own, field, in_item = node.path, node.field, node.scope == "item"

        def value(ref: Any, item: Any, prefix: str, out: Pairs) -> None:
            out.append((prefix + own if in_item else own, as_given(field, read(ref, item))))

        return value
    if isinstance(node, Quant):
        field, path = node.field, node.path

        def none_matching(ref: Any, item: Any, prefix: str, out: Pairs) -> None:
            items = ref.lookup(ref.case, field)
            out.append((path, f"{plural(len(items), 'item')}, none matching"))

        return none_matching
    if isinstance(node, Named):
        return _false_parts((node.item,), alternatives, stop_at_first=False)
    if isinstance(node, Not):  # false: its condition holds, and no part of it is false
        return lambda ref, item, prefix, out: None
    assert isinstance(node, All | AnyOf)
    # a false "all" is decided by its first false part, the rest not looked at; every
    # part of a false "any" is false
    return _false_parts(node.items, alternatives, stop_at_first=isinstance(node, All))


def _false_parts(parts: tuple[Node, ...], alternatives: bool, stop_at_first: bool) -> Negated:
    """The facts that made each false part false (a false ``not`` part: the evidence
    of what it negates, which holds), up to the first with ``stop_at_first``."""
    steps: list[tuple[Callable[[Any, Any], Any], Callable[[Any, Any, str, Pairs], Any]]] = []
    for part in parts:
        if isinstance(part, Not):
            steps.append((compile_truth(part), _held(part.item, alternatives)))
        else:
            steps.append((compile_truth(part), compile_negated(part, alternatives)))

    def false_parts(ref: Any, item: Any, prefix: str, out: Pairs) -> None:
        for truth, gather in steps:
            if truth(ref, item) is False:
                gather(ref, item, prefix, out)
                if stop_at_first:
                    return

    return false_parts


def _held(node: Node, alternatives: bool) -> Negated:
    """The evidence of ``node`` (true), each pair once, as a false ``not`` part gives it."""
    run = compile_walk(node, alternatives)

    def held(ref: Any, item: Any, prefix: str, out: Pairs) -> None:
        pairs: list[Any] = []
        run(ref, item, prefix, pairs)
        out.extend(dict.fromkeys(pairs))

    return held


#: ``(reference, item or None, path prefix, out) → truth`` of a node, the facts to ask
#: for added to ``out`` when it is undetermined (and nothing left there otherwise)
Ask = Callable[[Any, Any, str, list[str]], Truth]


def compile_asked(node: Node, table: dict[Node, Ask] | None = None) -> Ask:
    """``node`` compiled to a function giving its truth for the case (or an item) and,
    when it cannot be decided, adding the unknown facts to ask for first: of an
    ``all``, those of its first undecided part only (the parts after it matter only
    once it holds); of anything else, those of every undecided part; of a comparison,
    its own field (an item's as ``list[].field``), or the field or table key its
    value is read from when that is what is unknown; of a list that is itself
    unknown, the list. A path may come twice. ``table``: the parts compiled so far
    (a part several rules share is compiled once, and walked once per case)."""
    if table is None:
        table = {}
    found = table.get(node)
    if found is None:
        found = table[node] = _compile_asked(node, table)
    return found


def _compile_asked(node: Node, table: dict[Node, Ask]) -> Ask:
    if isinstance(node, Cmp):
        return _asked_comparison(node)
    if isinstance(node, Named):
        inner = compile_asked(node.item, table)
        return _once(inner, every_item=False, key="asked")
    if isinstance(node, Not):
        inner = compile_asked(node.item, table)

        def negated(ref: Any, item: Any, prefix: str, out: list[str]) -> Truth:
            truth = inner(ref, item, prefix, out)
            return None if truth is None else not truth

        return negated
    if isinstance(node, Quant):
        return _once(_asked_quantifier(node, table), True, key="asked")
    assert isinstance(node, All | AnyOf)
    parts = tuple(compile_asked(n, table) for n in node.items)
    if isinstance(node, AnyOf):

        def some(ref: Any, item: Any, prefix: str, out: list[str]) -> Truth:
            mark = len(out)
            truth: Truth = False
            for part in parts:
                t = part(ref, item, prefix, out)
                if t is True:
                    del out[mark:]
                    return True
                if t is None:
                    truth = None
            return truth

        return some

    def every(ref: Any, item: Any, prefix: str, out: list[str]) -> Truth:
        mark = len(out)
        truth: Truth = True
        for part in parts:
            # after the first undecided part, the rest are read for their truth alone
            t = part(ref, item, prefix, out if truth is True else [])
            if t is False:
                del out[mark:]
                return False
            if t is None:
                truth = None
        return truth

    return every


def _asked_comparison(node: Cmp) -> Ask:
    test, read = compile_truth(node), reader(node)
    own, in_item = node.path, node.scope == "item"
    value = node.value.amount if isinstance(node.value, Window) else node.value
    # with the field known, what is unknown is the value it is compared with
    other = (
        value.path
        if isinstance(value, FieldRef)
        else value.by
        if isinstance(value, ParamRef) and value.by
        else None
    )

    def ask(ref: Any, item: Any, prefix: str, out: list[str]) -> Truth:
        truth = test(ref, item)
        if truth is None:
            path = list_path(prefix + own) if in_item else own
            out.append(path if other is None or read(ref, item) is None else other)
        return truth

    return ask


def _asked_quantifier(node: Quant, table: dict[Node, Ask]) -> Ask:
    """A list test, undecided: the facts each undecided item it looked at waits on (an
    ``any`` looks only at the items its key allows and its quick test does not rule
    out, as the reference walk does), or the list itself when it is unknown."""
    field, path, mode = node.field, node.path, node.mode
    cond, test = compile_asked(node.cond, table), compile_truth(node.cond)
    key = cond_key(node.cond) if mode == "any" else None

    def items_of(ref: Any, item: Any, prefix: str, out: list[str]) -> Truth:
        items = ref.lookup(ref.case, field)
        if items is None:
            out.append(path)
            return None
        mark = len(out)
        seen_unknown = False
        if mode == "any":
            for i in _looked_at(ref, path, items, key, test):
                t = cond(ref, items[i], f"{path}[{i}].", out)
                if t is True:
                    del out[mark:]
                    return True
                seen_unknown = seen_unknown or t is None
            return None if seen_unknown else False
        stop = mode == "none"  # a true item decides a "none", a false one an "all"
        for i, one in enumerate(items):
            t = cond(ref, one, f"{path}[{i}].", out)
            if t is not None and t is stop:
                del out[mark:]
                return False
            seen_unknown = seen_unknown or t is None
        return None if seen_unknown else True

    return items_of
