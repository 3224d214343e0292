"""Reading a pack folder into a checked :class:`~riskreview.pack.Pack`.

:func:`load` reads ``pack.yaml``, the actions, parameters, inputs and derived
values itself; :mod:`riskreview._packrules` reads the rules, due specs, named
conditions, information and review policy, and :mod:`riskreview._packscenarios`
the scenario tests. Every problem is collected and raised together as a
:class:`~riskreview.errors.PackError`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from riskreview._compile import check_envelope, compile_epoch
from riskreview._conditions import ParamRef
from riskreview._derive import DerivedDef, DerivedParser, InputDef, Pending, order, parse_inputs
from riskreview._fields import EXTRA, Field
from riskreview._packmeta import read_meta, read_notes
from riskreview._packmodel import PRIORITIES, ActionDef, Pack, Parameter, Scenario
from riskreview._packparams import read_parameters
from riskreview._packreader import Loader
from riskreview._packreview import read_review
from riskreview._packrules import _check_named, _information, _named_conditions, _rules
from riskreview._packscenarios import _scenarios, scenario_files
from riskreview._runtime import build_engines
from riskreview._structure import suggest
from riskreview._yaml import describe, line_at, line_of, shown
from riskreview.errors import PackError, Problem

_ACTION_KEYS = {"title", "area", "priority", "wording", "category"}


def load(root: Path, *, evaluating: bool = False) -> Pack:
    """Load the pack at ``root`` or raise PackError with every problem.

    ``evaluating`` is for a batch's worker, whose batch loaded the pack in full: the
    scenario files are digested but not read (they play no part in a decision, and
    reading them is two fifths of a load), so the pack has no scenarios. The worker
    reports the digest, and the batch refuses a pack whose digest is not its own's.
    """
    loader = Loader(root)
    if not root.is_dir():
        raise PackError([Problem(str(root), "is not a folder containing pack.yaml")])
    raw_meta = loader.read_mapping(root / "pack.yaml", None)
    if raw_meta is None:
        raise PackError(_capped(loader.problems), subject=str(root.name))
    meta = read_meta(loader, raw_meta, root.name)
    loader.findings = meta.findings
    read_notes(loader)
    actions = _actions(loader)
    params = read_parameters(loader)
    named = _named_conditions(loader)
    inputs = _inputs(loader)
    derived = _derived(loader, params, named)
    used: set[str] = set()
    information = _information(loader)
    rules = _rules(loader, actions, params, named, used)
    _check_named(loader, {n: w for n, w in named.items() if n not in used}, params, named)
    review = read_review(loader, raw_meta.get("review"), actions, params)
    if review is not None and review.id in {r.id for r in rules}:
        loader.report(
            "pack.yaml",
            line_at(raw_meta, "review id") or line_of(raw_meta, "review"),
            "review id",
            f"{review.id!r} is also a rule's id: the review schedule's own id must differ, "
            "so a decision says which of the two required the review",
        )
    scenarios = _unread_scenarios(loader) if evaluating else _scenarios(loader)
    if loader.problems:
        raise PackError(_capped(loader.problems), subject=meta.name)
    pack = Pack(
        name=meta.name,
        version=meta.version,
        title=meta.title,
        description=meta.description,
        effective_from=meta.effective_from,
        digest=_digest(root, loader.files),
        path=str(root),
        actions=actions,
        parameters=params,
        rules=tuple(rules),
        information=information,
        scenarios=tuple(scenarios),
        review=review,
        findings=meta.findings or {},
        conditions=dict(loader.condition_docs),
        inputs=inputs,
        derived=tuple(derived),
        fields=dict(loader.fields),
        calendar_country=meta.calendar_country,
        calendar_subdiv=meta.calendar_subdiv,
        meta=dict(raw_meta),
    )
    compiled = {epoch: compile_epoch(pack, epoch) for epoch in pack.change_dates}
    envelope = check_envelope(compiled.values())
    if envelope:
        raise PackError(envelope, subject=meta.name)
    engine_problems = build_engines(pack, compiled)  # each period compiled once
    if engine_problems:
        raise PackError(engine_problems, subject=meta.name)
    return pack


#: the most problems one PackError lists (a pack with more has one mistake repeated)
MAX_PROBLEMS = 200


def _capped(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    more = len(problems) - MAX_PROBLEMS
    return [
        *problems[:MAX_PROBLEMS],
        Problem("…", f"and {more:,} more problems, not listed: fix these first"),
    ]


def _unread_scenarios(loader: Loader) -> list[Scenario]:
    """No scenarios, their files counted in the pack's digest as if read."""
    loader.files.extend(path for path in scenario_files(loader.root) if path.is_file())
    return []


def _digest(root: Path, files: list[Path]) -> str:
    sha = hashlib.sha256()
    for path in sorted(set(files)):
        sha.update(path.relative_to(root).as_posix().encode())
        sha.update(b"\0")
        sha.update(path.read_bytes())
        sha.update(b"\0")
    return "sha256:" + sha.hexdigest()


