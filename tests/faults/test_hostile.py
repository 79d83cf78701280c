"""Every pane of the real console fed the shared hostile set (tests/helpers/hostile.py):
markup shown literally and never acted on, escapes, bidi overrides, NULs, 1 MB lines
and invalid UTF-8 never reaching the terminal, and the console still answering keys."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from tests.conftest import wait_for
from tests.docker.test_console_docker import pane, select, show_containers
from tests.faults.conftest import add_note, started
from tests.faults.test_kube_faults import bare_pod
from tests.helpers.cli import ROOT
from tests.helpers.edge_objects import ingress
from tests.helpers.fixed import FrozenSampler, frozen_sample
from tests.helpers.hostile import (
    CLICK,
    LINES,
    LITERAL,
    MARKUP,
    UNCLOSED,
    assert_drawn_safely,
    log_bytes,
    short_names,
)
from tests.test_console_runbook import open_runbook, records, runbook
from tui.screens.runbook_screens import RunConfirmScreen
from tui.sim.resources import EVENTS, INGRESSES, PODS
from tui.sources.docker.rows import PROJECT_LABEL, SERVICE_LABEL
from tui.sources.host_rows import ProcessRow
from widgets.logs_pane import LogsPane
from widgets.pods_pane import PodsPane
from widgets.timeline_pane import TimelinePane


async def zoom(pilot, number: int) -> None:  # type: ignore[no-untyped-def]
    """Focus pane `number` and zoom it to the whole screen, so long text is visible."""
    await pilot.press(str(number), "z")
    await pilot.pause()


async def test_logs_pane_shows_a_hostile_log_file_safely(console, tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_bytes(log_bytes())
    app = console(log_files=(log,))
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        pane = app.console_screen.query_one(LogsPane)
        await wait_for(lambda: len(pane.buffer.lines()) == len(LINES) + 2, pilot)
        await zoom(pilot, 4)
        shown = assert_drawn_safely(app, *LITERAL)
        assert "bad \ufffd\ufffd utf8" in shown  # invalid UTF-8 replaced, the line kept
        assert any(line.text.startswith("HHHH") and len(line.text) < 1_000_000
                   for line in pane.buffer.lines())  # fmt: skip
        await add_note(pilot, app, "after the hostile log")


def note_from_stdin(path: Path, text: str) -> None:
    """`warroom note -` in another process: a note as another operator's script sends it."""
    result = subprocess.run(
        [sys.executable, "-m", "tui", "note", "--db", str(path), "-"], input=text.encode(),
        cwd=ROOT, capture_output=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


async def test_timeline_pane_shows_hostile_notes_safely(console) -> None:
    app = console()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        hostile = [*LINES.values(), "H" * 100_000]
        for text in hostile:
            await asyncio.to_thread(note_from_stdin, app.db_path, text)
        table = app.console_screen.query_one(TimelinePane).table
        await wait_for(lambda: table.row_count >= len(hostile) + 1, pilot)
        await zoom(pilot, 6)
        assert_drawn_safely(app, MARKUP, CLICK, UNCLOSED)
        await pilot.press("enter")  # the whole event, with its data
        await pilot.pause()
        assert_drawn_safely(app)
        await pilot.press("escape")
        await add_note(pilot, app, "after the hostile notes")


async def test_host_pane_shows_hostile_process_names_safely(console, settings) -> None:
    names = short_names()
    rows = tuple(ProcessRow(100 + n, name, f"user{name}", 50.0 - n, 1.0, 1024**2)
                 for n, name in enumerate(names))  # fmt: skip
    sample = replace(frozen_sample(), top_cpu=rows, top_memory=rows, hostname=MARKUP)
    app = console(sampler_factory=lambda: FrozenSampler(sample))
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        await zoom(pilot, 3)
        await wait_for(lambda: CLICK in str(app.export_screenshot()), pilot)
        assert_drawn_safely(app, MARKUP, CLICK)
        await add_note(pilot, app, "after the hostile processes")


# Prints every hostile kind, invalid UTF-8, then a 1 MB line.
HOSTILE_COMMAND = (
    "printf 'out [red]x[/] [@click=app.quit]quit[/] \\033[31mred\\033[0m \\033]0;pwn\\007"
    " nul\\000 \\342\\200\\256rtl\\n\\377\\376 bad\\n';"
    " head -c 1000000 /dev/zero | tr '\\0' H"
)
HOSTILE_RUNBOOK = f"""\
---
title: Hostile [red]x[/] checks
tags: [hostile]
---
# Hostile [red]x[/] checks

1. Read [@click=app.quit]quit[/] and \x1b[31mred\x1b[0m \x1b]0;pwned\x07 and abc\u202edef.
   ```bash
   {HOSTILE_COMMAND}
   ```
"""


async def test_runbook_pane_shows_hostile_text_and_command_output_safely(
    console, tmp_path: Path
) -> None:

    folder = tmp_path / "runbooks"
    folder.mkdir()
    (folder / "hostile.md").write_text(HOSTILE_RUNBOOK)
    app = console(runbook_dirs=(folder,))
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        await open_runbook(pilot, app, "hostile")
        pane = runbook(app)
        step = next(row for row in pane.rows if row.id.startswith("step:"))
        while pane.current_row is None or pane.current_row.id != step.id:
            await pilot.press("down")
        await pilot.press("z")
        assert_drawn_safely(app, MARKUP, CLICK)
        await pilot.press("x")
        await wait_for(lambda: isinstance(app.screen, RunConfirmScreen), pilot)
        assert_drawn_safely(app)
        await pilot.press("enter")
        await wait_for(lambda: records(app.db_path, "runbook_run"), pilot, within=30)
        await wait_for(lambda: len(pane.output.lines) >= 3, pilot)
        shown = assert_drawn_safely(app, f"out {MARKUP} {CLICK}")
        assert "\ufffd\ufffd bad" in shown
        assert all(len(line) < 1_000_000 for line in pane.output.lines)
        await add_note(pilot, app, "after the hostile runbook")


def hostile_event(number: int, involved: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"hostile-{number}", "namespace": "default"},
        "involvedObject": {"kind": "Pod", "name": involved, "namespace": "default"},
        "reason": CLICK,
        "message": f"{MARKUP} {LINES['ansi']} {LINES['osc']} {LINES['bidi']} {LINES['nul']}",
        "type": "Warning",
        "count": 1,
        "lastTimestamp": "2026-11-22T14:35:00Z",
    }


