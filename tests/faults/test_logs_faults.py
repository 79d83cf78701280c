"""The Logs pane following a pod while the drill's API server restarts: it says
reconnecting, comes back live by itself, and the lines after the restart continue
the log exactly (none missing, none doubled), compared with what kubectl serves."""

from __future__ import annotations

from tests.conftest import wait_for
from tests.faults.conftest import add_note, notes, pods_live_and_complete
from tests.kube.test_console_kube import pane, select_pod
from tests.logs.test_log_sources import assert_exactly_the_log
from tests.sim.conftest import Drill
from tui.app import WarRoomApp
from widgets.logs_pane import LogsPane


def logs(app: WarRoomApp) -> LogsPane:
    return app.console_screen.query_one(LogsPane)


async def test_api_server_restart_mid_log(drill: Drill, console) -> None:
    app = console(drill)
    async with app.run_test(size=(160, 48)) as pilot:
        await pods_live_and_complete(pilot, app, drill)
        await select_pod(pilot, app, "app-")
        pod = pane(app).selected_row
        await pilot.press("l")
        await wait_for(lambda: len(logs(app).buffer.lines()) >= 3, pilot, within=30)
        await wait_for(lambda: logs(app).status_text.startswith("live"), pilot)
        drill.call(drill.cluster.schedule_restart, 3.0)
        await wait_for(lambda: "reconnecting" in logs(app).status_text, pilot, within=20)
        await add_note(pilot, app, "api server restarting while following app logs")
        await wait_for(lambda: logs(app).status_text.startswith("live"), pilot, within=60)
        count = len(logs(app).buffer.lines())
        await wait_for(lambda: len(logs(app).buffer.lines()) >= count + 3, pilot, within=30)
        lines = logs(app).buffer.lines()
        assert {(line.origin.namespace, line.origin.name) for line in lines} == {
            (pod.namespace, pod.name)
        }
        assert_exactly_the_log(drill, pod.namespace, pod.name, lines)
        assert "api server restarting while following app logs" in notes(app.db_path)
