"""Planting one fault at one place, and looking for the first case that shows it.

Three kinds of single-point mutant:

* a *rule mutant* rewrites the lowered (engine-side) formula of ONE rule of the
  pack as it is compiled, and nothing else: the reference evaluator still reads
  the rule as written, so the runtime cross-check of ``riskreview.evaluate``
  (``trace=True`` checks every rule) sees the difference as an ``EngineError``;
* a *fact mutant* changes what the fact builder is given, never the case the
  reference evaluator reads;
* a *source mutant* replaces one expression, found exactly once in one function's
  source, and installs the changed function in its module for the test's length.
"""

from __future__ import annotations
import __future__

import inspect
import textwrap
from collections.abc import Callable, Iterable
from datetime import date
from types import FunctionType, ModuleType
from typing import Any

import attrs
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import riskreview
from riskreview._facts import FactBuilder
from riskreview._lower import And, Each, Formula, Lowering, Or, Test
from riskreview.pack import default_pack_path
from riskreview.strategies import as_of_dates, case_dicts

# ------------------------------------------------------------------ divergence


@attrs.frozen
class Divergence:
    """How a caseload went under one mutant: the first diverging case (1-based)
    and how many of the cases diverged."""

    first: int | None
    diverged: int
    cases: int

    @property
    def share(self) -> float:
        """The fraction of cases that diverged."""
        return self.diverged / self.cases


def diverges(pack: riskreview.Pack, case: dict[str, Any], as_of: date) -> bool:
    """Whether the engine and the reference evaluator disagree on ``case``.

    ``evaluate(..., trace=True)`` cross-checks every rule in force and raises
    EngineError on the first disagreement.
    """
    try:
        riskreview.evaluate(case, as_of=as_of, pack=pack, trace=True)
    except riskreview.EngineError:
        return True
    return False


def divergence(pack: riskreview.Pack, cases: Iterable[dict[str, Any]], as_of: date) -> Divergence:
    """Run every case; where the first divergence came, and how many diverged."""
    first = None
    diverged = 0
    n = 0
    for n, case in enumerate(cases, start=1):
        if diverges(pack, case, as_of):
            diverged += 1
            if first is None:
                first = n
    return Divergence(first, diverged, n)


def search(
    pack: riskreview.Pack, cases: Iterable[dict[str, Any]], as_of: date, *, sample: int
) -> Divergence:
    """Cases in order until the first divergence, and at least the first ``sample``.

    ``first`` is the first diverging case; ``diverged`` counts the diverging cases
    among the first ``sample`` (``cases`` is ``sample``, or fewer if the caseload is shorter).
    """
    first = None
    diverged = 0
    n = 0
    for n, case in enumerate(cases, start=1):
        if diverges(pack, case, as_of):
            first = n if first is None else first
            diverged += n <= sample
        if first is not None and n >= sample:
            break
    return Divergence(first, diverged, min(n, sample))


def report(name: str, found: Divergence, capsys: pytest.CaptureFixture[str]) -> None:
    """Print a mutant's figures past pytest's capture (``-s`` is not needed)."""
    with capsys.disabled():
        print(
            f"\n  mutant {name}: first divergence at case {found.first}, "
            f"{found.diverged} of {found.cases} cases diverged"
        )


# ------------------------------------------------------------------ loading


def load_default_pack() -> riskreview.Pack:
    """A freshly loaded and compiled default pack (never the cached ``default_pack()``)."""
    return riskreview.load_pack(default_pack_path())


# ------------------------------------------------------------------ rule mutants

Rewrite = Callable[[Formula], Formula]


def plant_in_rule(
    monkeypatch: pytest.MonkeyPatch, rule_id: str, rewrite: Rewrite
) -> riskreview.Pack:
    """The default pack compiled with ``rewrite`` applied to the lowered formula of
    the one rule ``rule_id``, in every policy period; every other rule is untouched.

    The rule is recognised by its parsed condition, which must be its own.
    """
    target = riskreview.default_pack().rule(rule_id).when
    same = [r.id for r in riskreview.default_pack().rules if r.when == target]
    assert same == [rule_id], f"the condition of {rule_id} is shared with {same}"
    original = Lowering.lower
    applied: list[Formula] = []

    def lower(self: Lowering, node: Any) -> Formula:
        formula = original(self, node)
        if node == target:
            formula = rewrite(formula)
            applied.append(formula)
        return formula

    monkeypatch.setattr(Lowering, "lower", lower)
    pack = load_default_pack()
    assert applied, f"{rule_id} was never compiled"
    return pack


