"""Drill cluster figures: start time, and 5,000 pods with 100 watch events/s.

The large cluster is the healthy scenario plus 60 big nodes and 50 deployments
of 100 replicas, run by the drill's own controllers. Churn is 100 pod
modifications a second (an annotation carrying the time it was made). On the
same populated cluster, one after the other and each for the same time: a
separate process watches every pod with the real `kubernetes` client and
reports how late each change arrived; then the real console watches it
(bench/drill_console.py); then the peer, `kubectl get pods -w -A`.
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from bench import drill_console
from bench.targets import target
from bench.terminal import spawn
from tui.sim.cluster import ClusterThread

ROOT = Path(__file__).resolve().parents[1]
STAMP = "bench.warroom/stamp"


def start_time(runs: int = 3) -> dict[str, object]:
    """`warroom sim serve` from process start until it prints how to use it."""
    seconds = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(runs):
            kubeconfig = Path(tmp) / f"kc{run}"
            argv = [
                sys.executable,
                "-m",
                "tui",
                "sim",
                "serve",
                "--kubeconfig-out",
                str(kubeconfig),
            ]
            terminal = spawn(argv, cwd=str(ROOT), env={"XDG_STATE_HOME": tmp})
            try:
                ready = terminal.read_until([b"try: KUBECONFIG="], timeout=60)
                if ready is None:
                    raise RuntimeError(bytes(terminal.output[-500:]).decode(errors="replace"))
                seconds.append(ready)
            finally:
                terminal.kill()
    median = statistics.median(seconds)
    limit = target("drill_ready_s")
    return {
        "runs": runs,
        "serve_ready_s": round(median, 3),
        "target_s": limit.limit,
        "meets_target": limit.met(median),
    }


def populate(thread: ClusterThread, *, deployments: int = 50, replicas: int = 100) -> None:
    from tui.sim.scenarios import build

    def create() -> None:
        world = thread.cluster.world
        world.apply(build.namespace("bench"))
        now = world.clock.stamp()
        # A node runs at most 110 pods, as on a real cluster: room for all of them.
        for index in range(deployments * replicas // 100 + 10):
            world.apply(
                build.node(f"bench-node-{index:02d}", 50 + index, now, cpu=64, memory_gi=256)
            )
        for index in range(deployments):
            name = f"svc-{index:02d}"
            pod = build.container(name, f"registry.local/{name}:1.0", cpu="10m", memory="16Mi")
            world.apply(build.deployment("bench", name, [pod], replicas=replicas))

    thread.call(create)


def running_pods(thread: ClusterThread) -> int:
    from tui.sim.resources import PODS

    def count() -> int:
        return sum(
            1
            for pod in thread.cluster.store.items(PODS, "bench")
            if (pod.get("status") or {}).get("phase") == "Running"
        )

    return thread.call(count)


def churn(thread: ClusterThread, rate: float, seconds: float) -> int:
    """Modify `rate` random pods a second for `seconds`, on the cluster's loop."""
    from tui.sim.resources import PODS

    store = thread.cluster.store

    def touch(names: list[str]) -> None:
        for name in names:
            pod = store.find(PODS, "bench", name)
            if pod is None:
                continue
            annotations = {**(pod["metadata"].get("annotations") or {}), STAMP: repr(time.time())}
            store.replace(
                PODS, {**pod, "metadata": {**pod["metadata"], "annotations": annotations}}
            )

    names = thread.call(lambda: [p["metadata"]["name"] for p in store.items(PODS, "bench")])
    rng = random.Random(7)
    sent = 0
    started = time.monotonic()
    step = 0.05  # 20 batches a second keeps the rate smooth
    while time.monotonic() - started < seconds:
        batch = [rng.choice(names) for _ in range(int(rate * step))]
        thread.call(touch, batch)
        sent += len(batch)
        time.sleep(max(0.0, started + (sent / rate) - time.monotonic()))
    return sent


def watch_at_scale(
    pods: int = 5000, rate: float = 100.0, seconds: float = 30.0
) -> dict[str, object]:
    thread = ClusterThread("healthy")
    thread.start()
    try:
        started = time.monotonic()
        populate(thread, deployments=pods // 100, replicas=100)
        while running_pods(thread) < pods:
            if time.monotonic() - started > 300:
                raise RuntimeError("pods did not all start")
            time.sleep(0.5)
        populated_s = time.monotonic() - started
        with tempfile.TemporaryDirectory() as tmp:
            kubeconfig = thread.cluster.write_kubeconfig(Path(tmp) / "kc")
            watcher = subprocess.Popen(
                [sys.executable, "-m", "bench.watch_client", str(kubeconfig), str(seconds + 3)],
                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            time.sleep(3)  # the client lists everything and opens its watch
            me = psutil.Process()
            before = me.cpu_times()
            t0 = time.monotonic()
            sent = churn(thread, rate, seconds)
            elapsed = time.monotonic() - t0
            after = me.cpu_times()
            out, err = watcher.communicate(timeout=seconds + 60)
            if watcher.returncode != 0:
                raise RuntimeError(err)
            cluster_rss = psutil.Process().memory_info().rss
            console = drill_console.console(thread, kubeconfig, pods, rate, seconds)
            peer = drill_console.kubectl_peer(thread, kubeconfig, rate, seconds)
        client = json.loads(out)
        cpu = (after.user + after.system - before.user - before.system) / elapsed * 100
        return {
            "pods": pods,
            "populate_s": round(populated_s, 1),
            "events_per_s": round(sent / elapsed, 1),
            "events_sent": sent,
            "events_seen_by_client": client["stamped_events"],
            "client_list_s": client["list_s"],
            "lag_ms_p50": client["lag_ms_p50"],
            "lag_ms_p99": client["lag_ms_p99"],
            "lag_ms_max": client["lag_ms_max"],
            "cluster_cpu_percent_of_one_core": round(cpu, 1),
            "rss_mb": round(cluster_rss / 1024**2, 1),
            "console": console,
            "peer_kubectl": peer,
        }
    finally:
        thread.stop()
