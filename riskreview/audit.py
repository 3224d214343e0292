"""Decision records an auditor can check months later.

A :class:`DecisionRecord` stores what was decided and everything needed to
recompute it: the digest of the case as given, the pack's name, version and
content digest, the library and engine versions, and ``as_of``. :func:`verify`
recomputes the decision from the case and pack and raises
:class:`~riskreview.errors.VerificationError` naming every difference.

>>> from datetime import date
>>> import riskreview
>>> from riskreview.audit import record, verify
>>> case = {"case_id": "A-1", "household": {"children_in_contact": False}}
>>> rec = record(riskreview.evaluate(case, as_of=date(2026, 11, 23)))
>>> verify(rec, case).case_id
'A-1'
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import attrs

from riskreview import _engine
from riskreview._api import as_case, evaluate
from riskreview._decide import input_digest
from riskreview._structure import dumps
from riskreview.case import Case
from riskreview.decision import Decision
from riskreview.errors import VerificationError
from riskreview.pack import Pack, default_pack

__all__ = ["DecisionRecord", "record", "verify"]

ENGINE = f"durable_rules {_engine.__version__}"


@attrs.frozen
class DecisionRecord:
    """A decision with the provenance needed to recompute it.

    ``decision`` is the decision's JSON data, exactly as it was written.
    """

    case_id: str
    as_of: date
    input_digest: str
    pack_name: str
    pack_version: str
    pack_digest: str
    library_version: str
    engine: str
    traced: bool
    decision: dict[str, Any]

    def to_json(self) -> str:
        """Canonical JSON: the same record always gives the same bytes."""
        data = attrs.asdict(self)
        data["as_of"] = self.as_of.isoformat()
        return dumps(data)

    @classmethod
    def from_json(cls, text: str | bytes) -> DecisionRecord:
        """Read a record written by :meth:`to_json`.

        A record that is not one (damaged in storage, cut short, edited) raises
        :class:`~riskreview.errors.VerificationError` listing what is wrong with it.
        """
        try:
            data = json.loads(text)
        except (ValueError, TypeError, RecursionError) as error:
            # the parser's message may quote the record's text: only its position is kept
            where = f" at character {error.pos}" if isinstance(error, json.JSONDecodeError) else ""
            raise VerificationError("the record is not readable", [f"not JSON{where}"]) from None
        problems = _record_problems(data)
        if problems:
            raise VerificationError("the record is not a decision record", problems)
        return cls(**{**data, "as_of": date.fromisoformat(data["as_of"])})


#: each field of a stored record and the JSON type it must have
_RECORD_TYPES: dict[str, type] = {
    "case_id": str,
    "as_of": str,
    "input_digest": str,
    "pack_name": str,
    "pack_version": str,
    "pack_digest": str,
    "library_version": str,
    "engine": str,
    "traced": bool,
    "decision": dict,
}


def _record_problems(data: Any) -> list[str]:
    if not isinstance(data, dict):
        return [f"expected a JSON object, got {type(data).__name__}"]
    problems = [f"{key}: is required" for key in _RECORD_TYPES if key not in data]
    problems += [f"{key}: is not a record field" for key in data if key not in _RECORD_TYPES]
    for key, kind in _RECORD_TYPES.items():
        if key in data and type(data[key]) is not kind:
            problems.append(f"{key}: expected {kind.__name__}, got {type(data[key]).__name__}")
    if type(data.get("as_of")) is str:
        try:
            date.fromisoformat(data["as_of"])
        except ValueError:
            problems.append("as_of: is not a date as YYYY-MM-DD")
    return problems


def record(decision: Decision) -> DecisionRecord:
    """The audit record of a decision."""
    return DecisionRecord(
        case_id=decision.case_id,
        as_of=decision.as_of,
        input_digest=decision.input_digest,
        pack_name=decision.pack.name,
        pack_version=decision.pack.version,
        pack_digest=decision.pack.digest,
        library_version=decision.library_version,
        engine=ENGINE,
        traced=decision.trace is not None,
        decision=json.loads(decision.to_json()),
    )


def verify(
    rec: DecisionRecord, case: Case | dict[str, Any] | str | bytes, pack: Pack | None = None
) -> Decision:
    """Recompute ``rec`` from ``case`` and ``pack``; the decision if it matches.

    Raises :class:`~riskreview.errors.VerificationError` when the case or pack is
    not the one recorded, or when the recomputed decision differs (each differing
    JSON path is listed).
    """
    policy = pack if pack is not None else default_pack()
    checked = as_case(case)
    problems = []
    if input_digest(checked) != rec.input_digest:
        problems.append("input_digest: the case is not the one recorded")
    if policy.digest != rec.pack_digest:
        problems.append(
            f"pack: recorded {rec.pack_name} {rec.pack_version} {rec.pack_digest}, "
            f"given {policy.name} {policy.version} {policy.digest}"
        )
    if problems:
        raise VerificationError("the record cannot be verified with this case and pack", problems)
    decision = evaluate(checked, as_of=rec.as_of, pack=policy, trace=rec.traced)
    differences = _diff(rec.decision, json.loads(decision.to_json()), "$")
    if differences:
        raise VerificationError(
            f"decision for case {rec.case_id} differs when recomputed", differences
        )
    return decision


def _diff(old: Any, new: Any, path: str) -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for key in sorted(set(old) | set(new)):
            out.extend(_diff(old.get(key), new.get(key), f"{path}.{key}"))
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [
            d
            for i, (a, b) in enumerate(zip(old, new, strict=True))
            for d in _diff(a, b, f"{path}[{i}]")
        ]
    return [] if old == new else [f"{path}: recorded {_short(old)}, now {_short(new)}"]


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."
