"""The Runbook pane driven with Pilot, alone, with parsed runbooks.

The pane is mounted in a small app (with the key bar), as the console mounts
it; what it asks of the app (check a step, run a command, open a runbook, stop
a run) is caught by the app's handlers and asserted. Nothing here runs a
command or writes a timeline: that is the app's job (tests/test_console_runbook.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.message import Message

from tests.runbook.helpers import md
from tui.runbook.model import Runbook
from tui.runbook.progress import RunRecord, StepState
from tui.sources.log_model import LogFeed, LogOrigin
from tui.sources.logs import make_line
from widgets.key_bar import KeyBar
from widgets.runbook_pane import RunbookPane
from widgets.runbook_rows import build_rows, progress_text

SIZES = [(80, 24), (160, 48)]

RUNBOOK = """\
---
title: Checkout returns 502 [red]x[/]
severity: P1
---
# Checkout returns 502

Use this when the checkout page answers 502.

## Look

1. Confirm the symptom from outside.
   ```bash
   # The status line: 502 Bad Gateway.
   curl -sI https://shop.example.com/checkout
   ```
2. Find the pods that are not healthy, and read [red]why[/].
   - Note their restart counts.
   - Note the node they run on.
3. Read what the ingress controller logged.
   ```bash
   kubectl logs -n ingress-nginx deploy/ingress-nginx --tail=50
   kubectl get events -n <namespace> --sort-by=.lastTimestamp
   ```

## Fix

1. Restart the deployment.
   ```bash
   kubectl rollout restart deployment/<deployment> -n <namespace>
   ```
2. Open a shell in the pod if it still fails.
   ```bash
   kubectl exec -it <pod> -n <namespace> -- sh
   ```
3. Tell the channel.

Then, whatever the step:

