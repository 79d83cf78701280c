"""The Containers pane at scale: 200 real containers with their stats streams.

A throwaway podman API service (tests/docker/podman.py) runs 200 containers
grouped in 20 compose projects: 190 steady ones that log a line a second, 5
crash-looping (restart always, exiting 1 after half a second: a steady stream
of die/start events) and 5 with a failing health check. The real `warroom`
command runs in a pseudo-terminal at 160x48 with `--docker-host`; pane 1 is
switched to Containers (C) and focused, so every stats update is drawn. The
figure is the console process's CPU (all its threads: the events stream, the
200 stats streams, the UI) over `seconds`, once every container is listed.

Podman sends a stats reading every 5 s per stream, docker every second; the
pane redraws a container's figures at most every `docker.stats_seconds` (1 s)
either way. Readings per second are reported with the CPU figure. The peer,
on the same podman engine and containers for the same time, is `docker stats`:
the docker CLI streaming every container's figures.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psutil

from bench.engine_replay import ReplayEngine
from bench.targets import target
from bench.terminal import TerminalProcess, spawn
from tests.docker.podman import Podman, podman_service

ROOT = Path(__file__).resolve().parents[1]
SIZE = (160, 48)
PROJECTS = 20
CRASHING = 5
UNHEALTHY = 5
STEADY = ["sh", "-c", "trap 'exit 0' TERM; while :; do echo tick; sleep 1; done"]
CRASH = ["sh", "-c", "echo starting; sleep 0.5; echo failed >&2; exit 1"]
# Podman's stats streams send a reading every 5 s.
PODMAN_STATS_PERIOD = 5.0


def _start(engine: Podman, count: int) -> float:
    """Create and start `count` containers, a few at a time; seconds it took."""

    def one(index: int) -> None:
        project = f"shop{index % PROJECTS:02d}"
        service = f"svc{index // PROJECTS:02d}"
        labels = {"com.docker.compose.project": project, "com.docker.compose.service": service}
        name = f"{project}-{service}-1"
        if index < CRASHING:
            engine.run(name, CRASH, labels=labels, restart="always")
        elif index < CRASHING + UNHEALTHY:
            engine.run(name, STEADY, labels=labels, healthcheck=["CMD-SHELL", "false"])
        else:
            engine.run(name, STEADY, labels=labels, memory="32m")

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, range(count)))
    for index in range(CRASHING, CRASHING + UNHEALTHY):
        project, service = f"shop{index % PROJECTS:02d}", f"svc{index // PROJECTS:02d}"
        engine.healthcheck(f"{project}-{service}-1")
    return time.monotonic() - started


def _console(home: Path, url: str) -> TerminalProcess:
    env = {"XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config"),
           "HOME": str(home)}  # fmt: skip
    # A kubeconfig named (and missing) keeps pane 1 on Pods until C switches it: without
    # one, the console would show Containers by itself and C would switch back.
    argv = [sys.executable, "-m", "tui", "--title", "containers bench", "--docker-host", url,
            "--kubeconfig", str(home / "no-kubeconfig")]  # fmt: skip
    return spawn(argv, size=SIZE, env=env, cwd=str(ROOT))


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def _measure(
    root: Path, url: str, containers: int, seconds: float, warmup: float, engine_pid: int | None
) -> dict[str, object]:
    """The console's CPU while it shows every container of the engine at `url`."""
    terminal = _console(root, url)
    try:
        if terminal.read_until([b"Timeline", b"palette"], timeout=60) is None:
            raise RuntimeError("the console did not start")
        terminal.send(b"C")
        time.sleep(0.5)
        terminal.send(b"1")
        listed = re.compile(rb"%d\s*containers" % containers)
        deadline = time.monotonic() + 120
        while not listed.search(bytes(terminal.output)):
            if time.monotonic() > deadline:
                raise RuntimeError("the Containers pane never listed every container")
            terminal.pump(0.2)
        listed_after = time.monotonic() - terminal.started
        waited = time.monotonic()
        while time.monotonic() - waited < warmup:  # every stats stream has delivered once
            terminal.pump(0.2)
        app = psutil.Process(terminal.pid)
        engine = psutil.Process(engine_pid) if engine_pid else None
        app_before = _cpu_seconds(app)
        engine_before = _cpu_seconds(engine) if engine else 0.0
        written_before = len(terminal.output)
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            terminal.pump(0.5)
        elapsed = time.monotonic() - started
        cpu = (_cpu_seconds(app) - app_before) / elapsed * 100
        cpu_target = target("containers_cpu_percent")
        figures: dict[str, object] = {
            "all_listed_after_s": round(listed_after, 1),
            "seconds": round(elapsed, 1),
            "cpu_percent_of_one_core": round(cpu, 1),
            "target_cpu_percent": cpu_target.limit,
            "meets_cpu_target": cpu_target.met(cpu),
            "terminal_output_kib_per_s": round((len(terminal.output) - written_before)
                                               / elapsed / 1024, 1),
            "threads": app.num_threads(),
            "rss_mb": round(app.memory_info().rss / 1024**2, 1),
        }  # fmt: skip
        if engine is not None:
            engine_cpu = (_cpu_seconds(engine) - engine_before) / elapsed * 100
            figures["engine_cpu_percent_of_one_core"] = round(engine_cpu, 1)
        return figures
    finally:
        terminal.kill()


