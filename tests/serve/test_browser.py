"""`warroom serve` in a real browser: Debian's Chromium, headless, driven by Playwright.

The server runs as a real subprocess on a real incident file; the page's terminal is
drawn on a canvas, so what the console shows is read from the websocket frames the
page receives and draws (the same bytes, escape sequences removed).
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest

from tui.view_only import NOTICE

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (scripts/test installs it)"
)

TITLE = "Checkout returns 502"
# What the note dialog says (tui/screens/dialogs.py): it must never show for a viewer.
NOTE_DIALOG_HINT = "Enter records it"
ESCAPES = re.compile(r"\x1b(?:\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-_])")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def event_count(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT count(*) FROM events").fetchone()[0])


@dataclass
class Share:
    url: str
    path: Path
    process: subprocess.Popen[str]


@pytest.fixture
def share(
    tmp_path: Path, make_incident: Callable[..., Path], env: dict[str, str]
) -> Iterator[Share]:
    path = make_incident(title=TITLE)
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "serve", "--db", str(path), "--port", str(free_port()),
         "--kubeconfig", str(tmp_path / "no-kubeconfig")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        url = ""
        while not url:
            line = process.stdout.readline()
            if not line:
                raise AssertionError(f"warroom serve exited: {process.communicate()[1]}")
            url = next(iter(re.findall(r"http://\S+", line)), "")
        yield Share(url, path, process)
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


@dataclass
class Screen:
    """Everything the page's websocket received, as text, and the size it asked for."""

    received: list[str] = field(default_factory=list)
    size: tuple[int, int] = (0, 0)

    def text(self, since: int = 0) -> str:
        return ESCAPES.sub("", "".join(self.received[since:]))

    def on_websocket(self, socket_: object) -> None:
        socket_.on("framereceived", self._received)  # type: ignore[attr-defined]
        socket_.on("framesent", self._sent)  # type: ignore[attr-defined]

    def _received(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes):
            payload = payload.decode("utf-8", errors="replace")
        self.received.append(payload)

    def _sent(self, payload: str | bytes) -> None:
        if isinstance(payload, str) and payload.startswith('["resize"'):
            size = json.loads(payload)[1]
            self.size = (int(size["width"]), int(size["height"]))


def wait_until(page: object, predicate: Callable[[], bool], what: str, within: float = 60) -> None:
    """Let the browser run (its events are delivered meanwhile) until `predicate()` holds."""
    waited = 0.0
    while not predicate():
        if waited > within:
            raise AssertionError(f"not seen within {within:.0f} s: {what}")
        page.wait_for_timeout(100)  # type: ignore[attr-defined]
        waited += 0.1


def test_the_browser_shows_the_console_and_a_viewer_cannot_act(share: Share) -> None:
    from playwright.sync_api import sync_playwright

    before = event_count(share.path)
    screen = Screen()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("websocket", screen.on_websocket)
            response = page.goto(share.url)
            assert response is not None and response.status == 200
            wait_until(page, lambda: TITLE in screen.text(), "the incident title")
            wait_until(page, lambda: "VIEW ONLY" in screen.text(), "the VIEW ONLY marker")
            wait_until(page, lambda: screen.size != (0, 0), "the terminal's size")

            # A click on the key bar's Note key, then the n key itself.
            columns, rows = screen.size
            box = page.locator(".xterm-screen").bounding_box()
            assert box is not None
            cell_width, cell_height = box["width"] / columns, box["height"] / rows
            mark = len(screen.received)
            # The key bar is the last row: " z  Zoom  n  Note ..."; "Note" spans 13-16.
            page.mouse.click(box["x"] + 14.5 * cell_width, box["y"] + (rows - 0.5) * cell_height)
            page.keyboard.press("n")
            wait_until(page, lambda: NOTICE in screen.text(mark), "the view-only notice")
            assert NOTE_DIALOG_HINT not in screen.text(mark)
            assert event_count(share.path) == before

            # The same address without the token, from a browser that never had it.
            stranger = browser.new_context()
            refused = stranger.new_page().goto(share.url.split("?")[0])
            assert refused is not None and refused.status == 403
            stranger.close()

            # Stopping the share ends the viewers' consoles too.
            viewers = psutil.Process(share.process.pid).children(recursive=True)
            assert viewers, "each browser tab runs its own console"
            share.process.terminate()
            assert share.process.wait(timeout=30) == 0
            _, alive = psutil.wait_procs(viewers, timeout=30)
            assert not alive
        finally:
            browser.close()
    assert event_count(share.path) == before
