"""The ``riskreview`` command line.

::

    riskreview evaluate CASE.json [--as-of YYYY-MM-DD] [--pack DIR] [--json] [--trace]
                        [--upcoming-within DAYS]
    riskreview explain  CASE.json RULE [--as-of] [--pack] [--json]
    riskreview batch    CASES.jsonl -o OUT.jsonl [--errors ERR.jsonl] [--workers N]
                        [--timeout S] [--as-of] [--pack] [--json]
    riskreview check    [PACK] [--json] [-v] [--engine]
    riskreview test     [PACK] [--json] [-v]
    riskreview doc      [PACK] [--check]
    riskreview diff     OLD_PACK NEW_PACK CASES.jsonl [--as-of] [-o report.json]
                        [--html report.html] [--exit-code]
    riskreview schema   [case|decision|explanation]
    riskreview generate N [-o CASES.jsonl] [--seed S] [--as-of]
    riskreview serve    [--host] [--port] [--pack] [--allow-reload] ...  (the [server] extra)

Output for people is laid out with rich; ``--json`` gives JSON for machines on
stdout. Errors go to stderr, one line each starting ``error:``, never a traceback.
Into a pipe or a file, output is one line per line of text (never wrapped at the
terminal's width), without trailing spaces or colour; a reader that goes away
(``riskreview evaluate case.json | head -1``) ends the command quietly.

Exit codes:

====  ======================================================================
code  meaning
====  ======================================================================
0     done; nothing to report
1     findings: ``check`` found an error, ``test`` a failing scenario or a rule
      coverage gap, ``batch`` a line it could not decide (see the errors file),
      ``diff --exit-code`` a case whose actions or due dates change, ``doc
      --check`` a README that is not what the pack renders
2     usage or input error: a missing file, invalid JSON, an invalid case, an
      unknown rule, a pack that does not load, a bad ``--as-of``, or an
      ``--as-of`` before the pack is in force
3     engine or internal error: the rule engine failed (a bug to report)
130   interrupted (Ctrl-C): ``batch`` put in place what it had decided, and its
      summary says the files are partial; 143 (SIGTERM) and 129 (SIGHUP):
      ``batch`` stopped and left its outputs as they were
====  ======================================================================

``diff`` exits 0 when the packs differ in effect: showing the change is its job.
Pass ``--exit-code`` to make a change exit 1, as ``git diff --exit-code`` does.
"""

from __future__ import annotations

import collections
import contextlib
import json
import math
import os
import re
import sys
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import IO, Any, NoReturn

import attrs
import click
from rich.markup import escape

from riskreview import _batchio, _packdoc, _runtime
from riskreview import schema as schemas
from riskreview._api import evaluate as evaluate_case
from riskreview._api import explain as explain_rule
from riskreview._console import (
    _console,
    _progress,
    _show_decision,
    _show_explanation,
    _show_findings,
    _show_impact,
    _show_summary,
)
from riskreview._serve_cli import serve
from riskreview._structure import dumps
from riskreview._terminal import printable
from riskreview._version import VERSION
from riskreview._wording import plural
from riskreview.case import Case
from riskreview.check import check as check_pack
from riskreview.diff import impact, render_html
from riskreview.errors import (
    CaseError,
    EngineError,
    PackError,
    PolicyNotInForceError,
    Problem,
    RiskReviewError,
    UnknownRuleError,
)
from riskreview.pack import Pack, default_pack, load_pack
from riskreview.synthetic import generate as synthetic

__all__ = ["EXIT_CODES", "cli", "main"]

OK, FINDINGS, INPUT_ERROR, ENGINE_ERROR, INTERRUPTED = 0, 1, 2, 3, 130

EXIT_CODES = """\b
Exit codes:
  0  done; nothing to report
  1  findings: check found an error, test a failing scenario or coverage
     gap, batch a line it could not decide, diff --exit-code a change,
     doc --check a stale README
  2  usage or input error: missing file, invalid JSON, invalid case,
     unknown rule, a pack that does not load, a bad --as-of
  3  engine or internal error
  130  interrupted (Ctrl-C): batch kept what it decided, marked partial
       (143 SIGTERM, 129 SIGHUP: batch left its outputs as they were)
"""


