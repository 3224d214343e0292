"""The README of a policy pack, generated from the loaded pack.

A policy owner reads the README, not the YAML, so it is written from the same
loaded :class:`~riskreview.pack.Pack` that decides cases, and a test checks that
the committed README equals :func:`render` of the pack: it cannot go stale.

Conditions are rendered from each rule's YAML as written (``Rule.raw_when``), so a
named condition stays a name with its own entry, and field paths are shown with the
case model's description of the field. An optional ``notes.yaml`` beside
``pack.yaml`` adds hand-written text that the pack format has no place for (an
introduction, principles, how candidate rules were renamed or dropped, assumed
policy points); the loader ignores it, so it never changes a decision.

Regenerate a pack's README with::

    python -m riskreview._packdoc rules/england-wales > rules/england-wales/README.md
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from riskreview import _conditions as cond
from riskreview._conditions import DATE_AS_ORDER
from riskreview._explain import DATE_WORDS, OP_WORDS
from riskreview._fields import CASE_FIELDS, Field
from riskreview.pack import Pack, Parameter, Rule, load_pack

__all__ = ["main", "notes_of", "render", "rules_by_finding", "waiting_fields"]

NOTES_FILE = "notes.yaml"

_AREA_TITLES = {
    "screening": "Screening and assessment",
    "domestic_abuse": "Domestic abuse",
    "child_safeguarding": "Child safeguarding",
    "changed_circumstances": "Changes in circumstances",
    "review": "Review",
    "release": "Release from custody",
    "engagement": "Engagement",
    "home_visit": "Home visits",
    "curfew": "Curfew",
}

# the words for each operator, as explanations use them, plus the YAML spellings of dates
_OPS = {**OP_WORDS, **{word: DATE_WORDS[op] for word, op in DATE_AS_ORDER.items()}}
_UNITS = {"days": "days", "weeks": "weeks", "working_days": "working days"}


# ---------------------------------------------------------------- notes


def notes_of(pack: Pack) -> dict[str, Any]:
    """The pack's hand-written ``notes.yaml`` (an empty mapping when there is none)."""
    path = Path(pack.path) / NOTES_FILE
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return dict(data) if isinstance(data, Mapping) else {}


# ---------------------------------------------------------------- what a rule waits on


def _walk(node: Any, prefix: str, out: list[str]) -> None:
    def add(path: str) -> None:
        if path not in out:
            out.append(path)

    if isinstance(node, cond.All | cond.AnyOf):
        for item in node.items:
            _walk(item, prefix, out)
    elif isinstance(node, cond.Quant):
        add(node.path)
        _walk(node.cond, f"{node.path}[].", out)
    elif isinstance(node, cond.Cmp):
        value = node.value.amount if isinstance(node.value, cond.Window) else node.value
        if node.op not in ("exists", "missing"):
            add(prefix + node.path if node.scope == "item" else node.path)
        if isinstance(value, cond.FieldRef):
            add(value.path)
        if isinstance(value, cond.ParamRef) and value.by:
            add(value.by)
    elif hasattr(node, "item"):  # Not, and named conditions kept by name
        _walk(node.item, prefix, out)


def waiting_fields(rule: Rule) -> list[str]:
    """The case fields whose being unknown can leave ``rule`` undetermined.

    List items are named ``list[].field``, as information actions name them. Tests
    of presence (``exists``/``missing``) never wait: an absent record is an answer.
    """
    out: list[str] = []
    _walk(rule.when, "", out)
    return out


def rules_by_finding(pack: Pack) -> dict[int, list[str]]:
    """Inspection finding number → ids of the rules that answer it."""
    found: dict[int, list[str]] = {n: [] for n in sorted(pack.findings)}
    for rule in pack.rules:
        for number in rule.findings:
            found.setdefault(number, []).append(rule.id)
    return found


# ---------------------------------------------------------------- words


def _field(path: str, items: Mapping[str, Field] | None = None) -> Field | None:
    if items is not None:
        return items.get(path)
    return CASE_FIELDS.get(path)


def _label(path: str, items: Mapping[str, Field] | None = None) -> str:
    """A field in words, with its path: ``date the risk of harm screening ... (`risk.x`)``."""
    field = _field(path, items)
    if field is None:
        return f"`{path}`"
    words = field.description
    nested = path.count(".") >= 2 or path.startswith("index_offence.")
    parent = CASE_FIELDS.get(path.rsplit(".", 1)[0]) if items is None and nested else None
    if parent is not None and parent.kind == "object" and not field.virtual:
        words = f"{parent.description}: {words}"
    return f"{words} (`{path}`)"


