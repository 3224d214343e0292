"""Hypothesis strategies for riskreview cases: for integrators who test their own mappings.

A case-management system that maps its records into riskreview cases can test that
mapping, and everything around it, on generated data with `Hypothesis
<https://hypothesis.readthedocs.io>`_ (a test extra: ``pip install 'riskreview[test]'``):

* :func:`cases` gives valid, realistic :class:`~riskreview.Case` objects;
* :func:`case_dicts` gives the same as JSON-ready dicts (what your mapping produces);
* :func:`invalid_case_dicts` gives dicts with deliberate faults, each paired with the
  set of JSON paths that :class:`~riskreview.CaseError` must name;
* :func:`as_of_dates` gives evaluation dates inside a pack's range.

Generated cases look like a caseload: children who live with or see the person, offences
and offending history by category, police and social care concerns, registrations,
dated events of every kind, agency checks with request and response dates, risk of
serious harm levels, MAPPA, a DASH score, a curfew, needs and home visits. Every
optional fact is sometimes unknown (left out, or ``null`` in a dict) and lists are
sometimes unknown (``None``), sometimes known to be empty. Dates cluster around the
thresholds policy uses, counted back from ``as_of``: within a few days and within 30
days of 1, 3, 5, 10 and 15 working days, and of 8, 12 and 16 weeks and a year. Every
case respects the model's date rules: release is not before sentence or start, the
end is not before the start, the offence is not after the sentence, a response is
not before its request, and the person was born by the start of supervision.

Cases are built around an ``as_of``; pass the date you will evaluate on, so the
dates land on your thresholds::

    >>> from datetime import date
    >>> from hypothesis import given, settings
    >>> import riskreview
    >>> from riskreview.strategies import cases
    >>> as_of = date(2026, 3, 2)
    >>> @settings(max_examples=20, derandomize=True, database=None, deadline=None)
    ... @given(cases(as_of=as_of))
    ... def test_every_case_is_decided(case):
    ...     assert riskreview.Case.from_json(case.to_json()) == case
    ...     riskreview.evaluate(case, as_of=as_of)
    >>> test_every_case_is_decided()

To vary the date too, draw it first (``st.data()``, or ``as_of_dates().flatmap(...)``).
An invalid dict names exactly where it is wrong::

    >>> from riskreview.strategies import invalid_case_dicts
    >>> @settings(max_examples=20, derandomize=True, database=None, deadline=None)
    ... @given(invalid_case_dicts(as_of=as_of))
    ... def test_my_validator_agrees(pair):
    ...     data, paths = pair
    ...     try:
    ...         riskreview.Case.from_dict(data)
    ...     except riskreview.CaseError as error:
    ...         assert {p.path for p in error.problems} == paths
    ...     else:
    ...         raise AssertionError("accepted an invalid case")
    >>> test_my_validator_agrees()
"""

from __future__ import annotations

import copy
import functools
import itertools
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

try:
    from hypothesis import strategies as st
    from hypothesis.strategies import DrawFn, SearchStrategy
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "riskreview.strategies needs Hypothesis, which is a test extra: "
        "pip install 'riskreview[test]' (or pip install hypothesis)"
    ) from error

from riskreview import _structure
from riskreview._limits import MAX_CALLOUTS_12_MONTHS, MAX_CUSTODIAL_MONTHS
from riskreview.calendar import Calendar, default_calendar
from riskreview.case import (
    Case,
    CheckOutcome,
    ConcernSource,
    CurfewStatus,
    EventType,
    NeedType,
    OffenceCategory,
    RecordGroup,
    RegistrationType,
    RoshLevel,
    ScreeningOutcome,
    SentenceType,
    Stage,
)
from riskreview.pack import Pack, default_pack

__all__ = ["as_of_dates", "case_dicts", "cases", "invalid_case_dicts"]

#: The last date :func:`as_of_dates` draws by default.
LAST_AS_OF = date(2030, 12, 31)

_WORKING_DAY_EDGES = (1, 3, 5, 10, 15)
_WEEK_EDGES = (8, 12, 16, 52)

Json = dict[str, Any]


# ---------------------------------------------------------------- dates


def as_of_dates(pack: Pack | None = None, *, max_value: date = LAST_AS_OF) -> SearchStrategy[date]:
    """Evaluation dates in ``pack``'s range (the default pack: from 2024-01-01).

    Besides any date up to ``max_value``, it favours the days around each date on
    which the pack's policy changes and around bank holidays (where working days
    and calendar days part). Pass ``pack`` for another pack's range.
    """
    policy = pack if pack is not None else default_pack()
    if max_value < policy.effective_from:
        raise ValueError(
            f"max_value {max_value} is before the pack's first date {policy.effective_from}"
        )
    return _as_of_dates(policy, max_value)


