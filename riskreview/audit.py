"""Decision records an auditor can check months later.

A :class:`DecisionRecord` stores what was decided and everything needed to
recompute it: the case id and the digest of the case as given, the pack's name,
version and content digest, the library and engine versions, ``as_of``, whether
the decision was traced, and the decision itself. Its JSON is canonical (sorted
keys, no insignificant whitespace) and carries ``digest``, the SHA-256 of the
canonical JSON of every other field.

:func:`verify` reads a record strictly (no unknown, missing or duplicate keys at
any depth; an integer is not a number with a fraction, ``true`` is not ``1``),
checks its digest, that it agrees with itself, and that the case, pack,
library and engine are the ones recorded, then recomputes the decision and
compares the canonical form of both. Every difference is named by JSON path
(``$.decision.actions[0].working_days: recorded 10.0, recomputed 10``) and raised
as one :class:`~riskreview.errors.VerificationError`; so is any error met while
recomputing. Text that could come from the case is described by its length,
never shown.

The digest proves that a record was not changed after it was written, not who
wrote it: anyone can compute it. Keep the digest apart from the record (a
write-once log) to detect a record rewritten whole; :func:`verify`'s
recomputation is what shows that the decision is the one the policy gives.

>>> from datetime import date
>>> import riskreview
>>> from riskreview.audit import DecisionRecord, record, verify
>>> case = {"case_id": "A-1", "household": {"children_in_contact": False}}
>>> stored = record(riskreview.evaluate(case, as_of=date(2026, 11, 23))).to_json()
>>> verify(stored, case).case_id
'A-1'
>>> DecisionRecord.from_json(stored).as_of
datetime.date(2026, 11, 23)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import attrs

from riskreview import _canonical, _engine, _version
from riskreview._api import as_case, evaluate
from riskreview._canonical import ABSENT, is_date, json_type, key_path, same, show
from riskreview._decide import input_digest
from riskreview._structure import dumps
from riskreview.case import Case
from riskreview.decision import Decision
from riskreview.errors import ArgumentError, CaseError, RiskReviewError, VerificationError
from riskreview.pack import Pack, default_pack

__all__ = ["DecisionRecord", "record", "verify"]

ENGINE = f"durable_rules {_engine.__version__}"


def _exactly(kind: type) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if type(value) is not kind:
            raise ArgumentError(
                f"{attribute.name} must be a {kind.__name__}, got {type(value).__name__}; "
                "build records with record(decision) or DecisionRecord.from_json(text)"
            )

    return check


def _json_object(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    try:
        ok = isinstance(value, dict) and bool(dumps(value))
    except (TypeError, ValueError, RecursionError):
        ok = False
    if not ok:
        raise ArgumentError(
            "decision must be JSON data, as json.loads(decision.to_json()) gives; "
            "build records with record(decision) or DecisionRecord.from_json(text)"
        )


@attrs.frozen
class DecisionRecord:
    """A decision with the provenance needed to recompute it.

    ``decision`` is the decision's JSON data, exactly as it was written.
    ``digest`` is computed from the other fields, never stored apart from them.
    """

    case_id: str = attrs.field(validator=_exactly(str))
    as_of: date = attrs.field(validator=_exactly(date))
    input_digest: str = attrs.field(validator=_exactly(str))
    pack_name: str = attrs.field(validator=_exactly(str))
    pack_version: str = attrs.field(validator=_exactly(str))
    pack_digest: str = attrs.field(validator=_exactly(str))
    library_version: str = attrs.field(validator=_exactly(str))
    engine: str = attrs.field(validator=_exactly(str))
    traced: bool = attrs.field(validator=_exactly(bool))
    decision: dict[str, Any] = attrs.field(validator=_json_object)

    @property
    def digest(self) -> str:
        """``sha256:`` and the SHA-256 of the canonical JSON of every other field."""
        return _canonical.digest(self._content())

    def _content(self) -> dict[str, Any]:
        data = {a.name: getattr(self, a.name) for a in attrs.fields(type(self))}
        data["as_of"] = self.as_of.isoformat()
        return data

    def to_json(self) -> str:
        """Canonical JSON with the digest: the same record always gives the same bytes."""
        return dumps({**self._content(), "digest": self.digest})

    @classmethod
    def from_json(cls, text: str | bytes) -> DecisionRecord:
        """Read a record written by :meth:`to_json`, strictly.

        Raises :class:`~riskreview.errors.VerificationError` listing what is wrong
        when the text is not a record (damaged, cut short, a key unknown, missing
        or given twice, a value of the wrong type), when its digest does not match
        its content (pass the text to :func:`verify` to learn which paths
        changed), or when it contradicts itself. A record without a digest was
        written before records carried one: it is refused; re-record its case.
        """
        data = _read(text)
        problems = _digest_problems(data) + _consistency_problems(data)
        if problems:
            raise VerificationError("the record was changed after it was written", problems)
        return _build(data)


#: each field of a stored record and the JSON type it must have
_RECORD_TYPES: dict[str, type] = {
    **{a.name: str for a in attrs.fields(DecisionRecord)},
    "traced": bool,
    "decision": dict,
    "digest": str,
}
_JSON_TYPES = {str: "a string", bool: "true or false", dict: "an object"}
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_NO_DIGEST = (
    "is missing: the record was written before records carried a digest; "
    "re-record the case (evaluate it again at the recorded as_of and pack, and record that)"
)
#: each provenance field and where the decision itself holds the same value
_COPIES: dict[str, tuple[str, ...]] = {
    "case_id": ("case_id",),
    "as_of": ("as_of",),
    "input_digest": ("input_digest",),
    "pack_name": ("pack", "name"),
    "pack_version": ("pack", "version"),
    "pack_digest": ("pack", "digest"),
    "library_version": ("library_version",),
}


def _build(data: dict[str, Any]) -> DecisionRecord:
    fields = {k: v for k, v in data.items() if k != "digest"}
    return DecisionRecord(**{**fields, "as_of": date.fromisoformat(data["as_of"])})


def _read(text: Any) -> dict[str, Any]:
    """The record's JSON data, parsed strictly; VerificationError if it is not a record."""
    if not isinstance(text, str | bytes | bytearray):
        raise ArgumentError(
            f"a record must be the JSON text record(decision).to_json() wrote, "
            f"got {type(text).__name__}"
        )
    data, problems = _canonical.load(text)
    problems += _record_problems(data)
    if problems:
        raise VerificationError("the record is not a decision record", problems)
    assert isinstance(data, dict)
    return data


