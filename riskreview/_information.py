"""Information items: the unknown facts to establish, ranked by what waits on them.

Part of the assembly stage (:mod:`riskreview._assemble`). An undetermined rule asks
for the facts that could decide it, in the order its conditions are written: of
an ``all``, only the first part that cannot be decided is asked about, since the
parts after it matter only once it holds. So a rule that needs the DASH score
only where there is domestic abuse asks whether there is domestic abuse first.

Each item names the rules waiting on it and the actions they would settle, and
items are ranked by the most pressing priority among those rules, then by how many
rules wait. An item whose code is also a required action is not asked twice: the
action carries the rules that wait on it (``RequiredAction.unblocks``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

import attrs

from riskreview._derive import DerivedResult
from riskreview._fields import CASE_FIELDS
from riskreview._match import Outcome
from riskreview.decision import InformationAction, RequiredAction
from riskreview.pack import PRIORITIES, Pack


def _underlying(paths: list[str], derived: Mapping[str, DerivedResult]) -> list[str]:
    """Unknown derived values replaced by the unknown facts they wait on."""
    out: list[str] = []
    for path in paths:
        inner = derived.get(path.removeprefix("derived.")) if path.startswith("derived.") else None
        if inner is not None and (inner.absent or (inner.value is None and not inner.unknown)):
            continue  # known to have no value, or undecidable by the policy: nothing to ask
        out.extend(inner.unknown if inner and inner.unknown else (path,))
    return list(dict.fromkeys(out))


def _info_code(path: str) -> str:
    return "ESTABLISH_" + re.sub(r"[^A-Z0-9]+", "_", path.upper()).strip("_")


def _field_description(pack: Pack, path: str) -> str:
    fields = pack.fields or CASE_FIELDS
    if "[]." in path:
        head, tail = path.split("[].", 1)
        items = fields[head].items if head in fields else None
        return items[tail].description if items and tail in items else path
    field = fields.get(path)
    return field.description if field else path


#: what waits on a fact: (rule id, action code, priority)
Waiter = tuple[str, str, str]


def information(
    pack: Pack,
    as_of: date,
    found: Mapping[int, Outcome],
    asked: Mapping[int, list[str]],
    derived: Mapping[str, DerivedResult],
    actions: tuple[RequiredAction, ...],
    unheld: frozenset[str] = frozenset(),
    more: tuple[tuple[str, Waiter], ...] = (),
) -> tuple[tuple[InformationAction, ...], tuple[RequiredAction, ...]]:
    """The information items, ranked, and the actions with the rules each unblocks.

    ``unheld`` are the fields whose absence is unknown (marked ``not_held``);
    ``more`` are further (field, waiter) pairs, such as the review schedule's.
    """
    groups: dict[str, tuple[str, str, dict[str, Waiter]]] = {}

    def wait(path: str, waiter: Waiter) -> None:
        info = pack.information.get(path)
        code = info.code if info else _info_code(path)
        title = info.title if info else f"Establish: {_field_description(pack, path)}"
        groups.setdefault(code, (title, path, {}))[2].setdefault(waiter[0], waiter)

    for index, outcome in found.items():
        if outcome is not Outcome.UNDETERMINED:
            continue
        rule = pack.rules[index]
        priority = rule.priority_on(as_of) or pack.actions[rule.action].priority
        waiter = (rule.id, rule.action, priority)
        for path in _underlying(asked[index], derived):
            wait(path, waiter)
    for path, waiter in more:
        wait(path, waiter)
    if not groups:
        return (), actions
    required = {a.code: a for a in actions}
    unblocks: dict[str, list[str]] = {}
    items = []
    for code, (title, path, waiting) in groups.items():
        ids = tuple(waiting)
        if code in required:  # the action establishes it: not asked for twice
            unblocks.setdefault(code, []).extend(ids)
            continue
        priority = min((p for _, _, p in waiting.values()), key=PRIORITIES.index)
        settles = tuple(dict.fromkeys(a for _, a, _ in waiting.values()))
        items.append(
            InformationAction(
                code,
                title,
                path,
                ids,
                actions=settles,
                priority=priority,
                not_held=path in unheld,
            )
        )
    items.sort(key=lambda i: (PRIORITIES.index(i.priority), -len(i.rule_ids), i.code))
    if unblocks:
        actions = tuple(
            attrs.evolve(a, unblocks=tuple(dict.fromkeys((*a.unblocks, *unblocks[a.code]))))
            if a.code in unblocks
            else a
            for a in actions
        )
    return tuple(items), actions
