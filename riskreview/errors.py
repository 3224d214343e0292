"""The exceptions riskreview raises, as one tree.

::

    RiskReviewError                      root: catch this to catch everything below
    ├── ArgumentError(TypeError)         a function was given an argument of the wrong type
    ├── ArgumentValueError(ValueError)   a function was given an argument out of its range
    ├── CaseError(ValueError)            a case failed validation; lists every problem
    ├── PackError(ValueError)            a policy pack failed to load; lists every problem
    ├── EngineError(RuntimeError)        the rule engine reported a fault; names the rule
    ├── PolicyNotInForceError(LookupError)
    │                                    no policy of the pack is in force on as_of
    ├── UnknownRuleError(KeyError)       no rule of the pack has the id asked for
    └── VerificationError(ValueError)    a decision record does not match its recomputation

Every error that is about data carries a list of :class:`Problem` records
(``path``, ``message``), so a caller can show all of them at once. Messages name
the field, the offending value where that is safe, and the reason; they never
contain personal data beyond the case id, and show any control character in
the case id as an escape (``\\x1b``), so a message is safe to print on a terminal.
"""

from __future__ import annotations

import attrs

from riskreview._terminal import printable

__all__ = [
    "ArgumentError",
    "ArgumentValueError",
    "CaseError",
    "EngineError",
    "PackError",
    "PolicyNotInForceError",
    "Problem",
    "RiskReviewError",
    "UnknownRuleError",
    "VerificationError",
]


@attrs.frozen
class Problem:
    """One thing wrong with an input: where (``path``) and why (``message``).

    For a case, ``path`` is a JSON path such as ``$.household.children[2].date_of_birth``.
    For a pack, it is ``file:line rule-id field``.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class RiskReviewError(Exception):
    """Root of every exception riskreview raises on purpose."""


class ArgumentError(RiskReviewError, TypeError):
    """A public function was given an argument of the wrong type.

    The message names the argument, the type given and what to pass instead
    (``as_of must be a datetime.date such as date(2026, 11, 23), got str``).
    """


class ArgumentValueError(RiskReviewError, ValueError):
    """A public function was given an argument of the right type but a value it
    cannot take (``workers must be 0 or more, got -1``); the message says what to pass.
    """


class _ProblemsError(RiskReviewError):
    """An error that carries every problem found, not just the first."""

    kind = "input"

    def __init__(self, problems: list[Problem] | tuple[Problem, ...], *, subject: str = "") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.subject = subject
        count = len(self.problems)
        shown = printable(subject)
        head = f"{self.kind} {shown} is invalid" if subject else f"{self.kind} is invalid"
        lines = [f"{head} ({count} problem{'s' if count != 1 else ''}):"]
        lines.extend(f"  {p}" for p in self.problems)
        super().__init__("\n".join(lines))


class CaseError(_ProblemsError, ValueError):
    """A case failed validation.

    ``problems`` lists every bad field by JSON path; ``subject`` is the case id when
    it could be read.
    """

    kind = "case"


class PackError(_ProblemsError, ValueError):
    """A policy pack failed to load or compile.

    ``problems`` lists each fault with file, line, rule id and reason.
    """

    kind = "pack"


class EngineError(RiskReviewError, RuntimeError):
    """The rule engine reported a fault while evaluating a case.

    Raised instead of a silent loss of actions. ``rule_id`` names the rule when it
    is known; ``case_id`` the case being evaluated.
    """

    def __init__(self, message: str, *, rule_id: str | None = None, case_id: str | None = None):
        self.rule_id = rule_id
        self.case_id = case_id
        where = "".join(
            [
                f" (rule {rule_id})" if rule_id else "",
                f" (case {printable(case_id)})" if case_id else "",
            ]
        )
        super().__init__(f"{message}{where}")


class PolicyNotInForceError(RiskReviewError, LookupError):
    """``as_of`` is before the pack's earliest effective date, or outside the
    dates riskreview evaluates (1900-01-01 to 2199-12-31)."""


class UnknownRuleError(RiskReviewError, KeyError):
    """No rule of the pack has the id asked for; the message suggests a close one."""

    def __str__(self) -> str:
        # KeyError would show its message in quotes, as if it were the missing key
        return str(self.args[0]) if self.args else ""


class VerificationError(RiskReviewError, ValueError):
    """A stored decision record differs from the decision recomputed now.

    ``differences`` lists the JSON paths that differ.
    """

    def __init__(self, message: str, differences: list[str]):
        self.differences = tuple(differences)
        super().__init__(message + "".join(f"\n  {d}" for d in differences))