def _replace(
    f: Formula, match: Callable[[Test], bool], new: Callable[[Test], Formula], hits: list[Test]
) -> Formula:
    if isinstance(f, Test):
        if match(f):
            hits.append(f)
            return new(f)
        return f
    if isinstance(f, Each):
        return Each(f.field, f.mode, _replace(f.cond, match, new, hits))
    items = tuple(_replace(i, match, new, hits) for i in f.items)
    return And(items) if isinstance(f, And) else Or(items)


def replace_one_test(match: Callable[[Test], bool], new: Callable[[Test], Formula]) -> Rewrite:
    """A rewrite replacing the one test ``match`` picks (exactly one, or it fails)."""

    def rewrite(f: Formula) -> Formula:
        hits: list[Test] = []
        out = _replace(f, match, new, hits)
        assert len(hits) == 1, f"the mutant must change one test, it matched {hits}"
        return out

    return rewrite


def flipped(t: Test) -> Test:
    """``>=`` becomes ``<=`` and the other way round, at the same bound."""
    return Test(t.prop, "le" if t.side == "ge" else "ge", t.bound)


def widened_by_one(t: Test) -> Test:
    """The bound moved one step outwards: ``<= n`` becomes ``<= n + 1``."""
    return Test(t.prop, t.side, t.bound + 1 if t.side == "le" else t.bound - 1)


def drop_term(index: int) -> Rewrite:
    """A rewrite dropping the ``index``-th term of the rule's top-level ``all``."""

    def rewrite(f: Formula) -> Formula:
        assert isinstance(f, And) and len(f.items) > index, f
        return And(f.items[:index] + f.items[index + 1 :])

    return rewrite


# ------------------------------------------------------------------ fact mutants


def plant_lost_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fact builder loses the last child of ``household.children``: the engine's
    facts are built from the case without it, while the reference reads the case."""
    original = FactBuilder.build

    def build(self: FactBuilder, case: Any, *args: Any, **kwargs: Any) -> Any:
        children = case.household.children
        if children:
            household = attrs.evolve(case.household, children=children[:-1])
            case = attrs.evolve(case, household=household)
        return original(self, case, *args, **kwargs)

    monkeypatch.setattr(FactBuilder, "build", build)


# ------------------------------------------------------------------ source mutants


def plant_in_source(
    monkeypatch: pytest.MonkeyPatch, module: ModuleType, name: str, old: str, new: str
) -> None:
    """Replace ``old`` by ``new`` in function ``module.name``, where ``old`` occurs once,
    and install the changed function in ``module`` (callers there look it up by name)."""
    function = getattr(module, name)
    source = textwrap.dedent(inspect.getsource(function))
    assert source.count(old) == 1, f"{old!r} must occur once in {module.__name__}.{name}"
    code = compile(
        source.replace(old, new),
        inspect.getsourcefile(function) or module.__name__,
        "exec",
        flags=__future__.annotations.compiler_flag,
        dont_inherit=True,
    )
    namespace = dict(vars(module))
    exec(code, namespace)  # the module's own source, with one change
    mutated = namespace[name]
    assert isinstance(mutated, FunctionType) and mutated is not function
    monkeypatch.setattr(module, name, mutated)


def drawn_divergence(pack: riskreview.Pack, budget: int) -> Divergence:
    """Like :func:`divergence`, over ``budget`` cases drawn by hypothesis from the public
    :mod:`riskreview.strategies` (dates clustered around the pack's thresholds), in the
    order they were drawn; derandomized under the default profile, so the same cases
    for every mutant and for the control."""
    outcomes: list[bool] = []

    dated = as_of_dates(pack).flatmap(
        lambda day: st.tuples(case_dicts(day, pack=pack), st.just(day))
    )

    @settings(max_examples=budget, phases=[Phase.generate])
    @given(dated)
    def run(drawn: tuple[dict[str, Any], date]) -> None:
        case, as_of = drawn
        outcomes.append(diverges(pack, case, as_of))

    run()
    first = outcomes.index(True) + 1 if True in outcomes else None
    return Divergence(first, sum(outcomes), len(outcomes))
