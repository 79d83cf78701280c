"""The incident banner: what, how bad, what state, how long, and whether anyone has it.

The response-time target comes from the severity (P0 5 min ... P3 4 h, from the
seeds). Until someone acknowledges, the banner counts down to that target and
then counts how far past it the response is.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from tui.safetext import one_line
from tui.timeline.model import IncidentState, Severity, Status
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
) -> Text:
    compact = width < COMPACT_WIDTH
    incident = state.incident
    left = Text(no_wrap=True, overflow="ellipsis")
    left.append(f" {state.severity.value} ", SEVERITY_STYLES[state.severity])
    left.append(" ")
    left.append(one_line(incident.title, max_chars=200), "bold")
    left.append("  ")
    left.append(state.status.value.upper(), STATUS_STYLES[state.status])
    left.append("  ")
    left.append(duration(now - incident.started_at), "bold")
    if not compact:
        left.append(" elapsed", "dim")

    right = Text(no_wrap=True, justify="right")
    right.append_text(ack_text(state, now, compact=compact))
    if readonly:
        right.append(" RO" if compact else "  READ-ONLY", "bold magenta")
    if actor and not compact:
        right.append(f"  {one_line(actor, max_chars=60)}", "dim")
    right.append(" ")

    # One line of plain Text, padded by hand: re-rendered every second, it must
    # be cheap (a Rich table here costs a measurable share of idle CPU).
    room = max(width - right.cell_len, 0)
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


class IncidentBanner(Static):
    DEFAULT_CSS = """
    IncidentBanner {
        height: 1;
        background: $boost;
    }
    """

    _shown: tuple[IncidentState, datetime, bool, str] | None = None

    def show(
        self,
        state: IncidentState,
        now: datetime,
        *,
        readonly: bool = False,
        actor: str = "",
        width: int | None = None,
    ) -> None:
        """Render the banner; `width` is for a banner not laid out yet."""
        self._shown = (state, now, readonly, actor)
        width = width or self.size.width or COMPACT_WIDTH
        # One row, always: no layout pass is needed for a new text.
        self.update(
            render_banner(state, now, readonly=readonly, actor=actor, width=width), layout=False
        )

    def on_resize(self) -> None:
        if self._shown is not None:
            state, now, readonly, actor = self._shown
            self.show(state, now, readonly=readonly, actor=actor)
