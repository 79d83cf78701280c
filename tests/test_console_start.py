"""The console's start: a first frame of pane frames, then the real panes.

The first frame draws the whole layout with placeholder frames (the panes'
modules are most of the start-up cost); `ConsoleScreen.hydrate` swaps the real
panes in. What the operator did in between (focus, pane 1's choice) carries over.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from textual.app import App

from tui.screens.console import PANE_ORDER, ConsoleScreen
from widgets.pane import Pane
from widgets.pending_pane import PendingPane

ROOT = Path(__file__).resolve().parents[1]


class BareConsole(App[None]):
    """The console screen alone: no workers, so nothing hydrates it but the test."""

    def get_default_screen(self) -> ConsoleScreen:
        return ConsoleScreen()


async def test_first_frame_has_every_pane_frame_and_hydrate_swaps_in_the_real_panes() -> None:
    app = BareConsole()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        frames = list(screen.query(PendingPane))
        assert [pane.id for pane in frames] == list(PANE_ORDER)
        assert [pane.border_title for pane in frames] == [
            "1 Pods", "2 Ingress", "3 Host", "4 Logs", "5 Runbook", "6 Timeline",
        ]  # fmt: skip
        assert not screen.hydrated

        # The operator moves before the panes are real: the choice holds after.
        await pilot.pause()
        await pilot.press("4")
        assert screen.active_pane_id == "logs"

        await screen.hydrate()
        await pilot.pause()
        assert screen.hydrated
        assert not screen.query(PendingPane)
        panes = [pane for pane in screen.query_one("#panes").children if isinstance(pane, Pane)]
        assert [pane.id for pane in panes] == list(PANE_ORDER)
        assert type(screen.pane("logs")).__name__ == "LogsPane"
        assert screen.pane("logs").has_class("-active")
        assert screen.focused is not None
        assert screen.pane("logs") in screen.focused.ancestors_with_self

        await screen.hydrate()  # a second call changes nothing
        assert [pane.id for pane in screen.query_one("#panes").children] == list(PANE_ORDER)


async def test_containers_chosen_before_the_panes_are_real_stay_in_pane_one() -> None:
    app = BareConsole()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        await pilot.press("C")
        await pilot.pause()
        await screen.hydrate()
        await pilot.pause()
        ids = [pane.id for pane in screen.query_one("#panes").children]
        assert ids[:2] == ["pods", "containers"]
        assert screen.pane("pods").has_class("-swapped-out")
        assert type(screen.pane("pods")).__name__ == "PodsPane"
        assert not screen.pane("containers").has_class("-swapped-out")


def test_the_console_module_loads_no_pane_before_the_first_frame() -> None:
    """Importing the app must not import the panes, the flows or the Kubernetes model:
    they load after the first frame. A fresh interpreter shows what really loads."""
    code = (
        "import sys, tui.cli, tui.app; "
        "print(','.join(sorted(m for m in sys.modules if m.startswith(('widgets.', 'tui.')))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(result.stdout.strip().split(","))
    late = {
        "widgets.pods_pane", "widgets.logs_pane", "widgets.ingress_pane",
        "widgets.runbook_pane", "widgets.timeline_pane", "widgets.host_pane",
        "tui.kube_flow", "tui.logs_flow", "tui.edge_flow", "tui.runbook_flow",
        "tui.process_flow", "tui.kube_session",
        "tui.sources.kube.model", "tui.runbook.parser", "tui.timeline.merge",
        "tui.timeline.export",
    }  # fmt: skip
    assert not late & loaded, sorted(late & loaded)
