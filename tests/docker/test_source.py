"""The docker source against a real engine (podman's Docker-compatible API): the watcher's
rows, crash loops, memory limits and health checks, the log reader, the actions."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from tests.docker.conftest import SERVE, Containers, Podman
from tui.sources.docker.actions import (
    RESTART,
    SERVICE_RESTART,
    STOP,
    Target,
    perform,
    service_containers,
)
from tui.sources.docker.detail import container_detail
from tui.sources.docker.endpoint import resolve
from tui.sources.docker.engine import connect_first
from tui.sources.docker.logreader import EngineLogReader
from tui.sources.docker.model import DockerTransition, EngineStatus
from tui.sources.docker.rows import PROJECT_LABEL, SERVICE_LABEL, ContainerRow, row_from_inspect
from tui.sources.docker.watcher import DockerWatcher


class Collected:
    """Everything a watcher delivered, drained the way the app drains it."""

    def __init__(self, watcher: DockerWatcher) -> None:
        self.watcher = watcher
        self.rows: dict[str, ContainerRow] = {}
        self.transitions: list[DockerTransition] = []
        self.statuses: list[EngineStatus] = []

    @property
    def states(self) -> list[str]:
        return [status.state for status in self.statuses]

    def pump(self) -> None:
        delta = self.watcher.drain()
        if delta is None:
            return
        self.rows.update(delta.updated)
        for gone in delta.removed:
            self.rows.pop(gone, None)
        self.transitions += delta.transitions
        if delta.status is not None:
            self.statuses.append(delta.status)

    def until(self, predicate: Callable[[], bool], within: float = 30.0) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            self.pump()
            if predicate():
                return
            time.sleep(0.1)
        raise AssertionError(f"not reached within {within} s; rows: {list(self.rows.values())}")

    def named(self, name: str) -> ContainerRow | None:
        return next((r for r in self.rows.values() if r.name == name), None)

    def transitions_of(self, name: str) -> list[DockerTransition]:
        return [t for t in self.transitions if t.data["container"] == name]


@pytest.fixture
def watch(podman: Podman) -> Iterator[Callable[..., Collected]]:
    started: list[DockerWatcher] = []

    def start(**options: object) -> Collected:
        watcher = DockerWatcher(lambda: connect_first(resolve(podman.url)), **options)  # type: ignore[arg-type]
        watcher.start()
        started.append(watcher)
        return Collected(watcher)

    yield start
    for watcher in started:
        watcher.stop()


def test_rows_carry_compose_labels_stats_and_go_live(watch, containers: Containers) -> None:
    labels = {PROJECT_LABEL: "shop", SERVICE_LABEL: "web"}
    containers.run("web-1", ["sh", "-c", "while true; do echo tick; sleep 0.2; done"],
                   labels=labels, memory="64m")  # fmt: skip
    seen = watch(stats_seconds=0.5)
    name = containers.name("web-1")
    seen.until(lambda: (row := seen.named(name)) is not None and row.usage is not None)
    row = seen.named(name)
    assert row is not None
    assert (row.project, row.service, row.group) == ("shop", "web", "shop/web")
    assert row.state == "running" and row.status == "Running" and not row.problem
    assert row.memory_limit == 64 * 1024**2
    assert row.usage is not None and row.usage.memory_limit == 64 * 1024**2
    assert row.usage.memory is not None and 0 < row.usage.memory < 64 * 1024**2
    assert seen.states[:2] == ["connecting", "live"]
    assert seen.transitions_of(name) == []  # a healthy container is not news


def test_a_crash_loop_is_one_transition_and_removal_another(watch, containers: Containers) -> None:
    seen = watch()
    name = containers.name("crasher")
    container_id = containers.run(
        "crasher", ["sh", "-c", "echo starting; sleep 0.3; echo boom >&2; exit 3"],
        restart="always",
    )  # fmt: skip
    seen.until(lambda: (row := seen.named(name)) is not None and row.status == "CrashLoop")
    seen.until(lambda: len(seen.transitions_of(name)) >= 1)
    time.sleep(3)  # the loop goes on: restarts pile up, the state does not change
    seen.pump()
    found = seen.transitions_of(name)
    assert [t.state for t in found] == ["crash-looping"]
    assert found[0].subject.endswith(f"/{name}")
    assert found[0].data["restart_count"] >= 2
    assert seen.named(name).restart_count > found[0].data["restart_count"]  # type: ignore[union-attr]
    containers.engine.api.remove_container(container_id, force=True)
    seen.until(lambda: len(seen.transitions_of(name)) == 2)
    assert seen.transitions_of(name)[1].state == "removed"
    assert seen.named(name) is None


def test_a_container_over_its_memory_limit_is_killed(watch, containers: Containers) -> None:
    seen = watch()
    name = containers.name("hog")
    containers.run("hog", ["sh", "-c", "sleep 1; dd if=/dev/zero of=/dev/null bs=128M count=1"],
                   memory="16m")  # fmt: skip
    seen.until(lambda: (row := seen.named(name)) is not None and row.state == "exited")
    row = seen.named(name)
    assert row is not None
    # The kernel's memory cgroup kills it (SIGKILL: 137). Docker also sets OOMKilled;
    # podman 4.3 does not report it (the OOM file conmon writes is not read back).
    assert row.exit_code == 137
    assert row.problem and row.status in ("Exited (137)", "OOMKilled")
    seen.until(lambda: any(t.state != "ok" for t in seen.transitions_of(name)))


def test_a_failing_health_check_makes_a_container_unhealthy(
    watch, containers: Containers, podman: Podman
) -> None:
    seen = watch()
    name = containers.name("sick")
    containers.run("sick", ["sleep", "600"], healthcheck=["CMD-SHELL", "test -f /tmp/ready"])
    seen.until(lambda: (row := seen.named(name)) is not None and row.has_healthcheck)
    assert podman.healthcheck(name) == "unhealthy"
    seen.until(lambda: seen.named(name).status == "Unhealthy")  # type: ignore[union-attr]
    seen.until(lambda: [t.state for t in seen.transitions_of(name)] == ["unhealthy"])
    detail = container_detail(podman.api.inspect_container(name)).text()
    assert "Health check" in detail and "test -f /tmp/ready" in detail


def test_the_log_reader_follows_with_timestamps_and_tail(podman: Podman, containers) -> None:
    script = "for i in 1 2 3 4 5; do echo line $i; done; sleep 600"
    container_id = containers.run("talker", ["sh", "-c", script])
    reader = EngineLogReader(resolve(podman.url)[0])
    time.sleep(1)
    chunks = b"".join(reader.stream(container_id, tail=2, since=None, follow=False))
    lines = chunks.decode().splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == ["line 4", "line 5"]
    assert all(line[:4].isdigit() and "T" in line.split(" ")[0] for line in lines)
    stream = reader.stream(container_id, tail=-1, since=None, follow=True)
    first = next(iter(stream))
    assert b"line 1" in first
    started = time.monotonic()
    stream.close()  # type: ignore[attr-defined]
    assert time.monotonic() - started < 1
    reader.close()


def test_actions_restart_stop_and_a_compose_service(podman: Podman, containers) -> None:
    labels = {PROJECT_LABEL: "shop", SERVICE_LABEL: containers.name("api")}
    first = containers.run("api-1", SERVE, labels=labels)
    second = containers.run("api-2", SERVE, labels=labels)
    before = podman.state(first)["StartedAt"]
    target = Target("podman", "container", containers.name("api-1"), container_ids=(first,))
    perform(podman.api, RESTART, target)
    assert podman.state(first)["StartedAt"] != before
    found = service_containers(podman.api, "shop", containers.name("api"))
    assert {c["Id"] for c in found} == {first, second}
    starts = {cid: podman.state(cid)["StartedAt"] for cid in (first, second)}
    service = Target("podman", "compose service", "api", "shop", "api", (first, second))
    perform(podman.api, SERVICE_RESTART, service)
    assert all(podman.state(cid)["StartedAt"] != starts[cid] for cid in (first, second))
    perform(podman.api, STOP, Target("podman", "container", "api-2", container_ids=(second,)))
    assert row_from_inspect(podman.api.inspect_container(second)).state == "exited"


def test_no_engine_says_why_and_what_to_do(tmp_path) -> None:
    watcher = DockerWatcher(lambda: connect_first(resolve(f"unix://{tmp_path}/none.sock")))
    watcher.start()
    try:
        seen = Collected(watcher)
        seen.until(lambda: "unavailable" in seen.states, within=5)
        status = seen.statuses[-1]
        assert (
            status.message
            == f"no engine socket at {tmp_path}/none.sock (--docker-host / docker.host)"
        )
        assert "--docker-host" in status.hint and "podman system service" in status.hint
    finally:
        watcher.stop()
