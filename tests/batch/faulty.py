"""An evaluator with injected faults, for proving crash containment in worker processes."""

from __future__ import annotations

import ctypes
import time
from datetime import date
from typing import Any

from riskreview.batch import _evaluate_one
from riskreview.pack import Pack


def evaluate(item: Any, as_of: date, pack: Pack) -> tuple[str, str | None, str | None]:
    """Segfault on case id CRASH, hang on HANG, raise on RAISE, else evaluate normally."""
    case_id = item.get("case_id") if isinstance(item, dict) else None
    if case_id == "CRASH":
        ctypes.string_at(0)  # a real segmentation fault in native code
    if case_id == "HANG":
        time.sleep(3600)
    return _evaluate_one(item, as_of, pack)
