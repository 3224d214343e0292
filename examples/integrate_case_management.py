"""Integrating riskreview into a case-management system: its record in, its tasks out.

A case-management system ("CaseBook" here, an imaginary one) keeps a case in its
own shape: its own field names, dates written dd/mm/yyyy, Y/N/U answers, its own
offence tags. The integration is two small mappings around one call:

1. ``to_case``: the system's record → riskreview's case dict. Every answer the
   system does not know (``U``, an empty field) becomes ``None``, never ``False``:
   riskreview then asks for it instead of assuming "no". A value the mapping cannot
   translate (an offence tag with no category) is reported, never dropped.
2. ``riskreview.evaluate(case, as_of=...)``: the decision.
3. ``to_tasks``: each required action → one task in the system's own shape (a
   stable id, so a nightly re-run updates tasks instead of duplicating them; the
   title; the due date; the owning team; the rule ids that required it). Each
   information action, each untranslatable value and each field riskreview
   rejects (``CaseError``, by JSON path) becomes a **data quality** task.

Run: python examples/integrate_case_management.py [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

import riskreview

AS_OF = date(2026, 11, 23)

#: Two records as CaseBook holds them. The second one has a MAPPA level CaseBook
#: allowed but that does not exist, and an offence tag with no category.
RECORDS: list[dict[str, Any]] = [
    {
        "ref": "CB-2026-00417",
        "team": "North Team 2",
        "subject": {"birth_date": "14/03/1988"},
        "order": {"phase": "COMMUNITY", "kind": "CO", "made_on": "26/10/2026"},
        "supervision_from": "26/10/2026",
        "offences": [
            {"lead": True, "tags": ["DV", "ASSAULT"], "on": "30/07/2026"},
            {"lead": False, "tags": ["CHILD_NEGLECT"], "on": "01/03/2015"},
        ],
        "flags": [],
        "kids_in_contact": "Y",
        "kids": [{"id": "K1", "dob": "01/09/2021", "lives_with": "N", "contact": "Y"}],
        "partner": "U",
        "rosh": {"screened_on": "28/10/2026", "children": "M", "public": "L", "known_adult": "M"},
        "agency_checks": [],
        "life_events": [{"what": "NEW_PARTNER", "noted": "16/11/2026"}],
    },
    {
        "ref": "CB-2026-00533",
        "team": "South Team 1",
        "subject": {"birth_date": "02/11/1979"},
        "order": {"phase": "LICENCE", "kind": "SDS", "made_on": "04/02/2025"},
        "supervision_from": "09/10/2026",
        "offences": [{"lead": True, "tags": ["ROBBERY", "GRAFFITI"], "on": "12/12/2024"}],
        "flags": [],
        "kids_in_contact": "N",
        "kids": [],
        "partner": "N",
        "mappa": {"category": 2, "level": 5},
        "rosh": {"screened_on": "12/10/2026", "public": "H"},
        "agency_checks": [{"agency": "POLICE_DA", "sent": "12/10/2026", "back": "19/10/2026"}],
        "life_events": [],
    },
]

# ------------------------------------------------------------------- CaseBook → case

_YNU = {"Y": True, "N": False, "U": None}
_ROSH = {"L": "low", "M": "medium", "H": "high", "V": "very_high"}
_PHASE = {
    "COURT": "pre_sentence",
    "COMMUNITY": "community",
    "CUSTODY": "custody",
    "LICENCE": "licence",
    "PSS": "post_sentence_supervision",
}
_ORDER = {
    "CO": "community_order",
    "SSO": "suspended_sentence_order",
    "SDS": "determinate_custody",
    "EDS": "extended_determinate",
}
_TAGS = {
    "DV": "domestic_abuse",
    "ASSAULT": "violence",
    "CHILD_NEGLECT": "child_cruelty_or_neglect",
    "SEX": "sexual",
    "STALK": "stalking",
    "ROBBERY": "robbery",
    "KNIFE": "weapons",
    "ARSON": "arson",
    "BURGLARY": "burglary",
    "THEFT": "acquisitive",
    "DRUGS": "drugs",
}
_EVENTS = {
    "NEW_PARTNER": "new_relationship",
    "SPLIT": "separation",
    "ARRESTED": "arrest",
    "MOVED": "change_of_address",
    "NFA": "homelessness",
    "RELAPSE": "substance_misuse_relapse",
}
_CHECKS = {"POLICE_DA": "police_domestic_abuse", "CSC": "childrens_social_care"}


def _date(text: str | None) -> str | None:
    """CaseBook's dd/mm/yyyy as ISO; empty is unknown."""
    return datetime.strptime(text, "%d/%m/%Y").date().isoformat() if text else None


