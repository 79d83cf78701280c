"""The incident banner in presentation mode: three rows, readable across a room.

Left: a held notice if any, the severity and title, then the status and the clocks,
then what the console points at (context labels). Right: the time since declaration
in large digits (Textual's 3x3 digit font). It fits an 80x24 terminal: the digits take about a
quarter of the width and the left side is cut with an ellipsis, never wrapped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.renderables.digits import Digits

from tui.process_timers import TimerView
from tui.safetext import one_line
from tui.timeline.model import IncidentState
from widgets.banner import COMPACT_WIDTH, SEVERITY_STYLES, STATUS_STYLES, ack_text, process_text
from widgets.context_labels import ContextLabel, render_labels
from widgets.format import duration

PRESENT_HEIGHT = 3


def render_present_banner(
    state: IncidentState,
    now: datetime,
    *,
    readonly: bool | str = False,
    actor: str = "",
    width: int = COMPACT_WIDTH,
    process: TimerView | None = None,
    contexts: Sequence[ContextLabel] = (),
    notice: Text | None = None,
) -> Table:
    compact = width < COMPACT_WIDTH
    clock = duration(now - state.incident.started_at)
    # Two cells of air between the text and the digits.
    left_width = max(width - Digits.get_width(clock) - 3, 10)

    title = Text(no_wrap=True, end="")
    if notice is not None:
        # A fault the room must see (a full disk) comes first, as in the one-line banner.
        title.append_text(notice)
    title.append(f"  {state.severity.value}  ", SEVERITY_STYLES[state.severity])
    title.append("  ")
    title.append(one_line(state.incident.title, max_chars=200), "bold")

    status = Text(no_wrap=True, end="")
    status.append(f" {state.status.value.upper()} ", f"reverse {STATUS_STYLES[state.status]}")
    status.append("  ")
    status.append_text(ack_text(state, now, compact=compact))
    if process is not None:
        status.append_text(process_text(process, compact=compact))
    if readonly:
        # A string is a marker of its own (a viewer's VIEW ONLY), as in the one-line banner.
        marker = readonly if isinstance(readonly, str) else "READ-ONLY"
        status.append(f"  {marker}", "bold magenta")

    where = render_labels(contexts, left_width - 1, compact=compact)
    if not where:
        where = Text(" elapsed since declared", "dim", no_wrap=True, end="")
        if actor and not compact:
            where.append(f" · at this console: {one_line(actor, max_chars=60)}", "dim")
    else:
        where = Text.assemble(" ", where, no_wrap=True, end="")

    for line in (title, status, where):
        line.truncate(left_width, overflow="ellipsis")
        line.end = "\n"  # one row each in the Group

    grid = Table.grid(expand=True)
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(justify="right", no_wrap=True)
    grid.add_row(Group(title, status, where), Digits(clock, "bold"))
    return grid
