"""Packs for the loader tests: the valid minimal fixture, copied and edited one fault at a time."""

from __future__ import annotations

import shutil
from pathlib import Path

BROKEN = Path(__file__).resolve().parent.parent / "fixtures" / "broken_packs"
VALID = BROKEN / "_valid_minimal"


def copy_valid(tmp_path: Path) -> Path:
    """A copy of the valid minimal pack under ``tmp_path``, to break one thing in."""
    target = tmp_path / "pack"
    shutil.copytree(VALID, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old``, which must occur exactly once in the file, by ``new``."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
