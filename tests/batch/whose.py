"""An evaluator that answers with the process it ran in, for the pool's item tests."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from riskreview._pool import Alone
from riskreview.pack import Pack


class Big(Alone):
    """An item that goes to a worker in a chunk of its own (as a share of a file)."""

    def __init__(self, name: str) -> None:
        self.name = name


def evaluate(item: Any, as_of: date, pack: Pack) -> tuple[str, str | None, str | None]:
    """``ok`` with the worker's process id and the item's name as the decision."""
    name = item.name if isinstance(item, Big) else str(item)
    return "ok", f"{os.getpid()} {name}", None
