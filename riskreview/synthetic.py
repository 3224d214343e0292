"""A synthetic caseload: realistic-looking cases for demos, benchmarks and policy diffs.

:func:`generate` yields case dicts that :meth:`riskreview.Case.from_dict` accepts.
Case ``i`` depends only on ``(seed, i, as_of)``, so the same arguments give the
same caseload, and the first ``k`` cases of a long caseload are the caseload of ``k``.

No case describes a real person; there are no names or free text.

The proportions are **assumptions** chosen to look like a probation caseload in
England and Wales, not statistics:

* stage: about 10% pre-sentence (court report requested in the last 3 weeks), 55%
  community, 15% in custody (with an expected release date), 15% on licence (released
  in the last year, with release dates), 5% post-sentence supervision;
* children: about 40% have children in contact (1-3 children; about 8% of them on a
  child protection plan, 10% children in need, 3% looked after, 3% unborn), 45% none,
  15% not recorded;
* domestic abuse: about 35% have an indicator now or in the past (20% an index
  offence, the rest in the offending history or police information), with a DASH
  score for most of them (about 1 in 6 at 14 or more) and call-outs in the last year;
* risk of serious harm by group: about 35% low, 45% medium, 17% high, 3% very high;
  a screening recorded on about 85% of sentenced cases; MAPPA on about 5%;
* events: on average 1.5 changes in circumstances per month of supervision (in the last
  12 months at most), of every :class:`~riskreview.case.EventType`; the urgent kinds
  (arrest, recall, police or children's services information, victim contact,
  call-outs, mental health crises, safeguarding concerns) are rarer;
* checks: the police domestic abuse check and the children's social care enquiry are
  each recorded on about half of cases, about 80% of those with a response;
* unknowns everywhere: most optional facts are left out (unknown) on 5-15% of cases.

>>> from datetime import date
>>> from riskreview import Case
>>> cases = list(generate(3, seed=1, as_of=date(2026, 11, 23)))
>>> [c["case_id"] for c in cases]
['SYN1-000000', 'SYN1-000001', 'SYN1-000002']
>>> all(Case.from_dict(c).case_id == c["case_id"] for c in cases)
True
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from typing import Any, TypeVar

from riskreview._args import check_date, check_whole

__all__ = ["generate"]

_T = TypeVar("_T")
_MONTH = 30.44

_STAGES = {
    "pre_sentence": 10,
    "community": 55,
    "custody": 15,
    "licence": 15,
    "post_sentence_supervision": 5,
}
_AGE_BANDS = {(18, 24): 20, (25, 34): 35, (35, 44): 25, (45, 59): 15, (60, 75): 5}
_OFFENCES = {
    "violence": 22,
    "acquisitive": 15,
    "drugs": 12,
    "motoring": 8,
    "public_order": 6,
    "burglary": 5,
    "sexual": 4,
    "robbery": 3,
    "weapons": 3,
    "other": 3,
    "harassment": 2,
    "breach_of_protective_order": 2,
    "threats_to_kill": 1,
    "non_fatal_strangulation": 1,
    "stalking": 1,
    "arson": 1,
    "offence_against_children": 1,
    "child_cruelty_or_neglect": 1,
    "child_sexual_exploitation": 0.3,
    "terrorism": 0.1,
}
_LEVELS = {"low": 35, "medium": 45, "high": 17, "very_high": 3}
_EVENTS = {
    "change_of_address": 14,
    "loss_of_employment": 9,
    "new_relationship": 9,
    "substance_misuse_relapse": 8,
    "separation": 7,
    "breach": 6,
    "homelessness": 5,
    "pregnancy": 3,
    "birth_of_child": 3,
    "rosh_level_change": 3,
    "charge": 2,
    "conviction": 1.5,
    # urgent kinds: rarer
    "arrest": 1.5,
    "police_information": 1.5,
    "childrens_services_information": 1.5,
    "domestic_abuse_callout": 1,
    "victim_contact": 1,
    "mental_health_crisis": 1,
    "safeguarding_concern": 1,
}
_CUSTODY_EVENTS = {"recall": 1, "release_from_custody": 1}
_EVENTS_PER_MONTH = 1.5
_EVENT_MONTHS = 12
_NEEDS = (
    "learning_disability",
    "learning_difficulty",
    "mental_health",
    "literacy",
    "speech_language_communication",
    "neurodivergence",
    "physical_health",
    "caring_responsibilities",
    "language_interpreter",
    "substance_misuse",
)


def generate(n: int, seed: int = 0, as_of: date | None = None) -> Iterator[dict[str, Any]]:
    """Yield ``n`` synthetic cases as JSON-ready dicts, deterministic by ``seed``.

    ``as_of`` is the day the caseload describes (default: today); every recorded
    date is on or before it, except expected release and end dates.
    """
    check_whole("n", n)
    check_whole("seed", seed, minimum=-(2**63))
    if as_of is not None:
        check_date("as_of", as_of)
    when = as_of if as_of is not None else date.today()
    for i in range(n):
        rng = random.Random(f"riskreview-synthetic:{seed}:{i}")  # noqa: S311 - not security
        yield _Case(rng, when).build(f"SYN{seed}-{i:06d}")


def _pick(rng: random.Random, weights: Mapping[_T, float]) -> _T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def _tri(rng: random.Random, p_true: float, p_false: float) -> bool | None:
    """True, False, or None (unknown) for the remaining probability."""
    x = rng.random()
    return True if x < p_true else False if x < p_true + p_false else None


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Leave out unknown (None) values and empty objects."""
    return {k: v for k, v in data.items() if v is not None and v != {}}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


