"""What a source may hand the pool besides cases: answers it knows already, which
keep their place in the order without going to a worker, and items big enough to
go to a worker each on its own."""

from __future__ import annotations

import os
from datetime import date

import pytest
from whose import Big

from riskreview._pool import Answered
from riskreview.batch import evaluate_many

AS_OF = date(2026, 11, 23)


@pytest.mark.parametrize("workers", [0, 2])
def test_answers_known_at_the_source_keep_their_place_and_never_reach_a_worker(
    workers: int,
) -> None:
    known = Answered("reused", "known", None, ("K", ("CODE",)))
    items = ["a", known, "b", "c", known, known]
    results = list(evaluate_many(iter(items), AS_OF, workers=workers, _evaluator="whose:evaluate"))
    assert [r.index for r in results] == list(range(6))
    assert [r.status for r in results] == ["ok", "reused", "ok", "ok", "reused", "reused"]
    assert [r.decision.split()[-1] for r in results if r.status == "ok"] == ["a", "b", "c"]
    assert {r.case_id for r in results if r.status == "reused"} == {"K"}
    assert all(r.decision == "known" for r in results if r.status == "reused")


def test_a_source_that_ends_with_known_answers_yields_them_all() -> None:
    known = Answered("reused", "known", None, None)
    results = list(
        evaluate_many(iter(["a", known, known]), AS_OF, workers=1, _evaluator="whose:evaluate")
    )
    assert [r.status for r in results] == ["ok", "reused", "reused"]


def test_items_marked_alone_are_spread_over_the_workers() -> None:
    results = list(
        evaluate_many(
            iter([Big("first"), Big("second"), "a case"]),
            AS_OF,
            workers=2,
            _evaluator="whose:evaluate",
        )
    )
    pids = [r.decision.split()[0] for r in results if r.decision is not None]
    assert [r.decision.split()[1] for r in results if r.decision] == ["first", "second", "a"]
    assert len(set(pids[:2])) == 2  # each big item started a worker of its own
    assert str(os.getpid()) not in pids
