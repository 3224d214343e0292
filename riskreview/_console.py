"""Output for people on the command line: rich consoles, progress bars and layouts.

Each ``_show_*`` lays out one kind of result (a decision, an explanation, pack
findings, a batch summary, a pack impact report) for :mod:`riskreview.cli`;
``--json`` output for machines does not pass through here.
"""

from __future__ import annotations

import collections
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from riskreview.batch import BatchSummary
from riskreview.decision import Decision, Explanation, RequiredAction
from riskreview.diff import ImpactReport


def _console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


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


def _status(action: RequiredAction) -> Text:
    value, days = action.status.value, action.working_days
    plural = "s" * (days != 1)
    if value == "overdue":
        return Text(f"overdue by {days} working day{plural}", style="red")
    if value == "due_today":
        return Text("due today", style="yellow")
    return Text(f"due in {days} working day{plural}")


def _action_text(a: RequiredAction) -> Text:
    text = Text.assemble((a.title, "bold"), " ", (a.code, "dim"))
    text.append(f"\ndue {a.due_date} (")
    text.append_text(_status(a))
    text.append(f"); rules {', '.join(a.rule_ids)}")
    for reason in a.reasons:
        text.append(f"\nwhy: {reason}")
    return text


def _show_decision(console: Console, decision: Decision) -> None:
    pack = decision.pack
    console.print(
        Text.assemble(
            (f"Case {decision.case_id}", "bold"),
            f" on {decision.as_of} ({pack.name} {pack.version})",
        )
    )
    if not decision.actions:
        console.print("No action is required.")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, min_width=7)
    grid.add_column()
    for a in decision.actions:
        grid.add_row()
        grid.add_row(Text(a.priority.upper(), style=_PRIORITY.get(a.priority, "")), _action_text(a))
    console.print(grid)
    if decision.information:
        console.print("\n[bold]To establish[/] (unknown facts that keep rules from deciding):")
        for info in decision.information:
            console.print(
                Text.assemble(
                    f"  {info.title} ", (f"{info.field}; {', '.join(info.rule_ids)}", "dim")
                )
            )
    if decision.next_review is not None:
        console.print(f"\n[bold]Next review:[/] {decision.next_review.date}")
        for reason in decision.next_review.reasons:
            console.print(Text(f"  - {reason}"))
    if decision.trace is not None:
        table = Table("rule", "outcome", "detail", title="Every rule", title_justify="left")
        for outcome in decision.trace:
            table.add_row(outcome.rule_id, outcome.outcome, Text(outcome.detail))
        console.print(table)


def _show_explanation(console: Console, explanation: Explanation) -> None:
    colour = {"fired": "green", "not_fired": "yellow", "undetermined": "red", "held": "green"}
    console.print(
        Text.assemble(
            (explanation.rule_id, "bold"),
            f" {explanation.title}: ",
            (explanation.outcome, colour.get(explanation.outcome, "")),
            f" on {explanation.as_of}",
        )
    )
    console.print(Text(explanation.summary))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, min_width=8)
    grid.add_column()
    for c in explanation.conditions:
        grid.add_row(
            Text(c.outcome, style=colour.get(c.outcome, "red")),
            Text.assemble(c.condition, "\n", (c.detail, "dim")),
        )
    console.print(grid)
    if explanation.unknown:
        console.print(Text(f"Unknown: {', '.join(explanation.unknown)}", style="red"))
    console.print(Text(f"Why this rule: {explanation.rationale.strip()}", style="dim"))
    console.print(Text(f"Source: {explanation.source}", style="dim"))


def _show_findings(
    console: Console, pack: str, findings: Sequence[Any], ok: bool, verbose: bool
) -> None:
    colour = {"error": "red", "warning": "yellow", "info": "dim"}
    for f in findings:
        if f.severity != "info" or verbose:
            console.print(
                f"[{colour[f.severity]}]{f.severity}[/]: {escape(f.where)}: "
                f"{escape(f'[{f.kind}]')} {escape(f.message)}"
            )
    counts = collections.Counter(f.severity for f in findings)
    verdict = "[green]ok[/]" if ok else "[red]errors found[/]"
    console.print(
        f"{escape(pack)}: {verdict}: {counts['error']} errors, {counts['warning']} warnings, "
        f"{counts['info']} notes" + ("" if verbose or not counts["info"] else " (-v shows them)")
    )


def _show_summary(console: Console, summary: BatchSummary, output: Path, errors: Path) -> None:
    rate = summary.total / summary.seconds if summary.seconds else 0.0
    console.print(
        f"{summary.total} cases in {summary.seconds:.1f} s ({rate:.0f} cases/s); "
        f"decisions in {escape(str(output))}"
    )
    statuses = Table("status", "cases", title="By status", title_justify="left")
    for status, count in summary.by_status.items():
        statuses.add_row(status, str(count))
    console.print(statuses)
    if summary.by_status.get("ok", 0) != summary.total:
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