def to_case(record: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """riskreview's case dict for a CaseBook record, and what could not be translated."""
    untranslated: list[str] = []

    def categories(tags: list[str], where: str) -> list[str]:
        for tag in tags:
            if tag not in _TAGS:
                untranslated.append(f"{where}: offence tag {tag!r} has no riskreview category")
        return sorted({_TAGS[t] for t in tags if t in _TAGS})

    lead = [o for o in record["offences"] if o["lead"]]
    history = [o for o in record["offences"] if not o["lead"]]
    case: dict[str, Any] = {
        "case_id": record["ref"],
        "person": {"date_of_birth": _date(record["subject"].get("birth_date"))},
        "supervision": {
            "stage": _PHASE.get(record["order"]["phase"]),
            "sentence_type": _ORDER.get(record["order"]["kind"]),
            "sentence_date": _date(record["order"].get("made_on")),
            "start_date": _date(record.get("supervision_from")),
        },
        "index_offence": {
            "categories": categories(lead[0]["tags"], "lead offence") if lead else None,
            "date": _date(lead[0]["on"]) if lead else None,
        },
        "offending_history": [
            {"categories": categories(o["tags"], "previous offence"), "date": _date(o["on"])}
            for o in history
        ],
        "registrations": record["flags"],
        "household": {
            "children_in_contact": _YNU[record["kids_in_contact"]],
            "in_relationship": _YNU[record["partner"]],
            "children": [
                {
                    "ref": kid["id"],
                    "date_of_birth": _date(kid["dob"]),
                    "lives_with": _YNU[kid["lives_with"]],
                    "contact": _YNU[kid["contact"]],
                }
                for kid in record["kids"]
            ],
        },
        "risk": {
            "screening_date": _date(record["rosh"].get("screened_on")),
            "levels": {
                group: _ROSH[record["rosh"][group]]
                for group in ("children", "public", "known_adult", "staff")
                if record["rosh"].get(group)
            },
        },
        "checks": {
            _CHECKS[c["agency"]]: {
                "requested_date": _date(c.get("sent")),
                "response_date": _date(c.get("back")),
            }
            for c in record["agency_checks"]
        },
        "events": [
            {"type": _EVENTS[e["what"]], "date": _date(e["noted"])}
            for e in record["life_events"]
            if e["what"] in _EVENTS
        ],
    }
    untranslated.extend(
        f"life event {e['what']!r} has no riskreview event type"
        for e in record["life_events"]
        if e["what"] not in _EVENTS
    )
    if "mappa" in record:
        case["mappa"] = dict(record["mappa"])
    return case, untranslated


# ------------------------------------------------------------------- decision → tasks

#: Which CaseBook team owns actions of each policy area; others stay with the case's team.
_TEAMS = {"child_safeguarding": "Safeguarding hub", "domestic_abuse": "Domestic abuse unit"}
DATA_QUALITY_TEAM = "Data quality"
_CALENDAR = riskreview.Calendar()


@dataclass(frozen=True)
class Task:
    """A CaseBook task."""

    id: str
    kind: str  # "action" or "data_quality"
    title: str
    due: str
    priority: str
    owner_team: str
    source_rules: list[str]
    notes: list[str]


def to_tasks(record: dict[str, Any], decision: riskreview.Decision) -> list[Task]:
    """One task per required action, one data quality task per information action."""
    tasks = [
        Task(
            id=f"{record['ref']}/{action.code}",
            kind="action",
            title=action.title,
            due=action.due_date.isoformat(),
            priority=action.priority,
            owner_team=_TEAMS.get(action.area, record["team"]),
            source_rules=list(action.rule_ids),
            notes=list(action.reasons),
        )
        for action in decision.actions
    ]
    data_quality_due = _CALENDAR.add_working_days(decision.as_of, 5).isoformat()
    tasks.extend(
        Task(
            id=f"{record['ref']}/DQ/{info.code}",
            kind="data_quality",
            title=info.title,
            due=data_quality_due,
            priority="medium",
            owner_team=DATA_QUALITY_TEAM,
            source_rules=list(info.rule_ids),
            notes=[
                f"riskreview cannot decide {', '.join(info.rule_ids)} until {info.field} "
                "is recorded"
            ],
        )
        for info in decision.information
    )
    return tasks


def _fix_record_task(record: dict[str, Any], what: str, notes: list[str]) -> Task:
    return Task(
        id=f"{record['ref']}/DQ/{what}",
        kind="data_quality",
        title="Correct the case record so that policy can be applied",
        due=_CALENDAR.add_working_days(AS_OF, 2).isoformat(),
        priority="high",
        owner_team=DATA_QUALITY_TEAM,
        source_rules=[],
        notes=notes,
    )


def process(record: dict[str, Any], as_of: date = AS_OF) -> list[Task]:
    """Everything CaseBook needs to do for one record on ``as_of``."""
    case, untranslated = to_case(record)
    tasks: list[Task] = []
    if untranslated:
        tasks.append(_fix_record_task(record, "UNTRANSLATED", untranslated))
    try:
        decision = riskreview.evaluate(case, as_of=as_of)
    except riskreview.CaseError as error:
        # Every problem at once, by JSON path in riskreview's case: fix the record.
        return [*tasks, _fix_record_task(record, "INVALID", [str(p) for p in error.problems])]
    return to_tasks(record, decision) + tasks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the tasks as JSON")
    args = parser.parse_args(argv)
    by_record = {record["ref"]: process(record) for record in RECORDS}
    if args.json:
        print(json.dumps({ref: [asdict(t) for t in ts] for ref, ts in by_record.items()}, indent=2))
        return 0
    for ref, tasks in by_record.items():
        actions = [t for t in tasks if t.kind == "action"]
        quality = [t for t in tasks if t.kind == "data_quality"]
        print(
            f"CaseBook record {ref} on {AS_OF}: {len(actions)} tasks, "
            f"{len(quality)} data quality tasks"
        )
        for task in actions:
            print(f"  {task.due}  {task.priority:6}  {task.owner_team:20}  {task.title}")
            print(f"  {'':10}  {'':6}  {'':20}  id {task.id}; rules {', '.join(task.source_rules)}")
        for task in quality:
            print(f"  {task.due}  {task.priority:6}  {'Data quality':20}  {task.title}")
            for note in task.notes:
                print(f"  {'':10}  {'':6}  {'':20}  - {note}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
