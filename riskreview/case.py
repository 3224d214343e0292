"""The state of one supervised person's case, as riskreview reads it.

Every class is frozen and validated when it is built, so an invalid case cannot
exist. Every field that policy depends on may be ``None``, which means
*unknown / not recorded*, and is never read as "no": a rule that needs an unknown
value is reported as undetermined and yields an information action. Lists are
tuples; ``None`` for a list means the list itself is unknown, ``()`` that it is
known to be empty.

Build a case from JSON with :meth:`Case.from_json` or :meth:`Case.from_dict`;
they report every problem at once in one :class:`~riskreview.errors.CaseError`::

    >>> from riskreview import Case
    >>> case = Case.from_dict({"case_id": "X1", "household": {"children_in_contact": True}})
    >>> case.household.children_in_contact
    True
"""

from datetime import date as _date
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

import attrs

from riskreview import _crossfield, _structure, _tojson
from riskreview._limits import (
    MAX_CALLOUTS_12_MONTHS,
    MAX_CASE_ID_LENGTH,
    MAX_CHILD_REF_LENGTH,
    MAX_CUSTODIAL_MONTHS,
)
from riskreview._vocab import (
    CheckOutcome,
    ConcernSource,
    CurfewStatus,
    EventType,
    NeedType,
    OffenceCategory,
    RegistrationType,
    RoshLevel,
    ScreeningOutcome,
    SentenceType,
    Stage,
)
from riskreview.errors import ArgumentError


@runtime_checkable
class DeclaresInputs(Protocol):
    """What :meth:`Case.from_dict` asks of its ``pack``: to check a case's ``inputs``
    against the inputs the pack declares (a :class:`~riskreview.Pack` does)."""

    def check_case_inputs(self, case: "Case") -> None:
        """Raise CaseError when ``case.inputs`` do not fit the declarations."""


__all__ = [
    "Case",
    "Check",
    "CheckOutcome",
    "Checks",
    "Child",
    "Concern",
    "ConcernSource",
    "Curfew",
    "CurfewStatus",
    "DomesticAbuse",
    "Event",
    "EventType",
    "HomeVisit",
    "Household",
    "Mappa",
    "Need",
    "NeedType",
    "Offence",
    "OffenceCategory",
    "Person",
    "Plans",
    "RecordGroup",
    "RegistrationType",
    "Release",
    "Risk",
    "RoshLevel",
    "RoshLevels",
    "ScreeningOutcome",
    "SentenceType",
    "Stage",
    "Supervision",
]

_model = _structure.model


class RecordGroup(StrEnum):
    """A group of work records a case-management system may not hold (``Case.not_held``).

    While a group is held (the default), a record of it that is absent reads as
    *not done*: no police check recorded means no police check made. A group the
    system does not hold reads as *unknown* when absent: a rule that needs it waits
    and the decision asks for it ("not recorded in this system") instead of
    requiring the work as overdue.
    """

    #: police domestic abuse and children's social care checks (``checks``), and the
    #: checks on a release or curfew address
    CHECKS = "checks"
    #: the plans on the case (``plans``)
    PLANS = "plans"
    #: the risk of harm screening, full analysis, reviews, countersignature and
    #: rating rationale (``risk``, but for the levels)
    SCREENING = "screening"
    #: home visits (``home_visits``)
    HOME_VISITS = "home_visits"
    #: MAPPA category and level (``mappa``)
    MAPPA = "mappa"
    #: the pre-release review (``release.pre_release_review_date``)
    PRE_RELEASE_REVIEW = "pre_release_review"


def _f(doc: str, **meta: Any) -> Any:
    """An optional field (default None) with its description for schemas and messages."""
    return attrs.field(default=None, metadata={"description": doc, **meta})


def _list(doc: str) -> Any:
    """An optional list field: None is unknown, () is known to be empty."""
    return attrs.field(default=None, metadata={"description": doc})