class _Case:
    """Builds one case; every random draw comes from its own generator."""

    def __init__(self, rng: random.Random, as_of: date) -> None:
        self.rng = rng
        self.as_of = as_of
        # set by build() before the parts that read them
        self.start = as_of
        self.age = 30
        self.domestic = False
        self.levels: dict[str, str] = {}

    def between(self, start: date, end: date) -> date:
        """A day in [start, end] (``end`` when the span is empty)."""
        span = (end - start).days
        return end if span <= 0 else start + timedelta(days=self.rng.randint(0, span))

    def months_ago(self, low: float, high: float) -> date:
        return self.as_of - timedelta(days=round(self.rng.uniform(low, high) * _MONTH))

    def unknown(self, p: float = 0.1) -> bool:
        return _chance(self.rng, p)

    def build(self, case_id: str) -> dict[str, Any]:
        rng = self.rng
        supervision = self.supervision()
        self.start = date.fromisoformat(supervision["start_date"])
        sentenced = supervision.get("sentence_date")
        first = date.fromisoformat(sentenced) if sentenced else self.start
        low, high = _pick(rng, _AGE_BANDS)
        self.age = rng.randint(low, high)
        born = first - timedelta(days=round(self.age * 365.25) + rng.randint(0, 364))
        index = self.offence(self.between(first - timedelta(days=365), first - timedelta(days=21)))
        self.domestic = "domestic_abuse" in index["categories"]
        history = self.history(born, date.fromisoformat(index["date"]))
        self.domestic = self.domestic or any(
            "domestic_abuse" in o["categories"] for o in history or []
        )
        concerns = self.concerns()
        self.levels = self.risk_levels()
        children = self.household()
        case: dict[str, Any] = {
            "case_id": case_id,
            "person": {} if self.unknown(0.05) else {"date_of_birth": born.isoformat()},
            "supervision": supervision,
            "index_offence": index,
            "offending_history": history,
            "concerns": concerns,
            "risk": self.risk(),
            "mappa": self.mappa(),
            "domestic_abuse": self.domestic_abuse(),
            "household": children,
            "checks": self.checks(),
            "plans": self.plans(),
            "needs": self.needs(),
            "events": self.events(supervision),
            "home_visits": self.home_visits(supervision["stage"]),
            "release": self.release(supervision),
            "curfew": self.curfew(supervision["stage"]),
        }
        case["registrations"] = self.registrations(children)
        return _clean(case)

    # ------------------------------------------------------------ sentence

    def supervision(self) -> dict[str, Any]:
        rng = self.rng
        stage = _pick(rng, _STAGES)
        out: dict[str, Any] = {"stage": stage}
        if stage == "pre_sentence":
            out["start_date"] = (self.as_of - timedelta(days=rng.randint(0, 20))).isoformat()
            return out
        if stage == "community":
            sentenced = self.months_ago(0, 36)
            start = min(sentenced + timedelta(days=rng.randint(0, 7)), self.as_of)
            out |= {
                "sentence_type": _pick(
                    rng, {"community_order": 70, "suspended_sentence_order": 30}
                ),
                "sentence_date": sentenced.isoformat(),
                "start_date": start.isoformat(),
                "end_date": (sentenced + timedelta(days=rng.randint(12, 36) * 30)).isoformat(),
            }
            return self.unknowns(out)
        months = rng.choice((6, 9, 12, 18, 24, 36, 48, 60, 96, 120))
        out["sentence_type"] = _pick(
            rng, {"determinate_custody": 85, "extended_determinate": 10, "indeterminate": 5}
        )
        out["custodial_sentence_months"] = months
        if stage == "custody":
            sentenced = self.months_ago(0, min(months / 2, 36))
            release = sentenced + timedelta(days=round(months / 2 * _MONTH))
            if release <= self.as_of:
                release = self.as_of + timedelta(days=rng.randint(1, 365))
            out |= {
                "sentence_date": sentenced.isoformat(),
                "start_date": sentenced.isoformat(),
                "expected_release_date": release.isoformat(),
            }
            return self.unknowns(out)
        released = self.months_ago(0, 12) if stage == "licence" else self.months_ago(12, 24)
        sentenced = released - timedelta(days=round(months / 2 * _MONTH))
        out |= {
            "sentence_date": sentenced.isoformat(),
            "start_date": sentenced.isoformat(),
            "release_date": released.isoformat(),
            "end_date": (released + timedelta(days=rng.randint(3, 24) * 30)).isoformat(),
        }
        return self.unknowns(out)

    def unknowns(self, supervision: dict[str, Any]) -> dict[str, Any]:
        """Leave out a sentence detail now and then (never the stage or start date)."""
        for key in ("sentence_type", "end_date", "custodial_sentence_months"):
            if key in supervision and self.unknown(0.08):
                del supervision[key]
        return supervision

    def offence(self, when: date, domestic_abuse: float = 0.2) -> dict[str, Any]:
        rng = self.rng
        categories = ["domestic_abuse"] if _chance(rng, domestic_abuse) else []
        categories.append(_pick(rng, _OFFENCES))
        if _chance(rng, 0.2):
            categories.append(_pick(rng, _OFFENCES))
        return {"categories": sorted(set(categories)), "date": when.isoformat()}

    def history(self, born: date, before: date) -> list[dict[str, Any]] | None:
        if self.unknown(0.05):
            return None
        earliest = born + timedelta(days=round(14 * 365.25))
        count = min(_poisson(self.rng, 2.0), 10)
        past_da = 0.0 if self.domestic else 0.06
        items = [self.offence(self.between(earliest, before), past_da) for _ in range(count)]
        return sorted(items, key=lambda o: str(o["date"]))

    def concerns(self) -> list[dict[str, Any]] | None:
        rng = self.rng
        if self.unknown(0.1):
            return None
        out = []
        if _chance(rng, 0.08):
            out.append({"source": "police", "categories": ["domestic_abuse"]})
        for _ in range(_poisson(rng, 0.4)):
            source = _pick(
                rng,
                {
                    "police": 50,
                    "childrens_services": 25,
                    "prison": 10,
                    "victim": 10,
                    "other_agency": 5,
                },
            )
            out.append({"source": source, "categories": [_pick(rng, _OFFENCES)]})
        for item in out:
            item["date"] = self.between(self.start - timedelta(days=730), self.as_of).isoformat()
        if any("domestic_abuse" in c["categories"] for c in out):
            self.domestic = True
        return out

    # ------------------------------------------------------------ risk

    def risk_levels(self) -> dict[str, str]:
        groups = ("children", "public", "known_adult", "staff")
        levels = {g: _pick(self.rng, _LEVELS) for g in groups if not self.unknown(0.1)}
        if self.start < self.as_of and _chance(self.rng, 0.15):
            levels["prisoners"] = _pick(self.rng, _LEVELS)
        return levels

    def risk(self) -> dict[str, Any]:
        rng = self.rng
        screened = _chance(rng, 0.85)
        if not screened:
            return {"levels": self.levels} if _chance(rng, 0.3) else {}
        screening = self.between(self.start, min(self.start + timedelta(days=15), self.as_of))
        outcome = _pick(rng, {"full_analysis_required": 45, "full_analysis_not_required": 55})
        out: dict[str, Any] = {
            "screening_date": screening.isoformat(),
            "screening_outcome": outcome,
            "levels": self.levels,
            "rating_rationale_recorded": _tri(rng, 0.7, 0.2),
        }
        latest = screening
        if outcome == "full_analysis_required" and _chance(rng, 0.8):
            latest = self.between(screening, min(screening + timedelta(days=30), self.as_of))
            out["full_analysis_date"] = latest.isoformat()
        elif outcome == "full_analysis_not_required":
            out["screening_countersigned"] = _tri(rng, 0.6, 0.2)
        if _chance(rng, 0.7):
            out["last_review_date"] = self.between(
                max(latest, self.as_of - timedelta(days=240)), self.as_of
            ).isoformat()
        return _clean(out)

    def mappa(self) -> dict[str, int]:
        if not _chance(self.rng, 0.05):
            return {}
        return {
            "category": _pick(self.rng, {1: 40, 2: 50, 3: 10}),
            "level": _pick(self.rng, {1: 80, 2: 17, 3: 3}),
        }

    def domestic_abuse(self) -> dict[str, Any]:
        rng = self.rng
        if not self.domestic:
            return {"police_callouts_12_months": 0} if _chance(rng, 0.3) else {}
        score = min(27, max(0, round(rng.gauss(8, 5))))
        out = {
            "dash_score": None if self.unknown(0.15) else score,
            "police_callouts_12_months": None if self.unknown(0.1) else _poisson(rng, 1.0),
            "known_victim": _tri(rng, 0.7, 0.2),
            "last_marac_referral_date": (
                _iso(self.months_ago(0, 24)) if score >= 14 and _chance(rng, 0.5) else None
            ),
            "dvds_considered_date": _iso(self.months_ago(0, 12)) if _chance(rng, 0.2) else None,
        }
        return _clean(out)

    def registrations(self, household: dict[str, Any]) -> list[str] | None:
        rng = self.rng
        if self.unknown(0.1):
            return None
        out = []
        if self.domestic and _chance(rng, 0.6):
            out.append("domestic_abuse_perpetrator")
        if any(c.get("child_protection_plan") for c in household.get("children") or []):
            out.append("child_protection")
        if self.levels.get("children") in ("high", "very_high") and _chance(rng, 0.7):
            out.append("risk_to_children")
        if any(v in ("high", "very_high") for v in self.levels.values()) and _chance(rng, 0.8):
            out.append("high_rosh")
        if _chance(rng, 0.05):
            out.append("mappa")
        if self.domestic and _chance(rng, 0.1):
            out.append("marac")
        return out

    # ------------------------------------------------------------ household and checks

    def household(self) -> dict[str, Any]:
        rng = self.rng
        contact = _tri(rng, 0.40, 0.45)
        out: dict[str, Any] = {
            "children_in_contact": contact,
            "in_relationship": _tri(rng, 0.45, 0.40),
        }
        if contact is False:
            out["children"] = []
        elif contact:
            out["children"] = [self.child(k) for k in range(rng.randint(1, 3))]
        return _clean(out)

    def child(self, k: int) -> dict[str, Any]:
        rng = self.rng
        unborn = _chance(rng, 0.03)
        born = (
            self.as_of + timedelta(days=rng.randint(30, 250))
            if unborn
            else self.as_of - timedelta(days=rng.randint(0, 17 * 365))
        )
        plan, need = _chance(rng, 0.08), _chance(rng, 0.10)
        lives_with = _tri(rng, 0.5, 0.45)
        out = {
            "ref": f"child-{k + 1}",
            "date_of_birth": born.isoformat(),
            "lives_with": lives_with,
            "contact": True if lives_with is not True else None,
            "child_protection_plan": plan if not self.unknown(0.1) else None,
            "child_in_need": need if not self.unknown(0.1) else None,
            "looked_after": _chance(rng, 0.03),
            "social_worker_liaison_date": (
                _iso(self.months_ago(0, 4)) if (plan or need) and _chance(rng, 0.6) else None
            ),
        }
        return _clean(out)

    def check(self) -> dict[str, Any] | None:
        rng = self.rng
        if not _chance(rng, 0.5):
            return None
        requested = self.between(self.start, self.as_of)
        out: dict[str, Any] = {"requested_date": requested.isoformat()}
        if _chance(rng, 0.8):
            answered = min(requested + timedelta(days=rng.randint(1, 25)), self.as_of)
            out["response_date"] = answered.isoformat()
            out["outcome"] = _pick(rng, {"concerns": 30, "no_concerns": 50, "no_trace": 20})
        return out

    def checks(self) -> dict[str, Any]:
        return _clean(
            {"police_domestic_abuse": self.check(), "childrens_social_care": self.check()}
        )

    def plans(self) -> dict[str, Any]:
        names = (
            "risk_management_plan_date",
            "domestic_abuse_plan_date",
            "victim_safety_plan_date",
            "safeguarding_plan_date",
            "sentence_plan_date",
            "barriers_assessment_date",
        )
        out: dict[str, Any] = {
            name: self.between(self.start, self.as_of).isoformat()
            for name in names
            if _chance(self.rng, 0.5)
        }
        if _chance(self.rng, 0.4):
            out["next_review_planned_date"] = (
                self.as_of + timedelta(days=self.rng.randint(-30, 120))
            ).isoformat()
        return out

    def needs(self) -> list[dict[str, Any]] | None:
        rng = self.rng
        if self.unknown(0.1):
            return None
        pool = list(_NEEDS) + (["maturity"] if self.age <= 25 else [])
        chosen = rng.sample(pool, k=min(len(pool), _poisson(rng, 0.8)))
        return [_clean({"type": t, "adjustment_in_plan": _tri(rng, 0.5, 0.3)}) for t in chosen]

    # ------------------------------------------------------------ events and visits

    def events(self, supervision: dict[str, Any]) -> list[dict[str, Any]] | None:
        rng = self.rng
        if self.unknown(0.05):
            return None
        since = max(self.start, self.as_of - timedelta(days=round(_EVENT_MONTHS * _MONTH)))
        months = (self.as_of - since).days / _MONTH
        kinds: dict[str, float] = dict(_EVENTS)
        if supervision["stage"] in ("licence", "post_sentence_supervision"):
            kinds |= _CUSTODY_EVENTS
        out = [
            {"type": _pick(rng, kinds), "date": self.between(since, self.as_of).isoformat()}
            for _ in range(_poisson(rng, _EVENTS_PER_MONTH * months))
        ]
        release = supervision.get("release_date")
        if release and date.fromisoformat(release) >= since:
            out.append({"type": "release_from_custody", "date": release})
        for event in out:
            if self.unknown(0.03):
                del event["date"]
        return sorted(out, key=lambda e: (str(e.get("date", "")), str(e["type"])))

    def home_visits(self, stage: str) -> list[dict[str, str]] | None:
        if stage in ("custody", "pre_sentence") or self.unknown(0.1):
            return None
        return sorted(
            (
                {"date": self.between(self.start, self.as_of).isoformat()}
                for _ in range(_poisson(self.rng, 1.2))
            ),
            key=lambda v: v["date"],
        )

    def release(self, supervision: dict[str, Any]) -> dict[str, Any]:
        rng = self.rng
        released = supervision.get("release_date") or supervision.get("expected_release_date")
        if released is None or supervision["stage"] not in ("custody", "licence"):
            return {}
        day = date.fromisoformat(released)
        if day > self.as_of + timedelta(days=120):
            return {}
        latest = min(day, self.as_of)
        start = max(self.start, latest - timedelta(days=90))
        names = (
            "pre_release_review_date",
            "address_police_check_date",
            "address_safeguarding_check_date",
        )
        return {n: self.between(start, latest).isoformat() for n in names if _chance(rng, 0.6)}

    def curfew(self, stage: str) -> dict[str, Any] | None:
        rng = self.rng
        if stage == "custody" or not _chance(rng, 0.05):
            return None
        out = {
            "status": "proposed" if stage == "pre_sentence" else "imposed",
            "address_police_check_date": (
                _iso(self.between(self.start, self.as_of)) if _chance(rng, 0.5) else None
            ),
            "address_safeguarding_check_date": (
                _iso(self.between(self.start, self.as_of)) if _chance(rng, 0.5) else None
            ),
            "occupier_agreement": _tri(rng, 0.7, 0.1),
        }
        return _clean(out)