def _record_problems(data: Any) -> list[str]:
    if not isinstance(data, dict):
        return [f"$: expected a JSON object, got {json_type(data)}"]
    problems = [
        f"$.{key}: {_NO_DIGEST if key == 'digest' else 'is required'}"
        for key in _RECORD_TYPES
        if key not in data
    ]
    problems += [
        f"{key_path('$', k)}: is not a record field" for k in data if k not in _RECORD_TYPES
    ]
    for key, kind in _RECORD_TYPES.items():
        value = data.get(key)
        if (
            key in data
            and type(value) is not kind
            and not (kind is dict and _canonical.is_object(value))
        ):
            problems.append(f"$.{key}: expected {_JSON_TYPES[kind]}, got {json_type(data[key])}")
    as_of = data.get("as_of")
    if type(as_of) is str and not is_date(as_of):
        problems.append("$.as_of: is not a date as YYYY-MM-DD")
    digest = data.get("digest")
    if type(digest) is str and not _DIGEST.fullmatch(digest):
        problems.append("$.digest: is not 'sha256:' and 64 lower-case hex digits")
    return problems


def _digest_problems(data: dict[str, Any]) -> list[str]:
    content = {k: v for k, v in data.items() if k != "digest"}
    try:
        actual = _canonical.digest(content)
    except RecursionError:
        return ["$: is nested too deeply to be written canonically"]
    if actual == data["digest"]:
        return []
    return [
        f"$.digest: recorded {data['digest']}, the content hashes to {actual}: "
        "the record was changed after it was written"
    ]


def _consistency_problems(data: dict[str, Any]) -> list[str]:
    """Where a provenance field disagrees with the decision's own copy of it."""
    decision = data["decision"]
    problems = []
    for field, where in _COPIES.items():
        held: Any = decision
        for key in where:
            held = held.get(key, ABSENT) if isinstance(held, dict) else ABSENT
        if not same(held, data[field]):
            problems.append(
                f"$.{field}: recorded {show(field, data[field])}, but "
                f"$.decision.{'.'.join(where)} holds {show(field, held)}: "
                "the record contradicts itself"
            )
    has_trace = decision.get("trace") is not None
    if data["traced"] is not has_trace:
        problems.append(
            f"$.traced: recorded {show('traced', data['traced'])}, but the decision "
            f"{'has' if has_trace else 'has no'} trace: the record contradicts itself"
        )
    return problems


