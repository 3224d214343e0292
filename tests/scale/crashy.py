"""An evaluator that crashes its process on one case, for the Dask fault test."""

from __future__ import annotations

import ctypes
from datetime import date
from typing import Any

from riskreview.batch import _evaluate_one
from riskreview.pack import Pack


def evaluate(item: Any, as_of: date, pack: Pack) -> tuple[str, str | None, str | None]:
    """A real segmentation fault on case id CRASH; every other case as usual."""
    if isinstance(item, dict) and item.get("case_id") == "CRASH":
        ctypes.string_at(0)
    return _evaluate_one(item, as_of, pack)