def _the(text: str) -> str:
    """``the`` before a label, unless it already starts with one."""
    return text if text.startswith(("the ", "a ")) else f"the {text}"


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    return str(value).replace("_", " ")


def _param_words(spec: Mapping[str, Any], unit: str = "") -> str:
    name = spec["param"]
    by = spec.get("by")
    unit_text = f" {unit}" if unit else ""
    if by:
        return f"`{name}`{unit_text} for {_the(_label(by))}"
    return f"`{name}`{unit_text}"


def _value_words(value: Any, items: Mapping[str, Field] | None) -> str:
    if isinstance(value, Mapping) and "param" in value:
        return _param_words(value)
    if isinstance(value, Mapping) and "field" in value:
        return _the(_label(str(value["field"])))
    return _plain(value)


def _window_words(op: str, spec: Mapping[str, Any]) -> str:
    ((unit, amount),) = spec.items()
    unit_words = _UNITS.get(str(unit), str(unit))
    if isinstance(amount, Mapping):
        amount_words = _param_words(amount, unit_words)
    else:
        amount_words = f"{amount} {unit_words}"
    if op == "older_than":
        if amount == 0:
            return "is before the decision date"
        return f"is more than {amount_words} before the decision date"
    if op == "within_last":
        return f"is within the last {amount_words} up to the decision date"
    return f"is within the next {amount_words} from the decision date"


def _test_words(path: str, spec: Any, items: Mapping[str, Field] | None) -> list[str]:
    """Lines (bullets) for one field test; list tests nest their item condition."""
    field = _field(path, items)
    label = _label(path, items)
    if not isinstance(spec, Mapping):
        return [f"{label} is {_plain(spec)}"]
    lines: list[str] = []
    for op, value in spec.items():
        if op in ("exists", "missing"):
            recorded = (op == "exists") == bool(value)
            lines.append(f"{label} is {'recorded' if recorded else 'not recorded'}")
        elif op in ("any", "all", "none"):
            head = {
                "any": "at least one item of",
                "all": "every item of",
                "none": "no item of",
            }[op]
            sub_items = field.items if field is not None else None
            inner = _node_lines(value, sub_items)
            lines.append(f"{head} {label} has:")
            lines.extend("  " + line for line in inner)
        elif op in ("older_than", "within_last", "within_next"):
            lines.append(f"{label} {_window_words(op, value)}")
        else:
            lines.append(f"{label} {_OPS.get(op, op)} {_value_words(value, items)}")
    return lines


def _group(word: str, parts: Iterable[Any], items: Mapping[str, Field] | None) -> list[str]:
    lines = [f"{word}:"]
    for part in parts:
        inner = _node_lines(part, items)
        lines.append("  " + inner[0])
        lines.extend("  " + line for line in inner[1:])
    return lines


def _node_lines(data: Any, items: Mapping[str, Field] | None = None) -> list[str]:
    """A condition (as written in YAML) as nested Markdown bullet lines, without bullets."""
    if not isinstance(data, Mapping):
        return [f"`{data}`"]
    lines: list[str] = []
    entries = list(data.items())
    if len(entries) > 1:
        return _group("all of", [{k: v} for k, v in entries], items)
    ((key, value),) = entries
    if key == "all":
        lines = _group("all of", value, items)
    elif key == "any":
        lines = _group("any of", value, items)
    elif key == "not":
        lines = _group("not", [value], items)
    elif key == "condition":
        lines = [f"*{str(value).replace('_', ' ')}* (named condition `{value}`)"]
    else:
        lines = _test_words(str(key), value, items)
    return lines


def _bullets(lines: list[str], indent: str = "") -> list[str]:
    out = []
    for line in lines:
        depth = (len(line) - len(line.lstrip(" "))) // 2
        out.append(f"{indent}{'  ' * depth}- {line.strip()}")
    return out


def condition_markdown(when: Any) -> list[str]:
    """A rule's ``when`` as a Markdown bullet list."""
    return _bullets(_node_lines(when))