@_model
class Person:
    """Who the case is about (no names: riskreview needs none)."""

    date_of_birth: _date | None = _f("date of birth; gives age and young-adult maturity")


@_model
class Supervision:
    """Where the person is in the sentence, and its dates."""

    stage: Stage | None = _f("stage of the sentence")
    sentence_type: SentenceType | None = _f("type of sentence")
    sentence_date: _date | None = _f("date sentence was passed")
    start_date: _date | None = _f("date supervision started (or the court report was requested)")
    end_date: _date | None = _f("date supervision ends")
    custodial_sentence_months: int | None = _f(
        "length of a custodial sentence in months", min=0, max=MAX_CUSTODIAL_MONTHS
    )
    expected_release_date: _date | None = _f("expected date of release from custody")
    release_date: _date | None = _f("actual date of release from custody")


@_model
class Offence:
    """An offence, by category, with its date."""

    categories: tuple[OffenceCategory, ...] | None = _list("categories of the offence")
    date: _date | None = _f("date of the offence or conviction")


@_model
class Concern:
    """Information not (or not yet) tested in court: police, social care, prison."""

    source: ConcernSource | None = _f("who reported it")
    categories: tuple[OffenceCategory, ...] | None = _list("what behaviour it concerns")
    date: _date | None = _f("date the information was received")


@_model
class RoshLevels:
    """Risk of serious harm, assessed separately for each group."""

    children: RoshLevel | None = _f("risk of serious harm to children")
    public: RoshLevel | None = _f("risk of serious harm to the public")
    known_adult: RoshLevel | None = _f("risk of serious harm to a known adult")
    staff: RoshLevel | None = _f("risk of serious harm to staff")
    prisoners: RoshLevel | None = _f("risk of serious harm to prisoners (in custody)")


@_model
class Risk:
    """Risk of harm screening, full analysis, levels and reviews."""

    screening_date: _date | None = _f("date the risk of harm screening was completed")
    screening_outcome: ScreeningOutcome | None = _f("what the screening decided")
    screening_countersigned: bool | None = _f(
        "whether a manager countersigned a decision not to do a full analysis"
    )
    full_analysis_date: _date | None = _f("date the full risk of harm analysis was completed")
    levels: RoshLevels = attrs.field(
        factory=RoshLevels, metadata={"description": "risk of serious harm by group"}
    )
    rating_rationale_recorded: bool | None = _f("whether the rationale for the rating is recorded")
    last_review_date: _date | None = _f("date the risk assessment was last reviewed")


@_model
class Mappa:
    """Multi-agency public protection arrangements."""

    category: int | None = _f("MAPPA category 1-4", min=1, max=4)
    level: int | None = _f("MAPPA management level 1-3", min=1, max=3)


@_model
class DomesticAbuse:
    """Domestic abuse risk information."""

    dash_score: int | None = _f("DASH risk checklist: number of yes answers (0-27)", min=0, max=27)
    police_callouts_12_months: int | None = _f(
        "police domestic abuse call-outs in the last 12 months", min=0, max=MAX_CALLOUTS_12_MONTHS
    )
    last_marac_referral_date: _date | None = _f("date of the most recent MARAC referral")
    known_victim: bool | None = _f("whether there is an identified victim or potential victim")
    dvds_considered_date: _date | None = _f("date disclosure (DVDS) to a partner was considered")


@_model
class Child:
    """A child who lives with, has contact with, or may be at risk from the person."""

    ref: str | None = _f(
        "the case-management system's own reference for the child", max_len=MAX_CHILD_REF_LENGTH
    )
    date_of_birth: _date | None = _f("child's date of birth (a future date: unborn)")
    lives_with: bool | None = _f("whether the child lives with the person")
    contact: bool | None = _f("whether the person has contact with the child")
    child_protection_plan: bool | None = _f("whether the child is on a child protection plan")
    child_in_need: bool | None = _f("whether the child is a child in need")
    looked_after: bool | None = _f("whether the child is looked after by the local authority")
    social_worker_liaison_date: _date | None = _f("last liaison with the child's social worker")


