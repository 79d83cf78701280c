"""The container screens alone: inspect detail (secrets masked on screen) and the
confirmation before an action (the name typed on production engines)."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.text import Text
from textual.app import App
from textual.screen import Screen
from textual.widgets import Static

from tests.docker.test_rows import INSPECT
from tui.screens.docker_screens import ConfirmContainerScreen, ContainerDetailScreen
from tui.sources.docker.actions import Target
from tui.sources.docker.detail import container_detail
from tui.sources.docker.masking import MASK
from tui.sources.docker.rows import row_from_inspect
from widgets.container_requests import ContainerLogsRequested

SERVICE = Target("prod-web-1", "compose service", "web", "codex", "web", ("a1", "b2"),
                 ("codex-web-1", "codex-web-2"))  # fmt: skip


class ScreenApp(App[None]):
    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.first = screen
        self.results: list[Any] = []
        self.logs: list[ContainerLogsRequested] = []

    def on_mount(self) -> None:
        self.push_screen(self.first, self.results.append)

    def on_container_logs_requested(self, message: ContainerLogsRequested) -> None:
        self.logs.append(message)


def shown_text(screen: Screen[Any]) -> str:
    console = Console(width=200, record=True, file=io.StringIO(), color_system=None)
    for widget in screen.query(Static):
        content = widget.content
        console.print(Text(content) if isinstance(content, str) else content)
    return console.export_text()


def detail_screen() -> ContainerDetailScreen:
    return ContainerDetailScreen(container_detail(INSPECT), row_from_inspect(INSPECT))


async def test_the_detail_shows_no_secret_and_l_asks_for_logs() -> None:
    app = ScreenApp(detail_screen())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = shown_text(app.screen)
        for secret in ("hunter2", "sk_live_1", "root_pass", "abc123", "t0k3n"):
            assert secret not in text
        assert MASK in text and "DB_PASSWORD" in text and "shop_uploads -> /uploads" in text
        await pilot.press("l")
        await pilot.pause()
        assert [m.row.name for m in app.logs] == ["shop-web-1"]
        assert app.results == [None]


async def test_production_needs_the_name_typed_exactly() -> None:
    screen = ConfirmContainerScreen(SERVICE, "Restart compose service", "both restart",
                                    typed=True, production=True)  # fmt: skip
    app = ScreenApp(screen)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        text = shown_text(app.screen)
        for shown in ("prod-web-1", "codex", "codex-web-1, codex-web-2", "both restart"):
            assert shown in text
        await pilot.press("w", "e", "enter")
        assert app.results == []  # "we" is not "web"
        await pilot.press("b", "enter")
        await pilot.pause()
        assert app.results == [True]


def test_detail_picture(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(ScreenApp(detail_screen()), terminal_size=(80, 24))


def test_production_confirmation_picture(snap_compare) -> None:  # type: ignore[no-untyped-def]
    screen = ConfirmContainerScreen(
        SERVICE,
        "Restart compose service",
        "the 2 containers of compose service web (project codex) are restarted one after"
        " another: codex-web-1, codex-web-2",
        typed=True,
        production=True,
    )

    async def run(pilot: Any) -> None:
        await pilot.press(*"we")

    assert snap_compare(ScreenApp(screen), terminal_size=(80, 24), run_before=run)
