"""A local pack that extends the default one: build it, test it, compare decisions.

A probation region that wants the national (default) policy plus a few local
choices should not copy and fork the whole default pack: every update of the
default would have to be merged by hand. Instead it keeps an **overlay**, a folder
holding only what it changes or adds (here ``examples/packs/local-variation/``),
and builds the full pack from the default one plus the overlay:

1. copy the default pack folder (``riskreview.pack.default_pack_path()``) to a new
   folder;
2. ``overlay.yaml`` (the overlay's manifest, not a pack file) names the base pack
   it ``extends`` (checked), gives the ``pack:`` keys that replace those of the
   base ``pack.yaml`` (a new name and version, so every decision says which
   policy made it), and lists under ``replaces:`` the base parameters it replaces;
3. each ``parameters/*.yaml`` of the overlay is added; a parameter it defines that
   the base pack also defines replaces the base definition (taken out of the base
   file), but only if ``replaces:`` lists it, so a local file never shadows a
   parameter by accident, and a base update that renames or drops a replaced
   parameter stops the build instead of silently ending the local variation;
4. ``rules/*.yaml`` and ``tests/*.yaml`` of the overlay are added as new files (a
   name the base pack already uses is refused, so a local file never replaces a
   whole area of national policy); the loader refuses a local rule id that
   repeats a default one;
5. load the built folder with ``riskreview.load_pack``, which checks everything,
   and run its scenarios with ``riskreview.testing.run_scenarios``. The default
   pack's own scenarios come along: those that fail under the local pack show
   exactly which national expectations the local variation changes.

The overlay folder has no ``pack.yaml`` on purpose: it is not a pack by itself.

Run: python examples/local_pack.py [--json] [--out FOLDER]
     (``--out`` keeps the built pack, e.g. for ``riskreview check FOLDER``)
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import yaml

import riskreview
from riskreview.pack import default_pack_path
from riskreview.testing import ScenarioResult, run_scenarios

OVERLAY = Path(__file__).resolve().parent / "packs" / "local-variation"
AS_OF = date(2026, 11, 23)

#: One case, decided under both packs: medium risk of serious harm, last reviewed
#: 10 weeks ago; a registered domestic abuse perpetrator in a relationship whose
#: police check is 30 weeks old (answered).
CASE: dict[str, Any] = {
    "case_id": "LOCAL-1",
    "supervision": {"stage": "community", "start_date": "2026-03-02"},
    "index_offence": {"categories": ["domestic_abuse"], "date": "2026-01-10"},
    "registrations": ["domestic_abuse_perpetrator"],
    "household": {"in_relationship": True, "children_in_contact": False},
    "risk": {
        "screening_date": "2026-03-04",
        "full_analysis_date": "2026-03-16",
        "last_review_date": "2026-09-14",
        "levels": {"known_adult": "medium", "public": "low"},
    },
    "checks": {
        "police_domestic_abuse": {
            "requested_date": "2026-04-20",
            "response_date": "2026-04-27",
            "outcome": "concerns",
        }
    },
    "events": [],
}


class OverlayError(Exception):
    """The overlay does not fit the base pack."""


def _read(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise OverlayError(f"{path.name}: expected a mapping")
    return data


def _write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def build_local_pack(target: Path, overlay: Path = OVERLAY, base: Path | None = None) -> Path:
    """Build the base pack plus ``overlay`` into the new folder ``target``; return it."""
    base = base if base is not None else default_pack_path()
    manifest = _read(overlay / "overlay.yaml")
    base_meta = _read(base / "pack.yaml")
    if manifest.get("extends") != base_meta.get("name"):
        raise OverlayError(
            f"overlay extends {manifest.get('extends')!r} but the base pack is "
            f"{base_meta.get('name')!r}"
        )
    shutil.copytree(base, target, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    _write(target / "pack.yaml", {**base_meta, **manifest.get("pack", {})})

    replaces = set(manifest.get("replaces", {}).get("parameters", []))
    local_params: dict[str, Path] = {}
    for path in sorted((overlay / "parameters").glob("*.yaml")):
        for name in _read(path).get("parameters", {}):
            local_params[name] = path
    unknown = replaces - set(local_params)
    if unknown:
        raise OverlayError(f"replaces lists {sorted(unknown)} but no overlay file defines them")
    replaced: set[str] = set()
    for path in sorted((target / "parameters").glob("*.yaml")):
        data = _read(path)
        params = data.get("parameters", {})
        clash = set(params) & set(local_params)
        if clash - replaces:
            raise OverlayError(
                f"the overlay defines {sorted(clash - replaces)}, which the base pack also "
                f"defines in {path.name}: list them under replaces.parameters to replace them"
            )
        if clash:
            data["parameters"] = {k: v for k, v in params.items() if k not in clash}
            _write(path, data)
            replaced |= clash
    missing = replaces - replaced
    if missing:
        raise OverlayError(f"the base pack no longer defines {sorted(missing)}: review the overlay")

    for folder in ("parameters", "rules", "tests"):
        for path in sorted((overlay / folder).glob("*.yaml")):
            dest = target / folder / path.name
            if dest.exists():
                raise OverlayError(f"{folder}/{path.name} would replace a file of the base pack")
            dest.parent.mkdir(exist_ok=True)
            shutil.copyfile(path, dest)
    return target


def local_scenario(result: ScenarioResult) -> bool:
    """Whether a scenario comes from the overlay rather than the base pack."""
    return (OVERLAY / result.scenario.file).is_file()


def _actions(decision: riskreview.Decision) -> dict[str, list[str]]:
    return {a.code: list(a.rule_ids) for a in decision.actions}


def report(pack: riskreview.Pack) -> dict[str, Any]:
    """Scenario results of the local pack and one decision under both packs."""
    results = run_scenarios(pack)
    local = [r for r in results if local_scenario(r)]
    national = [r for r in results if not local_scenario(r)]
    default = riskreview.evaluate(CASE, as_of=AS_OF)
    varied = riskreview.evaluate(CASE, as_of=AS_OF, pack=pack)
    return {
        "pack": {"name": pack.name, "version": pack.version, "digest": pack.digest},
        "local_rules": [r.id for r in pack.rules if (OVERLAY / r.file).is_file()],
        "local_scenarios": {
            "passed": sum(r.passed for r in local),
            "failed": {r.scenario.name: list(r.failures) for r in local if not r.passed},
        },
        "default_scenarios": {
            "passed": sum(r.passed for r in national),
            "changed_by_local_variation": {
                r.scenario.name: r.failures[0] for r in national if not r.passed
            },
        },
        "comparison": {
            "case_id": CASE["case_id"],
            "as_of": AS_OF.isoformat(),
            "default": {
                "actions": _actions(default),
                "next_review": str(default.next_review.date) if default.next_review else None,
            },
            "local": {
                "actions": _actions(varied),
                "next_review": str(varied.next_review.date) if varied.next_review else None,
            },
        },
    }


def _print(summary: dict[str, Any]) -> None:
    pack = summary["pack"]
    print(f"Built {pack['name']} {pack['version']} ({pack['digest'][:19]}...)")
    print(f"Local rules: {', '.join(summary['local_rules'])}")
    local = summary["local_scenarios"]
    print(f"Local scenarios: {local['passed']} passed, {len(local['failed'])} failed")
    for name, failures in local["failed"].items():
        print(f"  FAILED {name}: {'; '.join(failures)}")
    national = summary["default_scenarios"]
    changed = national["changed_by_local_variation"]
    print(f"Default scenarios: {national['passed']} still pass, {len(changed)} changed locally")
    for name, first in changed.items():
        print(f"  changed: {name}\n           ({first})")
    comparison = summary["comparison"]
    default, local_decision = comparison["default"], comparison["local"]
    print(f"\nCase {comparison['case_id']} on {comparison['as_of']}:")
    for code in sorted(set(default["actions"]) | set(local_decision["actions"])):
        before = default["actions"].get(code)
        after = local_decision["actions"].get(code)
        if before == after:
            mark = "same "
        elif before is None:
            mark = "added"
        elif after is None:
            mark = "gone "
        else:
            mark = "rules"
        print(f"  [{mark}] {code:32} default {before or '-'}  local {after or '-'}")
    print(f"  next review: default {default['next_review']}, local {local_decision['next_review']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--out", type=Path, help="build the pack into this new folder and keep it")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="riskreview-local-") as tmp:
        target = args.out if args.out else Path(tmp) / "england-wales-local"
        pack = riskreview.load_pack(build_local_pack(target))
        summary = report(pack)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        _print(summary)
    return 1 if summary["local_scenarios"]["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
