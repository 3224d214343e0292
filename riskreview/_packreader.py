"""Reading one pack folder's files, and collecting every problem with file and line.

The loader (:mod:`riskreview._packload`) and each part of it (``_packmeta``,
``_packparams``, ``_packreview``, ``_packrules``, ``_packscenarios``) report
through one :class:`Loader`, which never imports them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import attrs

from riskreview._fields import CASE_FIELDS, Field
from riskreview._structure import suggest
from riskreview._yaml import YamlProblem, describe, line_of, not_text, read, short
from riskreview.errors import Problem


@attrs.define
class Loader:
    """One pack folder being read: its files, the problems found (file, line, key,
    reason), and what later parts of the pack are checked against."""

    root: Path
    problems: list[Problem] = attrs.field(factory=list)
    files: list[Path] = attrs.field(factory=list)
    condition_docs: dict[str, str] = attrs.field(factory=dict)
    fields: dict[str, Field] = attrs.field(factory=lambda: dict(CASE_FIELDS))
    #: pack.yaml's findings, None when they have a problem (rules are not checked against them)
    findings: dict[int, str] | None = attrs.field(factory=dict)
    #: paths of inputs and derived values whose declaration failed (reported there once)
    broken: set[str] = attrs.field(factory=set)
    #: derived values that can have no value: tests of them are made two-valued
    absent_capable: frozenset[str] = frozenset()

    def report(self, file: str, line: int, where: str, message: str) -> None:
        location = f"{file}:{line}" if line else file
        self.problems.append(Problem(f"{location} {where}".rstrip(), message))

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def key(self, key: str) -> str:
        """A key as a message shows it (a long one cut short)."""
        return short(key)

    def read_mapping(self, path: Path, top_key: str | None, required: bool = True) -> Any:
        rel = self.rel(path) if path.is_relative_to(self.root) else str(path)
        if not path.is_file():
            if required:
                self.report(rel, 0, "", "file is missing")
            return None
        self.files.append(path)
        try:
            data, duplicates = read(path)
        except YamlProblem as error:
            for flaw in error.flaws:
                self.report(rel, flaw.line, flaw.where, flaw.message)
            return None
        except UnicodeDecodeError:
            self.report(rel, 0, "", "file is not UTF-8 text")
            return None
        except OSError as error:
            self.report(rel, 0, "", f"cannot be read: {error.strerror or error}")
            return None
        for flaw in duplicates:
            self.report(rel, flaw.line, flaw.where, flaw.message)
        if not isinstance(data, Mapping):
            self.report(rel, 0, "", f"expected a mapping at the top, got {describe(data)}")
            return None
        if top_key is None:
            return data
        for key in data:
            if key != top_key:
                self.report(
                    rel,
                    line_of(data, key),
                    self.key(key),
                    f"unknown top-level key; expected only {top_key!r}",
                )
        value = data.get(top_key)
        if value is None:
            self.report(rel, line_of(data, top_key), top_key, "is missing")
        return value

    def unknown_keys(
        self, file: str, data: Mapping[str, Any], allowed: Collection[str], where: str
    ) -> None:
        for key in data:
            if key not in allowed:
                self.report(
                    file,
                    line_of(data, key),
                    f"{where} {self.key(key)}".strip(),
                    f"unknown key{suggest(key, allowed)}",
                )

    def text(
        self, file: str, data: Mapping[str, Any], key: str, where: str, required: bool = False
    ) -> str | None:
        """``data[key]`` when it is text; otherwise report it (and None)."""
        value = data.get(key)
        if isinstance(value, str):
            return value
        if value is not None or required:
            self.report(
                file,
                line_of(data, key),
                f"{where} {key}".strip(),
                "is required text" if value is None else not_text(value),
            )
        return None
