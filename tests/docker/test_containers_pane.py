"""The Containers pane alone: what it shows for the rows a `DockerUpdated` carries, and what
it asks the app for. Rows are built from inspect documents shaped as engines send them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual.app import App, ComposeResult
from textual.message import Message

from tests.docker.test_rows import inspect
from tests.helpers.fixed import FixedClock
from tui.docker_messages import DockerUpdated
from tui.sources.docker.actions import KILL, RESTART, SERVICE_RESTART, START, STOP
from tui.sources.docker.engine import EngineInfo
from tui.sources.docker.model import DockerDelta, EngineStatus
from tui.sources.docker.rows import ContainerRow, row_from_inspect
from tui.sources.docker.stats import Usage
from widgets.container_requests import (
    ContainerActionRequested,
    ContainerInspectRequested,
    ContainerLogsRequested,
)
from widgets.containers_pane import ContainersPane
from widgets.key_bar import KeyBar

ENGINE = EngineInfo("unix:///run/podman/podman.sock", "podman socket", "Podman Engine", "4.3.1",
                    "1.41", "compose-1")  # fmt: skip
LIVE = EngineStatus("live", ENGINE.describe(), engine=ENGINE)


def make_row(
    name: str,
    project: str = "",
    service: str = "",
    *,
    usage: Usage | None = None,
    restarts: int = 0,
    **state: Any,
) -> ContainerRow:
    attrs = inspect(**state)
    attrs["RestartCount"] = restarts
    attrs["Id"] = f"{name}-id"
    attrs["Name"] = f"/{name}"
    attrs["Config"]["Image"] = f"registry.local/{service or name}:1.0"
    labels = {"com.docker.compose.project": project, "com.docker.compose.service": service}
    attrs["Config"]["Labels"] = labels if project else {}
    return replace(row_from_inspect(attrs), usage=usage)


def usage(cpu: float, memory_mib: int) -> Usage:
    return Usage(cpu, memory_mib * 1024**2, 256 * 1024**2, 1_500_000, 300_000, 8192, 4096, 3)


def incident_rows() -> list[ContainerRow]:
    """The seed's compose host mid-incident: the database crash-loops, nginx is unhealthy."""
    return [
        make_row("codex-web", "codex", "web", usage=usage(12.5, 180)),
        make_row("codex-api", "codex", "api", usage=usage(3.2, 96)),
        make_row("codex-db", "codex", "db", usage=usage(0.0, 40), restarts=7)
        .with_crash_loop(True),
        make_row("codex-nginx", "codex", "nginx", usage=usage(0.4, 12), Health="unhealthy"),
        make_row("codex-redis", "codex", "redis", Status="exited", Running=False, ExitCode=137,
                 OOMKilled=True),
        make_row("backup-job", Status="exited", Running=False, ExitCode=0),
        make_row("[red]x[/]", usage=usage(0.1, 1)),
    ]  # fmt: skip


class PaneApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.clock = FixedClock()
        self.requests: list[Message] = []

    def compose(self) -> ComposeResult:
        yield ContainersPane(1, clock=self.clock, flush_seconds=0.0)
        yield KeyBar()

    @property
    def pane(self) -> ContainersPane:
        return self.query_one(ContainersPane)

    def on_mount(self) -> None:
        self.pane.focus_target.focus()

    def on_container_action_requested(self, message: ContainerActionRequested) -> None:
        self.requests.append(message)

    def on_container_inspect_requested(self, message: ContainerInspectRequested) -> None:
        self.requests.append(message)

    def on_container_logs_requested(self, message: ContainerLogsRequested) -> None:
        self.requests.append(message)


async def feed(pilot: Any, delta: DockerDelta) -> None:
    pilot.app.pane.post_message(DockerUpdated(delta))
    await pilot.pause()
    await pilot.pause()


async def started(pilot: Any, rows: list[ContainerRow] | None = None) -> None:
    rows = incident_rows() if rows is None else rows
    await feed(pilot, DockerDelta(updated={r.id: r for r in rows}, status=LIVE))
    pilot.app.pane.focus_target.focus()
    await pilot.pause()


def names(pane: ContainersPane) -> list[str]:
    table = pane.containers.table
    column = table.get_column_index("name")
    return [table.get_row_at(i)[column].plain for i in range(table.row_count)]


