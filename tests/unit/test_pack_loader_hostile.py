"""The pack loader against hostile and careless packs: every failure is a PackError with
file and line, in bounded time, and what loads means what it says.

The broken-pack fixtures (``tests/fixtures/broken_packs``, run by test_pack_loader.py)
hold one fault each; the tests here need a time bound, several files, or a pack
that must load.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from riskreview.errors import PackError
from riskreview.pack import load_pack

BROKEN = Path(__file__).resolve().parent.parent / "fixtures" / "broken_packs"


def _finishes_within(seconds: float, work: Callable[[], Any]) -> BaseException | None:
    """Run ``work`` in a thread; fail if it is still running after ``seconds``.

    Returns the exception it raised (None when it returned).
    """
    outcome: dict[str, BaseException | None] = {}

    def run() -> None:
        try:
            work()
            outcome["raised"] = None
        except BaseException as error:  # handed back to the test
            outcome["raised"] = error

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert "raised" in outcome, f"still running after {seconds} s"
    return outcome["raised"]


# ---------------------------------------------------------------- bounded time (defect: hangs)


@pytest.mark.parametrize(
    "folder",
    ["alias_bomb_in_pack_yaml", "alias_bomb_in_rule", "named_conditions_expand_exponentially"],
)
def test_a_pack_that_expands_to_billions_of_nodes_is_refused_within_10_seconds(
    folder: str,
) -> None:
    raised = _finishes_within(10, lambda: load_pack(BROKEN / folder))
    assert isinstance(raised, PackError), raised
