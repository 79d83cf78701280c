"""The review's summary: milestones, metrics (with their formulas), process facts, counts."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tui.safetext import cell, clean
from tui.screens.dialogs import dialog_css
from tui.timeline.metrics import ORDER
from tui.timeline.postmortem import fmt_delta
from tui.timeline.process import roles_line
from tui.timeline.query import Summary


def _when(moment: object) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def milestones_table(summary: Summary) -> Table:
    metrics = summary.metrics
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column()
    table.add_row(
        "declared", Text(_when(metrics.declared_at)), cell(summary.state.incident.created_by, "dim")
    )
    for milestone in ORDER:
        mark = metrics.milestones.get(milestone)
        if mark is None:
            table.add_row(milestone.value, Text("not marked", "dim"), Text(""))
            continue
        note = cell(mark.actor, "dim")
        if mark.backdated:
            note.append(f"  recorded {_when(mark.recorded_at)}", "dim italic")
        table.add_row(milestone.value, Text(_when(mark.at)), note)
    return table


def metrics_table(summary: Summary) -> Table:
    metrics = summary.metrics
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(style="dim")
    for measure in metrics.measures:
        value = Text(fmt_delta(measure.value))
        if measure.note:
            value.append(f" ({measure.note})", "dim")
        table.add_row(measure.name, value, measure.formula)
    ack = metrics.ack_after_declaration
    verdict = "" if ack is None else ("  met" if ack <= metrics.response_target else "  MISSED")
    table.add_row(
        "ack after declaration",
        Text(fmt_delta(ack) + verdict, "red" if "MISSED" in verdict else ""),
        f"target {metrics.target_severity.value}: {fmt_delta(metrics.response_target)}",
    )
    table.add_row("duration", Text(fmt_delta(metrics.duration)), "resolved − start")
    table.add_row("impact", Text(fmt_delta(metrics.impact)), "mitigated (else resolved) − start")
    return table


def facts_text(summary: Summary) -> Text:
    metrics = summary.metrics
    text = Text()
    start = "impact started" if metrics.start_basis == "impact_started" else "declared"
    text.append(f"Start: {start} at {_when(metrics.start)}.", "dim")
    if metrics.ongoing:
        text.append(f" Not resolved; counted to the last event ({_when(metrics.end)}).", "dim")
    text.append("\n")
    for title, spans in (
        ("Time in status", metrics.time_in_status),
        ("Time at severity", metrics.time_in_severity),
    ):
        listed = ", ".join(f"{key.value} {fmt_delta(value)}" for key, value in spans.items())
        text.append(f"{title}: ", "bold")
        text.append(f"{listed or '—'}\n")
    updates = metrics.updates
    text.append("Status updates: ", "bold")
    text.append(f"{updates.count} posted, {updates.late} late")
    if updates.longest_gap is not None:
        text.append(f", longest gap {fmt_delta(updates.longest_gap)}")
    text.append("\n")
    process = summary.process
    if process.escalations:
        text.append("Escalations: ", "bold")
        text.append(
            clean(
                "; ".join(
                    f"{e.level} {e.role} {e.to} at {e.at:%H:%M} UTC" for e in process.escalations
                )
            )
            + "\n"
        )
    roles = roles_line(process.roles)
    text.append("Roles: ", "bold")
    text.append(clean(roles or "none recorded") + "\n")
    if process.todos:
        text.append(f"Action items: {len(process.todos)}\n", "bold")
        for item in process.todos:
            text.append(f"  [ ] {clean(item.text, max_chars=300)}\n")
    if metrics.out_of_order:
        text.append("Milestones out of order:\n", "bold red")
        for problem in metrics.out_of_order:
            text.append(f"  {problem}\n", "red")
    if metrics.corrections:
        text.append(f"Milestone corrections: {metrics.corrections} (the latest mark counts)\n")
    return text


def kinds_table(summary: Summary) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column(justify="right")
    for kind, count in summary.kinds.most_common():
        table.add_row(cell(kind), f"{count:,}")
    table.add_row(Text("pinned now", "bold"), f"{len(summary.pinned):,}")
    return table


class ReviewSummary(ModalScreen[None]):
    DEFAULT_CSS = dialog_css(
        "ReviewSummary",
        """
    ReviewSummary .dialog { width: 100; height: 90%; }
    ReviewSummary VerticalScroll { height: 1fr; }
    ReviewSummary .section { text-style: bold; color: $accent; padding-top: 1; }
    """,
    )
    BINDINGS = [Binding("escape,s,q", "close", "Close", id="review.close_summary")]

    def __init__(self, summary: Summary) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        summary = self.summary
        state = summary.state
        title = Text(f"{state.severity.value} ", "bold")
        title.append(clean(state.incident.title, max_chars=200))
        title.append(f"  {state.status.value}  {summary.events:,} events")
        with Vertical(classes="dialog"):
            yield Label(title, classes="dialog-title")
            with VerticalScroll():
                yield Label(Text("Milestones"), classes="section")
                yield Static(milestones_table(summary))
                yield Label(Text("Metrics"), classes="section")
                yield Static(metrics_table(summary))
                yield Static(facts_text(summary))
                yield Label(Text("Events by kind"), classes="section")
                yield Static(kinds_table(summary))
            yield Label(
                Text("Esc closes · formulas: warroom export (Impact, Metrics)"),
                classes="dialog-hint",
            )

    def action_close(self) -> None:
        self.dismiss(None)
