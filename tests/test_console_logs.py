"""The real console's Logs pane: pods and deployments of a drill cluster, files,
evidence in the timeline, saving the buffer."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import wait_for
from tests.helpers.fixed import NO_CLUSTER, FrozenSampler
from tests.kube.conftest import Drill, start_drill  # noqa: F401
from tests.kube.test_console_kube import options, pane, select_pod
from tui.app import WarRoomApp
from tui.config import Settings
from tui.kube_session import KubeOptions
from tui.screens.dialogs import NoteDialog
from widgets.logs_pane import LogsPane


def records(path: Path, kind: str) -> list[tuple[str, dict, int]]:
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT text, data, pinned FROM events WHERE kind = ? ORDER BY seq", (kind,)
        )
        return [(text, json.loads(data), pinned) for text, data, pinned in rows.fetchall()]


@pytest.fixture
def console(settings: Settings, make_incident: Callable[..., Path]) -> Callable[..., WarRoomApp]:
    def make(kube: KubeOptions = NO_CLUSTER, log_files: tuple[Path, ...] = ()) -> WarRoomApp:
        tuned = replace(
            settings,
            kube=replace(settings.kube, update_seconds=0.1),
            logs=replace(settings.logs, tail_lines=50),
        )
        return WarRoomApp(
            tuned, make_incident(), actor="alice@bastion-1", sampler_factory=FrozenSampler,
            kube_options=kube, log_files=log_files,
        )  # fmt: skip

    return make


def logs(app: WarRoomApp) -> LogsPane:
    return app.console_screen.query_one(LogsPane)


def texts(app: WarRoomApp) -> list[str]:
    return [line.text for line in logs(app).buffer.lines()]


async def test_l_on_a_pod_follows_its_logs_and_m_pins_a_line(start_drill, console) -> None:  # noqa: F811
    drill: Drill = start_drill("site-down")
    app = console(options(drill))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(lambda: len(pane(app).pods.rows) > 0, pilot, within=30)
        await select_pod(pilot, app, "app-")
        pod = pane(app).selected_row
        await pilot.press("l")
        await wait_for(lambda: len(texts(app)) > 0, pilot, within=30)
        assert app.console_screen.active_pane_id == "logs"
        assert pod.name in str(logs(app).border_title)
        origins = {line.origin for line in logs(app).buffer.lines()}
        assert {(o.kind, o.name, o.namespace) for o in origins} == {
            ("pod", pod.name, pod.namespace)
        }
        # Cross-check with kubectl: the pane shows what the API serves.
        served = drill.kubectl("logs", pod.name, "-n", pod.namespace, "--tail=50").stdout
        assert texts(app)[0] in served

        await pilot.press("m")
        await wait_for(lambda: records(app.db_path, "log_evidence"), pilot)
        text, data, pinned = records(app.db_path, "log_evidence")[0]
        assert pinned == 1
        assert data["origins"][0]["name"] == pod.name
        assert data["origins"][0]["context"] == "warroom-drill"
        assert data["lines"][0]["text"] in served
        assert pod.name in text


async def test_p_shows_the_previous_container_of_a_crash_looping_pod(start_drill, console) -> None:  # noqa: F811
    drill: Drill = start_drill("site-down")
    app = console(options(drill))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(
            lambda: any(r.restarts > 0 for r in pane(app).pods.rows.values()), pilot, within=30
        )
        await select_pod(pilot, app, "app-")
        pod = pane(app).selected_row
        assert pod.status == "CrashLoopBackOff"
        await pilot.press("p")
        await wait_for(lambda: len(texts(app)) > 0, pilot, within=30)
        assert all(line.origin.previous for line in logs(app).buffer.lines())
        previous = drill.kubectl("logs", pod.name, "-n", pod.namespace, "--previous").stdout
        assert texts(app)[-1] in previous


async def test_l_on_a_deployment_merges_its_pods_in_time_order(start_drill, console) -> None:  # noqa: F811
    drill: Drill = start_drill("healthy")
    app = console(options(drill))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(lambda: len(pane(app).pods.rows) > 0, pilot, within=30)
        await pilot.press("1", "v", "v")  # pods → events → workloads
        await wait_for(lambda: pane(app).view == "workloads", pilot)
        for _ in range(50):
            row = pane(app).selected_row
            if row is not None and getattr(row, "desired", 0) >= 2:
                break
            await pilot.press("down")
        deployment = pane(app).selected_row
        assert deployment.desired >= 2
        await pilot.press("l")
        await wait_for(
            lambda: len({line.origin.name for line in logs(app).buffer.lines()}) >= 2,
            pilot,
            within=30,
        )
        lines = list(logs(app).buffer.lines())
        assert all(line.origin.name.startswith(deployment.name) for line in lines)
        stamps = [line.time for line in lines if line.time is not None]
        assert stamps == sorted(stamps)


async def test_log_file_flag_follows_a_file_and_ctrl_s_saves_the_buffer(
    console, tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    log.write_text("2026-11-22 10:00:00,000 INFO started\n")
    app = console(log_files=(log,))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(lambda: texts(app) == ["2026-11-22 10:00:00,000 INFO started"], pilot)
        with log.open("a") as out:
            out.write("2026-11-22 10:00:01,000 ERROR [red]not markup[/] payment failed\n")
        await wait_for(lambda: len(texts(app)) == 2, pilot)
        assert logs(app).buffer.get(logs(app).buffer.last_seq).level.name == "ERROR"
        assert "app.log" in str(logs(app).border_title)
        # logrotate's rename-and-create: the new file is followed.
        log.rename(tmp_path / "app.log.1")
        log.write_text("2026-11-22 10:00:02,000 WARN after rotation\n")
        await wait_for(lambda: texts(app)[-1].endswith("WARN after rotation"), pilot)
        assert len(texts(app)) == 3

        await pilot.press("4", "ctrl+s")
        await wait_for(lambda: isinstance(app.screen, NoteDialog), pilot)
        target = tmp_path / "saved" / "buffer.log"
        field = app.screen.query_one("#note-text")
        field.value = str(target)
        await pilot.press("enter")
        await wait_for(lambda: records(app.db_path, "log_saved"), pilot)
        saved = target.read_text().splitlines()
        assert saved[1].endswith("ERROR [red]not markup[/] payment failed")
        _, data, _ = records(app.db_path, "log_saved")[0]
        assert data["lines"] == 3 and data["path"] == str(target)

        # Never over an existing file: the operator is told, nothing is recorded.
        await pilot.press("ctrl+s")
        await wait_for(lambda: isinstance(app.screen, NoteDialog), pilot)
        app.screen.query_one("#note-text").value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert len(records(app.db_path, "log_saved")) == 1