def _due_words(rule: Rule) -> str:
    due = rule.due
    if due is None:
        return "on the decision date"
    unit = _UNITS.get(due.unit, due.unit)
    if isinstance(due.amount, cond.ParamRef):
        amount = f"parameter `{due.amount.name}` {unit}"
    else:
        amount = f"{due.amount} {unit}"
    if due.anchor == "as_of":
        where = "the decision date"
    elif due.anchor.startswith("matched."):
        where = (
            f"the earliest matching item of {_label(due.anchor.removeprefix('matched.'))} "
            "(the decision date if none is dated)"
        )
    else:
        where = f"{_the(_label(due.anchor))} (the decision date if it is unknown)"
    if due.not_before is not None:
        where += f", or from {_the(_label(due.not_before))} when that is later"
    if not isinstance(due.amount, cond.ParamRef) and due.amount == 0:
        return f"on {where}"
    return f"{amount} {'before' if due.before else 'after'} {where}"


def _values_words(param: Parameter) -> str:
    unit = param.unit.replace("_", " ")
    parts = []
    for start, value in param.values:
        if isinstance(value, Mapping):
            shown = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in value.items())
        else:
            shown = str(value)
        unit_text = unit[:-1] if value == 1 and unit.endswith("s") else unit
        parts.append(f"{shown} {unit_text} from {start.isoformat()}".replace("  ", " "))
    return "; ".join(parts)


def _params_of(rule: Rule) -> list[str]:
    names = sorted(cond.params_of(rule.when))
    due = rule.due.amount if rule.due is not None else None
    if isinstance(due, cond.ParamRef) and due.name not in names:
        names.append(due.name)
    return names


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


# ---------------------------------------------------------------- sections


def _header(pack: Pack, notes: Mapping[str, Any]) -> list[str]:
    out = [
        f"# {pack.title}",
        "",
        f"Pack `{pack.name}` version {pack.version}, in force from "
        f"{pack.effective_from.isoformat()}; due dates in working days use the "
        f"{pack.calendar_country}-{pack.calendar_subdiv} calendar of bank holidays.",
        "",
        "<!-- Generated by riskreview._packdoc.render from the pack itself; do not edit.",
        "     Regenerate: python -m riskreview._packdoc rules/england-wales > "
        "rules/england-wales/README.md -->",
        "",
        " ".join(pack.description.split()),
        "",
    ]
    intro = notes.get("intro")
    if intro:
        out += [str(intro).strip(), ""]
    principles = notes.get("principles") or []
    if principles:
        out += ["## How the rules treat what is not known", ""]
        out += [f"- {' '.join(str(p).split())}" for p in principles]
        out.append("")
    return out


def _findings(pack: Pack) -> list[str]:
    out = [
        "## Inspection findings and the rules that answer them",
        "",
        "| # | finding | rules |",
        "|---|---|---|",
    ]
    for number, rule_ids in rules_by_finding(pack).items():
        text = pack.findings.get(number, "(not a finding listed in pack.yaml)")
        links = ", ".join(f"[{r}](#{_anchor(r)})" for r in rule_ids) or "**none**"
        out.append(f"| {number} | {_cell(text)} | {links} |")
    out.append("")
    return out


def _anchor(rule_id: str) -> str:
    return "rule-" + rule_id.lower()


def _rule_section(pack: Pack, rule: Rule) -> list[str]:
    action = pack.actions[rule.action]
    priority = rule.priority or action.priority
    out = [
        f'<a id="{_anchor(rule.id)}"></a>',
        f"#### {rule.id}: {rule.title}",
        "",
        f"- **Requires:** `{rule.action}`, {action.title} (priority {priority})",
        f"- **Due:** {_due_words(rule)}",
        "- **When:**",
    ]
    out += ["  " + line for line in condition_markdown(rule.raw_when)]
    params = _params_of(rule)
    if params:
        out.append("- **Parameters:**")
        for name in params:
            out.append(f"  - `{name}`: {_values_words(pack.parameters[name])}")
    waits = waiting_fields(rule)
    if waits:
        shown = []
        for path in waits:
            info = pack.information.get(path)
            shown.append(f"`{path}`" + (f" ({info.code})" if info else ""))
        out.append(f"- **Undetermined while unknown:** {', '.join(shown)}")
    if rule.findings:
        out.append(f"- **Findings:** {', '.join(str(f) for f in rule.findings)}")
    if rule.effective_from or rule.effective_to:
        start = rule.effective_from.isoformat() if rule.effective_from else "the start"
        end = rule.effective_to.isoformat() if rule.effective_to else "now"
        out.append(f"- **In force:** {start} to {end}")
    out += [
        f"- **Source:** {' '.join(rule.source.split())}",
        f"- **Rationale:** {' '.join(rule.rationale.split())}",
        f"- **Reason given to the practitioner:** {' '.join(rule.reason.split())}",
        "",
    ]
    return out


