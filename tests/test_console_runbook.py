"""The real console's Runbook pane on the drill cluster: suggestions, checked steps,
commands filled with the selected pod and run with the real kubectl, confirmation,
--readonly, injection, and the checklist surviving a restart."""

from __future__ import annotations

import hashlib
import json
import shlex
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_coroutine, wait_for
from tests.helpers.fixed import NO_CLUSTER, FrozenSampler
from tests.kube.conftest import Drill, start_drill  # noqa: F401
from tests.kube.test_console_kube import options, pane, select_pod, shown_pods
from tui.app import WarRoomApp
from tui.config import Settings
from tui.kube_session import KubeOptions
from tui.runbook.progress import step_data
from tui.runbook_plan import MASK
from tui.screens.runbook_screens import PlaceholderScreen, RunbookPickerScreen, RunConfirmScreen
from tui.sim.resources import PODS
from tui.timeline.model import EventKind
from tui.timeline.store import TimelineStore
from widgets.logs_pane import LogsPane
from widgets.runbook_pane import RunbookPane
from widgets.timeline_pane import TimelinePane

PROD = "wilkenweb-prod"
DESCRIBE = "2-find-the-cause/1"  # kubectl describe pod <pod> -n <namespace>
SECRET = "2-find-the-cause/4"  # kubectl describe secret ${SECRET_NAME} -n <namespace>, …
DELETE = "3-fix/5"  # kubectl delete pod <pod> -n <namespace>
WATCH = "4-verify/1"  # kubectl get pods -n <namespace> -l app=<deployment> -w

TEAM_RUNBOOK = """\
---
title: Team checks
tags: [team]
---
# Team checks

1. Say what you saw.
   ```bash
   echo <message>
   ```
2. Open a shell in the pod.
   ```bash
   kubectl exec -it <pod> -n <namespace> -- sh
   ```
"""


def records(path: Path, kind: str) -> list[tuple[str, dict[str, Any]]]:
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT text, data FROM events WHERE kind = ? ORDER BY seq", (kind,))
        return [(text, json.loads(data)) for text, data in rows.fetchall()]


@pytest.fixture
def incident(make_incident: Callable[..., Path]) -> Path:
    return make_incident()


@pytest.fixture
def console(settings: Settings, incident: Path) -> Callable[..., WarRoomApp]:
    def make(
        kube: KubeOptions = NO_CLUSTER,
        *,
        readonly: bool = False,
        runbook_dirs: tuple = (),
        directories: tuple = (),
    ) -> WarRoomApp:
        tuned = replace(
            settings,
            kube=replace(settings.kube, update_seconds=0.1),
            runbooks=replace(
                settings.runbooks, command_timeout_seconds=30, directories=directories
            ),
            timeline=replace(settings.timeline, poll_seconds=0.2),
        )
        return WarRoomApp(
            tuned, incident, actor="alice@bastion-1", readonly=readonly,
            sampler_factory=FrozenSampler, kube_options=kube, runbook_dirs=runbook_dirs,
        )  # fmt: skip

    return make


def runbook(app: WarRoomApp) -> RunbookPane:
    return app.console_screen.query_one(RunbookPane)


def log_texts(app: WarRoomApp) -> list[str]:
    return [line.text for line in app.console_screen.query_one(LogsPane).buffer.lines()]


def timeline_texts(app: WarRoomApp) -> list[str]:
    table = app.console_screen.query_one(TimelinePane).table
    return [table.get_row_at(i)[3].plain for i in range(table.row_count)]


async def open_runbook(pilot: Any, app: WarRoomApp, query: str = "") -> RunbookPickerScreen:
    """Focus the Runbook pane, press o, type `query`, Enter: the picker as it was offered."""
    await wait_for(lambda: runbook(app).status_text != "", pilot)
    await wait_for(lambda: app.runbook_flow.loaded.is_set(), pilot)
    await pilot.press("5", "o")
    await wait_for(lambda: isinstance(app.screen, RunbookPickerScreen), pilot)
    picker = app.screen
    assert isinstance(picker, RunbookPickerScreen)
    offered = list(picker.shown)
    if query:
        await pilot.press(*query)
    await pilot.press("enter")
    await wait_for(lambda: runbook(app).runbook is not None, pilot)
    picker.shown = offered  # what was offered before typing, for the caller's asserts
    return picker


async def goto(pilot: Any, app: WarRoomApp, row_id: str) -> None:
    """Move the checklist's cursor to a row with the arrow keys, as an operator would."""
    for _ in range(200):
        pane_ = runbook(app)
        row = pane_.current_row
        if row is not None and row.id == row_id:
            return
        ids = [r.id for r in pane_.rows]
        assert row is not None and row_id in ids, f"no row {row_id}"
        await pilot.press("down" if ids.index(row_id) > ids.index(row.id) else "up")
    raise AssertionError(f"cannot reach {row_id}")


