"""The review's two header lines: the incident, and what the list shows (filter, position)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from tui.safetext import one_line
from tui.timeline.model import Severity, Status
from widgets.banner import SEVERITY_STYLES, STATUS_STYLES


@dataclass(frozen=True, slots=True)
class ReviewHeading:
    title: str
    severity: Severity
    status: Status
    events: int
    matching: int
    position: int
    filter: str = ""
    following: bool = False
    live: bool = True  # the file can be followed (not opened as an immutable copy)
    busy: str = ""  # "searching…" while a query runs


def heading_text(h: ReviewHeading) -> Text:
    top = Text(no_wrap=True, overflow="ellipsis", end="")
    top.append(" REVIEW ", "bold reverse")
    top.append(" ")
    top.append(f" {h.severity.value} ", SEVERITY_STYLES[h.severity])
    top.append(" ")
    top.append(one_line(h.title, max_chars=200), "bold")
    top.append("  ")
    top.append(h.status.value.upper(), STATUS_STYLES[h.status])
    top.append(f"  {h.events:,} events", "dim")
    top.append("  read-only" + ("" if h.live else ", not followed (read-only copy)"), "dim")
    line = Text(no_wrap=True, overflow="ellipsis", end="")
    if h.filter:
        line.append(" filter: ", "bold")
        line.append(one_line(h.filter, max_chars=200), "yellow")
        line.append(f"  {h.matching:,} match", "bold")
    else:
        line.append(" all events", "dim")
    if h.matching:
        line.append(f"  row {h.position + 1:,} of {h.matching:,}", "dim")
    if h.following:
        line.append("  following", "bold green")
    if h.busy:
        line.append(f"  {h.busy}", "italic")
    return Text("\n", end="").join([top, line])


class ReviewHeader(Static):
    DEFAULT_CSS = """
    ReviewHeader { height: 2; background: $boost; }
    """

    def show(self, heading: ReviewHeading) -> None:
        self.update(heading_text(heading))
