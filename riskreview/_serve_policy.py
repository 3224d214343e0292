"""The pack ``riskreview serve`` answers with, and how it is replaced.

The pack is chosen at start-up. It changes only when a client asks
(``POST /packs/reload``): the pack folder is loaded again in the background and
must pass the checks a policy owner runs before going live (``riskreview check``
with no error, every scenario of ``riskreview test`` passing). Until then, and
for good if it fails, every request is answered with the pack already serving:
a request takes the pack once, when it starts, so no answer mixes two packs.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs

from riskreview.check import check
from riskreview.errors import PackError, Problem
from riskreview.pack import Pack, load_pack
from riskreview.testing import run_scenarios


@attrs.frozen
class Serving:
    """A pack in service and when it was loaded (UTC, ISO 8601)."""

    pack: Pack
    loaded_at: str

    @classmethod
    def now(cls, pack: Pack) -> Serving:
        """``pack``, loaded now."""
        return cls(pack, datetime.now(UTC).isoformat(timespec="seconds"))


def periods(pack: Pack) -> list[dict[str, str | None]]:
    """The pack's policy periods: within one, no rule or parameter value changes.
    ``to`` is the last day of a period, null for the one still open."""
    starts = list(pack.change_dates)
    ends: list[date | None] = [d - timedelta(days=1) for d in starts[1:]]
    ends.append(None)
    return [
        {"from": start.isoformat(), "to": end.isoformat() if end else None}
        for start, end in zip(starts, ends, strict=True)
    ]


def describe(serving: Serving) -> dict[str, Any]:
    """What ``GET /packs`` says of a pack in service."""
    pack = serving.pack
    return {
        "name": pack.name,
        "version": pack.version,
        "digest": pack.digest,
        "title": pack.title,
        "effective_from": pack.effective_from.isoformat(),
        "policy_periods": periods(pack),
        "rules": len(pack.rules),
        "loaded_at": serving.loaded_at,
    }


def load_checked(folder: Path) -> Pack:
    """The pack in ``folder``, loaded and held to a policy owner's checks: no error
    from :func:`riskreview.check.check`, every scenario passing. Anything short of
    that raises :class:`~riskreview.errors.PackError` listing what failed."""
    pack = load_pack(folder)
    report = check(pack)
    problems = [
        Problem(f.where, f"[{f.kind}] {f.message}")
        for f in report.findings
        if f.severity == "error"
    ]
    for result in run_scenarios(pack):
        if not result.passed:
            where = f"{result.scenario.file}:{result.scenario.line} {result.scenario.name}"
            problems.extend(Problem(where, f"scenario failed: {f}") for f in result.failures)
    if problems:
        raise PackError(problems, subject=pack.name)
    return pack


class Policy:
    """The pack in service, swapped whole, only once its successor passed its checks."""

    def __init__(self, pack: Pack, folder: Path) -> None:
        self.folder = folder
        self._serving = Serving.now(pack)
        self._reloading = threading.Lock()

    @property
    def serving(self) -> Serving:
        """The pack answering requests now."""
        return self._serving

    def reload(self) -> tuple[Serving, Serving]:
        """Load the pack folder again; put it in service if it passes its checks.
        Returns (previous, now serving); raises PackError, leaving the previous pack
        in service, when it does not. One reload runs at a time."""
        with self._reloading:
            previous = self._serving
            pack = load_checked(self.folder)
            self._serving = Serving.now(pack)  # one assignment: readers see old or new
            return previous, self._serving