async def test_says_when_there_is_no_engine_and_how_to_get_one() -> None:
    app = PaneApp()
    async with app.run_test(size=(120, 30)) as pilot:
        assert "looking for a container engine" in app.pane.message_text
        hint = "Start docker (or `podman system service`) … --docker-host URL."
        status = EngineStatus("unavailable", "no engine socket at /var/run/docker.sock", hint)
        await feed(pilot, DockerDelta(status=status))
        assert "no engine socket at /var/run/docker.sock" in app.pane.message_text
        assert "--docker-host URL" in app.pane.message_text
        assert app.pane.status_text == "no engine"
        assert app.pane.has_class("-trouble")
        await pilot.press("r")
        assert app.requests == []  # no table, no actions
        await started(pilot)
        assert app.pane.status_text == "live · compose-1"
        assert not app.pane.has_class("-trouble")


async def test_problems_first_then_grouped_by_compose_project_and_service() -> None:
    app = PaneApp()
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot)
        assert names(app.pane) == ["codex-db", "codex-nginx", "codex-redis", "codex-api",
                                   "codex-web", "[red]x[/]", "backup-job"]  # fmt: skip
        table = app.pane.containers.table
        first = table.get_row_at(0)
        status = first[table.get_column_index("status")]
        assert status.plain == "CrashLoop" and "red" in str(status.style)
        assert first[table.get_column_index("group")].plain == "codex/db"
        assert first[table.get_column_index("restarts")].plain == "7"
        web = table.get_row_at(4)
        assert web[table.get_column_index("cpu")].plain == "12.5"
        assert web[table.get_column_index("memory")].plain == "180M / 256M"
        assert web[table.get_column_index("net")].plain == "1.4M / 293K"
        summary = app.pane.containers.summary().plain
        assert summary.startswith("7 containers · 3 Running · 1 CrashLoop")
        assert "1 OOMKilled" in summary and "1 Unhealthy" in summary and "1 Exited" in summary


async def test_names_with_markup_are_shown_literally() -> None:
    app = PaneApp()
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot)
        assert "[red]x[/]" in names(app.pane)


async def test_updates_and_removals_by_id() -> None:
    app = PaneApp()
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot)
        healed = make_row("codex-db", "codex", "db", usage=usage(1.0, 50), restarts=7)
        await feed(pilot, DockerDelta(updated={healed.id: healed}, removed={"backup-job-id"}))
        assert names(app.pane)[:2] == ["codex-nginx", "codex-redis"]
        assert "codex-db" in names(app.pane) and "backup-job" not in names(app.pane)


async def test_slash_filters_by_project_status_or_name_and_escape_clears() -> None:
    app = PaneApp()
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot)
        for typed, expected in (("problem", 3), ("service=web", 1), ("!codex", 2)):
            await pilot.press("slash", *typed, "enter")
            assert app.pane.containers.table.row_count == expected, typed
        await pilot.press("escape")
        assert app.pane.containers.filter is None
        assert app.pane.containers.table.row_count == 7


async def test_sort_cycles_status_cpu_memory() -> None:
    app = PaneApp()
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot)
        await pilot.press("o")
        assert app.pane.containers.sort_column == "cpu"
        assert names(app.pane)[:2] == ["codex-web", "codex-api"]
        await pilot.press("o")
        assert names(app.pane)[0] == "codex-web"  # 180M, the most memory
        await pilot.press("O")
        assert app.pane.containers.sort_description == "mem use / limit ▲"


async def test_keys_ask_the_app_for_logs_inspect_and_actions() -> None:
    app = PaneApp()
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot)
        await pilot.press("l", "L", "enter", "r", "R", "x", "u", "K")
        kinds = [
            (type(m).__name__, getattr(m, "action", getattr(m, "ask_since", None)), m.row.name)
            for m in app.requests  # type: ignore[attr-defined]
        ]
        assert kinds == [
            ("ContainerLogsRequested", False, "codex-db"),
            ("ContainerLogsRequested", True, "codex-db"),
            ("ContainerInspectRequested", None, "codex-db"),
            ("ContainerActionRequested", RESTART, "codex-db"),
            ("ContainerActionRequested", SERVICE_RESTART, "codex-db"),
            ("ContainerActionRequested", STOP, "codex-db"),
            ("ContainerActionRequested", START, "codex-db"),
            ("ContainerActionRequested", KILL, "codex-db"),
        ]


async def test_a_container_compose_did_not_make_offers_no_service_restart() -> None:
    app = PaneApp()
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot, [make_row("loner")])
        await pilot.press("R")
        assert app.requests == []


def fed(pilot: Any) -> Any:
    return started(pilot)


def test_containers_picture_small(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(PaneApp(), terminal_size=(80, 24), run_before=fed)


def test_containers_picture_large(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(PaneApp(), terminal_size=(160, 48), run_before=fed)
