"""Where the benchmark scripts keep their figures: ``benchmarks/results/`` (git-ignored)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def save(figures: dict[str, Any], path: Path) -> Path:
    """Write ``figures`` as indented JSON to ``path`` (a bare name goes under RESULTS)."""
    target = path if path.parent != Path() else RESULTS / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return target