def _rules(pack: Pack) -> list[str]:
    out = ["## Rules", ""]
    areas: dict[str, list[Rule]] = {}
    for rule in pack.rules:
        areas.setdefault(rule.area, []).append(rule)
    order = [a for a in _AREA_TITLES if a in areas] + sorted(set(areas) - set(_AREA_TITLES))
    out += ["| rule | requires | priority | findings |", "|---|---|---|---|"]
    for area in order:
        for rule in areas[area]:
            priority = rule.priority or pack.actions[rule.action].priority
            findings = ", ".join(str(f) for f in rule.findings)
            out.append(
                f"| [{rule.id}](#{_anchor(rule.id)}) {_cell(rule.title)} | `{rule.action}` "
                f"| {priority} | {findings} |"
            )
    out.append("")
    for area in order:
        out += [f"### {_AREA_TITLES.get(area, area.replace('_', ' ').capitalize())}", ""]
        for rule in areas[area]:
            out += _rule_section(pack, rule)
    return out


def _named(pack: Pack) -> list[str]:
    path = Path(pack.path) / "conditions.yaml"
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    named = data.get("conditions") or {}
    if not named:
        return []
    out = ["## Named conditions", "", "Rules share these conditions by name.", ""]
    for name, spec in named.items():
        out += [
            f"### *{name.replace('_', ' ')}* (`{name}`)",
            "",
            " ".join(str(spec.get("description", "")).split()),
            "",
        ]
        out += condition_markdown(spec.get("when"))
        out.append("")
    return out


def _review(pack: Pack) -> list[str]:
    policy = pack.review
    if policy is None:
        return []
    param = pack.parameters[policy.interval.name]
    bring = [r.id for r in pack.rules if r.action == policy.action]
    anchors = ", then ".join(f"`{a}`" for a in policy.anchors)
    return [
        "## The next review date",
        "",
        "Every decision states the date of the next review of the risk assessment and why "
        "(candidate rule REV-02), from `review` in pack.yaml:",
        "",
        f"- the regular interval is parameter `{policy.interval.name}` "
        f"({_values_words(param)}), chosen by "
        f"`{policy.interval.by or 'a single value'}`; when that is unknown the shortest "
        "interval applies;",
        f"- counted from the first recorded of {anchors}; when none is recorded the review "
        "is due at once;",
        f"- brought forward to the due date of any `{policy.action}` that a rule requires: "
        + ", ".join(f"[{r}](#{_anchor(r)})" for r in bring)
        + ". The decision lists which of these rules would bring it forward.",
        "",
    ]


def _parameters(pack: Pack) -> list[str]:
    out = [
        "## Parameters",
        "",
        "Every number the rules use. A value applies from its date until the next one, so a "
        "decision can be replayed as of any date.",
        "",
        "| parameter | values | description | source |",
        "|---|---|---|---|",
    ]
    for name in sorted(pack.parameters):
        p = pack.parameters[name]
        out.append(
            f"| `{name}` | {_cell(_values_words(p))} | {_cell(p.description)} | {_cell(p.source)} |"
        )
    out.append("")
    return out


def _actions(pack: Pack) -> list[str]:
    out = [
        "## Actions",
        "",
        "| code | title | area | default priority | required by | wording |",
        "|---|---|---|---|---|---|",
    ]
    for code, action in pack.actions.items():
        rules = ", ".join(f"[{r.id}](#{_anchor(r.id)})" for r in pack.rules if r.action == code)
        if pack.review is not None and code == pack.review.action:
            rules += ", next review date"
        out.append(
            f"| `{code}` | {_cell(action.title)} | {action.area} | {action.priority} | "
            f"{rules or '(none)'} | {_cell(action.wording)} |"
        )
    out.append("")
    return out


def _information(pack: Pack) -> list[str]:
    waiting: dict[str, list[str]] = {}
    for rule in pack.rules:
        for path in waiting_fields(rule):
            waiting.setdefault(path, []).append(rule.id)
    out = [
        "## Information the decision may ask for",
        "",
        "When a rule needs a fact the case leaves unknown, the rule is undetermined (never "
        'read as "no") and the decision carries an information action naming what to '
        "establish and which rules wait on it.",
        "",
        "| field | code | what to establish | rules that can wait on it |",
        "|---|---|---|---|",
    ]
    for path in sorted(set(waiting) | set(pack.information)):
        info = pack.information.get(path)
        code = f"`{info.code}`" if info else "(generated)"
        title = _cell(info.title) if info else ""
        rules = ", ".join(waiting.get(path, [])) or "(none)"
        out.append(f"| `{path}` | {code} | {title} | {rules} |")
    out.append("")
    return out


