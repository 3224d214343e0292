"""Write docs/api.md: the public API reference, generated from the docstrings.

Run: python docs/make_api.py  (a test fails when docs/api.md is not current)
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

MODULES = [
    "riskreview",
    "riskreview.case",
    "riskreview.decision",
    "riskreview.pack",
    "riskreview.calendar",
    "riskreview.errors",
    "riskreview.schema",
    "riskreview.audit",
    "riskreview.batch",
    "riskreview.check",
    "riskreview.testing",
]
OPTIONAL = ["riskreview.strategies", "riskreview.synthetic", "riskreview.diff",
            "riskreview.scale", "riskreview.server", "riskreview.cli"]


def _signature(obj: object) -> str:
    try:
        return str(inspect.signature(obj))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""


def _doc(obj: object) -> str:
    return inspect.cleandoc(inspect.getdoc(obj) or "(no docstring)")


def render() -> str:
    out = ["# riskreview API reference", "",
           "Generated from the docstrings by `python docs/make_api.py`; do not edit by hand.", ""]
    names = MODULES + [m for m in OPTIONAL if importlib.util.find_spec(m) is not None]
    for name in names:
        module = importlib.import_module(name)
        out += [f"## `{name}`", "", _doc(module), ""]
        public = getattr(module, "__all__", [])
        for attr in sorted(public):
            obj = getattr(module, attr)
            if name != "riskreview" and getattr(obj, "__module__", name) != name:
                continue
            if name == "riskreview":
                continue
            if inspect.isclass(obj):
                out += [f"### class `{attr}`", "", _doc(obj), ""]
                for meth, member in sorted(vars(obj).items()):
                    if meth.startswith("_") or not (inspect.isfunction(member) or isinstance(
                            member, classmethod | property)):
                        continue
                    target = member.__func__ if isinstance(member, classmethod) else member
                    sig = "" if isinstance(member, property) else _signature(target)
                    out += [f"#### `{attr}.{meth}{sig}`", "", _doc(target), ""]
            elif callable(obj):
                out += [f"### `{attr}{_signature(obj)}`", "", _doc(obj), ""]
            else:
                out += [f"### `{attr}`", "", f"`{obj!r}`", ""]
        if name == "riskreview":
            out += ["Public names: " + ", ".join(f"`{n}`" for n in sorted(public)), ""]
    return "\n".join(out).rstrip() + "\n"


def main() -> None:
    target = Path(__file__).with_name("api.md")
    target.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {target}\n")


if __name__ == "__main__":
    main()