@_model
class Household:
    """Who the person lives with and has contact with."""

    children_in_contact: bool | None = _f(
        "whether any child lives with or has contact with the person"
    )
    children: tuple[Child, ...] | None = _list("children known to the case")
    in_relationship: bool | None = _f("whether the person is in an intimate relationship")


@_model
class Check:
    """A request to another agency: when it was made, answered, and what it said."""

    requested_date: _date | None = _f("date the check was requested")
    response_date: _date | None = _f("date the response was received")
    outcome: CheckOutcome | None = _f("what the response said")


@_model
class Checks:
    """The most recent check of each kind made on the case."""

    police_domestic_abuse: Check | None = _f(
        "police domestic abuse call-out and intelligence check"
    )
    childrens_social_care: Check | None = _f("children's social care (safeguarding) enquiry")


@_model
class Plans:
    """Plans recorded on the case, by the date each was last completed."""

    risk_management_plan_date: _date | None = _f("risk management plan")
    domestic_abuse_plan_date: _date | None = _f("domestic abuse risk management plan")
    victim_safety_plan_date: _date | None = _f("safety planning for a known victim")
    safeguarding_plan_date: _date | None = _f("child safeguarding plan")
    sentence_plan_date: _date | None = _f("sentence plan")
    barriers_assessment_date: _date | None = _f("assessment of barriers to engagement and needs")
    next_review_planned_date: _date | None = _f("review date set in the plan")


@_model
class Need:
    """A specific need or barrier to engagement, and whether the plan adjusts for it."""

    type: NeedType | None = _f("the need")
    adjustment_in_plan: bool | None = _f("whether the plan records an adjustment for it")


@_model
class Event:
    """A dated change in circumstances."""

    type: EventType | None = _f("what changed")
    date: _date | None = _f("when it happened or became known")


@_model
class HomeVisit:
    """A home visit made."""

    date: _date | None = _f("date of the visit")


@_model
class Release:
    """Preparation for release from custody."""

    pre_release_review_date: _date | None = _f("date of the pre-release risk review")
    address_police_check_date: _date | None = _f(
        "date of the police domestic abuse check on the release address"
    )
    address_safeguarding_check_date: _date | None = _f(
        "date of the children's social care check on the release address"
    )


@_model
class Curfew:
    """An electronically monitored curfew proposed or imposed at an address."""

    status: CurfewStatus | None = _f("whether the curfew is proposed or imposed")
    address_police_check_date: _date | None = _f("police domestic abuse check on the address")
    address_safeguarding_check_date: _date | None = _f(
        "local authority safeguarding check on the address"
    )
    occupier_agreement: bool | None = _f("whether the main occupier agreed")


