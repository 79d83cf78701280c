"""The Pods pane under load: 5,000 pods and 100 pod changes a second.

The real PodsPane is mounted alone in a headless 160x48 app and fed the way
the app feeds it: the real KubeModel turns changed pod objects into a Delta
(in a thread, like the app's worker) and a KubeUpdated message carries it to
the pane ten times a second. One change in ten moves a pod between Running and
CrashLoopBackOff, so the table must re-sort; the others bump a restart count.

Phases (a quarter, a half and a half of `seconds`): the churn through the
model alone (what the pane adds is measured against it); the pane fed while
nobody types; then keys pressed as an operator would: cursor down every
100 ms, and every two seconds a filter typed, applied and cleared. A key's
latency runs from the key event entering the app to the first frame that
shows its effect, turned into terminal output (a headless app composes frames
but writes nothing, so the hook does that part). CPU is the
whole process: the app's loop plus the model's thread.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import psutil
from textual import events
from textual.app import App, ComposeResult

from tui.messages import KubeUpdated
from tui.sources.kube.cache import Changes
from tui.sources.kube.model import KubeModel
from tui.sources.kube.service import MetricsStore
from tui.sources.kube.watch import PODS, Scope, WatchState
from widgets.pods_pane import PodsPane

CONTEXT = "bench"
STAMP = "%Y-%m-%dT%H:%M:%SZ"


def _pod(index: int, now: datetime) -> dict[str, Any]:
    app = f"svc-{index // 100:02d}"
    name = f"{app}-7c9d5f-{index:05d}"
    created = now - timedelta(minutes=5 + index % 600)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": "bench",
            "uid": f"uid-{index:05d}",
            "creationTimestamp": created.strftime(STAMP),
            "labels": {"app": app, "pod-template-hash": "7c9d5f"},
            "ownerReferences": [
                {"kind": "ReplicaSet", "name": f"{app}-7c9d5f", "controller": True}
            ],
        },
        "spec": {"nodeName": f"bench-node-{index % 60:02d}", "containers": [{"name": app}]},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [
                {
                    "name": app,
                    "ready": True,
                    "restartCount": 0,
                    "state": {"running": {"startedAt": created.strftime(STAMP)}},
                    "lastState": {},
                }
            ],
        },
    }


def _churn(pod: dict[str, Any], now: datetime, crash: bool) -> dict[str, Any]:
    """A new version of `pod`: one more restart, and maybe a crash (or a recovery)."""
    status = pod["status"]
    container = dict(status["containerStatuses"][0])
    container["restartCount"] += 1
    container["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error",
                                             "finishedAt": now.strftime(STAMP)}}  # fmt: skip
    if crash:
        running = "running" in container["state"]
        container["state"] = (
            {"waiting": {"reason": "CrashLoopBackOff"}}
            if running
            else {"running": {"startedAt": now.strftime(STAMP)}}
        )
        container["ready"] = not running
    return {**pod, "status": {**status, "containerStatuses": [container]}}


class _TimedPane(PodsPane):
    """The real pane, with the time spent handling each update recorded."""

    def __init__(self) -> None:
        super().__init__(1)
        self.update_seconds: list[float] = []
        self.settle_seconds: list[float] = []

    def on_kube_updated(self, message: KubeUpdated) -> None:
        started = time.perf_counter()
        super().on_kube_updated(message)
        self.update_seconds.append(time.perf_counter() - started)

    def _settle(self) -> None:
        started = time.perf_counter()
        super()._settle()
        self.settle_seconds.append(time.perf_counter() - started)


class _BenchApp(App[None]):
    def compose(self) -> ComposeResult:
        yield _TimedPane()


class _Frames:
    """Notes when a frame shows what a pressed key should have done."""

    def __init__(self, app: App[None]) -> None:
        self.app = app
        self.waiting: tuple[float, Callable[[], bool], asyncio.Future[float]] | None = None
        display = app._display

        def hooked(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            # Headless apps compose frames but write nothing: turn the frame into
            # terminal output here, so the figure includes what a terminal costs.
            if renderable is not None and hasattr(renderable, "render_segments"):
                renderable.render_segments(app.console)
            if self.waiting is not None:
                started, done, future = self.waiting
                if done() and not future.done():
                    future.set_result(time.perf_counter() - started)
                    self.waiting = None

        app._display = hooked  # type: ignore[method-assign]

    async def press(self, key: str, done: Callable[[], bool], within: float = 10.0) -> float:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        char = {"slash": "/", "enter": "\r", "escape": "\x1b", "down": None}.get(key, key)
        event = events.Key(key, char)
        event.set_sender(self.app)
        self.waiting = (time.perf_counter(), done, future)
        assert self.app._driver is not None
        self.app._driver.send_message(event)
        return await asyncio.wait_for(future, within)


def _percentiles(seconds: list[float]) -> dict[str, float | int | None]:
    if not seconds:
        return {"count": 0, "p50_ms": None, "p95_ms": None, "max_ms": None}
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return {
        "count": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


async def _run(pods: int, rate: int, seconds: float) -> dict[str, Any]:
    now = datetime.now(UTC)
    model = KubeModel()
    metrics = MetricsStore()
    lock = threading.Lock()  # the model is fed from one thread at a time, as in the app
    objects = {f"uid-{i:05d}": _pod(i, now) for i in range(pods)}
    scope = Scope(CONTEXT, PODS, None)

    def apply(changed: dict[str, dict[str, Any]], states: bool = False) -> Any:
        with lock:
            return model.apply(
                Changes(
                    updated={(CONTEXT, "pods", uid): obj for uid, obj in changed.items()},
                    states={scope: WatchState(scope, "live")} if states else {},
                ),
                metrics,
            )

    app = _BenchApp()
    async with app.run_test(size=(160, 48)) as pilot:
        pane = app.query_one(_TimedPane)
        frames = _Frames(app)
        started = time.perf_counter()
        pane.post_message(KubeUpdated(await asyncio.to_thread(apply, objects, True), (CONTEXT,)))
        for _ in range(6000):  # a minute at most
            if pane.pods.full.row_count >= pods:
                break
            await asyncio.sleep(0.01)
        await pilot.pause()
        first_load = time.perf_counter() - started
        load_chunks = list(pane.settle_seconds)
        pane.focus_target.focus()
        await pilot.pause()
        pane.update_seconds.clear()
        pane.settle_seconds.clear()

        stop = asyncio.Event()
        deliver = False  # phase 0 feeds the model only: the cost of everything but the pane
        updates = 0

        async def feed() -> None:
            nonlocal updates
            rng = random.Random(7)
            uids = list(objects)
            per_batch = max(1, rate // 10)
            while not stop.is_set():
                moment = datetime.now(UTC)
                changed = {}
                for n, uid in enumerate(rng.sample(uids, per_batch)):
                    objects[uid] = _churn(objects[uid], moment, crash=n % 10 == 0)
                    changed[uid] = objects[uid]
                delta = await asyncio.to_thread(apply, changed)
                if deliver:
                    pane.post_message(KubeUpdated(delta, (CONTEXT,)))
                    updates += per_batch
                await asyncio.sleep(0.1)

        process = psutil.Process()

        def cpu_seconds() -> float:
            times = process.cpu_times()
            return times.user + times.system

        feeder = asyncio.create_task(feed())
        # Phase 0: the same churn through the model, not delivered to the pane.
        cpu_before, wall_before = cpu_seconds(), time.perf_counter()
        await asyncio.sleep(seconds / 4)
        baseline = 100 * (cpu_seconds() - cpu_before) / (time.perf_counter() - wall_before)
        deliver = True
        # Phase 1: the operator watches; updates only.
        cpu_before, wall_before = cpu_seconds(), time.perf_counter()
        await asyncio.sleep(seconds / 2)
        watching = 100 * (cpu_seconds() - cpu_before) / (time.perf_counter() - wall_before)

        # Phase 2: the operator works: a key every 100 ms.
        view = pane.pods
        down: list[float] = []
        filter_apply: list[float] = []
        filter_clear: list[float] = []
        cpu_before, wall_before = cpu_seconds(), time.perf_counter()
        deadline = time.monotonic() + seconds / 2
        presses = 0
        while time.monotonic() < deadline:
            presses += 1
            if presses % 20 == 0:
                # Type a filter, apply it, then clear it: the two costly keys.
                for key in ["slash", *"svc-07"]:
                    await frames.press(key, lambda: True)
                filter_apply.append(
                    await frames.press("enter", lambda: view.table.row_count <= 100)
                )
                filter_clear.append(
                    await frames.press("escape", lambda: view.table.row_count == pods)
                )
            else:
                table = view.table
                before = table.cursor_row
                if before >= table.row_count - 1:
                    table.move_cursor(row=0)
                    before = 0
                down.append(await frames.press("down", lambda t=table, b=before: t.cursor_row != b))
            await asyncio.sleep(0.1)
        working = 100 * (cpu_seconds() - cpu_before) / (time.perf_counter() - wall_before)
        stop.set()
        await feeder
        return {
            "pods": pods,
            "rate_per_s": rate,
            "seconds": seconds,
            "updates_sent": updates,
            "first_load_s": round(first_load, 3),
            "first_load_longest_chunk_ms": round(max(load_chunks, default=0) * 1000, 1),
            "cursor_down": _percentiles(down),
            "filter_apply": _percentiles(filter_apply),
            "filter_clear": _percentiles(filter_clear),
            "update_handling": _percentiles(pane.update_seconds),
            "flush": _percentiles(pane.settle_seconds),
            "cpu_percent_without_pane": round(baseline, 1),
            "cpu_percent_watching": round(watching, 1),
            "cpu_percent_with_keys": round(working, 1),
            "rss_mb": round(process.memory_info().rss / 1024**2, 1),
        }


def keypress_latency(pods: int = 5000, rate: int = 100, seconds: float = 20) -> dict[str, Any]:
    """Key-to-frame latency of the Pods pane with `pods` pods and `rate` pod changes a second."""
    return asyncio.run(_run(pods, rate, seconds))


if __name__ == "__main__":
    import json
    import sys

    quick = "--quick" in sys.argv
    print(json.dumps(keypress_latency(seconds=5 if quick else 20), indent=2))
