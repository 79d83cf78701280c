"""The incident banner: what, how bad, what state, how long, and whether anyone has it.

The response-time target comes from the severity (P0 5 min ... P3 4 h, from the
seeds). Until someone acknowledges, the banner counts down to that target and
then counts how far past it the response is.

The process clocks (tui/process_timers.py) follow: the next status update (or
how late it is), an escalation level that came due, and the roles.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from tui.process_timers import TimerView
from tui.safetext import one_line
from tui.timeline.model import IncidentState, Severity, Status
from tui.timeline.process import roles_line
from widgets.format import duration, short_duration

SEVERITY_STYLES: dict[Severity, str] = {
    Severity.P0: "bold white on red",
    Severity.P1: "bold black on dark_orange",
    Severity.P2: "bold black on yellow",
    Severity.P3: "bold white on blue",
}

STATUS_STYLES: dict[Status, str] = {
    Status.INVESTIGATING: "bold red",
    Status.IDENTIFIED: "bold dark_orange",
    Status.MONITORING: "bold yellow",
    Status.RESOLVED: "bold green",
}


# Below this width the banner keeps only what the room needs: severity, title,
# status, elapsed time and the acknowledgement clock.
COMPACT_WIDTH = 120


def render_banner(
    state: IncidentState,
    now: datetime,
    *,
    readonly: bool = False,
    actor: str = "",
    width: int = COMPACT_WIDTH,
    process: TimerView | None = None,
) -> Text:
    compact = width < COMPACT_WIDTH
    incident = state.incident
    head = Text(no_wrap=True, end="")
    head.append(f" {state.severity.value} ", SEVERITY_STYLES[state.severity])
    head.append(" ")
    title = Text(one_line(incident.title, max_chars=200), "bold", no_wrap=True, end="")
    tail = Text(no_wrap=True, end="")
    tail.append("  ")
    tail.append(state.status.value.upper(), STATUS_STYLES[state.status])
    tail.append("  ")
    tail.append(duration(now - incident.started_at), "bold")
    if not compact:
        tail.append(" elapsed", "dim")

    right = Text(no_wrap=True, justify="right")
    right.append_text(ack_text(state, now, compact=compact))
    if process is not None:
        right.append_text(process_text(process, compact=compact))
    if readonly:
        right.append(" RO" if compact else "  READ-ONLY", "bold magenta")
    if actor and not compact:
        right.append(f"  {one_line(actor, max_chars=60)}", "dim")
    right.append(" ")

    # One line of plain Text, padded by hand: re-rendered every second, it must
    # be cheap (a Rich table here costs a measurable share of idle CPU).
    room = max(width - right.cell_len, 0)
    # When the clocks need the room, the title gives way first: the status and
    # the elapsed time stay readable.
    title_room = room - head.cell_len - tail.cell_len
    if title.cell_len > title_room >= 8:
        title.truncate(title_room, overflow="ellipsis")
    left = Text.assemble(head, title, tail, no_wrap=True, overflow="ellipsis")
    left.truncate(room, overflow="ellipsis")
    left.pad_right(room - left.cell_len)
    return Text.assemble(left, right, no_wrap=True, end="")


def ack_text(state: IncidentState, now: datetime, *, compact: bool = False) -> Text:
    """'ACK due 0:03:12' / 'ACK OVERDUE +0:01:02' / 'ACK alice in 2m'."""
    target = state.severity.response_target
    ack = state.acknowledged
    if ack is not None:
        took = ack.at - state.incident.started_at
        style = "green" if took <= target else "dark_orange"
        return Text(f"ACK {ack.actor.split('@')[0]} in {short_duration(took)}", style)
    if state.status is Status.RESOLVED:
        return Text("never acknowledged", "dim")
    remaining = state.incident.started_at + target - now
    if remaining.total_seconds() >= 0:
        style = "bold yellow" if remaining.total_seconds() < 60 else "yellow"
        target_note = "" if compact else f" (target {short_duration(target)})"
        return Text(f"ACK due {duration(remaining)}{target_note}", style)
    return Text(f"ACK OVERDUE +{duration(-remaining)}", "bold white on red")


def process_text(view: TimerView, *, compact: bool = False) -> Text:
    """'  next update 0:12:00', '  UPDATE DUE +0:01:02', '  ESCALATE L2', '  IC alice'.

    Compact (80 columns): '  upd 12m', '  UPD +1m', '  ESC L2', '  IC alice': the room is the
    title's.
    """
    text = Text(no_wrap=True)
    remaining = view.update_remaining
    if remaining is not None:
        overdue = remaining.total_seconds() <= 0
        if compact:
            shown = short_duration(-remaining if overdue else remaining)
            label = f"UPD +{shown}" if overdue else f"upd {'zz ' if view.snoozed else ''}{shown}"
        elif overdue:
            label = f"UPDATE DUE +{duration(-remaining)}"
        else:
            snoozed = "update snoozed" if view.snoozed else "next update"
            label = f"{snoozed} {duration(remaining)}"
        if overdue:
            style = "bold black on yellow"
        elif view.snoozed:
            style = "yellow"
        else:
            style = "bold yellow" if remaining.total_seconds() < 60 else "dim"
        text.append(f"  {label}", style)
    level = view.escalation_due
    if level is not None:
        label = f"ESC {level.name}" if compact else f"ESCALATE {level.name} ({level.role})"
        text.append(f"  {label}", "bold white on red")
    # Compact: the commander only (the room's first question: who runs this?).
    shown = {"commander": view.roles.get("commander", ())} if compact else view.roles
    roles = roles_line(shown, short=True)
    if roles:
        text.append(f"  {one_line(roles, max_chars=40 if compact else 80)}", "cyan")
    return text


class IncidentBanner(Static):
    DEFAULT_CSS = """
    IncidentBanner {
        height: 1;
        background: $boost;
    }
    """

    _shown: tuple[IncidentState, datetime, bool, str, TimerView | None] | None = None

    def show(
        self,
        state: IncidentState,
        now: datetime,
        *,
        readonly: bool = False,
        actor: str = "",
        width: int | None = None,
        process: TimerView | None = None,
    ) -> None:
        """Render the banner; `width` is for a banner not laid out yet."""
        self._shown = (state, now, readonly, actor, process)
        width = width or self.size.width or COMPACT_WIDTH
        # One row, always: no layout pass is needed for a new text.
        banner = render_banner(
            state, now, readonly=readonly, actor=actor, width=width, process=process
        )
        self.update(banner, layout=False)

    def on_resize(self) -> None:
        if self._shown is not None:
            state, now, readonly, actor, process = self._shown
            self.show(state, now, readonly=readonly, actor=actor, process=process)
