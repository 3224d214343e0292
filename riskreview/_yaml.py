"""YAML reading for packs: safe_load semantics, bounded, with lines; no duplicate keys.

A pack file is composed to its node graph first (libyaml's composer, which does not
expand aliases), and the graph is surveyed without recursion before any Python object
is built. The survey refuses what a policy pack never needs and what would make
reading it slow, deep or surprising:

* anchors and aliases (``&name`` / ``*name``): every value is written out where it
  applies, so a reviewer reads a rule as it runs, and ten lines cannot expand to
  billions of nodes (an *alias bomb*);
* nesting deeper than :data:`MAX_DEPTH` levels, so no later reader recurses far;
* whole numbers longer than :data:`MAX_DIGITS` digits;
* YAML tags (``!!set``, ``!!binary``, ``!custom``), merge keys (``<<``), keys that
  are lists or mappings, impossible dates (``2024-02-30``) and dates with a time;
* files larger than :data:`MAX_FILE_BYTES`.

Keys are kept as the text written (``yes:`` is the key ``'yes'``, never ``True``),
and each mapping remembers the line it starts on and the line of each key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import yaml

__all__ = [
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_FILE_BYTES",
    "Flaw",
    "LineDict",
    "YamlProblem",
    "as_date",
    "describe",
    "line_of",
    "not_text",
    "read",
    "short",
    "shown",
]

#: the deepest nesting of lists and mappings a pack file may have
MAX_DEPTH = 50
#: the most digits a whole number in a pack may have
MAX_DIGITS = 18
#: the largest pack file read
MAX_FILE_BYTES = 8 * 1024 * 1024
#: problems reported per file before the rest are summarised
_MAX_FLAWS = 20

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_TAG}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
_BOOL_WORDS = "yes, no, on, off, true, false"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class LineDict(dict[str, Any]):
    """A mapping that remembers the line it started on and each key's line (1-based)."""

    line: int = 0
    lines: Mapping[str, int] = MappingProxyType({})


class Flaw(NamedTuple):
    """One problem in a file: its line (0 when unknown), where in the file, and why."""

    line: int
    where: str
    message: str


class YamlProblem(Exception):
    """A file that cannot be read as a pack file, with every flaw that stops it."""

    def __init__(self, flaws: list[Flaw]):
        self.flaws = tuple(flaws)
        super().__init__("; ".join(f.message for f in flaws))

    @property
    def line(self) -> int:
        """The line of the first flaw."""
        return self.flaws[0].line if self.flaws else 0


_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when present


