"""YAML reading for packs: safe_load semantics, line numbers, no duplicate keys, dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml


class LineDict(dict[str, Any]):
    """A mapping that remembers the line it started on (1-based)."""

    line: int = 0
    duplicates: tuple[tuple[int, str], ...] = ()


_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when present


class _Loader(_Base):  # type: ignore[misc]
    """SafeLoader that records lines and rejects duplicate keys."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    duplicates = []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            duplicates.append((key_node.start_mark.line + 1, str(key)))
        out[key if isinstance(key, str) else str(key)] = loader.construct_object(
            value_node, deep=True
        )
    out.duplicates = tuple(duplicates)
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class YamlProblem(Exception):
    """A file that is not valid YAML, with the line where reading stopped."""

    def __init__(self, line: int, message: str):
        self.line = line
        super().__init__(message)


def read(path: Path) -> tuple[Any, list[tuple[int, str, str]]]:
    """Parse ``path``; returns the data and its duplicate keys as (line, key, owner).

    ``owner`` is the ``id`` of the nearest enclosing mapping that has one (a rule),
    so a policy author is told which rule holds the duplicate.
    """
    text = path.read_text(encoding="utf-8")
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark is not None else 0
        raise YamlProblem(line, f"not valid YAML: {error.problem}") from None
    except yaml.YAMLError as error:
        raise YamlProblem(0, f"not valid YAML: {error}") from None
    finally:
        loader.dispose()
    return data, _duplicates(data, "")


def _duplicates(data: Any, owner: str) -> list[tuple[int, str, str]]:
    out: list[tuple[int, str, str]] = []
    if isinstance(data, LineDict):
        ident = data.get("id")
        owner = ident if isinstance(ident, str) else owner
        out.extend((line, key, owner) for line, key in data.duplicates)
        for value in data.values():
            out.extend(_duplicates(value, owner))
    elif isinstance(data, list):
        for value in data:
            out.extend(_duplicates(value, owner))
    return out


def line_of(data: Any) -> int:
    """The line a mapping started on, or 0."""
    return getattr(data, "line", 0)


def as_date(value: Any) -> date | None:
    """A YAML date, or ISO ``YYYY-MM-DD`` text, as a date; None for anything else."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None
