"""Reading what a pack says about itself: ``pack.yaml``'s own keys and ``notes.yaml``.

Name, version, title, description, the date it is in force from, the working-day
calendar (checked against the ``holidays`` package) and the inspection findings
its rules answer; and the hand-written documentation of ``notes.yaml``, which
decides nothing but is checked and counted in the pack's digest like every other
file. Every problem goes to the loader with file, line, key and reason; called by
:func:`riskreview._packload.load`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import attrs
import holidays

from riskreview._packreader import Loader
from riskreview._structure import suggest
from riskreview._yaml import as_date, describe, line_of, shown

PACK_KEYS = (
    "name",
    "version",
    "title",
    "description",
    "effective_from",
    "calendar",
    "review",
    "findings",
    "sources",
)
_CALENDAR_KEYS = ("country", "subdiv")
#: the calendar of a pack that names none: England's bank holidays
DEFAULT_CALENDAR = ("GB", "ENG")
#: the most findings a pack lists, and the most digits a finding number has
_MAX_FINDING = 999_999
_NOTES_TEXT = ("intro",)
_NOTES_LISTS = ("principles", "assumed", "format_gaps")
_CANDIDATE_KEYS = ("id", "rules", "note")


@attrs.frozen
class Meta:
    """``pack.yaml``'s own keys, checked."""

    name: str
    version: str
    title: str
    description: str
    effective_from: date
    calendar_country: str
    calendar_subdiv: str | None
    findings: dict[int, str] | None  # None when the list has a problem (reported)


def read_meta(loader: Loader, meta: Mapping[str, Any], folder_name: str) -> Meta:
    """Check ``pack.yaml``'s keys other than ``review`` (read with the rules)."""
    loader.unknown_keys("pack.yaml", meta, PACK_KEYS, "")
    texts = {}
    for key in ("name", "version", "title", "description"):
        texts[key] = loader.text("pack.yaml", meta, key, "", required=key in ("version",))
    name = texts["name"] or folder_name
    effective = as_date(meta.get("effective_from"))
    if effective is None:
        loader.report(
            "pack.yaml",
            line_of(meta, "effective_from"),
            "effective_from",
            f"expected a date YYYY-MM-DD, got {shown(meta.get('effective_from'))}",
        )
        effective = date.min
    sources = meta.get("sources")
    if sources is not None and not isinstance(sources, Mapping | list | str):
        loader.report(
            "pack.yaml",
            line_of(meta, "sources"),
            "sources",
            f"expected text, a list or a mapping, got {describe(sources)}",
        )
    country, subdiv = _calendar(loader, meta)
    return Meta(
        name=name,
        version=texts["version"] or "0",
        title=texts["title"] or name,
        description=(texts["description"] or "").strip(),
        effective_from=effective,
        calendar_country=country,
        calendar_subdiv=subdiv,
        findings=_findings(loader, meta),
    )


def _calendar(loader: Loader, meta: Mapping[str, Any]) -> tuple[str, str | None]:
    """``calendar: {country: GB, subdiv: ENG}``, checked against the holidays package."""
    spec = meta.get("calendar")
    if spec is None:
        return DEFAULT_CALENDAR
    line = line_of(meta, "calendar")
    if not isinstance(spec, Mapping):
        loader.report(
            "pack.yaml",
            line,
            "calendar",
            f"expected a mapping such as {{country: GB, subdiv: ENG}}, got {shown(spec)}",
        )
        return DEFAULT_CALENDAR
    loader.unknown_keys("pack.yaml", spec, _CALENDAR_KEYS, "calendar")
    supported: dict[str, list[str]] = holidays.list_supported_countries()
    # with a misspelt key reported, a missing country is no news
    typo = any(key not in _CALENDAR_KEYS for key in spec)
    country = loader.text("pack.yaml", spec, "country", "calendar", required=not typo)
    if country is None:
        return DEFAULT_CALENDAR
    if country not in supported:
        known = [c for c in supported if len(c) == 2]
        loader.report(
            "pack.yaml",
            line_of(spec, "country"),
            "calendar country",
            f"{shown(country)} is not a country code the holidays package knows"
            f"{suggest(country, known) or ' (for example: GB, IE, FR, DE, US)'}",
        )
        return DEFAULT_CALENDAR
    if "subdiv" not in spec:
        return country, DEFAULT_CALENDAR[1] if country == DEFAULT_CALENDAR[0] else None
    subdiv = loader.text("pack.yaml", spec, "subdiv", "calendar")
    if subdiv is None:
        return DEFAULT_CALENDAR
    if subdiv not in supported[country]:
        choices = supported[country]
        listed = ", ".join(choices[:12]) + (", …" if len(choices) > 12 else "")
        loader.report(
            "pack.yaml",
            line_of(spec, "subdiv"),
            "calendar subdiv",
            f"{shown(subdiv)} is not a subdivision of {country} the holidays package knows"
            + (
                f"{suggest(subdiv, choices)} (one of: {listed})"
                if choices
                else f"; {country} has none: leave subdiv out"
            ),
        )
        return DEFAULT_CALENDAR
    return country, subdiv


