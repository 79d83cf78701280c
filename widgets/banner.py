"""The incident banner: what, how bad, what state, how long, and whether anyone has it.

The response-time target comes from the severity (P0 5 min ... P3 4 h, from the
seeds). Until someone acknowledges, the banner counts down to that target and
then counts how far past it the response is.

The process clocks (tui/process_timers.py) follow: the next status update (or
how late it is), an escalation level that came due, and the roles.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from tui.safetext import one_line
from tui.timeline.model import IncidentState, Severity, Status
from widgets.context_labels import ContextLabel, render_labels
from widgets.format import duration, short_duration

if TYPE_CHECKING:
    # The process clocks come with the first banner refresh, after the first frame.
    from tui.process_timers import TimerView

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
# The title keeps at least this much when context labels need the room.
MIN_TITLE_CELLS = 12
# A production label always gets this much: ' PROD k:prod-… '.
PROD_LABEL_CELLS = 15


def render_banner(
    state: IncidentState,
    now: datetime,
    *,
    readonly: bool | str = False,
    actor: str = "",
    width: int = COMPACT_WIDTH,
    process: TimerView | None = None,
    contexts: Sequence[ContextLabel] = (),
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
    if isinstance(readonly, str):  # a named mode: 'VIEW ONLY' for warroom serve's viewers
        right.append(f"  {readonly}", "bold magenta")
    elif readonly:
        right.append(" RO" if compact else "  READ-ONLY", "bold magenta")
    # The context labels take the actor's place: where actions go matters more than who
    # sits at this console (the timeline names them).
    if actor and not compact and not contexts:
        right.append(f"  {one_line(actor, max_chars=60)}", "dim")
    right.append(" ")
    if contexts:
        # What the console points at comes before the clocks; the title gives way to it,
        # down to a few words, and the labels shrink after that (render_labels).
        free = width - right.cell_len - head.cell_len - tail.cell_len
        # All the room the whole title leaves; failing that, at most a third of the line, so
        # that on a wide screen the title keeps its words.
        budget = max(
            free - title.cell_len - 4,
            min(free - min(title.cell_len, MIN_TITLE_CELLS) - 4, width // 3),
        )
        if any(label.production for label in contexts):
            budget = max(budget, PROD_LABEL_CELLS)  # the warning outranks the title's words
        labels = render_labels(contexts, budget, compact=compact)
        if labels:
            right = Text.assemble("  ", labels, "  ", right, no_wrap=True, justify="right")

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
        late = took > target
        # "late" says in words what the colour says (NO_COLOR, monochrome terminals).
        text = f"ACK {ack.actor.split('@')[0]} in {short_duration(took)}{' late' if late else ''}"
        return Text(text, "dark_orange" if late else "green")
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
    from tui.timeline.process import roles_line  # loaded with the process clocks

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
    /* Presentation mode: three rows, the clock in large digits (widgets/present_banner.py). */
    IncidentBanner.-present {
        height: 3;
        background: $panel;
        /* Stays on top when a pane is zoomed: the room keeps its clock where it was. */
        dock: top;
    }
    """

    _shown: tuple[IncidentState, datetime, bool | str, str, TimerView | None] | None = None
    # The clusters and engine the console points at; kept between calls.
    contexts: tuple[ContextLabel, ...] = ()
    presenting = False
    # A fault the operator must see until it is over (a full disk, tui/held_flow.py): first.
    notice: Text | None = None

    def show(
        self,
        state: IncidentState,
        now: datetime,
        *,
        readonly: bool | str = False,
        actor: str = "",
        width: int | None = None,
        process: TimerView | None = None,
        contexts: Sequence[ContextLabel] | None = None,
    ) -> None:
        """Render the banner; `width` is for a banner not laid out yet; `contexts`: None keeps
        the last ones."""
        self._shown = (state, now, readonly, actor, process)
        if contexts is not None:
            self.contexts = tuple(contexts)
        width = width or self.size.width or COMPACT_WIDTH
        if self.presenting:
            from widgets.present_banner import render_present_banner

            present = render_present_banner(
                state, now, readonly=readonly, actor=actor, width=width, process=process,
                contexts=self.contexts, notice=self.notice,
            )  # fmt: skip
            self.update(present, layout=False)
            return
        # One row, always: no layout pass is needed for a new text.
        notice = self.notice
        banner = render_banner(
            state, now, readonly=readonly, actor=actor, process=process, contexts=self.contexts,
            width=width - notice.cell_len if notice is not None else width,
        )  # fmt: skip
        if notice is not None:
            banner = Text.assemble(notice, banner, no_wrap=True, end="")
        self.update(banner, layout=False)

    def present(self, presenting: bool) -> None:
        """Presentation mode: three rows and large digits, or back to one row."""
        self.presenting = presenting
        self.set_class(presenting, "-present")
        self.on_resize()

    def on_resize(self) -> None:
        if self._shown is not None:
            state, now, readonly, actor, process = self._shown
            self.show(state, now, readonly=readonly, actor=actor, process=process)