async def run_step(pilot: Any, app: WarRoomApp, step_id: str) -> RunConfirmScreen:
    """x on a step with one command: the confirmation, as shown."""
    await goto(pilot, app, f"step:{step_id}")
    await pilot.press("x")
    await wait_for(lambda: isinstance(app.screen, RunConfirmScreen), pilot)
    assert isinstance(app.screen, RunConfirmScreen)
    return app.screen


async def crash_looping(pilot: Any, app: WarRoomApp) -> Any:
    await wait_for(lambda: "CrashLoopBackOff" in shown_pods(app).values(), pilot, within=30)
    await select_pod(pilot, app, "app-")
    pod = pane(app).selected_row
    assert pod.status == "CrashLoopBackOff"
    return pod


async def test_crashloop_runbook_is_offered_first_and_runs_on_the_selected_pod(
    start_drill,  # noqa: F811
    console,
) -> None:
    drill: Drill = start_drill("site-down")
    app = console(options(drill))
    async with app.run_test(size=(160, 48)) as pilot:
        pod = await crash_looping(pilot, app)
        picker = await open_runbook(pilot, app)
        assert picker.shown[0].name == "crashloopbackoff.md"
        assert picker.suggestions[0].runbook.name == "crashloopbackoff.md"
        assert "pod_status CrashLoopBackOff" in picker.suggestions[0].matched
        assert runbook(app).runbook.name == "crashloopbackoff.md"

        confirm = await run_step(pilot, app, DESCRIBE)
        expected = f"kubectl --context=warroom-drill describe pod {pod.name} -n {PROD}"
        assert confirm.plan.shown == confirm.plan.command == expected
        assert confirm.plan.confirm_word is None  # a read: one key
        await pilot.press("enter")

        await wait_for(lambda: records(app.db_path, "runbook_run"), pilot, within=30)
        text, data = records(app.db_path, "runbook_run")[0]
        assert data["exit_code"] == 0, data["output"]
        assert data["result"] == "ran"
        assert (data["context"], data["namespace"]) == ("warroom-drill", PROD)
        assert data["command"] == expected and data["step_id"] == DESCRIBE
        assert data["step_text"] == "Read the exit code and reason of the last crash."
        assert not data["output_cut"]
        assert data["output_sha256"] == hashlib.sha256(data["output"].encode()).hexdigest()
        assert "Name:" in data["output"] and pod.name in data["output"]
        assert "Back-off restarting failed container app" in data["output"]
        assert text.startswith(f"Ran `{expected}` on warroom-drill: exit 0")

        # The output in the pane and in the Logs pane, as kubectl printed it.
        await wait_for(lambda: any(pod.name in line for line in runbook(app).output.lines), pilot)
        printed = data["output"].splitlines()
        assert runbook(app).output.lines[: len(printed)] == printed
        await wait_for(lambda: log_texts(app)[: len(printed)] == printed, pilot)
        assert app.console_screen.query_one(LogsPane).title_text == f"$ {expected}"
        assert "exit 0" in runbook(app).output.header_text

        # space records the step, with its text, and the pane shows it checked.
        await pilot.press("space")
        await wait_for(lambda: records(app.db_path, "runbook_step"), pilot)
        text, data = records(app.db_path, "runbook_step")[0]
        assert data["checked"] is True and data["step_id"] == DESCRIBE
        assert data["runbook_title"] == "Pod in CrashLoopBackOff"
        assert text == (
            "Checked step 1: Read the exit code and reason of the last crash."
            " (Pod in CrashLoopBackOff)"
        )
        assert runbook(app).states[DESCRIBE].checked
        assert runbook(app).states[DESCRIBE].last_run.exit_code == 0
        await wait_for(lambda: any("Checked step 1" in t for t in timeline_texts(app)), pilot)
        assert any("Ran `kubectl" in t for t in timeline_texts(app)), timeline_texts(app)


async def test_a_dangerous_command_needs_the_pod_name_typed(start_drill, console) -> None:  # noqa: F811
    drill: Drill = start_drill("site-down")
    app = console(options(drill))
    async with app.run_test(size=(160, 48)) as pilot:
        pod = await crash_looping(pilot, app)
        await open_runbook(pilot, app, "crashloop")
        confirm = await run_step(pilot, app, DELETE)
        assert confirm.plan.danger.dangerous
        assert confirm.plan.confirm_word == pod.name
        await pilot.press("enter")  # nothing typed: not confirmed
        assert app.screen is confirm
        await pilot.press(*pod.name, "enter")
        await wait_for(lambda: records(app.db_path, "runbook_run"), pilot, within=30)
        _, data = records(app.db_path, "runbook_run")[0]
        assert data["exit_code"] == 0, data["output"]
        assert data["danger"] == "dangerous" and data["result"] == "ran"
        assert f'pod "{pod.name}" deleted' in data["output"]
        await wait_for(lambda: drill.call(drill.cluster.store.find, PODS, PROD, pod.name) is None,
                       pilot, within=30)  # fmt: skip

        # Declining is recorded too, and nothing runs.
        await select_pod(pilot, app, "app-")
        await pilot.press("5", "x")
        await wait_for(lambda: isinstance(app.screen, RunConfirmScreen), pilot)
        await pilot.press("escape")
        await wait_for(lambda: len(records(app.db_path, "runbook_run")) == 2, pilot)
        text, data = records(app.db_path, "runbook_run")[1]
        assert data["result"] == "cancelled" and data["exit_code"] is None
        assert text.startswith("Did not run `kubectl --context=warroom-drill delete pod")