def _findings(loader: Loader, meta: Mapping[str, Any]) -> dict[int, str] | None:
    """``findings: {number: text}``: every entry a finding number with its text; None
    when an entry is wrong (so the rules' finding numbers are not checked against it)."""
    spec = meta.get("findings")
    if spec is None:
        return {}
    if not isinstance(spec, Mapping):
        loader.report(
            "pack.yaml",
            line_of(meta, "findings"),
            "findings",
            f"expected a mapping {{number: text}}, got {shown(spec)}",
        )
        return None
    out = {}
    for key, text in spec.items():
        line = line_of(spec, key)
        where = f"findings {loader.key(key)}"
        if not (key.isascii() and key.isdigit() and 0 < int(key) <= _MAX_FINDING):
            loader.report(
                "pack.yaml",
                line,
                where,
                f"a finding's number must be a whole number from 1 to {_MAX_FINDING:,}, "
                f"not {shown(key)}",
            )
        elif not isinstance(text, str) or not text.strip():
            loader.report(
                "pack.yaml", line, where, f"expected the finding's text, got {describe(text)}"
            )
        else:
            out[int(key)] = text.strip()
    return out if len(out) == len(spec) else None


def read_notes(loader: Loader) -> None:
    """Check the optional ``notes.yaml`` (documentation only; counted in the digest)."""
    data = loader.read_mapping(loader.root / "notes.yaml", None, required=False)
    if not isinstance(data, Mapping):
        return
    loader.unknown_keys("notes.yaml", data, (*_NOTES_TEXT, *_NOTES_LISTS, "candidates"), "")
    for key in _NOTES_TEXT:
        loader.text("notes.yaml", data, key, "")
    for key in _NOTES_LISTS:
        _text_list(loader, data, key)
    rows = data.get("candidates")
    if rows is None:
        return
    if not isinstance(rows, list):
        loader.report(
            "notes.yaml",
            line_of(data, "candidates"),
            "candidates",
            f"expected a list of {{id, rules, note}}, got {describe(rows)}",
        )
        return
    for i, row in enumerate(rows):
        where = f"candidates[{i}]"
        if not isinstance(row, Mapping):
            loader.report(
                "notes.yaml",
                line_of(data, "candidates"),
                where,
                f"expected {{id, rules, note}}, got {describe(row)}",
            )
            continue
        loader.unknown_keys("notes.yaml", row, _CANDIDATE_KEYS, where)
        for key in _CANDIDATE_KEYS:
            loader.text("notes.yaml", row, key, where)


def _text_list(loader: Loader, data: Mapping[str, Any], key: str) -> None:
    items = data.get(key)
    if items is None:
        return
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        loader.report(
            "notes.yaml",
            line_of(data, key),
            key,
            f"expected a list of text, got {_list_kind(items)}",
        )


def _list_kind(items: Any) -> str:
    if not isinstance(items, list):
        return describe(items)
    odd = next(i for i in items if not isinstance(i, str))
    return f"a list holding {describe(odd)}"
