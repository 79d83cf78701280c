"""The docker source's pure parts: rows and their status, stats, crash loops, transitions,
secret masking, filters. Inspect and stats documents are shaped as engines send them."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

import pytest

from tui.docker_flow import parse_since
from tui.sources.docker.crashloop import CrashTracker, LoopRule
from tui.sources.docker.detail import container_detail
from tui.sources.docker.masking import MASK, mask_args, mask_env
from tui.sources.docker.rows import ContainerRow, row_from_inspect, transition_state
from tui.sources.docker.stats import usage_from_stats
from tui.sources.docker.transitions import TransitionGate
from widgets.container_cells import SORTS
from widgets.container_filter import parse_filter

# A container as GET /containers/{id}/json returns it (trimmed to what is read).
INSPECT: dict[str, Any] = {
    "Id": "4f1c2e9a" + "0" * 56,
    "Name": "/shop-web-1",
    "Created": "2026-11-22T14:00:00.123456789Z",
    "RestartCount": 2,
    "Path": "/app/server",
    "Args": ["--db", "postgres://shop:hunter2@db:5432/shop", "--api-token=abc123"],
    "State": {
        "Status": "running", "Running": True, "Restarting": False, "OOMKilled": False,
        "Dead": False, "ExitCode": 0, "StartedAt": "2026-11-22T14:30:00.5Z",
        "FinishedAt": "0001-01-01T00:00:00Z",
        "Health": {"Status": "healthy", "FailingStreak": 0, "Log": [
            {"Start": "2026-11-22T14:31:00Z", "End": "2026-11-22T14:31:01Z", "ExitCode": 0,
             "Output": "ok"}]},
    },
    "Config": {
        "Image": "registry.local/shop/web:1.4.2",
        "Cmd": ["--db", "postgres://shop:hunter2@db:5432/shop", "--api-token=abc123"],
        "Entrypoint": ["/app/server"],
        "Env": ["PATH=/usr/bin", "DB_PASSWORD=hunter2", "STRIPE_API_KEY=sk_live_1",
                "DATABASE_URL=mysql://root:root_pass@db/codex", "LOG_LEVEL=info"],
        "Labels": {"com.docker.compose.project": "shop", "com.docker.compose.service": "web",
                   "com.example.secret-token": "t0k3n"},
        "Healthcheck": {"Test": ["CMD-SHELL", "curl -f http://localhost/health"],
                        "Interval": 30_000_000_000, "Retries": 3},
    },
    "HostConfig": {"Memory": 268435456, "RestartPolicy": {"Name": "unless-stopped"}},
    "Mounts": [{"Type": "volume", "Name": "shop_uploads", "Destination": "/uploads", "RW": True},
               {"Type": "bind", "Source": "/srv/shop/nginx.conf",
                "Destination": "/etc/nginx/nginx.conf", "RW": False}],
    "NetworkSettings": {"Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"},
                                             {"HostIp": "::", "HostPort": "8080"}],
                                  "9090/tcp": None},
                        "Networks": {"shop_default": {"IPAddress": "172.18.0.3"}}},
}  # fmt: skip


def inspect(**state: Any) -> dict[str, Any]:
    attrs = deepcopy(INSPECT)
    health = state.pop("Health", None)
    attrs["State"].update(state)
    if health is not None:
        attrs["State"]["Health"]["Status"] = health
    return attrs


def test_a_row_reads_like_docker_ps() -> None:
    row = row_from_inspect(INSPECT)
    assert (row.name, row.project, row.service, row.group) == (
        "shop-web-1", "shop", "web", "shop/web")  # fmt: skip
    assert (row.state, row.health, row.restart_count, row.status) == (
        "running", "healthy", 2, "Running")  # fmt: skip
    assert row.ports == "0.0.0.0:8080->80/tcp, :::8080->80/tcp, 9090/tcp"
    assert row.memory_limit == 256 * 1024**2 and row.has_healthcheck
    assert row.started_at is not None and row.started_at.microsecond == 500000
    assert row.finished_at is None


@pytest.mark.parametrize(
    ("state", "status", "problem"),
    [
        ({"Health": "unhealthy"}, "Unhealthy", True),
        ({"Status": "restarting", "Restarting": True}, "Restarting", True),
        ({"Status": "exited", "Running": False, "ExitCode": 137, "OOMKilled": True}, "OOMKilled",
         True),
        ({"Status": "exited", "Running": False, "ExitCode": 1}, "Exited (1)", True),
        ({"Status": "exited", "Running": False, "ExitCode": 0}, "Exited (0)", False),
        ({"Status": "stopped", "Running": False, "ExitCode": 2}, "Exited (2)", True),  # podman
        ({"Status": "dead", "Running": False}, "Dead", True),
        ({"Health": "starting"}, "Starting", False),
        ({"Status": "paused"}, "Paused", False),
        ({"Status": "created", "Running": False}, "Created", False),
    ],
)  # fmt: skip
def test_status_and_problems(state: dict[str, Any], status: str, problem: bool) -> None:
    row = row_from_inspect(inspect(**state))
    assert (row.status, row.problem) == (status, problem)


def test_problems_sort_first_then_compose_groups() -> None:
    def row(name: str, project: str = "", service: str = "", **state: Any) -> ContainerRow:
        attrs = inspect(**state)
        attrs["Name"] = name
        labels = {"com.docker.compose.project": project, "com.docker.compose.service": service}
        attrs["Config"]["Labels"] = labels if project else {}
        return row_from_inspect(attrs)

    rows = [
        row("zz-loner", ""),
        row("shop-web-1", "shop", "web"),
        row("blog-db-1", "blog", "db"),
        row("shop-db-1", "shop", "db", Status="exited", Running=False, ExitCode=1),
        row("shop-api-1", "shop", "api", Health="unhealthy"),
        row("shop-cache-1", "shop", "cache").with_crash_loop(True),
    ]
    ordered = [r.name for r in sorted(rows, key=SORTS["status"])]
    assert ordered == ["shop-api-1", "shop-cache-1", "shop-db-1", "blog-db-1", "shop-web-1",
                       "zz-loner"]  # fmt: skip


def test_stats_are_computed_like_docker_stats() -> None:
    stats = {
        "cpu_stats": {"cpu_usage": {"total_usage": 400_000_000}, "system_cpu_usage": 20_000_000_000,
                      "online_cpus": 4},
        "precpu_stats": {"cpu_usage": {"total_usage": 200_000_000},
                         "system_cpu_usage": 18_000_000_000},
        "memory_stats": {"usage": 100 * 1024**2, "limit": 256 * 1024**2,
                         "stats": {"total_inactive_file": 20 * 1024**2}},
        "networks": {"eth0": {"rx_bytes": 1000, "tx_bytes": 200},
                     "eth1": {"rx_bytes": 24, "tx_bytes": 56}},
        "blkio_stats": {"io_service_bytes_recursive": [
            {"major": 8, "op": "Read", "value": 4096}, {"major": 8, "op": "Write", "value": 512},
            {"major": 8, "op": "Total", "value": 4608}]},
        "pids_stats": {"current": 7},
    }  # fmt: skip
    usage = usage_from_stats(stats)
    assert usage.cpu_percent == pytest.approx(40.0)  # 0.2 s of 2 s across 4 CPUs
    assert usage.memory == 80 * 1024**2 and usage.memory_limit == 256 * 1024**2
    io = (usage.net_rx, usage.net_tx, usage.block_read, usage.block_write)
    assert io == (1024, 256, 4096, 512)
    assert usage.pids == 7
    first = {**stats, "precpu_stats": {"cpu_usage": {"total_usage": 0}}}
    assert usage_from_stats(first).cpu_percent is None  # nothing to compare with yet


def test_a_crash_loop_needs_repeated_failures_and_ends_when_quiet() -> None:
    tracker = CrashTracker(LoopRule(crashes=3, window_seconds=600, quiet_seconds=120))
    tracker.died("a", 1, 1000.0)
    tracker.died("a", 0, 1001.0)  # clean exits are not crashes
    tracker.died("a", 2, 1002.0)
    assert not tracker.looping("a", 1003.0)
    tracker.died("a", 137, 1004.0)
    assert tracker.looping("a", 1005.0)
    assert not tracker.looping("a", 1004.0 + 121)  # two quiet minutes: it holds now
    tracker.died("b", 1, 0.0)
    tracker.died("b", 1, 500.0)
    tracker.died("b", 1, 700.0)
    assert not tracker.looping("b", 701.0)  # three crashes, but spread over 700 s


def test_transitions_wait_for_a_state_to_hold_and_come_once() -> None:
    gate = TransitionGate(settle_seconds=1.0)
    running = row_from_inspect(INSPECT)
    exited = row_from_inspect(inspect(Status="exited", Running=False, ExitCode=3))
    looping = running.with_crash_loop(True)
    gate.observe(exited, 0.0)
    gate.observe(running, 0.3)  # restarted at once: the blip is never recorded
    assert gate.due("e", 5.0) == []
    gate.observe(looping, 10.0)
    gate.observe(looping.with_crash_loop(True), 10.5)
    assert gate.due("e", 10.9) == []
    (recorded,) = gate.due("e", 11.0)
    assert (recorded.state, recorded.subject) == ("crash-looping", "docker:e/shop-web-1")
    assert recorded.data["previous"] == "ok" and recorded.data["project"] == "shop"
    gate.observe(looping, 12.0)
    assert gate.due("e", 20.0) == []  # still looping: nothing new
    (gone,) = [gate.removed("e", looping)]
    assert gone is not None and gone.state == "removed" and "crash-looping" in gone.text
    gate.observe(running, 30.0)  # compose recreated it, healthy
    (back,) = gate.due("e", 32.0)
    assert back.state == "ok" and back.data["previous"] == "removed"
    assert transition_state(row_from_inspect(inspect(Health="unhealthy"))) == "unhealthy"


def test_inspect_detail_masks_secrets_everywhere() -> None:
    text = container_detail(INSPECT).text()
    for secret in ("hunter2", "sk_live_1", "root_pass", "abc123", "t0k3n"):
        assert secret not in text
    assert f"DB_PASSWORD: {MASK}" in text and f"STRIPE_API_KEY: {MASK}" in text
    assert f"mysql://root:{MASK}@db/codex" in text and "LOG_LEVEL: info" in text
    assert f"postgres://shop:{MASK}@db:5432/shop" in text and f"--api-token={MASK}" in text
    assert "shop_uploads -> /uploads (rw)" in text
    assert "/srv/shop/nginx.conf -> /etc/nginx/nginx.conf (ro)" in text
    assert "curl -f http://localhost/health" in text and "exit 0: ok" in text
    assert "restart policy: unless-stopped" in text


def test_masking_rules() -> None:
    assert mask_env(["A=1", "MYSQL_ROOT_PASSWORD=x", "EMPTY_SECRET=", "GITHUB_TOKEN=t"]) == [
        ("A", "1"),
        ("MYSQL_ROOT_PASSWORD", MASK),
        ("EMPTY_SECRET", ""),
        ("GITHUB_TOKEN", MASK),
    ]
    assert mask_args(["--password", "hunter2", "-v", "--secret-key=k"]) == [
        "--password", MASK, "-v", f"--secret-key={MASK}"]  # fmt: skip


def test_filters() -> None:
    web = row_from_inspect(INSPECT)
    sick = row_from_inspect(inspect(Health="unhealthy"))
    assert parse_filter("") is None
    assert parse_filter("project=shop")(web)  # type: ignore[misc]
    assert not parse_filter("project=blog")(web)  # type: ignore[misc]
    assert parse_filter("unhealthy")(sick) and not parse_filter("unhealthy")(web)  # type: ignore[misc]
    assert parse_filter("!unhealthy")(web)  # type: ignore[misc]
    assert parse_filter("WEB")(web) and parse_filter("problem")(sick)  # type: ignore[misc]


def test_since_durations() -> None:
    assert [parse_since(t) for t in ("90s", "15m", "2h", "1d", "45", "0m", "soon")] == [
        90,
        900,
        7200,
        86400,
        45,
        None,
        None,
    ]
