"""Reading a pack's scenario tests (``tests/*.yaml``) into :class:`~riskreview.pack.Scenario`.

Every problem goes to the loader with its file, line and key; called by
:func:`riskreview._packload.load`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from riskreview._yaml import as_date, line_of
from riskreview.pack import Scenario

if TYPE_CHECKING:
    from riskreview._packload import _Loader

_SCENARIO_KEYS = {"name", "as_of", "case", "expect", "description", "covers"}
_EXPECT_KEYS = {
    "actions",
    "includes",
    "absent",
    "fired",
    "not_fired",
    "undetermined",
    "information",
    "due",
    "next_review",
    "status",
    "reported",
}


def _scenarios(loader: _Loader) -> list[Scenario]:
    out: list[Scenario] = []
    folder = loader.root / "tests"
    names: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        file = loader.rel(path)
        data = loader.read_mapping(path, "scenarios")
        if not isinstance(data, list):
            if data is not None:
                loader.report(file, 0, "scenarios", "expected a list")
            continue
        for spec in data:
            scenario = _scenario(loader, file, spec, names)
            if scenario is not None:
                out.append(scenario)
    return out


def _scenario(loader: _Loader, file: str, spec: Any, names: dict[str, str]) -> Scenario | None:
    if not isinstance(spec, Mapping):
        loader.report(file, 0, "", "each scenario must be a mapping")
        return None
    line = line_of(spec)
    name = spec.get("name")
    label = str(name) if name else "(scenario without name)"
    loader.unknown_keys(file, spec, _SCENARIO_KEYS, label)
    ok = isinstance(name, str) and bool(name)
    if not ok:
        loader.report(file, line, label, "a scenario needs a name")
    elif name in names:
        loader.report(file, line, label, f"duplicate scenario name (also in {names[name]})")
        ok = False
    else:
        names[str(name)] = file
    as_of = as_date(spec.get("as_of"))
    if as_of is None:
        loader.report(file, line, f"{label} as_of", "expected a date YYYY-MM-DD")
        ok = False
    case = spec.get("case")
    if not isinstance(case, Mapping):
        loader.report(file, line, f"{label} case", "expected a mapping (the case JSON)")
        ok = False
    expect = spec.get("expect")
    if not isinstance(expect, Mapping) or not expect:
        loader.report(file, line, f"{label} expect", "expected a mapping of expectations")
        ok = False
    else:
        loader.unknown_keys(file, expect, _EXPECT_KEYS, f"{label} expect")
    covers = spec.get("covers", [])
    if not ok or as_of is None:
        return None
    return Scenario(
        str(name),
        file,
        line,
        as_of,
        _jsonable(case),
        dict(expect or {}),
        tuple(str(c) for c in covers) if isinstance(covers, list) else (),
    )


def _jsonable(value: Any) -> Any:
    """YAML dates become ISO strings, so a scenario's case reads like case JSON."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
