"""Reading a pack's scenario tests (``tests/*.yaml``) into :class:`~riskreview.pack.Scenario`.

Every problem goes to the loader with its file, line and key; called by
:func:`riskreview._packload.load`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from riskreview._packmodel import PRIORITIES, Scenario
from riskreview._packreader import Loader
from riskreview._yaml import as_date, describe, line_of, short, shown

_SCENARIO_KEYS = {"name", "as_of", "case", "expect", "description", "covers"}
_EXPECT_KEYS = {
    "actions",
    "required",
    "forbidden",
    "includes",
    "absent",
    "fired",
    "not_fired",
    "undetermined",
    "information",
    "due",
    "next_review",
    "status",
    "priority",
    "timing",
    "reported",
}


#: expectations that list action codes or rule ids
_LISTS = ("required", "forbidden", "includes", "absent", "fired", "not_fired", "undetermined")
#: expectations that are a list (the complete set) or a mapping of modes
_SETS = {"actions": ("exactly",), "information": ("exactly", "required", "forbidden")}
_STATUSES = ("not_yet_due", "due_today", "overdue")
_TIMINGS = ("overdue", "due_now", "upcoming")


def scenario_files(root: Path) -> list[Path]:
    """The scenario files of the pack at ``root`` (``tests/*.yaml``), in order."""
    folder = root / "tests"
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def _scenarios(loader: Loader) -> list[Scenario]:
    out: list[Scenario] = []
    names: dict[str, str] = {}
    for path in scenario_files(loader.root):
        file = loader.rel(path)
        data = loader.read_mapping(path, "scenarios")
        if not isinstance(data, list):
            if data is not None:
                loader.report(file, 0, "scenarios", f"expected a list, got {describe(data)}")
            continue
        for i, spec in enumerate(data):
            if not isinstance(spec, Mapping):
                loader.report(
                    file,
                    0,
                    f"scenarios[{i}]",
                    f"each scenario must be a mapping, got {describe(spec)}",
                )
                continue
            scenario = _scenario(loader, file, spec, names)
            if scenario is not None:
                out.append(scenario)
    return out


def _scenario(
    loader: Loader, file: str, spec: Mapping[str, Any], names: dict[str, str]
) -> Scenario | None:
    line = line_of(spec)
    name = spec.get("name")
    label = loader.key(name) if isinstance(name, str) and name else "(scenario without name)"
    loader.unknown_keys(file, spec, _SCENARIO_KEYS, label)
    problems = len(loader.problems)

    def report(key: str, message: str) -> None:
        loader.report(file, line, f"{label} {key}".strip(), message)

    if not isinstance(name, str) or not name:
        report("", f"a scenario needs a name (text), got {describe(name)}")
    elif name in names:
        report("", f"duplicate scenario name (also in {names[name]})")
    else:
        names[name] = file
    as_of = as_date(spec.get("as_of"))
    if as_of is None:
        report("as_of", f"expected a date YYYY-MM-DD, got {shown(spec.get('as_of'))}")
    case = spec.get("case")
    if not isinstance(case, Mapping):
        report("case", f"expected a mapping (the case JSON), got {describe(case)}")
    expect = spec.get("expect")
    if not isinstance(expect, Mapping) or not expect:
        report("expect", f"expected a mapping of expectations, got {describe(expect)}")
    else:
        loader.unknown_keys(file, expect, _EXPECT_KEYS, f"{label} expect")
        _expectations(expect, report)
    covers = spec.get("covers", [])
    if not _texts(covers):
        report("covers", f"expected a list of rule ids, got {_kind(covers)}")
    if len(loader.problems) > problems or as_of is None:
        return None
    assert isinstance(case, Mapping) and isinstance(expect, Mapping)
    return Scenario(
        str(name),
        file,
        line,
        as_of,
        _jsonable(case),
        dict(expect),
        tuple(covers or ()),
    )


def _expectations(expect: Mapping[str, Any], report: Callable[[str, str], None]) -> None:
    """Each expectation has the shape :func:`riskreview.testing.run_scenario` reads."""
    for key in _LISTS:
        if key in expect and not _texts(expect[key]):
            report(
                f"expect {key}", f"expected a list of codes or rule ids, got {_kind(expect[key])}"
            )
    for key, modes in _SETS.items():
        value = expect.get(key)
        if isinstance(value, Mapping):
            _modes(key, value, modes, report)
        elif key in expect and not _texts(value):
            spelled = " or ".join(f"{{{m}: [...]}}" for m in modes)
            report(f"expect {key}", f"expected a list of codes or {spelled}, got {_kind(value)}")
    for key in ("due", "status", "priority", "timing", "reported"):
        value = expect.get(key)
        if value is not None and not isinstance(value, Mapping):
            report(f"expect {key}", f"expected a mapping by action code, got {describe(value)}")
        elif value is not None:
            for code, item in value.items():
                problem = _expected_value(key, item)
                if problem:
                    report(f"expect {key} {short(code)}", problem)
    review = expect.get("next_review")
    if review is not None and as_date(review) is None:
        report("expect next_review", f"expected a date YYYY-MM-DD, got {shown(review)}")


def _modes(
    key: str,
    value: Mapping[Any, Any],
    modes: tuple[str, ...],
    report: Callable[[str, str], None],
) -> None:
    """``actions: {exactly: [...]}``; ``information:`` also ``required`` / ``forbidden``."""
    allowed = ", ".join(modes)
    if not value:
        report(f"expect {key}", f"expected one of {allowed} with a list of codes, got {{}}")
    for mode, codes in value.items():
        if mode not in modes:
            hint = (
                "; for actions write required: or forbidden: beside actions:"
                if key == "actions" and mode in ("required", "forbidden")
                else ""
            )
            report(f"expect {key} {short(mode)}", f"expected one of {allowed}{hint}")
        elif not isinstance(codes, list) or not _texts(codes):
            report(f"expect {key} {mode}", f"expected a list of codes, got {_kind(codes)}")
    if "exactly" in value and len(value) > 1:
        report(
            f"expect {key}",
            "exactly: is the complete set; it cannot be combined with required: or forbidden:",
        )


def _expected_value(key: str, value: Any) -> str | None:
    if key == "due" and as_date(value) is None:
        return f"expected a date YYYY-MM-DD, got {shown(value)}"
    if key == "status" and value not in _STATUSES:
        return f"expected one of {', '.join(_STATUSES)}, got {shown(value)}"
    if key == "timing" and value not in _TIMINGS:
        return f"expected one of {', '.join(_TIMINGS)}, got {shown(value)}"
    if key == "priority" and value not in PRIORITIES:
        return f"expected one of {', '.join(PRIORITIES)}, got {shown(value)}"
    if key == "reported" and not isinstance(value, str | int | date) and value is not None:
        return f"expected text, a whole number or a date, got {describe(value)}"
    return None


def _texts(value: Any) -> bool:
    """A list of text (or nothing)."""
    return value is None or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def _kind(value: Any) -> str:
    if isinstance(value, list) and not _texts(value):
        return f"a list holding {describe(next(v for v in value if not isinstance(v, str)))}"
    return describe(value)


def _jsonable(value: Any) -> Any:
    """YAML dates become ISO strings, so a scenario's case reads like case JSON."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