```bash
kubectl get pods -n <namespace>
```
"""


def parsed() -> Runbook:
    return md(RUNBOOK)


class PaneApp(App[None]):
    """The pane as the console holds it, and a record of every request it posts."""

    def __init__(self, runbook: Runbook | None = None, states: dict | None = None) -> None:
        super().__init__()
        self.runbook = runbook
        self.states = states or {}
        self.requests: list[Message] = []

    def compose(self) -> ComposeResult:
        yield RunbookPane(5, drain_seconds=0.02)
        yield KeyBar()

    @property
    def pane(self) -> RunbookPane:
        return self.query_one(RunbookPane)

    def on_mount(self) -> None:
        if self.runbook is not None:
            self.pane.open_runbook(self.runbook, self.states)
        self.pane.focus_target.focus()

    def on_runbook_pane_pick_requested(self, message: RunbookPane.PickRequested) -> None:
        self.requests.append(message)

    def on_runbook_pane_step_toggled(self, message: RunbookPane.StepToggled) -> None:
        self.requests.append(message)

    def on_runbook_pane_run_requested(self, message: RunbookPane.RunRequested) -> None:
        self.requests.append(message)

    def on_runbook_pane_stop_requested(self, message: RunbookPane.StopRequested) -> None:
        self.requests.append(message)


def row_ids(pane: RunbookPane) -> list[str]:
    return [row.id for row in pane.rows]


def current(pane: RunbookPane) -> str:
    row = pane.current_row
    assert row is not None
    return row.id


def prompt_text(pane: RunbookPane, row_id: str) -> str:
    """What a row shows, as plain text (rendered at 100 columns)."""
    from rich.console import Console

    option = pane.steps_list.get_option(row_id)
    console = Console(width=100, record=True)
    console.print(option.prompt)
    return console.export_text()


def shown_keys(app: App[None]) -> set[str]:
    bar = app.query_one(KeyBar)
    return set(str(bar.render()).split())


async def test_empty_pane_says_what_to_do_and_o_asks_for_the_picker() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.pane
        assert pane.status_text == "none open"
        pane.show_library(22, ["bad.md: not UTF-8"], ["Pod in CrashLoopBackOff (pod_status x)"])
        await pilot.pause()
        message = str(pane.query_one("#runbook-empty").render())
        assert "Runbook: none open" in message
        assert "Press o to pick a runbook" in message
        assert "Suggested now: Pod in CrashLoopBackOff" in message
        assert "bad.md: not UTF-8" in message
        await pilot.press("space", "x")  # nothing to check or run
        assert app.requests == []
        await pilot.press("o")
        await pilot.pause()
        assert [type(m) for m in app.requests] == [RunbookPane.PickRequested]


async def test_opens_on_the_first_step_not_checked_with_progress() -> None:
    states = {"look/1": StepState(checked=True)}
    app = PaneApp(parsed(), states)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        pane = app.pane
        screen = app.export_screenshot().replace("&#160;", " ")
        assert "5 Runbook · Checkout returns 502 [red]x[/]" in screen
        assert current(pane) == "step:look/2"
        assert pane.checked_count == 1
        total = 8  # 3 + 2 sub-steps under Look, 3 under Fix
        assert pane.status_text == f"1/{total} checked"
        assert "1 of 8 steps checked" in str(pane.query_one("#runbook-progress").render())
        # Steps and headings are listed; commands of steps only once opened; the
        # section's own command always.
        assert row_ids(pane) == [
            "section:checkout-returns-502",
            "section:look",
            "step:look/1",
            "step:look/2",
            "step:look/2.1",
            "step:look/2.2",
            "step:look/3",
            "section:fix",
            "step:fix/1",
            "step:fix/2",
            "step:fix/3",
            "cmd:fix:4.0",
        ]
        assert "[x] 1" in prompt_text(pane, "step:look/1")
        assert "[ ] 2 " in prompt_text(pane, "step:look/2")


async def test_arrows_move_and_enter_opens_and_closes_a_step() -> None:
    app = PaneApp(parsed())
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.pane
        assert current(pane) == "step:look/1"
        await pilot.press("enter")
        assert row_ids(pane)[2:6] == [
            "step:look/1",
            "text:look/1:0.1#",  # the comment explaining the command
            "cmd:look/1:0.1",
            "step:look/2",
        ]
        assert current(pane) == "step:look/1"  # the cursor stays on the step
        await pilot.press("down")
        assert current(pane) == "cmd:look/1:0.1"  # text rows are skipped
        await pilot.press("enter")  # on a command: closes its step, back on the step
        assert "cmd:look/1:0.1" not in row_ids(pane)
        assert current(pane) == "step:look/1"
        await pilot.press("right", "down", "left")
        assert current(pane) == "step:look/1" and "cmd:look/1:0.1" in row_ids(pane)
        await pilot.press("left")
        assert "cmd:look/1:0.1" not in row_ids(pane)
        # A heading with prose opens too.
        await pilot.press("up", "up", "enter")
        assert current(pane) == "section:checkout-returns-502"
        assert "text:checkout-returns-502:0" in row_ids(pane)


async def test_space_asks_to_check_and_shows_it_only_once_recorded() -> None:
    runbook = parsed()
    app = PaneApp(runbook)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.pane
        await pilot.press("down", "space")
        await pilot.pause()
        (message,) = app.requests
        assert isinstance(message, RunbookPane.StepToggled)
        assert (message.step.id, message.checked, message.runbook) == ("look/2", True, runbook)
        assert not pane.states.get("look/2", StepState()).checked  # not recorded yet
        await pilot.press("space")  # still being recorded: not asked twice
        await pilot.pause()
        assert len(app.requests) == 1
        pane.set_checked("look/2", True)
        await pilot.pause()
        assert pane.checked_count == 1 and pane.status_text == "1/8 checked"
        assert "[x] 2 " in prompt_text(pane, "step:look/2")
        await pilot.press("space")
        await pilot.pause()
        assert app.requests[-1].checked is False
        # On a sub-step's row, space is about the sub-step.
        await pilot.press("down", "space")
        await pilot.pause()
        assert app.requests[-1].step.id == "look/2.1"


async def test_x_runs_a_steps_command_or_lets_you_choose_among_several() -> None:
    app = PaneApp(parsed())
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.pane
        assert "x" in shown_keys(app)
        await pilot.press("x")
        await pilot.pause()
        (message,) = app.requests
        assert isinstance(message, RunbookPane.RunRequested)
        assert message.line.text == "curl -sI https://shop.example.com/checkout"
        assert (message.step.id, message.section.slug) == ("look/1", "look")

        await pilot.press("down")  # look/2: no command, x is not offered
        assert "x" not in shown_keys(app)
        await pilot.press("x")
        await pilot.pause()
        assert len(app.requests) == 1

        await pilot.press("down", "down", "down", "x")  # look/3: two commands
        await pilot.pause()
        assert len(app.requests) == 1
        assert current(pane) == "cmd:look/3:0.0"
        await pilot.press("down", "x")
        await pilot.pause()
        assert app.requests[-1].line.text.startswith("kubectl get events -n <namespace>")

        # The section's own command, outside any step.
        await goto_row(pilot, pane, "cmd:fix:4.0")
        await pilot.press("x")
        await pilot.pause()
        last = app.requests[-1]
        assert last.step is None and last.line.text == "kubectl get pods -n <namespace>"


async def goto_row(pilot: Any, pane: RunbookPane, row_id: str) -> None:
    for _ in range(50):
        if current(pane) == row_id:
            return
        await pilot.press("down")
    raise AssertionError(row_id)


async def test_command_rows_say_how_risky_they_are() -> None:
    app = PaneApp(parsed())
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.pane
        await pilot.press("enter")
        await goto_row(pilot, pane, "step:fix/1")
        await pilot.press("enter")
        await goto_row(pilot, pane, "step:fix/2")
        await pilot.press("enter")
        assert "dangerous" in prompt_text(pane, "cmd:fix/1:0.0")
        assert "interactive" in prompt_text(pane, "cmd:fix/2:0.0")
        curl = prompt_text(pane, "cmd:look/1:0.1")
        assert "curl -sI" in curl and "dangerous" not in curl and "changes" not in curl


async def test_markup_in_a_runbook_is_shown_literally() -> None:
    app = PaneApp(parsed())
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert "read [red]why[/]." in prompt_text(app.pane, "step:look/2")
        screen = app.export_screenshot().replace("&#160;", " ")
        assert "[red]why[/]" in screen and "[red]x[/]" in screen


async def test_output_streams_from_a_feed_and_c_asks_to_stop() -> None:
    app = PaneApp(parsed())
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.pane
        assert "c" not in shown_keys(app) and "v" not in shown_keys(app)
        feed = LogFeed()
        pane.run_started("kubectl get pods -n shop", "prod / shop", feed)
        origin = LogOrigin(kind="command", name="kubectl get pods -n shop")
        raw = ["NAME  READY", "[red]api-1[/]  \x1b[31m0/1"]
        feed.put([make_line(origin, line) for line in raw])
        await pilot.pause(0.1)
        assert pane.output.lines == ["NAME  READY", "[red]api-1[/]  0/1"]
        assert pane.status_text == "running · c stops it"
        assert {"c", "v"} <= shown_keys(app)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.requests[-1], RunbookPane.StopRequested)
        pane.run_finished(Text("exit 0 · 0.4 s"))
        pane.add_run("look/1", RunRecord("curl", None, 0, 0.4, "0" * 64))
        await pilot.pause()
        assert "exit 0 · 0.4 s" in pane.output.header_text
        assert "✓ exit 0" in prompt_text(pane, "step:look/1")
        assert pane.status_text == "0/8 checked"
        assert "c" not in shown_keys(app)
        await pilot.press("v")
        assert pane.has_class("-reading") and app.focused is pane.output.log_view
        await pilot.press("v")
        assert app.focused is pane.steps_list


def test_rows_and_progress_without_a_screen() -> None:
    runbook = parsed()
    everything = {row.owner for row in build_rows(runbook, set())} | {
        f"step:{step.id}" for _, step in runbook.steps()
    }
    ids = [row.id for row in build_rows(runbook, everything)]
    assert len(ids) == len(set(ids))
    assert sum(1 for i in ids if i.startswith("cmd:")) == 6
    assert progress_text(3, 12, width=12).plain == "███░░░░░░░░░ 3 of 12 steps checked"
    assert progress_text(0, 0, width=4).plain == "░░░░ 0 of 0 steps checked"


# -- pictures -------------------------------------------------------------------------------


def picture():  # type: ignore[no-untyped-def]
    """A runbook part done: two steps checked, one opened, a command run with output."""

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        app: PaneApp = pilot.app
        pane = app.pane
        pane.add_run("look/1", RunRecord("curl", None, 0, 0.4, "0" * 64))
        await pilot.press("enter")
        feed = LogFeed()
        origin = LogOrigin(kind="command", name="curl")
        pane.run_started("curl -sI https://shop.example.com/checkout", "prod-eu / shop", feed)
        feed.put([make_line(origin, line) for line in ("HTTP/2 502", "server: nginx", "")])
        await pilot.pause(0.1)
        pane.run_finished(Text("exit 0 · 0.4 s", "bold green"))
        await pilot.pause()

    return run


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_runbook_pane_picture(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    states = {"look/2.1": StepState(checked=True), "fix/3": StepState(checked=True)}
    assert snap_compare(PaneApp(parsed(), states), terminal_size=size, run_before=picture())
