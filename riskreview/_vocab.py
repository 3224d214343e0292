"""The closed vocabularies of the case model (DOMAIN.md), as string enums.

The values are the JSON spellings. Ordered enums (:func:`order`) compare by rank in rules
(``gte: medium``); the others only by equality and membership.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "RANK",
    "CheckOutcome",
    "ConcernSource",
    "CurfewStatus",
    "EventType",
    "NeedType",
    "OffenceCategory",
    "RegistrationType",
    "RoshLevel",
    "ScreeningOutcome",
    "SentenceType",
    "Stage",
    "is_ordered",
    "order",
]


class Stage(StrEnum):
    """Where the person is in the sentence."""

    PRE_SENTENCE = "pre_sentence"
    COMMUNITY = "community"
    CUSTODY = "custody"
    LICENCE = "licence"
    POST_SENTENCE_SUPERVISION = "post_sentence_supervision"


class SentenceType(StrEnum):
    """The kind of sentence being served or proposed."""

    COMMUNITY_ORDER = "community_order"
    SUSPENDED_SENTENCE_ORDER = "suspended_sentence_order"
    DETERMINATE_CUSTODY = "determinate_custody"
    EXTENDED_DETERMINATE = "extended_determinate"
    INDETERMINATE = "indeterminate"


class RoshLevel(StrEnum):
    """Risk of serious harm, lowest first. Ordered: ``low < medium < high < very_high``."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"

    @property
    def rank(self) -> int:
        """0 for low up to 3 for very_high."""
        return _ROSH_RANK[self]


_ROSH_RANK = {level: i for i, level in enumerate(RoshLevel)}


class ScreeningOutcome(StrEnum):
    """What a risk of harm screening decided about the full analysis."""

    FULL_ANALYSIS_REQUIRED = "full_analysis_required"
    FULL_ANALYSIS_NOT_REQUIRED = "full_analysis_not_required"


class OffenceCategory(StrEnum):
    """Categories of offending or concern that policy reads as risk indicators."""

    DOMESTIC_ABUSE = "domestic_abuse"
    SEXUAL = "sexual"
    VIOLENCE = "violence"
    OFFENCE_AGAINST_CHILDREN = "offence_against_children"
    CHILD_CRUELTY_OR_NEGLECT = "child_cruelty_or_neglect"
    CHILD_SEXUAL_EXPLOITATION = "child_sexual_exploitation"
    STALKING = "stalking"
    HARASSMENT = "harassment"
    NON_FATAL_STRANGULATION = "non_fatal_strangulation"
    THREATS_TO_KILL = "threats_to_kill"
    BREACH_OF_PROTECTIVE_ORDER = "breach_of_protective_order"
    WEAPONS = "weapons"
    ARSON = "arson"
    TERRORISM = "terrorism"
    ROBBERY = "robbery"
    BURGLARY = "burglary"
    ACQUISITIVE = "acquisitive"
    DRUGS = "drugs"
    MOTORING = "motoring"
    PUBLIC_ORDER = "public_order"
    OTHER = "other"


class ConcernSource(StrEnum):
    """Who reported information that did not lead to a conviction."""

    POLICE = "police"
    CHILDRENS_SERVICES = "childrens_services"
    PRISON = "prison"
    VICTIM = "victim"
    OTHER_AGENCY = "other_agency"
    SELF_REPORT = "self_report"


class RegistrationType(StrEnum):
    """Flags on the case record (readable names for nDelius registrations)."""

    DOMESTIC_ABUSE_PERPETRATOR = "domestic_abuse_perpetrator"
    DOMESTIC_ABUSE_VICTIM = "domestic_abuse_victim"
    DOMESTIC_ABUSE_HISTORY = "domestic_abuse_history"
    CHILD_PROTECTION = "child_protection"
    CHILD_CONCERNS = "child_concerns"
    RISK_TO_CHILDREN = "risk_to_children"
    MAPPA = "mappa"
    MARAC = "marac"
    HIGH_ROSH = "high_rosh"
    VERY_HIGH_ROSH = "very_high_rosh"
    STALKING = "stalking"
    REGISTERED_SEXUAL_OFFENDER = "registered_sexual_offender"
    SERIOUS_FURTHER_OFFENCE_RISK = "serious_further_offence_risk"


class EventType(StrEnum):
    """Changes in circumstances that can prompt a review of the risk assessment."""

    NEW_RELATIONSHIP = "new_relationship"
    SEPARATION = "separation"
    ARREST = "arrest"
    CHARGE = "charge"
    CONVICTION = "conviction"
    BREACH = "breach"
    RECALL = "recall"
    RELEASE_FROM_CUSTODY = "release_from_custody"
    CHANGE_OF_ADDRESS = "change_of_address"
    HOMELESSNESS = "homelessness"
    SUBSTANCE_MISUSE_RELAPSE = "substance_misuse_relapse"
    DOMESTIC_ABUSE_CALLOUT = "domestic_abuse_callout"
    POLICE_INFORMATION = "police_information"
    CHILDRENS_SERVICES_INFORMATION = "childrens_services_information"
    PREGNANCY = "pregnancy"
    BIRTH_OF_CHILD = "birth_of_child"
    LOSS_OF_EMPLOYMENT = "loss_of_employment"
    VICTIM_CONTACT = "victim_contact"
    MENTAL_HEALTH_CRISIS = "mental_health_crisis"
    ROSH_LEVEL_CHANGE = "rosh_level_change"
    SAFEGUARDING_CONCERN = "safeguarding_concern"


class CheckOutcome(StrEnum):
    """What a police or children's social care check returned."""

    CONCERNS = "concerns"
    NO_CONCERNS = "no_concerns"
    NO_TRACE = "no_trace"


class CurfewStatus(StrEnum):
    """Whether an electronically monitored curfew is proposed or imposed."""

    PROPOSED = "proposed"
    IMPOSED = "imposed"


class NeedType(StrEnum):
    """Barriers to engagement and specific needs."""

    LEARNING_DISABILITY = "learning_disability"
    LEARNING_DIFFICULTY = "learning_difficulty"
    MENTAL_HEALTH = "mental_health"
    LITERACY = "literacy"
    SPEECH_LANGUAGE_COMMUNICATION = "speech_language_communication"
    NEURODIVERGENCE = "neurodivergence"
    PHYSICAL_HEALTH = "physical_health"
    CARING_RESPONSIBILITIES = "caring_responsibilities"
    MATURITY = "maturity"
    LANGUAGE_INTERPRETER = "language_interpreter"
    SUBSTANCE_MISUSE = "substance_misuse"


#: the attribute an ordered vocabulary's members hold their place in: kept on the
#: members themselves, so that a pack's vocabularies go with the pack (a table of
#: them would keep every pack ever loaded)
RANK = "_riskreview_rank"


def order(enum: type[StrEnum]) -> None:
    """Make ``enum``'s members compare by their place (its first member lowest)."""
    for i, member in enumerate(enum):
        setattr(member, RANK, i)


def is_ordered(enum: type[StrEnum] | None) -> bool:
    """Whether ``enum``'s members compare by their place (see :func:`order`)."""
    return enum is not None and any(hasattr(m, RANK) for m in enum)


order(RoshLevel)