async def test_readonly_refuses_changes_and_records_the_refusal(start_drill, console) -> None:  # noqa: F811
    drill: Drill = start_drill("site-down")
    app = console(options(drill), readonly=True)
    async with app.run_test(size=(160, 48)) as pilot:
        pod = await crash_looping(pilot, app)
        await open_runbook(pilot, app, "crashloop")
        await goto(pilot, app, f"step:{DELETE}")
        await pilot.press("x")
        await wait_for(lambda: records(app.db_path, "runbook_run"), pilot)
        assert not isinstance(app.screen, RunConfirmScreen)
        text, data = records(app.db_path, "runbook_run")[0]
        assert data["result"] == "refused" and data["exit_code"] is None
        assert "--readonly" in data["error"]
        assert data["command"] == f"kubectl --context=warroom-drill delete pod {pod.name} -n {PROD}"
        assert text.startswith("Refused to run `kubectl")
        assert drill.call(drill.cluster.store.find, PODS, PROD, pod.name) is not None
        # The refusal is not a run of the step.
        assert DELETE not in runbook(app).states or not runbook(app).states[DELETE].runs

        # Reading still works under --readonly.
        await run_step(pilot, app, DESCRIBE)
        await pilot.press("enter")
        await wait_for(lambda: len(records(app.db_path, "runbook_run")) == 2, pilot, within=30)
        assert records(app.db_path, "runbook_run")[1][1]["exit_code"] == 0


async def test_a_typed_value_is_one_argument_and_secrets_are_masked(
    start_drill,  # noqa: F811
    console,
    tmp_path: Path,
) -> None:
    drill: Drill = start_drill("site-down")
    pwned = tmp_path / "pwned"
    value = f"x; touch {pwned}"
    app = console(options(drill))
    async with app.run_test(size=(160, 48)) as pilot:
        await crash_looping(pilot, app)
        await open_runbook(pilot, app, "crashloop")
        await goto(pilot, app, f"step:{SECRET}")
        await pilot.press("x")  # three commands: the first is chosen
        row = runbook(app).current_row
        assert row.kind == "command" and "describe secret" in row.line.text
        await pilot.press("x")
        await wait_for(lambda: isinstance(app.screen, PlaceholderScreen), pilot)
        field = app.screen.query_one("#value-0")
        assert field.password  # SECRET_NAME: typed without echo
        await pilot.press(*value, "enter")
        await wait_for(lambda: isinstance(app.screen, RunConfirmScreen), pilot)
        plan = app.screen.plan
        assert shlex.quote(value) in plan.command
        assert value not in plan.shown and MASK in plan.shown
        await pilot.press("enter")
        await wait_for(lambda: records(app.db_path, "runbook_run"), pilot, within=30)
        _, data = records(app.db_path, "runbook_run")[0]
        assert data["exit_code"] != 0  # no such secret: kubectl says so
        assert value not in json.dumps(data)
        assert not pwned.exists()