def _version_problems(data: dict[str, Any]) -> list[str]:
    return [
        f"$.{field}: recorded {show(field, data[field])}, running {show(field, running)}: "
        "another version may decide differently; to compare anyway, pass "
        "allow_other_versions=True"
        for field, running in (("library_version", _version.VERSION), ("engine", ENGINE))
        if data[field] != running
    ]


def record(decision: Decision) -> DecisionRecord:
    """The audit record of a decision; store ``record(decision).to_json()``."""
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
    rec: DecisionRecord | str | bytes,
    case: Case | dict[str, Any] | str | bytes,
    pack: Pack | None = None,
    *,
    allow_other_versions: bool = False,
) -> Decision:
    """Recompute ``rec`` from ``case`` and ``pack``; the decision if it matches.

    ``rec`` is the stored text (best: a changed record then has every changed
    path named) or a :class:`DecisionRecord`. ``pack`` defaults to the default
    pack. Raises :class:`~riskreview.errors.VerificationError`, listing every
    problem by JSON path, when the record is not one, its digest does not match,
    it contradicts itself, the case or pack is not the one recorded, it was
    written by another library or engine version, it cannot be recomputed (the
    error met is chained), or the recomputed record differs from it.

    A record from another ``library_version`` or ``engine`` is refused unless
    ``allow_other_versions=True``: then it is recomputed with the running ones
    and must match in everything else.
    """
    if isinstance(rec, DecisionRecord):
        data, problems = rec._content(), []
    elif isinstance(rec, str | bytes | bytearray):
        data = _read(rec)
        problems = _digest_problems(data)
    else:
        raise ArgumentError(
            f"rec must be a DecisionRecord or the JSON text record(decision).to_json() wrote, "
            f"got {type(rec).__name__}"
        )
    if pack is not None and not isinstance(pack, Pack):
        raise ArgumentError(
            "pack must be a Pack from riskreview.load_pack(path) or None, "
            f"got {type(pack).__name__}"
        )
    policy = pack if pack is not None else default_pack()
    subject = f"the record of case {show('case_id', data['case_id'])}"
    blocking = _consistency_problems(data)
    if not allow_other_versions:
        blocking += _version_problems(data)
    try:
        checked = as_case(case)
    except CaseError as error:
        reasons = [*problems, *blocking, *(str(p) for p in error.problems)]
        raise VerificationError(
            f"{subject} cannot be recomputed: the case is invalid", reasons
        ) from error
    if input_digest(checked) != data["input_digest"]:
        blocking.append("$.input_digest: the case given is not the one recorded")
    if policy.digest != data["pack_digest"]:
        blocking.append(
            f"$.pack_digest: recorded {show('pack_digest', data['pack_digest'])}, given pack "
            f"{show('name', policy.name)} {show('version', policy.version)} {policy.digest}"
        )
    if blocking:
        raise VerificationError(f"{subject} cannot be verified", problems + blocking)
    try:
        decision = evaluate(
            checked, as_of=date.fromisoformat(data["as_of"]), pack=policy, trace=data["traced"]
        )
    except RiskReviewError as error:
        reasons = [*problems, f"{type(error).__name__}: {_reason(error)}"]
        raise VerificationError(f"{subject} cannot be recomputed", reasons) from error
    expected = record(decision)._content()
    if allow_other_versions:
        expected["library_version"] = data["library_version"]
        expected["engine"] = data["engine"]
        expected["decision"] = {**expected["decision"], "library_version": data["library_version"]}
    content = {k: v for k, v in data.items() if k != "digest"}
    problems += _canonical.differences(content, expected)
    if problems:
        raise VerificationError(f"{subject} differs when recomputed", problems)
    return decision


def _reason(error: RiskReviewError) -> str:
    found = getattr(error, "problems", None)
    if found:
        return "; ".join(str(p) for p in found)
    return " ".join(str(error).split())