@functools.lru_cache(maxsize=32)
def _as_of_dates(policy: Pack, max_value: date) -> SearchStrategy[date]:
    low = policy.effective_from
    changes = tuple(d for d in policy.change_dates if d <= max_value)
    holidays = tuple(sorted(default_calendar().holidays_between(low, max_value)))

    def near(days: tuple[date, ...], spread: int) -> SearchStrategy[date]:
        return st.builds(
            lambda day, shift: min(max(day + timedelta(shift), low), max_value),
            st.sampled_from(days),
            st.integers(-spread, spread),
        )

    options = [st.dates(low, max_value), near(changes, 3)]
    if holidays:
        options.append(near(holidays, 4))
    return st.one_of(options)


def _shift(day: date, days: int) -> date:
    """``day`` moved by ``days``, held inside the range of ``date``."""
    ordinal = min(max(day.toordinal() + days, date.min.toordinal()), date.max.toordinal())
    return date.fromordinal(ordinal)


def _latest(*days: date | None) -> date | None:
    known = [d for d in days if d is not None]
    return max(known) if known else None


def _earliest(*days: date | None) -> date | None:
    known = [d for d in days if d is not None]
    return min(known) if known else None


@functools.lru_cache(maxsize=256)
def _integers(low: int, high: int) -> SearchStrategy[int]:
    return st.integers(low, high)


@functools.lru_cache(maxsize=4096)
def _edges(as_of: date) -> tuple[date, ...]:
    """The threshold dates policy counts back from ``as_of``."""
    calendar: Calendar = default_calendar()
    back = [as_of]
    if as_of.year > 1:
        back += [calendar.add_working_days(as_of, -n) for n in _WORKING_DAY_EDGES]
    back += [_shift(as_of, -7 * w) for w in _WEEK_EDGES]
    return tuple(back)


# ---------------------------------------------------------------- building a case


# Strategies built once: drawing from a prebuilt strategy is much cheaper.
_ROLL = st.integers(0, 99)
_UNKNOWN_SHARE = st.sampled_from((100, 40, 15, 3, 0))
_DAY_CODES = 3 * 1501  # (kind, and an edge and shift or a day in a sentence)
_SMALL_SHIFT = st.integers(0, 120)
_AHEAD = st.integers(-30, 34 * 7 + 30)
_EARLIER = st.integers(0, 400)
_AGE_DAYS = st.integers(15 * 365, 85 * 365)
_CHILD_DAYS = st.integers(-280, 18 * 365)
_SHIFT_30 = st.integers(-30, 30)
_DAYS_10 = st.integers(0, 10)
_YEARS_30 = st.integers(0, 30 * 365)
_CHILD_REF = st.integers(0, 999_999)
_CASE_NUMBER = st.integers(0, 99_999_999)
_ANY_ID = st.text(min_size=1, max_size=128)
_LEVELS = tuple(RoshLevel)
_GROUPS = ("children", "public", "known_adult", "staff", "prisoners")
_NULL_STYLE = st.integers(0, 2)
_COIN = st.booleans()


@functools.lru_cache(maxsize=64)
def _rolled(codes: int) -> SearchStrategy[int]:
    """A roll of 0-99 and a code below ``codes``, in one draw: ``roll * codes + code``."""
    return st.integers(0, 100 * codes - 1)