class _Loader(_Base):  # type: ignore[misc]
    """SafeLoader that keeps key text and lines (the survey has checked the graph)."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> LineDict:
    out = LineDict()
    out.line = node.start_mark.line + 1
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        if not _is_key(key_node):
            continue  # reported by the survey
        key = str(key_node.value)
        out[key] = loader.construct_object(value_node, deep=True)
        lines[key] = key_node.start_mark.line + 1
    out.lines = lines
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read(path: Path) -> tuple[Any, list[Flaw]]:
    """Parse ``path``; returns the data and the flaws to report with it (duplicate keys,
    and keys that are not text, which are left out).

    A flaw's ``where`` is the ``id`` of the nearest enclosing mapping that has one (a
    rule) and the key, so a policy author is told which rule holds it.
    Raises :class:`YamlProblem` with every flaw when the file is not valid YAML or
    holds something a pack may not (see the module docstring).
    """
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise YamlProblem(
            [
                Flaw(
                    0,
                    "",
                    f"file is {size:,} bytes; a pack file may be at most {MAX_FILE_BYTES:,} "
                    "bytes: split it into several files",
                )
            ]
        )
    text = path.read_text(encoding="utf-8")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        flaws, reported = _survey(loader, node)
        if flaws:
            raise YamlProblem(flaws)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark is not None else 0
        raise YamlProblem([Flaw(line, "", f"not valid YAML: {error.problem}")]) from None
    except yaml.YAMLError as error:
        raise YamlProblem([Flaw(0, "", f"not valid YAML: {error}")]) from None
    except RecursionError:  # only the pure-Python parser recurses while composing
        raise YamlProblem(
            [Flaw(0, "", f"nested too deeply (a pack file may nest {MAX_DEPTH} levels)")]
        ) from None
    finally:
        loader.dispose()
    return data, reported


def _survey(loader: _Loader, root: yaml.Node) -> tuple[list[Flaw], list[Flaw]]:
    """Check the node graph without recursion: (flaws that stop reading, flaws reported
    while the rest is read: duplicate keys, and keys that are not text or are merges)."""
    flaws: list[Flaw] = []
    reported: list[Flaw] = []
    seen: dict[int, str] = {}  # node → where it first appeared
    aliased: set[int] = set()
    # each entry: a node, its depth, and the id and keys leading to it (for messages)
    stack: list[tuple[yaml.Node, int, str, tuple[str, ...]]] = [(root, 0, "", ())]
    while stack and len(flaws) <= _MAX_FLAWS:
        node, depth, owner, keys = stack.pop()
        line = node.start_mark.line + 1
        where = _where(owner, keys)
        if id(node) in seen:
            if not aliased:  # one report for the file, at the first anchor used again
                again = f" (again under {where})" if where else ""
                flaws.append(Flaw(line, seen[id(node)], _ALIAS + again))
            aliased.add(id(node))
            continue
        seen[id(node)] = where
        if depth > MAX_DEPTH:
            flaws.append(
                Flaw(
                    line,
                    where,
                    f"nested more than {MAX_DEPTH} levels deep (the limit): write it with "
                    "fewer levels (one all: or any: list takes many conditions)",
                )
            )
            continue
        if isinstance(node, yaml.ScalarNode):
            problem = _scalar_problem(loader, node)
            if problem:
                flaws.append(Flaw(line, where, problem))
            continue
        kind = "list" if isinstance(node, yaml.SequenceNode) else "mapping"
        if node.tag != f"{_TAG}{'seq' if kind == 'list' else 'map'}":
            flaws.append(Flaw(line, where, f"this {kind} {_tagged(node.tag)}"))
            continue
        if not isinstance(node, yaml.MappingNode):
            stack.extend((item, depth + 1, owner, keys) for item in reversed(node.value))
            continue
        inner = _owner(node)
        if inner:
            keys = ()  # a rule: its id, then the keys within it
        inner = inner or owner
        names: set[str] = set()
        children = []
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not _is_key(key_node):  # reported, and left out of the mapping
                reported.append(Flaw(key_line, where, _NOT_KEY))
                continue
            name = short(str(key_node.value))
            path = (*keys, name)
            if name in names:
                reported.append(
                    Flaw(
                        key_line,
                        _where(inner, path),
                        "duplicate key (YAML would silently keep only the last)",
                    )
                )
            names.add(name)
            children.append((value_node, depth + 1, inner, path))
        stack.extend(reversed(children))
    if len(aliased) > 1:
        first = next(i for i, f in enumerate(flaws) if f.message.startswith(_ALIAS))
        flaws[first] = flaws[first]._replace(
            message=f"{flaws[first].message}; {len(aliased)} anchored values are used again "
            "in this file"
        )
    if len(flaws) > _MAX_FLAWS:
        flaws[_MAX_FLAWS:] = [Flaw(0, "", "and more problems of this kind; fix these first")]
    return flaws, reported


_ALIAS = (
    "this value is anchored (&name) and used again by an alias (*name): a pack writes every "
    "value out where it applies, so anchors and aliases are not allowed; copy the value"
)
_NOT_KEY = (
    "a key must be text (not a list or mapping), and merge keys (<<) are not used in "
    "packs: write the keys out; this entry is left out"
)


def _is_key(node: yaml.Node) -> bool:
    """Whether a key node is plain text: a scalar, and not a merge key (<<)."""
    return isinstance(node, yaml.ScalarNode) and node.tag != f"{_TAG}merge"


def _tagged(tag: str) -> str:
    name = "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else short(tag)
    return f"carries the YAML tag {name}, and packs use none: remove it"


def _where(owner: str, keys: tuple[str, ...]) -> str:
    """``REV-01 due days``: the id of the rule (if any) and the keys down to a value."""
    shown_keys = keys if len(keys) <= 4 else (*keys[:2], "…", keys[-1])
    return " ".join((owner, *shown_keys)).strip()


def _owner(node: yaml.MappingNode) -> str:
    """The ``id`` a mapping declares (a rule's), or an empty string."""
    for key_node, value_node in node.value:
        if (
            isinstance(key_node, yaml.ScalarNode)
            and key_node.value == "id"
            and isinstance(value_node, yaml.ScalarNode)
        ):
            return short(str(value_node.value))
    return ""


def _scalar_problem(loader: _Loader, node: yaml.ScalarNode) -> str | None:
    value = str(node.value)
    plain = loader.resolve(yaml.ScalarNode, value, (True, False))
    if node.tag not in (plain, f"{_TAG}str") or node.tag not in _SCALAR_TAGS:
        return f"{shown(value)} {_tagged(node.tag)} (quote the value to keep it as text)"
    if node.tag == f"{_TAG}int":
        digits = len(value.lstrip("+-").replace("_", ""))
        if digits > MAX_DIGITS:
            return (
                f"number too long: {digits:,} digits (a whole number in a pack has at most "
                f"{MAX_DIGITS} digits)"
            )
    if node.tag == f"{_TAG}timestamp":
        try:
            when = loader.construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return f"{shown(value)} is not a real date"
        if isinstance(when, datetime):
            return (
                f"{shown(value)} is a date with a time of day: a pack's dates are YYYY-MM-DD "
                "(quote it to keep it as text)"
            )
    return None


def short(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters, for a key or name in a message (control
    characters escaped, so a message is safe to print)."""
    if not text.isprintable():
        text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def line_of(data: Any, key: str | None = None) -> int:
    """The line of ``key`` in a mapping, else the line the mapping started on, or 0."""
    if key is not None:
        lines = getattr(data, "lines", None)
        if isinstance(lines, Mapping) and isinstance(key, str) and key in lines:
            return int(lines[key])
    return int(getattr(data, "line", 0))


def line_at(data: Any, path: str) -> int:
    """The line of the deepest key or list item that ``path`` leads to inside ``data``
    (a problem's ``where``: ``when.all[1].risk.overall_level.gte``, ``if[0] then``);
    keys may themselves hold dots, so the longest key that fits is taken at each step.
    0 when ``data`` holds no lines."""
    line = line_of(data)
    node, rest = data, path
    while node is not None:
        rest = rest.lstrip(". ")
        if not rest:
            break
        if rest.startswith("["):
            index = _INDEX.match(rest)
            if index is None or not isinstance(node, list) or int(index[1]) >= len(node):
                break
            node = node[int(index[1])]
            rest = rest[index.end() :]
            line = line_of(node) or line
            continue
        if not isinstance(node, Mapping):
            break
        keys = [
            k
            for k in node
            if isinstance(k, str)
            and rest.startswith(k)
            and rest[len(k) : len(k) + 1] in ("", ".", " ", "[")
        ]
        if not keys:
            break
        key = max(keys, key=len)
        line = line_of(node, key) or line
        node, rest = node[key], rest[len(key) :]
    return line


_INDEX = re.compile(r"\[(\d+)\]")


def as_date(value: Any) -> date | None:
    """A YAML date, or ISO ``YYYY-MM-DD`` text, as a date; None for anything else."""
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def describe(value: Any) -> str:
    """What kind of YAML value ``value`` is, for a message: ``a list``, ``text``..."""
    if isinstance(value, bool):
        return (
            f"{str(value).lower()} (YAML reads unquoted {_BOOL_WORDS} as true or false: "
            "quote them to mean text)"
        )
    if value is None:
        return "nothing (an empty value or null)"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, str):
        return "text"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def not_text(value: Any) -> str:
    """The message for a value where text was expected (with how to make it text)."""
    quote = isinstance(value, int | float | date) and not isinstance(value, bool)
    return f"expected text, got {describe(value)}" + (
        " (quote it to keep it as text)" if quote else ""
    )


def shown(value: Any) -> str:
    """A value for a message: short text and numbers as written, anything else described."""
    if isinstance(value, bool) or value is None:
        return describe(value)
    if isinstance(value, int) and -(10**30) < value < 10**30:
        return repr(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and len(value) <= 60:
        return repr(value)
    if isinstance(value, str):
        return f"a text of {len(value):,} characters"
    if isinstance(value, list):
        return f"a list of {len(value):,} item{'' if len(value) == 1 else 's'}"
    return describe(value)