def _docker_stats_peer(url: str, seconds: float, warmup: float) -> dict[str, object]:
    """The peer: `docker stats` (the CLI streaming every running container's figures) on the
    same engine and containers, for the same time; its CPU and RSS."""
    docker = shutil.which("docker")
    if docker is None:
        return {"unavailable": "the docker CLI is not on PATH"}
    argv = [docker, "--host", url, "stats", "--format", "{{.Name}} {{.CPUPerc}} {{.MemUsage}}"]
    peer = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        time.sleep(warmup)  # its streams opened and a reading from each
        if peer.poll() is not None:
            error = peer.stderr.read().decode(errors="replace") if peer.stderr else ""
            return {"unavailable": f"docker stats exited: {error.strip()[-200:]}"}
        process = psutil.Process(peer.pid)
        before, started = _cpu_seconds(process), time.monotonic()
        time.sleep(seconds)
        elapsed = time.monotonic() - started
        cpu = (_cpu_seconds(process) - before) / elapsed * 100
        rss = process.memory_info().rss
    finally:
        peer.kill()
        peer.wait()
    return {
        "command": "docker stats",
        "seconds": round(elapsed, 1),
        "cpu_percent_of_one_core": round(cpu, 1),
        "rss_mb": round(rss / 1024**2, 1),
    }


def _one_reading(api: Any, container_id: str) -> dict[str, Any]:
    try:
        return dict(api.stats(container_id, stream=False))
    except Exception:  # between two crashes a container has no stats: none to replay
        return {}


def _record(engine: Podman) -> tuple[list[Any], dict[str, Any], dict[str, Any]]:
    """What the real engine returned: the listing, every inspect, one stats reading each."""
    api = engine.api
    listing = api.containers(all=True)
    ids = [str(c["Id"]) for c in listing]
    with ThreadPoolExecutor(max_workers=8) as pool:
        inspects = dict(zip(ids, pool.map(api.inspect_container, ids), strict=True))
        stats = dict(zip(ids, pool.map(lambda cid: _one_reading(api, cid), ids), strict=True))
    return listing, inspects, stats


def at_scale(containers: int = 200, seconds: float = 30.0) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="wr-bench-") as tmp:
        root = Path(tmp)
        (root / "engine").mkdir()
        with podman_service(root / "engine") as engine:
            start_seconds = _start(engine, containers)
            real = _measure(root, engine.url, containers, seconds, PODMAN_STATS_PERIOD,
                            engine.process.pid)  # fmt: skip
            real["stats_readings_per_s"] = round(containers / PODMAN_STATS_PERIOD, 1)
            peer = _docker_stats_peer(engine.url, seconds, PODMAN_STATS_PERIOD)
            listing, inspects, stats = _record(engine)
        crashing = [cid for cid, doc in inspects.items()
                    if (doc.get("HostConfig") or {}).get("RestartPolicy", {}).get("Name")
                    == "always"]  # fmt: skip
        replay = ReplayEngine(root / "replay.sock", listing, inspects, stats, crashing)
        replay.start()
        try:
            before = replay.readings
            paced = _measure(root, replay.url, containers, seconds, 2.0, None)
            paced["stats_readings_per_s"] = round((replay.readings - before)
                                                  / (float(paced["seconds"]) + 2), 1)  # fmt: skip
        finally:
            replay.stop()
    return {
        "containers": containers,
        "start_containers_s": round(start_seconds, 1),
        "podman": {"engine": "podman 4 API service, real containers", **real},
        "docker_pace": {"engine": "the same containers' documents replayed, stats every 1 s",
                        **paced},
        "meets_cpu_target": bool(real["meets_cpu_target"] and paced["meets_cpu_target"]),
        "peer_docker_stats": peer,
    }  # fmt: skip