class _Failure(click.ClickException):
    """An error shown as one ``error:`` line per problem, with its exit code."""

    def __init__(self, lines: Sequence[str], exit_code: int = INPUT_ERROR) -> None:
        super().__init__("; ".join(lines))
        self.lines = tuple(lines)
        # click reads the code from the instance; the class attribute is only its default
        self.exit_code = exit_code  # type: ignore[misc]

    def show(self, file: IO[Any] | None = None) -> None:
        for line in self.lines:
            # a case id or a file name could hold escape sequences: spell them out
            click.echo(f"error: {printable(line)}", err=True, file=file)


def _usage(error: click.UsageError) -> _Failure:
    where = f" (see '{error.ctx.command_path} --help')" if error.ctx is not None else ""
    return _Failure([error.format_message().rstrip(".") + where], error.exit_code)


class _Group(click.Group):
    """Turns every expected failure into one-line errors and an exit code."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as error:
            raise _usage(error) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort, click.exceptions.NoArgsIsHelpError, _Failure):
            raise
        except BrokenPipeError:
            _reader_gone()
            raise click.exceptions.Exit(OK) from None
        except click.UsageError as error:
            raise _usage(error) from None
        except click.ClickException:
            raise
        except PolicyNotInForceError as error:
            raise _Failure([str(error)]) from None
        except (CaseError, PackError) as error:
            raise _Failure([str(p) for p in error.problems] or [str(error)]) from None
        except EngineError as error:
            raise _Failure([f"engine: {error}"], ENGINE_ERROR) from None
        except RiskReviewError as error:
            raise _Failure([str(error).splitlines()[0]], ENGINE_ERROR) from None
        except Exception as error:
            message = f"internal error: {type(error).__name__}: {str(error)[:300]}"
            raise _Failure([message.splitlines()[0]], ENGINE_ERROR) from None


# ------------------------------------------------------------------ inputs


class _Date(click.ParamType[date, Any]):
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        text = str(value)
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            self.fail(f"{text!r} is not a date; write it as YYYY-MM-DD (2026-11-23)", param, ctx)
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r} is not a real calendar date", param, ctx)


_AS_OF = click.option(
    "--as-of",
    type=_Date(),
    default=None,
    help="The date to decide on (default: today).",
)
_PACK = click.option(
    "--pack",
    "pack_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Policy pack folder (default: the England & Wales pack).",
)
_JSON = click.option("--json", "as_json", is_flag=True, help="JSON for machines on stdout.")


def _fail(*lines: str, code: int = INPUT_ERROR) -> NoReturn:
    raise _Failure(lines, code)


def _read_bytes(path: Path) -> bytes:
    if str(path) == "-":
        return sys.stdin.buffer.read()
    try:
        return path.read_bytes()
    except FileNotFoundError:
        _fail(f"{path}: no such file")
    except IsADirectoryError:
        _fail(f"{path}: is a folder, expected a file")
    except OSError as error:
        _fail(f"{path}: cannot read it: {error.strerror}")


def _problems(where: Path | str, error: CaseError) -> NoReturn:
    _fail(*(f"{where}: {_problem(p)}" for p in error.problems))


def _problem(problem: Problem) -> str:
    return problem.message if problem.path == "$" else str(problem)


def _read_case(path: Path, pack: Pack) -> Case:
    data = _read_bytes(path)
    if not data.strip():
        stdin = str(path) == "-"
        what = "<stdin>: nothing came on stdin" if stdin else f"{path}: the file is empty"
        _fail(f"{what}; expected one case as a JSON object")
    try:
        return Case.from_json(data, pack)
    except CaseError as error:
        _problems("<stdin>" if str(path) == "-" else path, error)


def _load(path: Path | None) -> Pack:
    if path is not None and not path.exists():
        _fail(f"{path}: no such folder (a pack is a folder holding pack.yaml)")
    if path is not None and not (path / "pack.yaml").is_file():
        _fail(f"{path}: not a pack folder (no pack.yaml in it)")
    where = "the default pack" if path is None else f"pack {path}"
    try:
        return default_pack() if path is None else load_pack(path)
    except PackError as error:
        _fail(*(f"{where}: {p}" for p in error.problems))


def _today(pack: Pack) -> date:
    return _runtime.calendar_for(pack).today()


def _finish(code: int) -> None:
    if code:
        raise click.exceptions.Exit(code)


# ------------------------------------------------------------------ the commands


@click.group(
    "riskreview",
    cls=_Group,
    epilog=EXIT_CODES,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(VERSION, "--version", prog_name="riskreview")
def cli() -> None:
    """Which actions probation policy requires of a case, why, and by when.

    Start with `riskreview generate 3 -o cases.jsonl`, then `riskreview batch
    cases.jsonl -o decisions.jsonl`, or write one case as JSON (`riskreview schema
    case` describes it) and run `riskreview evaluate case.json`.
    """


@cli.command()
@click.argument("case_file", metavar="CASE.json", type=click.Path(path_type=Path))
@_AS_OF
@_PACK
@_JSON
@click.option("--trace", is_flag=True, help="Also show how every rule came out.")
@click.option(
    "--upcoming-within",
    type=click.IntRange(min=0),
    metavar="DAYS",
    help="Show actions due more than DAYS ahead apart, as upcoming "
    "(default: the pack's upcoming_within_days).",
)
def evaluate(
    case_file: Path,
    as_of: date | None,
    pack_dir: Path | None,
    as_json: bool,
    trace: bool,
    upcoming_within: int | None,
) -> None:
    """Decide one case: the actions it requires, why, and by when.

    CASE.json is one case as JSON ('-' reads stdin).
    """
    pack = _load(pack_dir)
    case = _read_case(case_file, pack)
    decision = evaluate_case(
        case, as_of=as_of, pack=pack, trace=trace, upcoming_within=upcoming_within
    )
    if as_json:
        click.echo(decision.to_json())
    else:
        _show_decision(_console(), decision)


@cli.command()
@click.argument("case_file", metavar="CASE.json", type=click.Path(path_type=Path))
@click.argument("rule_id", metavar="RULE")
@_AS_OF
@_PACK
@_JSON
def explain(
    case_file: Path, rule_id: str, as_of: date | None, pack_dir: Path | None, as_json: bool
) -> None:
    """Why RULE fired for a case, why it did not, or what unknown blocks it."""
    pack = _load(pack_dir)
    try:
        pack.rule(rule_id)  # before the case is read: a mistyped id is the first thing to say
    except UnknownRuleError as error:
        _fail(str(error))
    case = _read_case(case_file, pack)
    explanation = explain_rule(case, rule_id, as_of=as_of, pack=pack)
    if as_json:
        click.echo(dumps(explanation.to_dict()))
    else:
        _show_explanation(_console(), explanation)


def _finite(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of seconds; write one such as 30")
    return value


@cli.command()
@click.argument("cases_file", metavar="CASES.jsonl", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="Where to write one decision (JSON) per line.",
)
@click.option(
    "--errors",
    "errors_file",
    type=click.Path(path_type=Path),
    help="Where to write one line per case not decided (default: OUT.errors.jsonl).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=None,
    help="Worker processes (default: one per CPU core, at most one per 100 cases; "
    "0 runs in this process). At most twice the CPU cores are started.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    callback=_finite,
    help="Seconds allowed per case (with workers).",
)
@click.option(
    "--previous",
    "previous_file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=None,
    help="Decisions of an earlier run (its -o file, which may be -o itself): a case whose "
    "input is unchanged and whose decision still holds is brought forward, not evaluated.",
)
@_AS_OF
@_PACK
@_JSON
def batch(
    cases_file: Path,
    output: Path,
    errors_file: Path | None,
    workers: int | None,
    timeout: float,
    previous_file: Path | None,
    as_of: date | None,
    pack_dir: Path | None,
    as_json: bool,
) -> None:
    """Decide every case of a JSON Lines file (one case per line).

    CASES.jsonl may be '-' (stdin) or a pipe. A bad line never stops the batch:
    it is written to the errors file with its line number and case id, and the
    batch goes on. Exits 1 if any line was not decided.

    With --previous, a nightly scan costs what changed: each case whose input is
    unchanged, under the same pack, before its previous decision's stable_until,
    is brought forward from that decision (status "reused" in the summary).
    Decisions written to a file get their seal beside it (FILE.sha256, as
    sha256sum writes it); a previous file its seal does not match (changed after
    its batch wrote it) fails the rescan with exit 2, nothing put in place.

    Both files are written aside and put in place when the batch ends, so a run
    refused (exit 2) or failed (exit 3) leaves them as they were. Ctrl-C stops
    the batch and exits 130: the files then hold the cases decided before it,
    and the summary says they are partial ("interrupted": true with --json).
    SIGTERM and SIGHUP (a service manager's stop, a terminal closed) stop it too,
    but leave the files as they were (exit 143 and 129). What a batch killed
    outright left aside is removed by the next batch that writes there.
    """
    errors_path = errors_file or output.with_name(output.stem + ".errors.jsonl")
    stops = _batchio.Interrupts()
    early = None
    try:
        with stops:
            with stops.allowed():  # until the cases are read, a stop ends the batch at once
                # the workers load the pack while this process does
                early = _batchio.start_early(
                    cases_file, pack_dir, workers, previous_file is not None
                )
                pack = _load(pack_dir)
                when = as_of or _today(pack)
                previous = _batchio.read_previous(previous_file) if previous_file else None
                source = _batchio.open_source(cases_file)
            with contextlib.closing(source), _progress(_console(stderr=True)) as bar:
                outcome = _batchio.run(
                    source,
                    output,
                    errors_path,
                    pack,
                    when,
                    workers,
                    timeout,
                    bar,
                    previous,
                    early,
                    stops,
                )
    except _batchio.FileProblem as error:
        _fail(str(error))
    except _batchio.Stopped as stopped:
        _fail(
            f"{stopped}: nothing was put in place; {output} and {errors_path} are as they were",
            code=128 + stopped.signum,
        )
    except KeyboardInterrupt:
        _fail("interrupted before any case was decided; no file was written", code=stops.exit_code)
    finally:
        if early is not None:
            early.close()
    if as_json:
        document = json.loads(outcome.to_json(errors_path))
        document["as_of"] = when.isoformat()
        click.echo(json.dumps(document))
    else:
        day = f"{when} (today)" if as_of is None else str(when)
        _show_summary(_console(), outcome.summary, output, errors_path, day)
    if outcome.interrupted:
        _fail(outcome.partial(output, errors_path), code=stops.exit_code)
    summary = outcome.summary
    _finish(FINDINGS if summary.decided != summary.total else OK)


@cli.command()
@click.argument("pack_dir", metavar="[PACK]", type=click.Path(path_type=Path), required=False)
@_JSON
@click.option(
    "-v", "--verbose", is_flag=True, help="Also show notes: rules that share an action, and so on."
)
@click.option(
    "--engine",
    is_flag=True,
    help="Also show the engine's figures per policy period (paths, properties) against "
    "its limits: for the engine's maintainers.",
)
def check(pack_dir: Path | None, as_json: bool, verbose: bool, engine: bool) -> None:
    """Check a policy pack statically: contradictions, unused parts, coverage.

    PACK defaults to the England & Wales pack. Exits 1 when an error is found.
    Also says when the pack's generated README.md is stale (run `riskreview doc PACK`).
    """
    pack = _load(pack_dir)
    report = check_pack(pack)
    findings = [f for f in report.findings if engine or f.kind != "envelope"]
    readme_stale = _packdoc.stale(pack)
    if as_json:
        document = {
            "pack": report.pack,
            "ok": report.ok,
            "findings": [attrs.asdict(f) for f in findings],
            "readme_stale": readme_stale,
        }
        click.echo(json.dumps(document))
    else:
        stale = _readme_stale(pack_dir) if readme_stale else ""
        _show_findings(_console(), report.pack, findings, report.ok, verbose or engine, stale)
    _finish(OK if report.ok else FINDINGS)


@cli.command(name="test")
@click.argument("pack_dir", metavar="[PACK]", type=click.Path(path_type=Path), required=False)
@_JSON
@click.option(
    "-v", "--verbose", is_flag=True, help="Explain each failure in full (every rule behind it)."
)
def pack_tests(pack_dir: Path | None, as_json: bool, verbose: bool) -> None:
    """Run a pack's scenarios and report rule coverage.

    PACK defaults to the England & Wales pack. Exits 1 on a failing scenario or
    a rule that no scenario fires or stops just short of firing. Also says when
    the pack's generated README.md is stale (run `riskreview doc PACK`).
    """
    from riskreview.testing import coverage, run_scenarios  # noqa: PLC0415 - imports pytest

    pack = _load(pack_dir)
    results = run_scenarios(pack)
    gaps = coverage(pack, results).gaps()
    failed = [r for r in results if not r.passed]
    readme_stale = _packdoc.stale(pack)
    if as_json:
        scenarios = [
            {
                "name": r.scenario.name,
                "file": r.scenario.file,
                "line": r.scenario.line,
                "passed": r.passed,
                "failures": list(r.failures),
                "details": list(r.details),
            }
            for r in results
        ]
        ok = not failed and not gaps
        document = {
            "pack": pack.name,
            "ok": ok,
            "scenarios": scenarios,
            "gaps": gaps,
            "readme_stale": readme_stale,
        }
        click.echo(json.dumps(document))
    else:
        console = _console()
        for result in failed:
            s = result.scenario
            console.print(f"[red]FAIL[/] {escape(s.file)}:{s.line} {escape(s.name)}")
            for failure in result.failures:
                console.print(f"     {escape(failure)}")
            if verbose:
                for line in result.details:
                    console.print(f"       {escape(line)}", style="dim")
        for gap in gaps:
            console.print(f"[yellow]GAP[/]  {escape(gap)}")
        if readme_stale:
            console.print(f"[yellow]README[/] {escape(_readme_stale(pack_dir))}")
        hint = " (-v explains each in full)" if failed and not verbose else ""
        console.print(
            f"{pack.name}: {plural(len(results), 'scenario')}, {len(results) - len(failed)} "
            f"passed, {len(failed)} failed{hint}; {plural(len(pack.rules), 'rule')}, "
            f"{plural(len(gaps), 'coverage gap')}"
        )
    _finish(FINDINGS if failed or gaps else OK)


def _readme_stale(pack_dir: Path | None) -> str:
    folder = "rules/england-wales" if pack_dir is None else str(pack_dir)
    return (
        "README.md is stale: the pack has changed since it was written; "
        f"run riskreview doc {folder}"
    )


@cli.command()
@click.argument("pack_dir", metavar="[PACK]", type=click.Path(path_type=Path), required=False)
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; exit 1 when README.md is not what the pack renders.",
)
def doc(pack_dir: Path | None, check_only: bool) -> None:
    """Write the pack's README.md from the pack: every rule in words, parameters, actions.

    PACK defaults to the England & Wales pack. The README is written beside
    pack.yaml; run this after every change to the pack, and commit both.
    """
    pack = _load(pack_dir)
    where = "rules/england-wales" if pack_dir is None else str(pack_dir)
    if check_only:
        on_disk = _packdoc.written(pack)
        if on_disk is None:
            click.echo(f"{where}/README.md is missing; run riskreview doc {where}")
            _finish(FINDINGS)
        if on_disk != _packdoc.render(pack):
            click.echo(_readme_stale(pack_dir))
            _finish(FINDINGS)
        click.echo(f"{where}/README.md is up to date")
        return
    try:
        _, changed = _packdoc.write(pack)
    except OSError as error:
        _fail(f"{where}/README.md: cannot write it: {error.strerror}")
    click.echo(f"{'wrote' if changed else 'unchanged:'} {where}/README.md")


@cli.command()
@click.argument("old_dir", metavar="OLD_PACK", type=click.Path(path_type=Path))
@click.argument("new_dir", metavar="NEW_PACK", type=click.Path(path_type=Path))
@click.argument("cases_file", metavar="CASES.jsonl", type=click.Path(path_type=Path))
@_AS_OF
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the report as JSON.")
@click.option("--html", type=click.Path(path_type=Path), help="Write the report as an HTML page.")
@_JSON
@click.option("--exit-code", is_flag=True, help="Exit 1 when some case changes.")
def diff(
    old_dir: Path,
    new_dir: Path,
    cases_file: Path,
    as_of: date | None,
    output: Path | None,
    html: Path | None,
    as_json: bool,
    exit_code: bool,
) -> None:
    """Policy impact: which actions NEW_PACK adds or removes for a caseload.

    Every case of CASES.jsonl is decided under both packs; the report counts, per
    action, the cases that gain it and lose it (with example case ids) and the
    due dates that move. Invalid cases are counted and left out.
    """
    old, new = _load(old_dir), _load(new_dir)
    when = as_of or _today(new)
    total = _count_lines(cases_file)
    with _progress(_console(stderr=True)) as bar:
        task = bar.add_task("comparing", total=total)

        def ticking(items: Iterator[bytes]) -> Iterator[bytes]:
            for item in items:
                yield item
                bar.advance(task)

        lines = ticking(_jsonl(cases_file, collections.deque()))
        report = impact(old, new, lines, when, caseload=cases_file.name)
    if output is not None:
        _write(output, report.to_json())
    if html is not None:
        _write(html, render_html(report))
    if as_json:
        click.echo(report.to_json(indent=None))
    else:
        _show_impact(_console(), report)
    _finish(FINDINGS if exit_code and report.changed else OK)


@cli.command()
@click.argument(
    "kind", type=click.Choice(["case", "decision", "explanation"]), default="case", required=False
)
@click.option(
    "--pack",
    "pack_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="For a case: include the inputs this pack declares.",
)
def schema(kind: str, pack_dir: Path | None) -> None:
    """Print the JSON Schema of a case (default), a decision or an explanation."""
    if kind == "case":
        document = schemas.case_schema(_load(pack_dir) if pack_dir is not None else None)
    else:
        document = {
            "decision": schemas.decision_schema,
            "explanation": schemas.explanation_schema,
        }[kind]()
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


@cli.command()
@click.argument("n", type=click.IntRange(min=0), metavar="N")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), default="-", help="Default: stdout."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same cases.")
@_AS_OF
def generate(n: int, output: Path, seed: int, as_of: date | None) -> None:
    """Write N synthetic cases as JSON Lines: a caseload for demos and diffs.

    The proportions are assumptions (see riskreview.synthetic); no case
    describes a real person.
    """
    when = as_of or date.today()
    cases = (dumps(case) + "\n" for case in synthetic(n, seed=seed, as_of=when))
    if str(output) == "-":
        for line in cases:
            click.echo(line, nl=False)
        return
    with _written(output) as out:
        out.writelines(cases)
    click.echo(f"wrote {n} cases to {output}", err=True)


cli.add_command(serve)


def main(args: Sequence[str] | None = None) -> None:
    """Run the command line (the ``riskreview`` console script)."""
    try:
        cli.main(args=args, prog_name="riskreview")
    finally:
        # what is still buffered goes out now, so a reader that went away
        # (`riskreview evaluate case.json | head -1`) ends the command quietly
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _reader_gone()


def _reader_gone() -> None:
    """The reader of stdout went away (`| head`): send whatever is left to devnull.

    Python would otherwise try to flush stdout again at exit and complain; the
    command ends quietly, as a closed pipe is no error of the command's.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # stdout is not a file (a test runner's buffer): nothing to redirect
    finally:
        os.close(devnull)


