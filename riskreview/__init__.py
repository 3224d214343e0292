"""riskreview: probation risk-of-harm screening and review-trigger policy as rules.

Hand it one case as it stands and a date; it answers which actions policy now
requires (a police domestic abuse check, a children's social care enquiry, a
full risk of harm analysis, a review of the risk assessment...), why, and by when.

>>> import riskreview
>>> from datetime import date
>>> decision = riskreview.evaluate(
...     {"case_id": "C1", "household": {"children_in_contact": True},
...      "index_offence": {"categories": ["domestic_abuse"]}},
...     as_of=date(2026, 11, 23))
>>> "CSC_ENQUIRY" in decision.action_codes
True
"""

from riskreview._api import evaluate, explain
from riskreview._refresh import refresh
from riskreview._version import VERSION as __version__
from riskreview.calendar import Calendar
from riskreview.case import Case
from riskreview.decision import (
    ConditionCheck,
    Decision,
    Evidence,
    Explanation,
    InformationAction,
    NextReview,
    RequiredAction,
    RollingDue,
    RuleOutcome,
)
from riskreview.errors import (
    ArgumentError,
    CaseError,
    EngineError,
    PackError,
    PolicyNotInForceError,
    Problem,
    RiskReviewError,
    UnknownRuleError,
)
from riskreview.pack import Pack, default_pack, load_pack

__all__ = [
    "ArgumentError",
    "Calendar",
    "Case",
    "CaseError",
    "ConditionCheck",
    "Decision",
    "EngineError",
    "Evidence",
    "Explanation",
    "InformationAction",
    "NextReview",
    "Pack",
    "PackError",
    "PolicyNotInForceError",
    "Problem",
    "RequiredAction",
    "RiskReviewError",
    "RollingDue",
    "RuleOutcome",
    "UnknownRuleError",
    "__version__",
    "default_pack",
    "evaluate",
    "explain",
    "load_pack",
    "refresh",
]
