"""Probes never block the UI: 50 hung health endpoints while an operator types.

The real console (headless, 160x48, no cluster) probes 50 URLs on a local
server that accepts every connection and never answers, each with a 5 s
timeout and a 5 s interval, so at any moment up to `max_concurrency` checks
are waiting on the network and the rest wait for a slot. Once every probe has
failed at least once (all 50 are down), keys are pressed every 100 ms in the
Ingress pane's probes view: up/down in the probe table, and every two seconds
`v` twice (to the ingresses view and back). A key's latency runs from the key
event entering the app to the first frame showing its effect, turned into
terminal output (the `_Frames` hook of the Pods pane benchmark). CPU is the
whole process; the server counts the connections held open at once.
"""

from __future__ import annotations

import asyncio
import selectors
import socket
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import psutil

from bench.pods_pane import _Frames, _percentiles
from tui.config import load_settings
from tui.kube_session import KubeOptions
from tui.timeline.model import Severity
from tui.timeline.store import TimelineStore


class _HungServer:
    """Accepts connections and reads requests, and never answers one."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=512)
        self._listener.setblocking(False)
        self.port = self._listener.getsockname()[1]
        self.open_now = self.most_open = self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="hung-server", daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _serve(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self._listener, selectors.EVENT_READ)
        while not self._stop.is_set():
            # Hang-ups before new connections: a client closes one connection before it
            # opens the next, and the count of those open at once must not see both.
            ready = selector.select(timeout=0.1)
            for key, _ in sorted(ready, key=lambda event: event[0].fileobj is self._listener):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                if sock is self._listener:
                    conn, _ = sock.accept()
                    conn.setblocking(False)
                    selector.register(conn, selectors.EVENT_READ)
                    self.accepted += 1
                    self.open_now += 1
                    self.most_open = max(self.most_open, self.open_now)
                    continue
                try:
                    data = sock.recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if not data:  # the client gave up (its timeout)
                    selector.unregister(sock)
                    sock.close()
                    self.open_now -= 1
        for key in list(selector.get_map().values()):
            key.fileobj.close()  # type: ignore[union-attr]
        selector.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


async def _console(home: Path, probes: int, seconds: float) -> dict[str, Any]:
    from tui.app import WarRoomApp

    server = _HungServer()
    config = home / "config.toml"
    config.write_text("")
    environ = {"WARROOM_INCIDENTS_DIRECTORY": str(home)}
    endpoints = tuple(
        {"name": f"hung-{n:02d}", "url": server.url(f"/health/{n}"), "timeout": 5, "interval": 5}
        for n in range(probes)
    )
    settings = load_settings(config, environ=environ)
    settings = replace(settings, probes=replace(settings.probes, endpoints=endpoints))
    db = home / "bench.db"
    store = await TimelineStore.create(db, title="bench", severity=Severity.P2, actor="bench")
    await store.close()
    app = WarRoomApp(
        settings, db, actor="bench", kube_options=KubeOptions(kubeconfig=home / "none")
    )
    process = psutil.Process()
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            frames = _Frames(app)
            pane: Any = app.console_screen.pane("ingress")
            await pilot.pause(0.5)  # the console puts focus on its first pane after mounting
            await pilot.press("2", "v")
            if pane.view != "probes" or app.focused is not pane.probes.table:
                raise RuntimeError("the probes view did not get the focus")
            started = time.perf_counter()
            while sum(1 for s in pane.probes.states.values() if s.up is False) < probes:
                if time.perf_counter() - started > 120:
                    raise RuntimeError("the probes never all failed")
                await asyncio.sleep(0.1)
            all_down_s = time.perf_counter() - started
            table = pane.probes.table
            moves: list[float] = []
            switches: list[float] = []
            threads: list[int] = []
            cpu_before, wall_before = _cpu_seconds(process), time.perf_counter()
            deadline = time.monotonic() + seconds
            presses = 0
            while time.monotonic() < deadline:
                presses += 1
                if presses % 20 == 0:
                    for view in ("ingresses", "probes"):
                        switches.append(
                            await frames.press("v", lambda v=view: pane.view == v)  # type: ignore[misc]
                        )
                else:
                    before = table.cursor_row
                    key = "down" if before < table.row_count - 1 else "up"
                    moves.append(
                        await frames.press(key, lambda b=before: table.cursor_row != b)  # type: ignore[misc]
                    )
                threads.append(threading.active_count())
                await asyncio.sleep(0.1)
            cpu = 100 * (_cpu_seconds(process) - cpu_before) / (time.perf_counter() - wall_before)
            checks = sum(s.checks for s in pane.probes.states.values())
            down = sum(1 for s in pane.probes.states.values() if s.up is False)
    finally:
        server.close()
    return {
        "probes": probes,
        "timeout_s": 5,
        "interval_s": 5,
        "max_concurrency": settings.probes.max_concurrency,
        "seconds": seconds,
        "all_down_after_s": round(all_down_s, 1),
        "probes_down": down,
        "checks_done": checks,
        "most_connections_open": server.most_open,
        "key_move": _percentiles(moves),
        "view_switch": _percentiles(switches),
        "cpu_percent_with_keys": round(cpu, 1),
        "threads_max": max(threads, default=0),
        "rss_mb": round(process.memory_info().rss / 1024**2, 1),
    }


def hung_endpoints(probes: int = 50, seconds: float = 20) -> dict[str, Any]:
    """Key-to-frame latency with `probes` probes stuck on a server that never answers."""
    with tempfile.TemporaryDirectory() as home:
        return asyncio.run(_console(Path(home), probes, seconds))


if __name__ == "__main__":
    import json

    quick = "--quick" in sys.argv
    print(json.dumps(hung_endpoints(seconds=8 if quick else 20), indent=2))