# ------------------------------------------------------------------ files


def _count_lines(path: Path) -> int | None:
    """The non-blank lines of a regular file; None for stdin or a pipe."""
    try:
        return _batchio.count_input(path)
    except _batchio.FileProblem as error:
        _fail(str(error))


def _jsonl(path: Path, numbers: collections.deque[int]) -> Iterator[bytes]:
    """The non-blank lines of a JSON Lines file ('-' for stdin), recording each one's
    line number."""
    try:
        source = _batchio.open_source(path, count=False)
    except _batchio.FileProblem as error:
        _fail(str(error))
    try:
        yield from (line for line in source.lines(numbers) if isinstance(line, bytes))
    finally:
        source.close()


@contextlib.contextmanager
def _written(path: Path) -> Iterator[IO[str]]:
    """``path`` written aside and put in place whole when the block ends: a Ctrl-C
    or a full disk meanwhile leaves it as it was (see ``riskreview batch``)."""
    try:
        with _batchio.outputs(path, lines=False) as (out,):
            try:
                yield out.stream
            except OSError as error:  # writing it: the disk is full
                raise _batchio.unwritable(error, path) from None
    except _batchio.FileProblem as error:
        _fail(str(error))


def _write(path: Path, text: str) -> None:
    with _written(path) as out:
        out.write(text)
