"""The console read back as the operator sees it: the timeline's rows and the banner."""

from __future__ import annotations

from tui.app import WarRoomApp
from widgets.banner import IncidentBanner
from widgets.timeline_pane import TimelinePane


def timeline_texts(app: WarRoomApp) -> list[str]:
    """The 'who: what' column of the Timeline pane, top (newest) first."""
    table = app.console_screen.query_one(TimelinePane).table
    return [table.get_row_at(i)[3].plain for i in range(table.row_count)]


def banner_text(app: WarRoomApp) -> str:
    """The banner's first row as drawn (presentation mode has three)."""
    banner = app.console_screen.query_one(IncidentBanner)
    return "".join(segment.text for segment in banner.render_line(0))