async def test_pods_and_ingress_panes_show_hostile_objects_safely(drill, console) -> None:

    names = short_names()
    for name in names:
        drill.call(drill.cluster.store.create, PODS, bare_pod(name))
    drill.call(drill.cluster.store.create, EVENTS, hostile_event(1, MARKUP))
    evil = ingress(MARKUP, "default", rules={"x\x1b[2J.evil.example": [("/", CLICK, 80)]})
    drill.call(drill.cluster.store.create, INGRESSES, evil)
    app = console(drill)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await started(pilot, app)
            pods = app.console_screen.query_one(PodsPane)
            await wait_for(lambda: set(names) <= {r.name for r in pods.pods.rows.values()},
                           pilot, within=30)  # fmt: skip
            await zoom(pilot, 1)
            await pilot.pause()
            assert_drawn_safely(app, MARKUP, CLICK)
            await pilot.press("v")  # events
            await wait_for(lambda: pods.view == "events", pilot)
            await pilot.pause(0.5)
            assert_drawn_safely(app, CLICK)
            await pilot.press("z", "2", "z")
            await wait_for(lambda: MARKUP in str(app.export_screenshot()), pilot, within=30)
            assert_drawn_safely(app, MARKUP)
            await add_note(pilot, app, "after the hostile objects")
    finally:
        for name in names:
            drill.call(drill.cluster.store.remove, PODS, "default", name)
        drill.call(drill.cluster.store.remove, EVENTS, "default", "hostile-1")
        drill.call(drill.cluster.store.remove, INGRESSES, "default", MARKUP)


async def test_containers_pane_shows_hostile_labels_and_logs_safely(
    console, settings, podman, containers
) -> None:

    # Container names are checked by the engine; labels and output are anything.
    printed = "\\n".join(
        text.replace("\\", "\\\\").replace("'", "'\\''").replace("%", "%%")
        for text in (LINES["markup"], LINES["click"])
    )
    script = (
        f"printf '{printed}\\n\\033[31mred\\033]0;pwn\\007 nul\\000 \\342\\200\\256rtl\\n"
        "\\377\\376 bad\\n'; trap 'exit 0' TERM; while :; do sleep 0.2; done"
    )
    name = containers.name("hostile")
    containers.run("hostile", ["sh", "-c", script],
                   labels={PROJECT_LABEL: MARKUP, SERVICE_LABEL: f"{CLICK}\x1b[2J"})  # fmt: skip
    app = console(tuned={"docker": replace(settings.docker, host=podman.url)})
    async with app.run_test(size=(160, 48)) as pilot:
        await show_containers(pilot, app, name)
        await zoom(pilot, 1)
        assert_drawn_safely(app, MARKUP)
        await select(pilot, app, name)
        await pilot.press("l")
        logs = app.console_screen.query_one(LogsPane)
        await wait_for(lambda: len(logs.buffer.lines()) >= 4, pilot, within=30)
        await pilot.press("z", "4", "z")
        shown = assert_drawn_safely(app, MARKUP, CLICK, UNCLOSED)
        assert "\ufffd\ufffd bad" in shown
        assert pane(app).status_text.startswith("live")
        await add_note(pilot, app, "after the hostile container")
