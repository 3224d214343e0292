"""The matching stage: a case's facts through the engine, one outcome per rule.

The engine is asked once per evaluation. A rule that matched the definite fact
fired; one that matched only the possible fact is undetermined (it waits on an
unknown fact); one that matched neither did not fire. The engine layer has
already checked that every fact was matched by its lane's catch-all rule.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any

from riskreview._runtime import Runtime
from riskreview.errors import EngineError


class Outcome(StrEnum):
    """What became of one rule for one case on one date."""

    FIRED = "fired"
    NOT_FIRED = "not_fired"
    UNDETERMINED = "undetermined"
    NOT_IN_FORCE = "not_in_force"

    @property
    def truth(self) -> bool | None:
        """The rule's condition as three-valued truth (None: undetermined)."""
        return {"fired": True, "not_fired": False}.get(self.value)

    @classmethod
    def of(cls, truth: bool | None) -> Outcome:
        """The outcome of a condition with this three-valued truth."""
        return cls.FIRED if truth is True else cls.NOT_FIRED if truth is False else cls.UNDETERMINED


_tags = threading.local()


def tag() -> str:
    """A fact-id prefix unique to this evaluation in this process."""
    n = getattr(_tags, "n", 0) + 1
    _tags.n = n
    return f"{threading.get_ident()}.{n}"


def match(
    rt: Runtime,
    case: Any,
    as_of: date,
    extras: Mapping[str, Any] | None = None,
    unheld: frozenset[str] = frozenset(),
) -> dict[int, Outcome]:
    """The engine's outcome for every rule in force, by rule index (``unheld``: the
    fields whose absence is unknown, see :class:`riskreview._values.Values`)."""
    facts = rt.builder.build(case, as_of, "", tag(), extras, unheld)
    matches = rt.engine.run(facts, case.case_id)
    definite: set[int] = set()
    possible: set[int] = set()
    for name, variant in matches:
        if name[0] == "r":
            (possible if variant else definite).add(int(name[1:]))
    if definite - possible:
        rule = rt.engine.rule_id(f"r{min(definite - possible)}")
        raise EngineError(
            "a rule matched the definite fact but not the possible one",
            rule_id=rule,
            case_id=case.case_id,
        )
    fired, undetermined, not_fired = Outcome.FIRED, Outcome.UNDETERMINED, Outcome.NOT_FIRED
    return {
        cr.index: fired
        if cr.index in definite
        else undetermined
        if cr.index in possible
        else not_fired
        for cr in rt.compiled.rules
    }
