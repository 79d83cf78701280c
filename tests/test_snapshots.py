"""Screens as pictures, at the bastion's 80x24 and at a large 160x48.

Fixed clock, fixed host figures and fixed events, so a change in the picture is
a change in the product. Update with `pytest --snapshot-update` after checking
the new pictures by eye.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import wait_for
from tests.helpers.fixed import NO_CLUSTER, FrozenSampler
from tests.helpers.snapshot_incident import SNAPSHOT_ACTOR, snapshot_incident
from tui.app import WarRoomApp
from tui.config import Settings
from widgets.host_pane import HostPane
from widgets.timeline_pane import TimelinePane

SIZES = [(80, 24), (160, 48)]


@pytest.fixture
def scripted_app(
    settings: Settings, make_incident: Callable[..., Path]
) -> Callable[[], WarRoomApp]:
    """An incident ten minutes in, with a few events, on a frozen host."""
    path, clock = snapshot_incident(make_incident)

    def make() -> WarRoomApp:
        return WarRoomApp(
            settings, path, actor=SNAPSHOT_ACTOR, clock=clock, sampler_factory=FrozenSampler,
            kube_options=NO_CLUSTER,
        )  # fmt: skip

    return make


async def settled(pilot) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_for(lambda: bool(app.screen.query(TimelinePane)), pilot)
    screen = app.screen
    await wait_for(lambda: screen.query_one(TimelinePane).table.row_count >= 6, pilot)
    await wait_for(lambda: screen.query_one(HostPane)._last is not None, pilot)
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_console(snap_compare, scripted_app, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(scripted_app(), terminal_size=size, run_before=settled)


def after_settling(*keys: str):  # type: ignore[no-untyped-def]
    """A run_before that waits for the console, then presses `keys`."""

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await settled(pilot)
        await pilot.press(*keys)
        await pilot.pause(0.1)

    return run


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_timeline_pane(snap_compare, scripted_app, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(scripted_app(), terminal_size=size, run_before=after_settling("6"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_zoomed_host_pane(snap_compare, scripted_app, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(scripted_app(), terminal_size=size, run_before=after_settling("3", "z"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_screen(snap_compare, scripted_app, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    run_before = after_settling("question_mark")
    assert snap_compare(scripted_app(), terminal_size=size, run_before=run_before)


def test_note_dialog(snap_compare, scripted_app) -> None:  # type: ignore[no-untyped-def]
    run_before = after_settling("n", *"rolling back [v42]")
    assert snap_compare(scripted_app(), terminal_size=(80, 24), run_before=run_before)


def test_status_dialog(snap_compare, scripted_app) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(scripted_app(), terminal_size=(80, 24), run_before=after_settling("s"))