def _candidates(notes: Mapping[str, Any]) -> list[str]:
    rows = notes.get("candidates") or []
    if not rows:
        return []
    out = [
        "## Candidate rules: renamed, split, added or dropped",
        "",
        "How the candidate rules of DOMAIN.md map to the rules of this pack.",
        "",
        "| candidate | rules here | what changed and why |",
        "|---|---|---|",
    ]
    for row in rows:
        out.append(
            f"| {_cell(row.get('id', ''))} | {_cell(row.get('rules', ''))} | "
            f"{_cell(row.get('note', ''))} |"
        )
    out.append("")
    return out


def _assumed(pack: Pack, notes: Mapping[str, Any]) -> list[str]:
    points = notes.get("assumed") or []
    params = [n for n in sorted(pack.parameters) if "assumed" in pack.parameters[n].source]
    rules = [r.id for r in pack.rules if "assumed" in r.source]
    out = ["## Assumed policy points", ""]
    out += [f"- {' '.join(str(p).split())}" for p in points]
    out += [
        "- Parameters whose value is assumed (no public source): "
        + ", ".join(f"`{n}`" for n in params)
        + ".",
        "- Rules whose source names an assumption (a timescale, a span or a practice): "
        + ", ".join(rules)
        + ".",
        "",
    ]
    return out


def _gaps(notes: Mapping[str, Any]) -> list[str]:
    gaps = notes.get("format_gaps") or []
    if not gaps:
        return []
    out = ["## What the pack format cannot yet say", ""]
    out += [f"- {' '.join(str(g).split())}" for g in gaps]
    out.append("")
    return out


def _scenarios(pack: Pack) -> list[str]:
    files: dict[str, list[str]] = {}
    for scenario in pack.scenarios:
        files.setdefault(scenario.file, []).append(scenario.name)
    out = [
        "## Scenarios",
        "",
        f"{len(pack.scenarios)} scenarios test this pack (`tests/*.yaml`, run by pytest). Every "
        "rule has at least one scenario that fires it and one near miss that stops just "
        "short; the suite fails otherwise.",
        "",
        "| file | scenarios |",
        "|---|---|",
    ]
    for file, names in sorted(files.items()):
        out.append(f"| `{file}` | {len(names)} |")
    vignettes = files.get("tests/vignettes.yaml", [])
    if vignettes:
        out += ["", "Composite vignettes (each asserts the complete set of required actions):", ""]
        out += [f"{i}. {name}" for i, name in enumerate(vignettes, 1)]
    out.append("")
    return out


def _scores(pack: Pack) -> list[str]:
    """Pack-declared inputs and derived values, with what each computes."""
    if not pack.inputs and not pack.derived:
        return []
    out = ["## Inputs and derived values", ""]
    if pack.inputs:
        out += ["Further case inputs this pack declares (under `inputs` in the case):", ""]
        for name, given in pack.inputs.items():
            enum = given.enum
            allowed = f" ({', '.join(m.value for m in enum)})" if enum is not None else ""
            out.append(f"- `inputs.{name}` ({given.kind}{allowed}): {_cell(given.description)}")
        out.append("")
    if pack.derived:
        out += ["Values computed from the case before any rule runs, in this order:", ""]
        for d in pack.derived:
            reads = ", ".join(f"`{f.path}`" for f in d.fields) or "conditions"
            shown = " Reported in every decision." if d.reported else ""
            out.append(f"- `derived.{d.name}` ({d.op} of {reads}): {_cell(d.description)}{shown}")
        out.append("")
    return out


def render(pack: Pack) -> str:
    """The pack's README in Markdown: findings to rules, every rule in words, parameters,
    actions, information, candidate ids and assumptions."""
    notes = notes_of(pack)
    lines: list[str] = []
    lines += _header(pack, notes)
    lines += _findings(pack)
    lines += _review(pack)
    lines += _rules(pack)
    lines += _named(pack)
    lines += _scores(pack)
    lines += _parameters(pack)
    lines += _actions(pack)
    lines += _information(pack)
    lines += _candidates(notes)
    lines += _assumed(pack, notes)
    lines += _gaps(notes)
    lines += _scenarios(pack)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m riskreview._packdoc [PACK_DIR]``: print the pack's README."""
    args = sys.argv[1:] if argv is None else argv
    from riskreview.pack import default_pack_path  # noqa: PLC0415

    path = args[0] if args else str(default_pack_path())
    sys.stdout.write(render(load_pack(path)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
