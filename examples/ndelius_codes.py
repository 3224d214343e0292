"""Mapping nDelius-style registration codes to riskreview's case model.

Probation case records in England and Wales carry *registrations* (flags) with
four-letter type codes, as in public HMPPS code: ``ADVP`` domestic abuse
perpetrator, ``RCCO`` child concerns, ``RCPR`` child protection, ``RCHD`` risk to
children, ``MAPP`` MAPPA (with category and level codes ``M1``-``M4``), and so on.
riskreview's case model uses readable names instead. This example maps one to the
other and shows why the mapping must never drop a code silently:

* a code with a riskreview equivalent becomes that registration;
* ``MAPP`` also sets ``mappa.category`` and ``mappa.level`` from its category and
  level codes (a nominal or unknown code leaves them unknown, and says so);
* a code riskreview knows has no equivalent (``RMRH`` medium RoSH: the level
  comes from the assessment, not a flag) is listed as *not used*;
* a code nobody mapped is reported as **unknown**: someone must decide what it
  means before its absence changes a decision;
* a registration that has ended (``active: false``) is listed as *inactive*.

The same case is then evaluated twice, with the mapped registrations and as if
they had been dropped: the difference is what silent dropping would cost.

Run: python examples/ndelius_codes.py [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import riskreview

AS_OF = date(2026, 11, 23)

#: nDelius registration type code → riskreview registration.
REGISTRATIONS = {
    "ADVP": "domestic_abuse_perpetrator",
    "ADVV": "domestic_abuse_victim",
    "REG30": "domestic_abuse_history",
    "RCPR": "child_protection",
    "RCCO": "child_concerns",
    "RCHD": "risk_to_children",
    "MAPP": "mappa",
    "IMAR": "marac",
    "RHRH": "high_rosh",
    "RVHR": "very_high_rosh",
    "ARSO": "registered_sexual_offender",
}

#: Codes known to have no riskreview equivalent, and why they are not used.
NOT_USED = {
    "RLRH": "low RoSH flag: riskreview reads the level from the risk assessment",
    "RMRH": "medium RoSH flag: riskreview reads the level from the risk assessment",
    "WEAP": "weapons flag: riskreview reads weapons from offences and concerns",
    "STRG": "street gangs: no rule of the default pack uses it",
    "ALSH": "suicide or self-harm: no rule of the default pack uses it",
}

#: MAPPA category and level codes; M0 (level) and X9 (category) are nominal: unknown.
MAPPA_CATEGORIES = {"M1": 1, "M2": 2, "M3": 3, "M4": 4}
MAPPA_LEVELS = {"M1": 1, "M2": 2, "M3": 3}


@dataclass
class Mapped:
    """The case-model view of a list of registrations, and a note for every code."""

    registrations: list[str] = field(default_factory=list)
    mappa: dict[str, int | None] = field(default_factory=dict)
    not_used: list[str] = field(default_factory=list)
    inactive: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def map_registrations(records: list[dict[str, Any]]) -> Mapped:
    """Map nDelius-style registration records; every input code ends up somewhere."""
    out = Mapped()
    for record in records:
        code = str(record["type"]["code"]).upper()
        if not record.get("active", True):
            out.inactive.append(code)
        elif code in REGISTRATIONS:
            name = REGISTRATIONS[code]
            if name not in out.registrations:
                out.registrations.append(name)
            if code == "MAPP":
                category = (record.get("registerCategory") or {}).get("code")
                level = (record.get("registerLevel") or {}).get("code")
                out.mappa = {
                    "category": MAPPA_CATEGORIES.get(category or ""),
                    "level": MAPPA_LEVELS.get(level or ""),
                }
                for what, value in (("category", category), ("level", level)):
                    if out.mappa[what] is None:
                        out.not_used.append(f"MAPP {what} {value!r}: nominal or unknown")
        elif code in NOT_USED:
            out.not_used.append(f"{code}: {NOT_USED[code]}")
        else:
            out.unknown.append(code)
    out.registrations.sort()
    return out


#: A person's registrations as an nDelius-style API returns them.
DELIUS_REGISTRATIONS: list[dict[str, Any]] = [
    {"type": {"code": "ADVP", "description": "Domestic Abuse Perpetrator"}, "active": True},
    {"type": {"code": "RCCO", "description": "Child Concerns"}, "active": True},
    {
        "type": {"code": "MAPP", "description": "MAPPA"},
        "registerCategory": {"code": "M2", "description": "MAPPA Cat 2"},
        "registerLevel": {"code": "M1", "description": "MAPPA Level 1"},
        "active": True,
    },
    {"type": {"code": "RMRH", "description": "Medium RoSH"}, "active": True},
    {"type": {"code": "RCPR", "description": "Child Protection"}, "active": False},
    {"type": {"code": "ZLOC", "description": "Local flag"}, "active": True},
]

#: The rest of the case, already in riskreview's shape: a burglary case with a child
#: in contact, checks with the police made, nothing yet with children's services.
CASE: dict[str, Any] = {
    "case_id": "D123456",
    "supervision": {"stage": "community", "start_date": "2026-11-02"},
    "index_offence": {"categories": ["burglary"], "date": "2026-08-14"},
    "offending_history": [],
    "concerns": [],
    "household": {"children": [{"ref": "C1", "date_of_birth": "2019-05-01", "contact": True}]},
    "checks": {"police_domestic_abuse": {"requested_date": "2026-11-03"}},
    "risk": {"screening_date": "2026-11-04", "levels": {"public": "medium", "children": "low"}},
}


def case_with(mapped: Mapped | None) -> dict[str, Any]:
    """The case with the mapped registrations, or with none at all (dropped)."""
    case = dict(CASE)
    case["registrations"] = mapped.registrations if mapped else []
    if mapped and mapped.mappa:
        case["mappa"] = mapped.mappa
    return case


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    mapped = map_registrations(DELIUS_REGISTRATIONS)
    with_codes = riskreview.evaluate(case_with(mapped), as_of=AS_OF)
    dropped = riskreview.evaluate(case_with(None), as_of=AS_OF)
    lost = {
        a.code: list(a.rule_ids) for a in with_codes.actions if a.code not in dropped.action_codes
    }
    if args.json:
        result = {
            "mapping": asdict(mapped),
            "actions": {a.code: list(a.rule_ids) for a in with_codes.actions},
            "lost_if_dropped": lost,
        }
        print(json.dumps(result, indent=2))
        return 0
    codes = ", ".join(r["type"]["code"] for r in DELIUS_REGISTRATIONS)
    print(f"nDelius registrations: {codes}")
    print(f"  mapped      {', '.join(mapped.registrations)}")
    mappa = mapped.mappa
    print(f"  MAPPA       category {mappa.get('category')}, level {mappa.get('level')}")
    for note in mapped.not_used:
        print(f"  not used    {note}")
    for code in mapped.inactive:
        print(f"  inactive    {code} (registration ended)")
    for code in mapped.unknown:
        print(f"  UNKNOWN     {code}: no mapping; decide what it means before relying on this")
    print(f"\nCase {with_codes.case_id} on {AS_OF}, with the mapped registrations:")
    for action in with_codes.actions:
        print(f"  {action.priority:6}  {action.code:30} rules {', '.join(action.rule_ids)}")
    print("\nRequired only because of the registrations (lost if the codes were dropped):")
    for code, rules in lost.items():
        print(f"  {code:38} rules {', '.join(rules)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
