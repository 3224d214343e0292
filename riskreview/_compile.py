"""Compiling a pack's rules into a durable-rules ruleset for one policy period.

Three-valued logic on a two-valued engine
-----------------------------------------
Every condition is lowered to integer tests ``prop >= c`` or ``prop <= c`` and put
in negation normal form, where it is monotone in its tests. Each case becomes two
facts per lane: a *definite* fact, in which unknown values are absent (so every
test on them fails), and a *possible* fact, in which an unknown value is ``+BIG``
on its ``>=`` side and ``-BIG`` on its ``<=`` side (so every test on it passes; an
unknown list is one item with every property unknown). A rule that matches the
definite fact is true; one that matches only the possible fact is undetermined;
one that matches neither is false. That is exactly Kleene's three-valued logic.

Engine envelope (ENGINE-NOTES.md and measurements)
--------------------------------------------------
durable-rules expands ``$or`` into one alpha path per disjunct, rejects a whole fact
when more than 64 paths match it (error 303), crashes on objects with more than
~254 properties, and evaluates an ``$or`` *inside* ``$iany`` as if it were ``$and``.
So alternatives over one object's own values (the case's, or one list item's) are
folded into one property the fact builder computes (:func:`fold`); the rest are
lifted to the top of each rule (``any`` over alternatives that each name a part of
a list becomes alternatives of ``any``), scalar tests are plain tests of the
fact's own properties (shared alpha nodes), rules are put in *lanes* whose path
counts add up to at most :data:`LANE_PATHS`, and a lane's fact carries only the
properties, and the sides of them, its rules read. Every rule also tests ``t`` and
``l``, which the engine's own session-state object never has (a rule the state
object can match re-fires forever).

The lowered formulas live in :mod:`riskreview._lower` and the engine's limits in
:mod:`riskreview._envelope`; the names other modules import from here are
re-exported.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable
from datetime import date
from typing import Any

import attrs

from riskreview._envelope import (
    BIG,
    LANE_PATHS,
    MAX_BOUND,
    MAX_LANES,
    MAX_OBJECT_PROPS,
    MAX_SIBLINGS,
)
from riskreview._fields import Field
from riskreview._lower import (
    FALSE,
    TRUE,
    And,
    Each,
    Formula,
    Lowering,
    Or,
    ParamValue,
    Prop,
    Test,
    Unsupported,
    dnf,
    fold,
    negate,
    normalise,
    props_of,
    simplify,
    tests_of,
)
from riskreview.errors import Problem

__all__ = [
    "BIG",
    "FALSE",
    "LANE_PATHS",
    "MAX_BOUND",
    "MAX_LANES",
    "MAX_OBJECT_PROPS",
    "MAX_SIBLINGS",
    "TRUE",
    "And",
    "Compiled",
    "CompiledRule",
    "Each",
    "Formula",
    "Lane",
    "ListPart",
    "Lowering",
    "Names",
    "Or",
    "ParamValue",
    "Prop",
    "Test",
    "Unsupported",
    "check_envelope",
    "compile_epoch",
    "dnf",
    "fold",
    "max_siblings",
    "names_read",
    "negate",
    "normalise",
    "object_sizes",
    "props_of",
    "simplify",
    "split",
    "tests_of",
]


# ------------------------------------------------------------------ naming


@attrs.define
class Names:
    """Short engine property names for each property and side."""

    names: dict[tuple[Any, ...], str] = attrs.field(factory=dict)
    lists: dict[str, str] = attrs.field(factory=dict)

    def prop(self, prop: Prop) -> str:
        key = prop.key
        if key not in self.names:
            prefix = "q" if prop.scope == "item" else "p"
            self.names[key] = f"{prefix}{len(self.names)}"
        return self.names[key]

    def side(self, prop: Prop, side: str) -> str:
        base = self.prop(prop)
        return base if side == "ge" else base + "l"

    def list(self, part: ListPart) -> str:
        key = part.name_key
        if key not in self.lists:
            self.lists[key] = f"L{len(self.lists)}"
        return self.lists[key]


@attrs.frozen
class ListPart:
    """A list field, or the part of it whose items hold one value of an enum field.

    ``any(events, type is arrest and P)`` is ``any(arrests, P)``: the fact builder
    puts each item in the part its key value names, so the engine scans two
    arrests instead of every event, once per rule (its cost is per rule per item).
    """

    field: Field
    key: Prop | None = None  # an item "oneof" property with a single member

    @property
    def name_key(self) -> str:
        if self.key is None:
            return self.field.path
        (member,) = self.key.arg
        return f"{self.field.path}[{self.key.field.path}={member}]"


def split(each: Each) -> tuple[ListPart, Formula]:
    """The part of the list an ``any`` needs to scan, and what is left to test there."""
    if each.mode == "any" and isinstance(each.cond, And | Test):
        tests = each.cond.items if isinstance(each.cond, And) else (each.cond,)
        for t in tests:
            if (
                isinstance(t, Test)
                and t.prop.kind == "oneof"
                and t.side == "ge"
                and t.bound == 1
                and len(t.prop.arg) == 1
            ):
                rest = tuple(x for x in tests if x is not t)
                return ListPart(each.field, t.prop), And(rest)
    return ListPart(each.field), each.cond


# ------------------------------------------------------------------ durable JSON


def _test_json(t: Test, names: Names, prefix: str) -> dict[str, Any]:
    op = "$gte" if t.side == "ge" else "$lte"
    return {op: {prefix + names.side(t.prop, t.side): t.bound}}


def _item_json(f: Formula, names: Names, prefix: str = "$i.") -> dict[str, Any]:
    """A conjunction of tests on one object's properties: the fact's own (``prefix=""``)
    or a list item's (``$i.``).

    Never an ``$or``: inside ``$iany``/``$iall`` durable-rules evaluates ``$or`` as if
    it were ``$and`` (measured), so alternatives are kept outside, where it expands them.
    """
    if isinstance(f, Test):
        return _test_json(f, names, prefix)
    if isinstance(f, And):
        if not f.items:
            return {"$gte": {prefix + "one": 1}}
        if len(f.items) == 1:
            return _item_json(f.items[0], names, prefix)
        return {"$and": [_item_json(i, names, prefix) for i in f.items]}
    if isinstance(f, Or) and not f.items:
        return {"$lte": {prefix + "one": 0}}
    raise AssertionError("alternatives inside one object are lifted out by normalise()")


def _scalar_block(f: Formula, names: Names) -> dict[str, Any]:
    """Tests on the fact's own properties: plain alpha nodes, shared between rules."""
    return _item_json(f, names, prefix="")