def _actions(loader: Loader) -> dict[str, ActionDef]:
    data = loader.read_mapping(loader.root / "actions.yaml", "actions")
    out: dict[str, ActionDef] = {}
    if not isinstance(data, Mapping):
        return out
    for code, spec in data.items():
        if not isinstance(spec, Mapping):
            loader.report(
                "actions.yaml",
                line_of(data, code),
                loader.key(code),
                f"expected a mapping {{title, area, priority}}, got {describe(spec)}",
            )
            continue
        loader.unknown_keys("actions.yaml", spec, _ACTION_KEYS, code)
        title = loader.text("actions.yaml", spec, "title", code, required=True)
        area = loader.text("actions.yaml", spec, "area", code, required=True)
        wording = loader.text("actions.yaml", spec, "wording", code)
        priority = _action_choice(loader, spec, "priority", PRIORITIES, "medium", code)
        category = _action_choice(loader, spec, "category", ("action", "review"), "action", code)
        out[code] = ActionDef(
            code,
            title or code,
            area or "",
            priority,
            (wording or title or "").strip(),
            category,
        )
    return out


def _action_choice(
    loader: Loader,
    spec: Mapping[str, Any],
    key: str,
    choices: tuple[str, ...],
    default: str,
    where: str,
) -> str:
    """``spec[key]``, one of ``choices`` (``default`` when absent or wrong, reported)."""
    value = spec.get(key, default)
    if isinstance(value, str) and value in choices:
        return value
    hint = suggest(value, choices) if isinstance(value, str) else ""
    loader.report(
        "actions.yaml",
        line_of(spec, key),
        f"{where} {key}",
        f"{shown(value)} is not a {key}{hint or ' (one of: ' + ', '.join(choices) + ')'}",
    )
    return default


def _inputs(loader: Loader) -> dict[str, InputDef]:
    data = loader.read_mapping(loader.root / "inputs.yaml", "inputs", required=False)

    def report(where: str, message: str) -> None:
        # where is "<input> [<key>]": point at the key's line, else the input's
        name, _, key = where.partition(" ")
        entry = data.get(name) if isinstance(data, Mapping) else None
        line = line_of(entry, key.split(" ")[0]) if key else 0
        loader.report("inputs.yaml", line or line_of(data, name), where, message)
        loader.broken.add(f"inputs.{name}")

    inputs = parse_inputs(data, report)
    for d in inputs.values():
        loader.fields[d.field.path] = d.field
    loader.broken -= set(loader.fields)
    return inputs


def _derived(
    loader: Loader, params: Mapping[str, Parameter], named: Mapping[str, Any]
) -> list[DerivedDef]:
    """Read ``derived/*.yaml``: declare every value, parse each, order by dependency."""
    folder = loader.root / "derived"
    entries: list[tuple[str, Any, str]] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        data = loader.read_mapping(path, "derived")
        if isinstance(data, Mapping):
            entries.extend((str(n), spec, loader.rel(path)) for n, spec in data.items())

    specs = {name: spec for name, spec, _ in entries}

    def report(file: str, where: str, line: int, message: str) -> None:
        # point at the offending key inside the value: "tier if[2] then" → its line
        name, _, rest = where.partition(" ")
        inner = line_at(specs[name], rest) if rest and name in specs else 0
        loader.report(file, inner or line, where, message)

    parser = DerivedParser(loader.fields, params, named, report)
    kinds: dict[str, tuple[str, type[StrEnum] | None, int]] = {}
    todo: list[tuple[str, Any, str]] = []
    seen: set[str] = set()
    for name, spec, file in entries:
        if f"derived.{name}" in loader.fields or name in seen:
            report(file, name, line_of(spec), "derived value is defined twice")
            continue
        seen.add(name)
        todo.append((name, spec, file))
    # a value whose type is read off another (max, latest, if, join, ...) waits for it:
    # declare in rounds until every value is declared or none can be
    parser.pending = {f"derived.{name}" for name, _, _ in todo}
    while todo:
        waiting = []
        for name, spec, file in todo:
            try:
                declared = parser.declare(name, spec, file)
            except Pending:
                waiting.append((name, spec, file))
                continue
            parser.pending.discard(f"derived.{name}")
            if declared is None:
                loader.broken.add(f"derived.{name}")
                continue
            kinds[name] = declared
            kind, enum, places = declared
            loader.fields[f"derived.{name}"] = Field(
                f"derived.{name}",
                "int" if kind == "decimal" else kind,
                name,
                enum=enum,
                virtual=EXTRA,
                scale=places,
            )
        if len(waiting) == len(todo):
            for name, spec, file in waiting:
                report(
                    file,
                    name,
                    line_of(spec),
                    "its type depends on derived values that depend on it in turn: "
                    + ", ".join(sorted(n for n, _, _ in waiting)),
                )
                loader.broken.add(f"derived.{name}")
            break
        todo = waiting
    defs = {}
    for name, spec, file in entries:
        if name in kinds and name not in defs:
            parsed = parser.parse(name, spec, file, *kinds[name])
            if parsed is not None:
                defs[name] = parsed
                loader.fields[f"derived.{name}"] = parsed.field
    for d in defs.values():
        _check_band_edges(loader, d, params)
    loader.absent_capable = frozenset(parser.absent_capable)
    return order(defs, report)


def _check_band_edges(loader: Loader, d: DerivedDef, params: Mapping[str, Parameter]) -> None:
    """Band edges must rise on every date any of their parameters changes."""
    if d.op != "band":
        return
    names = [b.name for _, b in d.edges if isinstance(b, ParamRef)]
    dates = sorted({when for n in names if n in params for when, _ in params[n].values})
    for when in dates:
        values = [b if isinstance(b, int) else params[b.name].value_on(when) for _, b in d.edges]
        if any(v is None for v in values) or values != sorted(set(values)):
            loader.report(
                d.file,
                d.line,
                f"{d.name} band edges",
                f"edges must rise strictly, lowest first; from {when} they are "
                f"{', '.join(str(v) for v in values)}",
            )