class _Builder:
    """Draws one case dict around ``as_of``, with its own share of unknown facts.

    Each fact costs one draw holding a roll of 0-99 (below the case's unknown share,
    the fact is unknown) and the code of its value: a flag, an enum member, a date,
    the size of a list. Draws are few because each costs time, and every draw
    shrinks towards "unknown".
    """

    def __init__(self, draw: DrawFn, as_of: date) -> None:
        self.draw = draw
        self.as_of = as_of
        self.unknown = draw(_UNKNOWN_SHARE)
        self.nulls = draw(_NULL_STYLE)  # unknowns: 0 left out, 1 null, 2 by turns
        self.edges = _edges(as_of)

    # -- primitives

    def roll(self) -> int | None:
        """The roll of a known fact, or None (unknown)."""
        r = self.draw(_ROLL)
        if r < self.unknown:
            return None
        return r

    def code(self, codes: int) -> int | None:
        """The code (below ``codes``) of a known fact's value, or None (unknown)."""
        roll, code = divmod(self.draw(_rolled(codes)), codes)
        return None if roll < self.unknown else code

    def part(self) -> bool:
        """Whether a whole part of the case is recorded (unknown parts are rarer than facts)."""
        share = self.unknown if self.unknown == 100 else self.unknown // 3
        return self.draw(_ROLL) >= share

    def known(self) -> bool:
        """Whether the next fact is known."""
        return self.roll() is not None

    def enum(self, kind: type[StrEnum]) -> Any:
        """A member of ``kind``, or None."""
        r = self.roll()
        if r is None:
            return None
        members = list(kind)
        return members[r % len(members)]

    def flag(self) -> bool | None:
        """True, False or None."""
        r = self.roll()
        return None if r is None else r % 2 == 1

    def day(self, code: int | None = None) -> date:
        """A date within 3 or within 30 days of a threshold before ``as_of``, or anywhere
        in a sentence (a third of the time each)."""
        if code is None:
            code = self.draw(_rolled(_DAY_CODES)) % _DAY_CODES
        kind, n = code % 3, code // 3
        edges = self.edges
        if kind == 0:
            n %= 7 * len(edges)
            return _shift(edges[n // 7], n % 7 - 3)
        if kind == 1:
            n %= 61 * len(edges)
            return _shift(edges[n // 61], n % 61 - 30)
        return _shift(self.as_of, n - 1100)

    def some_day(self) -> date | None:
        """A date as :meth:`day`, or None."""
        code = self.code(_DAY_CODES)
        return None if code is None else self.day(code)

    def day_from(self, low: date | None) -> date | None:
        """A date on or after ``low`` (any date when ``low`` is None), or None."""
        day = self.some_day()
        if day is not None and low is not None and day < low:
            day = _shift(low, self.draw(_SMALL_SHIFT))
        return day

    def day_ahead(self, low: date | None) -> date | None:
        """A date from 30 days before ``as_of`` to 30 days past 34 weeks after it (on or
        after ``low``), or None."""
        if not self.known():
            return None
        day = _shift(self.as_of, self.draw(_AHEAD))
        if low is not None and day < low:
            day = _shift(low, self.draw(_SMALL_SHIFT))
        return day

    def day_until(self, high: date | None) -> date | None:
        """A date on or before ``high`` (any date when ``high`` is None), or None."""
        day = self.some_day()
        if day is not None and high is not None and day > high:
            day = _shift(high, -self.draw(_EARLIER))
        return day

    def items(self, build: Callable[[], Json], max_size: int = 4) -> list[Json] | None:
        """A list of items (possibly empty), or None (the list itself unknown)."""
        size = self.code(max_size + 1)
        return None if size is None else [build() for _ in range(size)]

    def members(self, kind: type[StrEnum]) -> list[str] | None:
        """A list of up to three distinct members of ``kind``, or None."""
        choices = list(kind)
        n = len(choices)
        code = self.code(4 * n**3)
        if code is None:
            return None
        count, picks = code % 4, code // 4
        out: list[str] = []
        for _ in range(count):
            picks, index = divmod(picks, n)
            if choices[index].value not in out:
                out.append(choices[index].value)
        return out

    def whole(self, *ranges: tuple[int, int], rare: tuple[int, int] | None = None) -> int | None:
        """A whole number from one of ``ranges`` (once in 20 from ``rare``), or None."""
        r = self.roll()
        if r is None:
            return None
        if rare is not None and r % 20 == 19:
            ranges = (rare,)
        return self.draw(_integers(*ranges[r % len(ranges)]))

    def obj(self, **values: Any) -> Json:
        """A JSON object: unknown values are left out or written as null (by the case's style)."""
        out: Json = {}
        for key, value in values.items():
            if value is None:
                if self.nulls == 1 or (self.nulls == 2 and len(key) % 2):
                    out[key] = None
            elif isinstance(value, date):
                out[key] = value.isoformat()
            elif isinstance(value, StrEnum):
                out[key] = value.value
            else:
                out[key] = value
        return out

    # -- parts

    def supervision(self) -> tuple[Json, date | None, date | None]:
        draw = self.draw
        sentenced = self.some_day()
        if sentenced is not None and draw(_COIN):
            start: date | None = _shift(sentenced, draw(_DAYS_10))
        else:
            start = self.some_day()  # a court report may start before the sentence
        after_both = _latest(sentenced, start)
        stage = self.enum(Stage)
        # in custody, three times in four a release ahead: the time before it is what policy
        # counts (weeks of notice from as_of, and weeks from the start to the release)
        ahead = stage is Stage.CUSTODY and draw(_ROLL) < 75
        data = self.obj(
            stage=stage,
            sentence_type=self.enum(SentenceType),
            sentence_date=sentenced,
            start_date=start,
            end_date=self.day_from(start),
            custodial_sentence_months=self.whole(
                (0, 36), (0, 600), rare=(MAX_CUSTODIAL_MONTHS - 2, MAX_CUSTODIAL_MONTHS)
            ),
            expected_release_date=self.day_ahead(sentenced) if ahead else self.day_from(sentenced),
            release_date=self.day_from(after_both),
        )
        return data, sentenced, start

    def person(self, sentenced: date | None, start: date | None) -> Json:
        draw = self.draw
        born: date | None = None
        r = self.roll()
        if r is not None:
            years = (None, 18, 21, 25)[r % 4]  # young adults' birthdays, or any adult age
            if years is None:
                born = _shift(self.as_of, -draw(_AGE_DAYS))
            else:
                birthday = _shift(self.as_of, -round(365.25 * years))
                born = _shift(birthday, draw(_SHIFT_30))
            limit = _earliest(sentenced, start)
            if limit is not None and born > limit:
                born = _shift(limit, -draw(_YEARS_30))
        return self.obj(date_of_birth=born)

    def offence(self, latest: date | None = None) -> Json:
        return self.obj(categories=self.members(OffenceCategory), date=self.day_until(latest))

    def concern(self) -> Json:
        return self.obj(
            source=self.enum(ConcernSource),
            categories=self.members(OffenceCategory),
            date=self.some_day(),
        )

    def risk(self) -> Json:
        # levels go together: most groups at the case's own level, some a step away
        share = self.draw(_ROLL)
        base = next(i for i, upto in enumerate((35, 80, 97, 100)) if share < upto)
        levels = self.obj(**{group: self.level(base) for group in _GROUPS})
        return self.obj(
            screening_date=self.some_day(),
            screening_outcome=self.enum(ScreeningOutcome),
            screening_countersigned=self.flag(),
            full_analysis_date=self.some_day(),
            levels=levels,
            rating_rationale_recorded=self.flag(),
            last_review_date=self.some_day(),
        )

    def level(self, base: int) -> RoshLevel | None:
        r = self.roll()
        if r is None:
            return None
        step = (0, 0, 0, 0, 1, -1, 2, -2)[r % 8]
        return _LEVELS[min(max(base + step, 0), len(_LEVELS) - 1)]

    def child(self) -> Json:
        draw = self.draw
        born: date | None = None
        r = self.roll()
        if r is not None and r % 3 == 0:  # around a 16th or 18th birthday
            birthday = _shift(self.as_of, -round(365.25 * (16, 18)[r % 2]))
            born = _shift(birthday, draw(_SHIFT_30))
        elif r is not None:  # any age of a child, or unborn
            born = _shift(self.as_of, -draw(_CHILD_DAYS))
        ref = f"CH-{draw(_CHILD_REF)}" if self.known() else None
        return self.obj(
            ref=ref,
            date_of_birth=born,
            lives_with=self.flag(),
            contact=self.flag(),
            child_protection_plan=self.flag(),
            child_in_need=self.flag(),
            looked_after=self.flag(),
            social_worker_liaison_date=self.some_day(),
        )

    def household(self) -> Json:
        children = self.items(self.child, max_size=4)
        in_contact: bool | None
        if children is not None and self.draw(_COIN):  # as the children say, where they say
            said = [c.get(k) for c in children for k in ("lives_with", "contact")]
            in_contact = True if True in said else (False if None not in said else None)
        else:
            in_contact = self.flag()
        return self.obj(
            children_in_contact=in_contact, children=children, in_relationship=self.flag()
        )

    def check(self) -> Json | None:
        if not self.known():
            return None
        requested = self.some_day()
        if requested is not None and self.draw(_COIN):
            # asked and not yet answered: the check practice most often forgets to chase
            return self.obj(requested_date=requested)
        return self.obj(
            requested_date=requested,
            response_date=self.day_from(requested),
            outcome=self.enum(CheckOutcome),
        )

    def domestic_abuse(self) -> Json:
        return self.obj(
            dash_score=self.whole((0, 27), (12, 16)),
            police_callouts_12_months=self.whole(
                (0, 6), (0, 60), rare=(MAX_CALLOUTS_12_MONTHS - 2, MAX_CALLOUTS_12_MONTHS)
            ),
            last_marac_referral_date=self.some_day(),
            known_victim=self.flag(),
            dvds_considered_date=self.some_day(),
        )

    def plans(self) -> Json:
        return self.obj(
            risk_management_plan_date=self.some_day(),
            domestic_abuse_plan_date=self.some_day(),
            victim_safety_plan_date=self.some_day(),
            safeguarding_plan_date=self.some_day(),
            sentence_plan_date=self.some_day(),
            barriers_assessment_date=self.some_day(),
            next_review_planned_date=self.some_day(),
        )

    def mappa(self) -> Json:
        # a level is set later than the category (before release): often not yet
        level = self.whole((1, 3)) if self.draw(_COIN) else None
        return self.obj(category=self.whole((1, 4)), level=level)

    def checks(self) -> Json:
        return self.obj(police_domestic_abuse=self.check(), childrens_social_care=self.check())

    def release(self) -> Json:
        return self.obj(
            pre_release_review_date=self.some_day(),
            address_police_check_date=self.some_day(),
            address_safeguarding_check_date=self.some_day(),
        )

    def curfew(self) -> Json | None:
        if not self.known():
            return None
        return self.obj(
            status=self.enum(CurfewStatus),
            address_police_check_date=self.some_day(),
            address_safeguarding_check_date=self.some_day(),
            occupier_agreement=self.flag(),
        )

    def inputs(self, pack: Pack | None) -> Json:
        declared = getattr(pack, "inputs", None) or {}
        out: Json = {}
        for name, spec in declared.items():
            if not (getattr(spec, "required", False) or self.known()):
                continue
            out[name] = self.input_value(spec)
        return out

    def input_value(self, spec: Any) -> Any:
        kind = spec.kind
        if kind in ("int", "decimal"):
            unit = 10 ** getattr(spec, "places", 0)
            low = spec.minimum if spec.minimum is not None else -1000 * unit
            high = spec.maximum if spec.maximum is not None else low + 2000 * unit
            units = self.draw(st.integers(low, high))
            if kind == "int":
                return units
            # a decimal goes as text with its places, the way a feed sends 7.00
            return f"{Decimal(units).scaleb(-spec.places):.{spec.places}f}"
        if kind == "bool":
            return self.draw(st.booleans())
        if kind == "date":
            return self.day().isoformat()
        if kind == "text":
            return self.draw(st.sampled_from(("recorded", "see notes")))
        if kind == "records":
            records = []
            for _ in range(self.draw(st.integers(0, 4))):
                record = {
                    key: self.input_value(sub) for key, sub in spec.fields.items() if self.known()
                }
                records.append(record)
            return records
        values = [m.value for m in spec.enum if not (spec.open and m.value == "other")]
        if spec.case_insensitive or spec.open:
            spellings = [*values]
            if spec.case_insensitive:
                spellings += [v.lower() for v in values]
            if spec.open:
                spellings.append("LOCAL1")
            values = spellings
        if kind == "list":
            return self.draw(st.lists(st.sampled_from(values), max_size=3, unique=True))
        return self.draw(st.sampled_from(values))

    def case(self, pack: Pack | None) -> Json:
        supervision, sentenced, start = self.supervision() if self.part() else ({}, None, None)
        part = self.part
        data = self.obj(
            case_id=self.case_id(),
            person=self.person(sentenced, start) if part() else {},
            supervision=supervision,
            index_offence=self.offence(latest=sentenced) if part() else {},
            offending_history=self.items(self.offence, max_size=4),
            concerns=self.items(self.concern, max_size=3),
            risk=self.risk() if part() else {},
            registrations=self.members(RegistrationType),
            mappa=self.mappa() if part() else {},
            domestic_abuse=self.domestic_abuse() if part() else {},
            household=self.household() if part() else {},
            checks=self.checks() if part() else {},
            plans=self.plans() if part() else {},
            needs=self.items(
                lambda: self.obj(type=self.enum(NeedType), adjustment_in_plan=self.flag()), 3
            ),
            events=self.items(lambda: self.obj(type=self.enum(EventType), date=self.some_day()), 6),
            home_visits=self.items(lambda: self.obj(date=self.some_day()), 3),
            release=self.release() if part() else {},
            curfew=self.curfew(),
            # one case in five from a system that does not hold some groups of records
            not_held=self.members(RecordGroup) if self.draw(_ROLL) >= 80 else None,
        )
        inputs = self.inputs(pack)
        if inputs:
            data["inputs"] = inputs
        if self.nulls == 0:  # a part with nothing known is left out altogether
            data = {k: v for k, v in data.items() if v != {}}
        return data

    def case_id(self) -> str:
        r = self.draw(_ROLL)
        if r >= 90:  # any text at all
            text: str = self.draw(_ANY_ID)
            return text
        return f"{('C', 'N-', 'X')[r % 3]}{self.draw(_CASE_NUMBER)}"


@st.composite
def _case_dict(draw: DrawFn, as_of: date | None, pack: Pack | None) -> Json:
    anchor = as_of if as_of is not None else draw(as_of_dates(pack))
    return _Builder(draw, anchor).case(pack)


def case_dicts(as_of: date | None = None, *, pack: Pack | None = None) -> SearchStrategy[Json]:
    """Valid cases as JSON-ready dicts (dates as ``YYYY-MM-DD``, enums as strings).

    Unknown facts are sometimes left out and sometimes written as ``null``, as a
    case-management system might send them. Dates cluster around the thresholds
    counted back from ``as_of`` (drawn from :func:`as_of_dates` when not given).
    With a ``pack`` that declares inputs, cases carry values for them.
    Every dict is accepted by :meth:`riskreview.Case.from_dict`.
    """
    return _case_dict(as_of, pack)


def cases(as_of: date | None = None, *, pack: Pack | None = None) -> SearchStrategy[Case]:
    """Valid, realistic :class:`~riskreview.Case` objects (see :func:`case_dicts`)."""
    return case_dicts(as_of, pack=pack).map(Case.from_dict)


# ---------------------------------------------------------------- invalid cases

Step = str | int
Path = tuple[Step, ...]


def _json_path(path: Path) -> str:
    return "$" + "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in path)


def _related(a: Path, b: Path) -> bool:
    """Whether one path is the other or lies inside it."""
    n = min(len(a), len(b))
    return a[:n] == b[:n]


#: The model's date rules: (reported at, later, earlier): later may not be before earlier.
_DATE_RULES: tuple[tuple[Path, Path, Path], ...] = tuple(
    [
        (("supervision", later), ("supervision", later), ("supervision", earlier))
        for later, earlier in (
            ("release_date", "sentence_date"),
            ("release_date", "start_date"),
            ("end_date", "start_date"),
            ("expected_release_date", "sentence_date"),
        )
    ]
    + [
        (("checks", check, "response_date"),) * 2 + (("checks", check, "requested_date"),)
        for check in ("police_domestic_abuse", "childrens_social_care")
    ]
    + [
        (("index_offence", "date"), ("supervision", "sentence_date"), ("index_offence", "date")),
        (("person", "date_of_birth"), ("supervision", "start_date"), ("person", "date_of_birth")),
        (
            ("person", "date_of_birth"),
            ("supervision", "sentence_date"),
            ("person", "date_of_birth"),
        ),
    ]
)

_BAD_VALUES: dict[str, tuple[Any, ...]] = {
    "bool": ("true", 1, 0, "yes", [], {}),
    "int": ("3", True, 2.5, 3.0, [], {}),
    "str": (5, True, [], {}, "C\udfff"),  # the last: a lone surrogate, not Unicode text
    "date": (20240105, True, [], {}, 2024.5),
    "enum": (1, True, [], {}),
    "model": ("x", 1, [], True),
    "list": ("x", 1, {}, True),
    "inputs": ("x", 1, []),
}
_BAD_DATES = (
    "9999-12-31",  # real dates, but outside 1900-01-01 to 2199-12-31
    "2200-01-01",
    "1899-12-31",
    "2025-02-29",
    "2024-02-30",
    "2024-13-01",
    "2024-00-10",
    "2024-04-31",
    "0000-01-01",
    "2024-1-5",
    "05/01/2024",
    "2024-01-05T00:00:00",
    "2024-W01-1",
    " 2024-01-05",
    "",
)
_BAD_ENUMS = ("not_a_value", "Low", "HIGH", "domestic abuse", "", "x" * 80)
_UNKNOWN_KEYS = ("notes", "colour", "risk_level", "childrenInContact", "extra_1")
_ODD_KEYS = ("bad key!", "", "naïve", "a.b")
_OUT_OF_RANGE: dict[tuple[str, str], tuple[Any, ...]] = {
    ("Mappa", "category"): (0, 5, -1, 10**6),
    ("Mappa", "level"): (0, 4, -3),
    ("DomesticAbuse", "dash_score"): (-1, 28, 10**9),
    ("DomesticAbuse", "police_callouts_12_months"): (-1, -(10**12), MAX_CALLOUTS_12_MONTHS + 1),
    ("Supervision", "custodial_sentence_months"): (-1, MAX_CUSTODIAL_MONTHS + 1, 2**64),
    ("Case", "case_id"): ("", "C" * 129),
    ("Child", "ref"): ("R" * 65,),
}


def _slots(cls: type, data: Any, path: Path) -> Iterator[tuple[Path, Any, Any]]:
    """Every field of the model below ``path``: (path, TypeInfo, attribute).

    Lists of objects contribute their existing items and one new item at the end.
    """
    for name, (info, attribute) in _structure.fields_of(cls).items():
        here = (*path, name)
        yield here, info, attribute
        value = data.get(name) if isinstance(data, dict) else None
        if info.kind == "model":
            yield from _slots(info.model, value, here)  # type: ignore[arg-type]
        elif info.kind == "list" and info.item is not None and info.item.kind == "model":
            existing = value if isinstance(value, list) else []
            for i in range(len(existing) + 1):
                item = existing[i] if i < len(existing) else None
                yield (*here, i), info.item, None
                yield from _slots(info.item.model, item, (*here, i))  # type: ignore[arg-type]


def _container(data: Json, path: Path) -> Any:
    """The dict or list holding ``path``'s last step, created (valid and empty) on the way."""
    node: Any = data
    for step, following in itertools.pairwise(path):
        empty: Any = [] if isinstance(following, int) else {}
        if isinstance(step, int):
            while len(node) <= step:
                node.append({})
            if not isinstance(node[step], dict | list):
                node[step] = empty
            node = node[step]
        else:
            if not isinstance(node.get(step), dict | list):
                node[step] = empty
            node = node[step]
    return node


def _get(data: Json, path: Path) -> Any:
    node: Any = data
    for step in path:
        if isinstance(step, int):
            if not isinstance(node, list) or step >= len(node):
                return None
        elif not isinstance(node, dict):
            return None
        node = node[step] if isinstance(step, int) else node.get(step)
    return node


def _set(data: Json, path: Path, value: Any) -> None:
    holder = _container(data, path)
    step = path[-1]
    if isinstance(step, int):
        while len(holder) <= step:
            holder.append({})
        holder[step] = value
    else:
        holder[step] = value


def _delete(data: Json, path: Path) -> None:
    holder = _get(data, path[:-1])
    if isinstance(holder, dict):
        holder.pop(path[-1], None)


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


class _Planter:
    """Plants faults in a valid case dict and records the paths they must be reported at."""

    def __init__(self, draw: DrawFn, data: Json) -> None:
        self.draw = draw
        self.data = data
        self.claimed: list[Path] = []
        self.expected: set[str] = set()

    def free(self, *paths: Path) -> bool:
        return not any(_related(p, c) for p in paths for c in self.claimed)

    def claim(self, claim: Path, reported: Path | None = None, at: str | None = None) -> None:
        self.claimed.append(claim)
        self.expected.add(at if at is not None else _json_path(reported or claim))

    def date_order(self) -> None:
        """Make one date rule fail; drop any other date the change puts out of order."""
        draw = self.draw
        reported, later, earlier = draw(st.sampled_from(_DATE_RULES))
        first = _day(_get(self.data, earlier)) or _day(_get(self.data, later)) or date(2025, 6, 2)
        first = max(first, date.min + timedelta(days=800))
        _set(self.data, earlier, first.isoformat())
        _set(self.data, later, (first - timedelta(days=draw(st.integers(1, 700)))).isoformat())
        pair = (later, earlier)
        for _, other_later, other_earlier in _DATE_RULES:
            a = _day(_get(self.data, other_later))
            b = _day(_get(self.data, other_earlier))
            if (other_later, other_earlier) != pair and a is not None and b is not None and a < b:
                _delete(self.data, other_earlier if other_later in pair else other_later)
        # a rule across two parts is checked only when both parts are otherwise valid
        if later[0] != earlier[0]:
            self.claimed.extend([later[:1], earlier[:1]])
        self.claimed.extend(pair)
        self.expected.add(_json_path(reported))

    def missing_case_id(self) -> bool:
        """Leave out (or null) the one required field."""
        if not self.free(("case_id",)):
            return False
        if self.draw(st.booleans()):
            del self.data["case_id"]
        else:
            self.data["case_id"] = None
        self.claim(("case_id",))
        return True

    def field(self) -> bool:
        """Plant one fault in one field; False when the chosen place is taken."""
        draw = self.draw
        root: tuple[Path, Any, Any] = ((), _structure.TypeInfo("model", False, model=Case), None)
        slots = [root, *_slots(Case, self.data, ())]
        path, info, attribute = draw(st.sampled_from(slots))
        kind = draw(st.sampled_from(("type", "enum", "date", "range", "key", "null")))
        if path == () and kind != "key":
            return False
        if kind == "range":
            owners = [s for s in slots if s[2] is not None and _range_key(s) in _OUT_OF_RANGE]
            path, info, attribute = draw(st.sampled_from(owners))
        if not self.free(path):
            return False
        value: Any
        if kind == "key" and info.kind == "model":
            odd = draw(st.booleans())
            key = draw(st.sampled_from(_ODD_KEYS if odd else _UNKNOWN_KEYS))
            holder = _container(self.data, (*path, "_"))
            if key in holder:
                return False
            holder[key] = draw(st.sampled_from((1, "x", None, [], {})))
            self.claim((*path, key), at=_json_path(path) if odd else _json_path((*path, key)))
            return True
        if kind == "null" and info.kind == "model" and not info.optional:
            value = None  # a part (or a list item) may not be null
        elif kind == "enum" and info.kind == "enum":
            value = draw(st.sampled_from(_BAD_ENUMS))
        elif kind == "enum" and info.kind == "list" and info.item and info.item.kind == "enum":
            members = _get(self.data, path)
            items = list(members) if isinstance(members, list) else []
            index = draw(st.integers(0, len(items)))
            items.insert(index, draw(st.sampled_from(_BAD_ENUMS)))
            _set(self.data, path, items)
            self.claim(path, (*path, index))
            return True
        elif kind == "date" and info.kind == "date":
            value = draw(st.sampled_from(_BAD_DATES))
        elif kind == "range":
            value = draw(st.sampled_from(_OUT_OF_RANGE[_range_key((path, info, attribute))]))
        elif kind == "key" and info.kind == "inputs":
            value = {draw(st.sampled_from(_UNKNOWN_KEYS)): draw(st.sampled_from(({}, [[1]])))}
            _set(self.data, path, value)
            self.claim(path, (*path, next(iter(value))))
            return True
        else:
            value = draw(st.sampled_from(_BAD_VALUES[info.kind]))
        _set(self.data, path, value)
        self.claim(path)
        return True


def _range_key(slot: tuple[Path, Any, Any]) -> tuple[str, str]:
    path, _, attribute = slot
    owner = _owner_class(path)
    return owner.__name__, attribute.name if attribute is not None else ""


def _owner_class(path: Path) -> type:
    cls: Any = Case
    for step in path[:-1]:
        if isinstance(step, int):
            continue
        info, _ = _structure.fields_of(cls)[step]
        cls = info.item.model if info.kind == "list" and info.item else info.model
    return cls  # type: ignore[no-any-return]


@st.composite
def _invalid(draw: DrawFn, as_of: date | None) -> tuple[Json, frozenset[str]]:
    data = copy.deepcopy(draw(case_dicts(as_of)))
    planter = _Planter(draw, data)
    if draw(st.integers(0, 9)) == 0:
        planter.missing_case_id()
    if draw(st.booleans()):
        planter.date_order()
    wanted = draw(st.integers(0 if planter.expected else 1, 3))
    for _ in range(40):
        if wanted == 0:
            break
        wanted -= planter.field()
    if not planter.expected:  # every place drawn was taken: fall back on the required id
        planter.missing_case_id()
    return data, frozenset(planter.expected)


def invalid_case_dicts(as_of: date | None = None) -> SearchStrategy[tuple[Json, frozenset[str]]]:
    """Case dicts with one or more deliberate faults, each with the JSON paths to expect.

    Faults: a wrong type, a misspelt enum value, an unknown key (one whose name is not
    a plain word is reported at its object), an out-of-range number or too long or empty
    text, text holding a lone surrogate, a date that does not exist, is not written
    YYYY-MM-DD or falls outside 1900-01-01 to 2199-12-31, a null part or list
    item, and dates in an impossible order (a release before the start, a response
    before its request, an offence after the sentence, a birth after the start...).
    Faults are placed so that none hides another: ``CaseError.problems`` of
    :meth:`riskreview.Case.from_dict` names exactly the paths given.
    """
    return _invalid(as_of)