def _block(f: Formula, names: Names) -> tuple[dict[str, Any], int]:
    """A top-level expression and its count of engine paths (disjuncts after expansion)."""
    if isinstance(f, Test):
        return _scalar_block(f, names), 1
    if isinstance(f, Each):
        if f.mode == "any":
            part, cond = split(f)
            return {"$iany": {names.list(part): _item_json(cond, names)}}, 1
        name = names.list(ListPart(f.field))
        empty = _scalar_block(Test(Prop("count", f.field, "root"), "le", 0), names)
        return {"$or": [empty, {"$iall": {name: _item_json(f.cond, names)}}]}, 2
    if isinstance(f, And):
        tests = tuple(i for i in f.items if isinstance(i, Test))
        others = [i for i in f.items if not isinstance(i, Test)]
        parts: list[tuple[dict[str, Any], int]] = []
        if tests or not others:
            parts.append((_scalar_block(And(tests), names), 1))
        parts.extend(_block(i, names) for i in others)
        if len(parts) == 1:
            return parts[0]
        paths = 1
        for _, n in parts:
            paths *= n
        return {"$and": [p for p, _ in parts]}, paths
    if not f.items:
        return _scalar_block(f, names), 1
    parts = [_block(i, names) for i in f.items]
    if len(parts) == 1:
        return parts[0]
    return {"$or": [p for p, _ in parts]}, sum(n for _, n in parts)


def max_siblings(obj: Any) -> int:
    """The most children any one node of a JSON expression has."""
    if isinstance(obj, dict):
        return max([len(obj)] + [max_siblings(v) for v in obj.values()])
    if isinstance(obj, list):
        return max([len(obj)] + [max_siblings(v) for v in obj])
    return 0


# ------------------------------------------------------------------ compiled epoch


@attrs.frozen
class CompiledRule:
    """One rule in one policy period: its lowered formula and engine expression."""

    index: int
    rule: Any  # pack.Rule
    formula: Formula  # what the engine evaluates: alternatives folded (see fold)
    expression: dict[str, Any]
    paths: int
    props: tuple[Prop, ...]
    #: the formula with every alternative kept apart: what ``riskreview check``
    #: reasons about (satisfiability, overlaps)
    plain: Formula


