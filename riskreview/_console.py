"""Output for people on the command line: rich consoles, progress bars and layouts.

Each ``_show_*`` lays out one kind of result (a decision, an explanation, pack
findings, a batch summary, a pack impact report) for :mod:`riskreview.cli`;
``--json`` output for machines does not pass through here. Text from a case or a
pack goes out as :class:`~rich.text.Text` through :func:`_plain`: rich markup in
it is never interpreted, and control characters are shown as escapes (``\x1b``),
never sent to the terminal.
"""

from __future__ import annotations

import collections
import io
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, cast

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from riskreview._terminal import printable
from riskreview._wording import plural
from riskreview.batch import BatchSummary
from riskreview.decision import Decision, Explanation, RequiredAction
from riskreview.diff import ImpactReport

#: the width a console that is not a terminal lays out for: no line is wrapped
_UNWRAPPED = 100_000


class _Unpadded(io.TextIOBase):
    """A text stream that writes each line without its trailing spaces.

    Tables and grids pad every cell to its column's width; on a terminal that is
    invisible, in a pipe or a log file it is noise.
    """

    def __init__(self, stream: IO[str]) -> None:
        super().__init__()
        self._stream = stream
        self._pending = ""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._stream, "encoding", None) or "utf-8"

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        lines = (self._pending + text).split("\n")
        self._pending = lines.pop()
        if lines:
            self._stream.write("".join(line.rstrip(" ") + "\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._stream.write(self._pending)
            self._pending = ""
        self._stream.flush()


class _Console(Console):
    """A rich console that leaves a closed pipe to the command line (a quiet exit 0),
    where rich itself would exit 1."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError


def _console(stderr: bool = False) -> Console:
    """A console for people: laid out to the terminal's width on a terminal; in a pipe
    or a file, one line per line of text (never wrapped), without trailing spaces and
    without colour."""
    console = _Console(stderr=stderr, highlight=False, soft_wrap=False)
    if console.is_terminal:
        return console
    stream = sys.stderr if stderr else sys.stdout
    return _Console(
        file=cast(IO[str], _Unpadded(stream)),
        highlight=False,
        soft_wrap=True,
        width=_UNWRAPPED,
        color_system=None,
        force_terminal=False,
    )


def _progress(console: Console) -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not console.is_terminal,
    )


_PRIORITY = {"urgent": "bold red", "high": "red", "medium": "yellow", "low": "green"}


def _plain(text: object, style: str = "", *, lines: bool = False) -> Text:
    """``text`` as it is (no markup), with control characters spelt out."""
    return Text(printable(str(text), lines=lines), style=style)


def _status(action: RequiredAction) -> Text:
    value, days = action.status.value, action.working_days
    plural = "s" * (days != 1)
    if value == "overdue":
        return Text(f"overdue by {days} working day{plural}", style="red")
    if value == "due_today":
        return Text("due today", style="yellow")
    return Text(f"due in {days} working day{plural}")


def _action_text(a: RequiredAction) -> Text:
    text = Text.assemble(_plain(a.title, "bold"), " ", _plain(a.code, "dim"))
    text.append(f"\ndue {a.due_date} (")
    text.append_text(_status(a))
    text.append_text(_plain(f"); rules {', '.join(a.rule_ids)}"))
    for reason in a.reasons:
        text.append_text(_plain(f"\nwhy: {reason}", lines=True))
    return text


def _show_decision(console: Console, decision: Decision) -> None:
    pack = decision.pack
    console.print(
        Text.assemble(
            _plain(f"Case {decision.case_id}", "bold"),
            _plain(f" on {decision.as_of} ({pack.name} {pack.version})"),
        )
    )
    if not decision.actions:
        console.print("No action is required.")
    elif not decision.due_now:
        console.print("Nothing is due now.")
    _show_actions(console, decision.due_now)
    if decision.upcoming:
        console.print(
            f"\n[bold]Coming up[/] (required, due more than {decision.upcoming_within} days ahead):"
        )
        _show_actions(console, decision.upcoming)
    if decision.information:
        console.print("\n[bold]To establish[/] (unknown facts that keep rules from deciding):")
        for info in decision.information:
            console.print(
                Text.assemble(
                    _plain(f"  {info.title} "),
                    _plain("(not recorded in this system) " if info.not_held else ""),
                    _plain(
                        f"{info.field}; {info.priority.value}; would settle "
                        f"{', '.join(info.actions)} ({', '.join(info.rule_ids)})",
                        "dim",
                    ),
                )
            )
    if decision.next_review is not None:
        review = decision.next_review
        when = "" if review.date > decision.as_of else " (overdue)"
        when = " (due today)" if review.date == decision.as_of else when
        console.print(f"\n[bold]Next review:[/] {review.date}{when}")
        for reason in review.reasons:
            console.print(_plain(f"  - {reason}", lines=True))
    if decision.trace is not None:
        table = Table("rule", "outcome", "detail", title="Every rule", title_justify="left")
        for outcome in decision.trace:
            table.add_row(
                _plain(outcome.rule_id), _plain(outcome.outcome), _plain(outcome.detail, lines=True)
            )
        console.print(table)


def _show_actions(console: Console, actions: Sequence[RequiredAction]) -> None:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, min_width=7)
    grid.add_column()
    for a in actions:
        grid.add_row()
        grid.add_row(_plain(a.priority.upper(), _PRIORITY.get(a.priority, "")), _action_text(a))
    console.print(grid)


def _show_explanation(console: Console, explanation: Explanation) -> None:
    colour = {"fired": "green", "not_fired": "yellow", "undetermined": "red", "held": "green"}
    console.print(
        Text.assemble(
            _plain(explanation.rule_id, "bold"),
            _plain(f" {explanation.title}: "),
            _plain(explanation.outcome, colour.get(explanation.outcome, "")),
            f" on {explanation.as_of}",
        )
    )
    console.print(_plain(explanation.summary, lines=True))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, min_width=8)
    grid.add_column()
    for c in explanation.conditions:
        grid.add_row(
            _plain(c.outcome, colour.get(c.outcome, "red")),
            Text.assemble(
                _plain(c.condition, lines=True), "\n", _plain(c.detail, "dim", lines=True)
            ),
        )
    console.print(grid)
    if explanation.unknown:
        console.print(_plain(f"Unknown: {', '.join(explanation.unknown)}", "red"))
    console.print(_plain(f"Why this rule: {explanation.rationale.strip()}", "dim", lines=True))
    console.print(_plain(f"Source: {explanation.source}", "dim", lines=True))


def _show_findings(
    console: Console,
    pack: str,
    findings: Sequence[Any],
    ok: bool,
    verbose: bool,
    readme_stale: str = "",
) -> None:
    colour = {"error": "red", "warning": "yellow", "info": "dim"}
    label = {"error": "error", "warning": "warning", "info": "note"}
    for f in findings:
        if f.severity != "info" or verbose:
            console.print(
                f"[{colour[f.severity]}]{label[f.severity]}[/]: {escape(f.where)}: "
                f"{escape(f'[{f.kind}]')} {escape(f.message)}"
            )
    if readme_stale:
        console.print(f"[yellow]README[/] {escape(readme_stale)}")
    counts = collections.Counter(f.severity for f in findings)
    verdict = "[green]ok[/]" if ok else "[red]errors found[/]"
    console.print(
        f"{escape(pack)}: {verdict}: {plural(counts['error'], 'error')}, "
        f"{plural(counts['warning'], 'warning')}, {plural(counts['info'], 'note')}"
        + ("" if verbose or not counts["info"] else " (-v shows them)")
    )


def _show_summary(
    console: Console, summary: BatchSummary, output: Path, errors: Path, as_of: str
) -> None:
    rate = summary.total / summary.seconds if summary.seconds else 0.0
    console.print(
        f"{plural(summary.total, 'case')}, as of {as_of}, in {summary.seconds:.1f} s "
        f"({rate:.0f} cases/s); decisions in {escape(str(output))}"
    )
    statuses = Table("status", "cases", title="By status", title_justify="left")
    for status, count in summary.by_status.items():
        statuses.add_row(status, str(count))
    console.print(statuses)
    if summary.decided != summary.total:
        console.print(f"[red]Cases not decided are listed in {escape(str(errors))}[/]")
    actions = Table("action", "cases", title="Required actions", title_justify="left")
    for code, count in sorted(summary.actions.items(), key=lambda kv: (-kv[1], kv[0])):
        actions.add_row(code, str(count))
    console.print(actions)


def _show_impact(console: Console, report: ImpactReport) -> None:
    console.print(
        f"{escape(report.old.name)} {escape(report.old.version)} → "
        f"{escape(report.new.name)} {escape(report.new.version)} on {report.as_of}: "
        f"{report.cases} cases, {report.changed_cases} changed, {report.gained} actions gained, "
        f"{report.lost} lost, {report.due_dates_changed} due dates moved"
    )
    if report.invalid:
        console.print(f"[yellow]{report.invalid} invalid cases left out[/]")
    table = Table("action", "gained", "lost", "due moved", "examples", title_justify="left")
    for a in report.actions:
        if a.changed:
            examples = ", ".join((*a.gained_examples, *a.lost_examples, *a.due_changed_examples))
            table.add_row(a.code, f"+{a.gained}", f"-{a.lost}", str(a.due_changed), examples)
    if table.row_count:
        console.print(table)
