"""The terminal shrunk to 20x10 and grown back: the console keeps running, shows
something sensible at 20x10 (the banner, one pane, keys), records a note typed there,
and afterwards lays out exactly as it did before at 80x24 and at 160x48."""

from __future__ import annotations

import html
import re

from textual.geometry import Region

from tests.faults.conftest import add_note, notes, started
from tui.app import WarRoomApp
from widgets.pane import Pane


def screen_words(app: WarRoomApp) -> str:
    """What the screen shows, as text (from the app's own screenshot)."""
    svg = app.export_screenshot()
    found = (html.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg))
    return " ".join(found).replace("\xa0", " ")


def layout(app: WarRoomApp) -> dict[str, Region]:
    """Where each pane is drawn (a hidden pane has an empty region)."""
    return {pane.id or "": pane.region for pane in app.console_screen.query(Pane)}


def shown(app: WarRoomApp) -> set[str]:
    return {name for name, region in layout(app).items() if region.area > 0}


async def test_shrunk_to_20x10_and_back(console) -> None:
    app = console()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        await pilot.pause()
        large = layout(app)
        assert len(shown(app)) == 6  # the grid: every pane at once
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        small = layout(app)
        assert len(shown(app)) == 1  # tabs: one pane at a time

        await pilot.resize_terminal(20, 10)
        await pilot.pause()
        words = screen_words(app)
        assert "P1" in words and "Checkout" in words  # the banner, cut short
        assert len(shown(app)) == 1 and "Note" in words  # one pane, and the keys
        await add_note(pilot, app, "typed on a tiny terminal")

        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert layout(app) == small
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert layout(app) == large
        assert "alice: typed o" in screen_words(app)  # in the narrow Timeline pane
    assert "typed on a tiny terminal" in notes(app.db_path)
