"""The real console with a real engine (podman's Docker-compatible API): the Containers pane
in pane 1, transitions and actions in the timeline, logs in the Logs pane, inspect."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Tab, Tabs

from tests.conftest import wait_for
from tests.docker.conftest import SERVE, Containers, Podman
from tests.helpers.fixed import NO_CLUSTER, FrozenSampler
from tui.app import WarRoomApp
from tui.config import Settings
from tui.kube_session import KubeOptions
from tui.screens.docker_screens import ConfirmContainerScreen, ContainerDetailScreen
from tui.sources.docker.masking import MASK
from tui.sources.docker.rows import PROJECT_LABEL, SERVICE_LABEL
from widgets.containers_pane import ContainersPane
from widgets.logs_pane import LogsPane
from widgets.pods_pane import PodsPane


def records(path: Path, kind: str) -> list[tuple[str, dict[str, Any], str]]:
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT text, data, subject FROM events WHERE kind = ? ORDER BY seq", (kind,)
        )
        return [(text, json.loads(data), subject) for text, data, subject in rows.fetchall()]


@pytest.fixture
def console(
    settings: Settings, make_incident: Callable[..., Path], podman: Podman
) -> Callable[..., WarRoomApp]:
    def make(*, readonly: bool = False, production: tuple[str, ...] = ()) -> WarRoomApp:
        tuned = replace(
            settings,
            docker=replace(settings.docker, host=podman.url, stats_seconds=0.5,
                           production_hosts=production),
            logs=replace(settings.logs, tail_lines=50),
        )  # fmt: skip
        return WarRoomApp(
            tuned, make_incident(), actor="alice@bastion-1", sampler_factory=FrozenSampler,
            kube_options=NO_CLUSTER, readonly=readonly,
        )  # fmt: skip

    return make


def pane(app: WarRoomApp) -> ContainersPane:
    return app.console_screen.query_one(ContainersPane)


def shown(app: WarRoomApp) -> list[str]:
    table = pane(app).containers.table
    column = table.get_column_index("name")
    return [table.get_row_at(i)[column].plain for i in range(table.row_count)]


async def show_containers(pilot: Any, app: WarRoomApp, *names: str) -> None:
    """C puts Containers in pane 1, 1 focuses it; wait until `names` are listed."""
    await pilot.press("C", "1")
    await wait_for(lambda: all(n in shown(app) for n in names), pilot, within=30)
    await wait_for(lambda: pane(app).connected, pilot)


async def select(pilot: Any, app: WarRoomApp, name: str) -> None:
    view = pane(app).containers
    (key,) = [k for k, row in view.rows.items() if row.name == name]
    view.table.select(key)
    await pilot.pause()
    assert pane(app).selected_row is not None and pane(app).selected_row.name == name  # type: ignore[union-attr]


async def test_c_swaps_pane_one_and_a_crash_loop_sorts_first_and_is_recorded_once(
    console, containers: Containers
) -> None:
    app = console()
    healthy = containers.name("api")  # sorts before "db" while both are fine
    crasher = containers.name("db")
    labels = {PROJECT_LABEL: "codex"}
    containers.run("api", SERVE, labels={**labels, SERVICE_LABEL: "api"})
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.console_screen
        assert not app.console_screen.query_one(PodsPane).has_class("-swapped-out")
        await show_containers(pilot, app, healthy)
        assert screen.pane_one == "containers" and screen.active_pane_id == "containers"
        assert app.console_screen.query_one(PodsPane).has_class("-swapped-out")
        assert pane(app).status_text.startswith("live")
        containers.run("db", ["sh", "-c", "echo starting; sleep 0.3; exit 3"],
                       labels={**labels, SERVICE_LABEL: "db"}, restart="always")  # fmt: skip
        await wait_for(lambda: crasher in shown(app), pilot, within=30)
        assert shown(app).index(healthy) < shown(app).index(crasher)
        await wait_for(lambda: shown(app)[:1] == [crasher], pilot, within=30)
        first = next(r for r in pane(app).containers.rows.values() if r.name == crasher)
        assert first.status == "CrashLoop"
        await wait_for(lambda: records(app.db_path, "docker_transition"), pilot, within=30)
        await pilot.pause(3)  # the loop goes on; the record does not grow
        recorded = records(app.db_path, "docker_transition")
        found = [r for r in recorded if r[1]["container"] == crasher]
        assert len(found) == 1
        text, data, subject = found[0]
        assert data["state"] == "crash-looping" and data["project"] == "codex"
        assert data["service"] == "db" and subject.endswith(f"/{crasher}")
        assert crasher in text and "CrashLoop" in text
        await pilot.press("C")
        assert screen.pane_one == "pods" and screen.active_pane_id == "pods"


async def test_restart_confirms_changes_the_container_and_records(
    console, containers: Containers, podman: Podman
) -> None:
    app = console()
    name = containers.name("api")
    container_id = containers.run("api", SERVE)
    before = podman.state(container_id)["StartedAt"]
    async with app.run_test(size=(160, 48)) as pilot:
        await show_containers(pilot, app, name)
        await select(pilot, app, name)
        await pilot.press("r")
        await wait_for(lambda: isinstance(app.screen, ConfirmContainerScreen), pilot)
        assert not app.screen.typed  # type: ignore[attr-defined]
        await pilot.press("y")
        await wait_for(lambda: records(app.db_path, "docker_action"), pilot, within=30)
        assert podman.state(container_id)["StartedAt"] != before
        ((text, data, _),) = records(app.db_path, "docker_action")
        assert data["result"] == "succeeded" and data["action"] == "restart"
        assert data["containers"] == [name] and data["ids"] == [container_id]
        assert text.startswith(f"Restart container {name} on ")


async def test_production_engines_need_the_name_typed(
    console, containers: Containers, podman: Podman
) -> None:
    app = console(production=("*",))
    name = containers.name("api")
    container_id = containers.run("api", SERVE)
    async with app.run_test(size=(160, 48)) as pilot:
        await show_containers(pilot, app, name)
        await select(pilot, app, name)
        await pilot.press("x")
        await wait_for(lambda: isinstance(app.screen, ConfirmContainerScreen), pilot)
        assert app.screen.typed and app.screen.production  # type: ignore[attr-defined]
        await pilot.press("enter")  # nothing typed: not confirmed
        assert isinstance(app.screen, ConfirmContainerScreen)
        await pilot.press(*name, "enter")
        await wait_for(lambda: records(app.db_path, "docker_action"), pilot, within=30)
        assert podman.state(container_id)["Status"] in ("exited", "stopped")
        assert records(app.db_path, "docker_action")[0][1]["result"] == "succeeded"


async def test_readonly_refuses_and_records_the_refusal(
    console, containers: Containers, podman: Podman
) -> None:
    app = console(readonly=True)
    name = containers.name("api")
    container_id = containers.run("api", SERVE)
    before = podman.state(container_id)["StartedAt"]
    async with app.run_test(size=(160, 48)) as pilot:
        await show_containers(pilot, app, name)
        await select(pilot, app, name)
        await pilot.press("K")
        await wait_for(lambda: records(app.db_path, "docker_action"), pilot)
        assert not isinstance(app.screen, ConfirmContainerScreen)
        ((text, data, _),) = records(app.db_path, "docker_action")
        assert data["result"] == "refused" and data["action"] == "kill"
        assert "--readonly" in data["detail"] and "refused" in text
        assert podman.state(container_id)["StartedAt"] == before
        assert podman.state(container_id)["Running"]


async def test_l_shows_the_containers_log_in_the_logs_pane(console, containers: Containers) -> None:
    app = console()
    name = containers.name("talker")
    script = 'i=0; while true; do i=$((i+1)); echo "line $i [red]not markup[/]"; sleep 0.2; done'
    containers.run("talker", ["sh", "-c", script])
    async with app.run_test(size=(160, 48)) as pilot:
        await show_containers(pilot, app, name)
        await select(pilot, app, name)
        await pilot.press("l")
        logs = app.console_screen.query_one(LogsPane)
        await wait_for(lambda: len(list(logs.buffer.lines())) >= 3, pilot, within=30)
        assert app.console_screen.active_pane_id == "logs"
        lines = list(logs.buffer.lines())
        assert lines[0].text.startswith("line ") and "[red]not markup[/]" in lines[0].text
        assert all(line.time is not None for line in lines)  # timestamps parsed
        assert {(line.origin.kind, line.origin.name) for line in lines} == {("container", name)}
        assert name in str(logs.border_title)
        count = len(list(logs.buffer.lines()))
        await wait_for(lambda: len(list(logs.buffer.lines())) > count, pilot)  # followed


async def test_enter_inspects_with_secrets_masked(console, containers: Containers) -> None:
    app = console()
    name = containers.name("db")
    containers.run("db", SERVE, env=["MYSQL_ROOT_PASSWORD=root_pass", "MYSQL_DATABASE=codex",
                                     "DATABASE_URL=mysql://root:root_pass@db/codex"])  # fmt: skip
    async with app.run_test(size=(160, 48)) as pilot:
        await show_containers(pilot, app, name)
        await select(pilot, app, name)
        await pilot.press("enter")
        await wait_for(lambda: isinstance(app.screen, ContainerDetailScreen), pilot, within=15)
        detail = app.screen.detail.text()  # type: ignore[attr-defined]
        assert "root_pass" not in detail
        assert f"MYSQL_ROOT_PASSWORD: {MASK}" in detail and "MYSQL_DATABASE: codex" in detail
        assert f"mysql://root:{MASK}@db/codex" in detail
        assert "trap 'exit 0' TERM" in detail  # the command
        await pilot.press("escape")
        assert not isinstance(app.screen, ContainerDetailScreen)


async def test_with_no_kubeconfig_at_all_pane_one_shows_containers_by_itself(
    settings: Settings, make_incident: Callable[..., Path], podman: Podman, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, containers: Containers,
) -> None:  # fmt: skip
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
    name = containers.name("web")
    containers.run("web", SERVE)
    tuned = replace(settings, docker=replace(settings.docker, host=podman.url))
    app = WarRoomApp(tuned, make_incident(), actor="alice@bastion-1",
                     sampler_factory=FrozenSampler, kube_options=KubeOptions())  # fmt: skip
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(lambda: app.console_screen.pane_one == "containers", pilot, within=30)
        await wait_for(lambda: name in shown(app), pilot, within=30)
        assert app.console_screen.query_one(PodsPane).has_class("-swapped-out")
        await pilot.press("1")
        assert app.console_screen.active_pane_id == "containers"


async def test_on_a_small_terminal_the_first_tab_follows_the_swap(console) -> None:
    app = console()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.console_screen
        assert screen.narrow
        await pilot.press("C", "1")
        await pilot.pause()
        assert [p.id for p in screen.query("Pane") if p.display] == ["containers"]
        tab = screen.query_one("#tab-pods", Tab)
        assert tab.label.plain == "1 Containers"
        assert screen.query_one("#pane-tabs", Tabs).active == "tab-pods"
        await pilot.press("tab")
        assert screen.active_pane_id == "ingress"
        await pilot.press("shift+tab")
        assert screen.active_pane_id == "containers"
        await pilot.press("C")
        await pilot.pause()
        assert [p.id for p in screen.query("Pane") if p.display] == ["pods"]
        assert tab.label.plain == "1 Pods"