async def test_team_runbooks_a_typed_value_echoed_and_an_interactive_command(
    start_drill,  # noqa: F811
    console,
    tmp_path: Path,
) -> None:
    drill: Drill = start_drill("site-down")
    team = tmp_path / "team-runbooks"
    team.mkdir()
    (team / "team.md").write_text(TEAM_RUNBOOK)
    pwned = tmp_path / "pwned"
    value = f"x; touch {pwned} $(touch {pwned}) `touch {pwned}` [red]not markup[/]"
    app = console(options(drill), runbook_dirs=(team,))
    async with app.run_test(size=(160, 48)) as pilot:
        pod = await crash_looping(pilot, app)
        await open_runbook(pilot, app, "team")
        assert runbook(app).runbook.title == "Team checks"
        await goto(pilot, app, "step:team-checks/1")
        await pilot.press("x")
        await wait_for(lambda: isinstance(app.screen, PlaceholderScreen), pilot)
        assert not app.screen.query_one("#value-0").password
        await pilot.press(*value, "enter")
        await wait_for(lambda: isinstance(app.screen, RunConfirmScreen), pilot)
        assert app.screen.plan.shown == f"echo {shlex.quote(value)}"
        await pilot.press("enter")
        await wait_for(lambda: records(app.db_path, "runbook_run"), pilot, within=30)
        _, data = records(app.db_path, "runbook_run")[0]
        assert data["exit_code"] == 0 and data["output"] == value + "\n"
        await wait_for(lambda: runbook(app).output.lines[:1] == [value], pilot)
        assert not pwned.exists()

        # An interactive command needs the terminal, which a headless console cannot give.
        await goto(pilot, app, "step:team-checks/2")
        await pilot.press("x")
        await wait_for(lambda: isinstance(app.screen, RunConfirmScreen), pilot)
        assert app.screen.plan.interactive
        assert pod.name in app.screen.plan.shown
        await pilot.press("enter")
        await wait_for(lambda: len(records(app.db_path, "runbook_run")) == 2, pilot)
        _, data = records(app.db_path, "runbook_run")[1]
        assert data["result"] == "failed" and data["interactive"] is True
        assert "cannot hand its terminal over" in data["error"]


async def test_c_stops_a_command_that_runs_until_stopped(start_drill, console) -> None:  # noqa: F811
    drill: Drill = start_drill("site-down")
    app = console(options(drill))
    async with app.run_test(size=(160, 48)) as pilot:
        await crash_looping(pilot, app)
        await open_runbook(pilot, app, "crashloop")
        confirm = await run_step(pilot, app, WATCH)
        assert confirm.plan.danger.streaming
        assert "-l app=app -w" in confirm.plan.command
        await pilot.press("enter")
        await wait_for(lambda: any("app-" in line for line in runbook(app).output.lines), pilot,
                       within=30)  # fmt: skip
        assert runbook(app).output.running
        await pilot.press("c")
        await wait_for(lambda: records(app.db_path, "runbook_run"), pilot, within=10)
        _, data = records(app.db_path, "runbook_run")[0]
        assert data["cancelled"] is True and data["timed_out"] is False
        assert not runbook(app).output.running
        assert "stopped by you" in runbook(app).output.header_text


async def test_checked_steps_survive_a_restart_of_the_console(console) -> None:
    first = console()
    async with first.run_test(size=(80, 24)) as pilot:
        await open_runbook(pilot, first, "crashloop")
        assert runbook(first).current_row.id == "step:1-confirm-the-symptom/1"
        await pilot.press("space", "down", "space")
        await wait_for(lambda: len(records(first.db_path, "runbook_step")) == 2, pilot)
        await pilot.press("space")  # and unchecked again: the latest record wins
        await wait_for(lambda: len(records(first.db_path, "runbook_step")) == 3, pilot)

    second = console()
    async with second.run_test(size=(80, 24)) as pilot:
        # The runbook this incident used comes back by itself, as it was left.
        await wait_for(lambda: runbook(second).runbook is not None, pilot)
        pane_ = runbook(second)
        assert pane_.runbook.name == "crashloopbackoff.md"
        assert pane_.states["1-confirm-the-symptom/1"].checked
        assert not pane_.states["1-confirm-the-symptom/2"].checked
        assert pane_.checked_count == 1
        assert pane_.status_text == "1/28 checked"
        # The cursor waits on the first step not checked yet.
        assert pane_.current_row.id == "step:1-confirm-the-symptom/2"


async def test_a_step_checked_in_another_console_shows_up(console, incident: Path) -> None:
    app = console()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_runbook(pilot, app, "crashloop")
        opened = runbook(app).runbook
        step = opened.step("2-find-the-cause/3")

        async def colleague() -> None:  # another console on the same incident file
            store = await TimelineStore.open(incident)
            await store.append(EventKind.RUNBOOK_STEP, "Checked step 3", actor="bob@bastion-1",
                               data=step_data(opened, step, True), source="runbook")  # fmt: skip
            await store.close()

        run_coroutine(colleague())
        await wait_for(lambda: runbook(app).checked_count == 1, pilot)
        assert runbook(app).states["2-find-the-cause/3"].checked


async def test_the_teams_directory_replaces_a_bundled_runbook_of_the_same_name(
    console, tmp_path: Path
) -> None:
    team = tmp_path / "ours"
    team.mkdir()
    (team / "crashloopbackoff.md").write_text("# Our crash loop\n\n1. Call Bob.\n")
    app = console(directories=(str(team),))
    async with app.run_test(size=(80, 24)) as pilot:
        picker = await open_runbook(pilot, app, "crash loop")
        assert runbook(app).runbook.title == "Our crash loop"
        assert [r.title for r in picker.shown].count("Pod in CrashLoopBackOff") == 0
        assert [row.id for row in runbook(app).rows] == [
            "section:our-crash-loop",
            "step:our-crash-loop/1",
        ]
