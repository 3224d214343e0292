"""Policy packs: rules, dated parameters, the action vocabulary and scenarios, as YAML.

A pack is a folder::

    pack.yaml            name, version, effective_from, review schedule, findings
    actions.yaml         the action vocabulary
    information.yaml     what to establish when a field is unknown (optional)
    conditions.yaml      named conditions rules can share (optional)
    parameters/*.yaml    dated values
    rules/*.yaml         the rules
    tests/*.yaml         scenarios: case + as_of → expected actions

Load one with :func:`load_pack`; the default England & Wales pack with
:func:`default_pack`. Loading checks everything a rule could get wrong and raises
one :class:`~riskreview.errors.PackError` listing every problem with file, line,
rule id and reason.
"""

from __future__ import annotations

import functools
import os
from importlib import resources
from pathlib import Path

from riskreview._packload import load
from riskreview._packmodel import (
    HORIZON_PARAMETER,
    PRIORITIES,
    ActionDef,
    DueSpec,
    InformationDef,
    Pack,
    Parameter,
    ReviewPolicy,
    Rule,
    Scenario,
)
from riskreview.errors import ArgumentError, ArgumentValueError, PackError, Problem

# the model's public home is this module: its docs, reprs and pickles name riskreview.pack
for _public in (ActionDef, DueSpec, InformationDef, Pack, Parameter, ReviewPolicy, Rule, Scenario):
    _public.__module__ = __name__

__all__ = [
    "HORIZON_PARAMETER",
    "PRIORITIES",
    "ActionDef",
    "DueSpec",
    "InformationDef",
    "Pack",
    "Parameter",
    "ReviewPolicy",
    "Rule",
    "Scenario",
    "default_pack",
    "default_pack_path",
    "load_pack",
]


def load_pack(path: str | Path, *, version: str | None = None, digest: str | None = None) -> Pack:
    """Load and check the pack in folder ``path``.

    Raises :class:`~riskreview.errors.PackError` listing every problem found, and
    :class:`~riskreview.errors.ArgumentError` when ``path`` is not a ``str`` or
    :class:`~pathlib.Path` (or a pin is not text). ``version`` and ``digest`` pin
    the pack: loading fails unless it is exactly that version (and content), so a
    service cannot run policy it did not approve.

    >>> pack = load_pack(default_pack_path())
    >>> pack.name
    'england-wales'
    """
    pack = load(_pack_folder(path, version, digest))
    pins = [("version", version, pack.version), ("digest", digest, pack.digest)]
    wrong = [
        Problem("pack.yaml", f"{name} is {got}, pinned to {want}")
        for name, want, got in pins
        if want is not None and want != got
    ]
    if wrong:
        raise PackError(wrong, subject=pack.name)
    return pack


def _pack_folder(path: object, version: object, digest: object) -> Path:
    """``load_pack``'s arguments checked: the folder as a Path, or an ArgumentError."""
    folder = os.fspath(path) if isinstance(path, str | os.PathLike) else None
    if not isinstance(folder, str):
        raise ArgumentError(
            "load_pack takes the path of a pack folder as str or pathlib.Path, "
            f"got {type(path).__name__}; for the England & Wales pack call default_pack()"
        )
    if not folder:
        raise ArgumentValueError(
            "load_pack takes the path of a pack folder, got an empty string "
            "(write '.' to mean the current folder)"
        )
    for name, pin in (("version", version), ("digest", digest)):
        if pin is not None and not isinstance(pin, str):
            raise ArgumentError(
                f"load_pack's {name} pin must be text such as "
                f"{'1.2.0' if name == 'version' else 'sha256:…'!r} or None, "
                f"got {type(pin).__name__}"
            )
    return Path(folder)


def default_pack_path() -> Path:
    """Where the default England & Wales pack is: installed as data beside the package
    (``riskreview/packs/``), or in a checkout's ``rules/`` (an editable install)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "packs" / "england-wales", here.parent / "rules" / "england-wales"):
        if (candidate / "pack.yaml").is_file():
            return candidate
    try:
        found = Path(str(resources.files("riskreview.packs"))) / "england-wales"
    except (ModuleNotFoundError, TypeError):
        found = here / "packs" / "england-wales"
    return found


def default_pack(*unexpected: object, **named: object) -> Pack:
    """The default England & Wales pack (loaded once per process).

    It takes no arguments; given any, it raises
    :class:`~riskreview.errors.ArgumentError` pointing to :func:`load_pack`, which
    loads the pack in a folder.
    """
    if unexpected or named:
        raise ArgumentError(
            "default_pack() takes no arguments; load the pack in a folder with "
            "riskreview.load_pack(path)"
        )
    return _default_pack()


@functools.lru_cache(maxsize=1)
def _default_pack() -> Pack:
    return load_pack(default_pack_path())