@attrs.frozen
class Lane:
    """A group of rules that share one pair of facts."""

    number: int
    rules: tuple[int, ...]
    scalar_props: tuple[Prop, ...]
    lists: tuple[tuple[ListPart, tuple[Prop, ...]], ...]


@attrs.frozen(eq=False)
class Compiled:
    """A pack compiled for one policy period."""

    epoch: date
    rules: tuple[CompiledRule, ...]
    lanes: tuple[Lane, ...]
    names: Names
    ruleset: dict[str, Any]
    problems: tuple[Problem, ...]

    @functools.cached_property
    def digest(self) -> str:
        text = json.dumps(self.ruleset, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @functools.cached_property
    def read(self) -> frozenset[str]:
        """The property names some rule of the ruleset tests (see :func:`names_read`)."""
        return names_read(self.ruleset)


def names_read(ruleset: Any) -> frozenset[str]:
    """Every property name a ``$gte``/``$lte`` test of ``ruleset`` reads: a property of
    the fact by its name, a property of a list's items as ``<list name>:<name>``.

    A property's ``>=`` and ``<=`` sides have names of their own, and most properties
    are tested on one side only; a list's items need ``one`` only where a rule tests
    it. A fact needs only the names read here, and the engine parses and hashes every
    name a fact carries (and copies the whole fact into each match it reports).
    """
    found: set[str] = set()
    stack: list[tuple[Any, str]] = [(ruleset, "")]
    while stack:
        node, owner = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("$gte", "$lte") and isinstance(value, dict):
                    for name in value:
                        item = name.removeprefix("$i.")
                        found.add(f"{owner}:{item}" if item != name else name)
                elif key in ("$iany", "$iall") and isinstance(value, dict):
                    stack.extend((cond, name) for name, cond in value.items())
                else:
                    stack.append((value, owner))
        elif isinstance(node, list):
            stack.extend((value, owner) for value in node)
    return frozenset(found)


def compile_epoch(pack: Any, epoch: date) -> Compiled:
    """Compile the rules of ``pack`` in force on ``epoch`` (a change date of the pack)."""
    lowering = Lowering(lambda name: pack.parameter(name, epoch))
    names = Names()
    problems: list[Problem] = []
    compiled: list[CompiledRule] = []
    for index, rule in enumerate(pack.rules):
        if not rule.in_force(epoch):
            continue
        where = f"{rule.file}:{rule.line} {rule.id}"
        try:
            plain = simplify(lowering.lower(rule.when))
            formula = normalise(fold(plain))
            plain = normalise(plain)
        except Unsupported as error:
            problems.append(Problem(where, f"the engine cannot evaluate this condition: {error}"))
            continue
        expression, paths = _block(formula, names)
        if paths > LANE_PATHS:
            problems.append(
                Problem(
                    where,
                    f"too many alternatives for the engine in the policy "
                    f"period from {epoch}: {paths} paths (limit {LANE_PATHS}); "
                    "split the rule or group its 'any' parts",
                )
            )
        huge = [t.bound for t in tests_of(plain) if abs(t.bound) >= MAX_BOUND]
        if huge:
            problems.append(
                Problem(
                    where,
                    f"a number too large for the engine ({huge[0]}; "
                    f"limit {MAX_BOUND - 1:,} in size): unknown values are "
                    "encoded beyond it",
                )
            )
        siblings = max_siblings(expression)
        if siblings > MAX_SIBLINGS:
            problems.append(Problem(where, f"a node with {siblings} parts (limit {MAX_SIBLINGS})"))
        props = tuple(dict.fromkeys(props_of(formula)))
        compiled.append(CompiledRule(index, rule, formula, expression, paths, props, plain))
    lanes = _lanes(compiled, names, problems)
    ruleset = _ruleset(compiled, lanes)
    return Compiled(epoch, tuple(compiled), tuple(lanes), names, ruleset, tuple(problems))


def object_sizes(rules: list[CompiledRule], names: Names) -> tuple[int, int, int]:
    """(scalar properties, largest list item's properties, the fact's own properties)."""
    group = _Sides()
    for cr in rules:
        group.add(_Sides.of(cr, names))
    return group.sizes()


class _Sides:
    """The properties a group of rules writes into one fact: the case's own (scalar)
    and each list's items', by list. Each rule's are read once; a lane's grow as
    rules join it."""

    __slots__ = ("items", "scalar")

    def __init__(self) -> None:
        self.scalar: set[str] = set()
        self.items: dict[str, set[str]] = {}

    @classmethod
    def of(cls, cr: CompiledRule, names: Names) -> _Sides:
        sides = cls()
        for p in cr.props:
            pair = (names.side(p, "ge"), names.side(p, "le"))
            if p.scope == "root":
                sides.scalar.update(pair)
            else:
                sides.items.setdefault(_owner(cr.formula, p), set()).update(pair)
        return sides

    def add(self, other: _Sides) -> None:
        self.scalar |= other.scalar
        for owner, found in other.items.items():
            self.items.setdefault(owner, set()).update(found)

    def sizes(self, other: _Sides | None = None) -> tuple[int, int, int]:
        """:func:`object_sizes` of this group, with ``other``'s rule joined to it."""
        scalar, items = len(self.scalar), {k: len(v) for k, v in self.items.items()}
        if other is not None:
            scalar = len(self.scalar | other.scalar)
            for owner, found in other.items.items():
                items[owner] = len(self.items.get(owner, set()) | found)
        top = 6 + len(items) + scalar + 1  # id sid t l v one, lists, scalar properties
        return scalar + 1, max((n + 1 for n in items.values()), default=0), top


def _owner(f: Formula, prop: Prop) -> str:
    """The list whose items carry item property ``prop``."""
    if isinstance(f, Each):
        if prop in props_of(f.cond):
            return f.field.path
        return ""
    if isinstance(f, Test):
        return ""
    for i in f.items:
        found = _owner(i, prop)
        if found:
            return found
    return ""


def _lanes(rules: list[CompiledRule], names: Names, problems: list[Problem]) -> list[Lane]:
    groups: list[list[CompiledRule]] = []
    held: list[_Sides] = []  # each group's properties, as the rules joined it
    for cr in rules:
        own = _Sides.of(cr, names)
        sizes = own.sizes()
        if max(sizes) > MAX_OBJECT_PROPS:
            problems.append(
                Problem(
                    f"{cr.rule.file}:{cr.rule.line} {cr.rule.id}",
                    f"reads {max(sizes)} properties of one object "
                    f"(engine limit {MAX_OBJECT_PROPS})",
                )
            )
            continue
        for group, sides in zip(groups, held, strict=True):
            paths = sum(r.paths for r in group) + cr.paths
            if paths <= LANE_PATHS and max(sides.sizes(own)) <= MAX_OBJECT_PROPS:
                group.append(cr)
                sides.add(own)
                break
        else:
            groups.append([cr])
            held.append(own)
    if len(groups) > MAX_LANES:
        problems.append(
            Problem(
                "pack",
                f"the rules need {len(groups)} engine lanes (limit "
                f"{MAX_LANES}): merge rules or simplify their alternatives",
            )
        )
        groups = groups[:MAX_LANES]
    lanes = []
    for number, group in enumerate(groups):
        scalar = tuple(dict.fromkeys(p for cr in group for p in cr.props if p.scope == "root"))
        lists: dict[str, tuple[ListPart, list[Prop]]] = {}
        for cr in group:
            _collect_lists(cr.formula, lists)
        lanes.append(
            Lane(
                number,
                tuple(cr.index for cr in group),
                scalar,
                tuple((f, tuple(dict.fromkeys(ps))) for f, ps in lists.values()),
            )
        )
    return lanes


def _collect_lists(f: Formula, out: dict[str, tuple[ListPart, list[Prop]]]) -> None:
    if isinstance(f, Each):
        part, cond = split(f) if f.mode == "any" else (ListPart(f.field), f.cond)
        _, props = out.setdefault(part.name_key, (part, []))
        props.extend(props_of(cond))
    elif isinstance(f, And | Or):
        for i in f.items:
            _collect_lists(i, out)


def _ruleset(rules: list[CompiledRule], lanes: list[Lane]) -> dict[str, Any]:
    by_index = {cr.index: cr for cr in rules}
    ruleset: dict[str, Any] = {}
    for lane in lanes:
        head = [{"t": "c"}, {"l": lane.number}]
        ruleset[f"k{lane.number}"] = {"all": [{"m": {"$and": head}}], "run": f"k{lane.number}"}
        for index in lane.rules:
            cr = by_index[index]
            ruleset[f"r{index}"] = {
                "all": [{"m": {"$and": [*head, cr.expression]}}],
                "run": f"r{index}",
            }
    return ruleset


def check_envelope(compiled: Iterable[Compiled]) -> list[Problem]:
    """The problems that cross engine limits in the policy periods ``compiled``."""
    problems: list[Problem] = []
    for period in compiled:
        for problem in period.problems:
            if problem not in problems:
                problems.append(problem)
    return problems