@_model
class Case:
    """One supervised person's case as it stands: the input to :func:`riskreview.evaluate`.

    Only ``case_id`` is required. Everything else may be left out (unknown).
    """

    case_id: str = attrs.field(
        metadata={
            "description": "the case-management system's case id",
            "max_len": MAX_CASE_ID_LENGTH,
            "min_len": 1,
        }
    )
    person: Person = attrs.field(factory=Person, metadata={"description": "the person"})
    supervision: Supervision = attrs.field(
        factory=Supervision, metadata={"description": "the sentence and its dates"}
    )
    index_offence: Offence = attrs.field(
        factory=Offence, metadata={"description": "the current (index) offence"}
    )
    offending_history: tuple[Offence, ...] | None = _list("previous offences")
    concerns: tuple[Concern, ...] | None = _list(
        "police, social care and other information about behaviour, convicted or not"
    )
    risk: Risk = attrs.field(factory=Risk, metadata={"description": "risk of harm assessment"})
    registrations: tuple[RegistrationType, ...] | None = _list("registrations (flags) on the case")
    mappa: Mappa = attrs.field(factory=Mappa, metadata={"description": "MAPPA category and level"})
    domestic_abuse: DomesticAbuse = attrs.field(
        factory=DomesticAbuse, metadata={"description": "domestic abuse risk information"}
    )
    household: Household = attrs.field(
        factory=Household, metadata={"description": "household and children"}
    )
    checks: Checks = attrs.field(factory=Checks, metadata={"description": "checks with agencies"})
    plans: Plans = attrs.field(factory=Plans, metadata={"description": "plans on the case"})
    needs: tuple[Need, ...] | None = _list("specific needs and barriers to engagement")
    events: tuple[Event, ...] | None = _list("changes in circumstances")
    home_visits: tuple[HomeVisit, ...] | None = _list("home visits made")
    release: Release = attrs.field(factory=Release, metadata={"description": "release planning"})
    curfew: Curfew | None = _f("electronically monitored curfew, if one is proposed or imposed")
    not_held: tuple[RecordGroup, ...] | None = _list(
        "groups of work records the sending system does not hold: an absent record of "
        "one of them is unknown, not 'not done' (left out: every group is held)"
    )
    inputs: dict[str, Any] = attrs.field(
        factory=dict,
        metadata={"description": "further inputs declared by the policy pack (name to value)"},
    )

    def __attrs_post_init__(self) -> None:
        problems = _crossfield.cross_field_problems(self) + _structure.size_problems(self)
        if problems:
            raise _structure.case_error(problems, self.case_id)

    @classmethod
    def from_dict(cls, data: Any, pack: "DeclaresInputs | None" = None) -> "Case":
        """Build a case from JSON-like data, reporting every problem in one ``CaseError``.

        Dates are ISO strings (``"2026-03-01"``), enums their string values. Unknown
        keys, wrong types, out-of-range numbers, misspelt enum values and lists or
        text longer than the limits (:mod:`riskreview.schema` exports them) are
        errors (with "did you mean" where one is close); so are impossible dates
        such as a release before the start of the sentence. With ``pack``, the
        case's ``inputs`` are checked against the inputs that pack declares. A
        ``pack`` that is not a :class:`~riskreview.Pack` raises
        :class:`~riskreview.errors.ArgumentError`.
        """
        check_pack(pack)
        case: Case = _structure.structure_case(cls, data)
        if pack is not None:
            pack.check_case_inputs(case)
        return case

    @classmethod
    def from_json(cls, text: str | bytes, pack: "DeclaresInputs | None" = None) -> "Case":
        """Parse JSON text and build a case, as :meth:`from_dict`.

        ``text`` that is not ``str`` or ``bytes`` raises
        :class:`~riskreview.errors.ArgumentError` (a dict goes to :meth:`from_dict`).
        """
        if not isinstance(text, str | bytes | bytearray):
            hint = (
                "; build a case from a dict with Case.from_dict" if isinstance(text, dict) else ""
            )
            raise ArgumentError(
                f"text must be JSON text (str or bytes), got {type(text).__name__}{hint}"
            )
        check_pack(pack)
        return cls.from_dict(_structure.parse_json(text), pack)

    def to_dict(self) -> dict[str, Any]:
        """The case as JSON-ready data; ``Case.from_dict(case.to_dict()) == case``."""
        data: dict[str, Any] = _tojson.unstructure(self)
        return data

    def to_json(self) -> str:
        """The case as canonical JSON text (sorted keys, no insignificant space)."""
        # only the pack-declared inputs can hold a float: every other field is typed
        data = self.to_dict()
        return _tojson.dumps_fresh(data, [data.get("inputs")])


def check_pack(pack: object) -> None:
    """Refuse a ``pack`` argument that is neither None nor a :class:`~riskreview.Pack`."""
    if pack is not None and not isinstance(pack, DeclaresInputs):
        raise ArgumentError(
            f"pack must be a riskreview.Pack or None, got {type(pack).__name__}; "
            "load a pack folder with riskreview.load_pack(path)"
        )
