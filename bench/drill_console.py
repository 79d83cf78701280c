"""The real console, and `kubectl get pods -w -A`, on the drill with 5,000 pods churning.

Both run as their own processes against the drill cluster populated by
bench/drill.py, through its kubeconfig, while the cluster makes 100 pod
changes a second, each for the same length of time, one after the other.

The console (`warroom -A` in a 160x48 pseudo-terminal) is timed from start to
the first full list of pods on screen (the Pods pane's summary line counts
them). Its currency: among the churn, a new pod named to sort first
(`aaa-probe-…`) is created in the cluster every second, and the clock runs from
its creation until its name is drawn in the terminal: cluster, watch, model,
the pane's flush and the frame together. The Pods pane is focused and filtered
to the probes' label (`/app=aaa-probe`), as an operator watching one app would
have it: the 5,000 rows still flow through the model and the full table, which
is kept in order behind the filter. CPU and RSS are the console process's.
kubectl's CPU on the same load is the peer: the bare cost of receiving and
printing the stream.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from bench.pods_pane import _percentiles
from bench.screen import Screen
from bench.startup import WARROOM_FRAME
from bench.terminal import TerminalProcess, spawn
from tui.sim.cluster import ClusterThread

ROOT = Path(__file__).resolve().parents[1]
SIZE = (160, 48)
# Named to sort before every other pod, so a new one is drawn in the first rows.
PROBE_PREFIX = "aaa-probe"
PODS_COUNTED = re.compile(rb"([\d,]+) pods \xc2\xb7")  # "5,016 pods · 5,016 Running"


def _wait_shown(screen: Screen, text: str, within: float) -> bool:
    # Read from a terminal emulator, not the raw bytes: Textual rewrites only the
    # cells that changed, so "aaa-probe-9990" drawn over "aaa-probe-9991" is sent as "0".
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if text in screen.text():
            return True
        screen.terminal.pump(0.02)
    return False


def _pause(terminal: TerminalProcess, seconds: float) -> None:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        terminal.pump(0.05)


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def _probe_pod(name: str) -> dict[str, Any]:
    from tui.sim.scenarios import build

    container = build.container("probe", "registry.local/probe:1.0", cpu="10m", memory="16Mi")
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "bench", "labels": {"app": PROBE_PREFIX}},
        "spec": {"containers": [container]},
    }


def _churn_in_background(thread: ClusterThread, rate: float, seconds: float) -> threading.Thread:
    from bench.drill import churn

    worker = threading.Thread(target=churn, args=(thread, rate, seconds), name="churn")
    worker.start()
    return worker


def console(thread: ClusterThread, kubeconfig: Path, pods: int, rate: float,
            seconds: float) -> dict[str, object]:  # fmt: skip
    """The console's first list, currency, CPU and RSS with `pods` pods churning at `rate`."""
    with tempfile.TemporaryDirectory(prefix="wr-pods-") as home:
        env = {"XDG_DATA_HOME": f"{home}/data", "XDG_CONFIG_HOME": f"{home}/config",
               "XDG_STATE_HOME": f"{home}/state"}  # fmt: skip
        argv = [sys.executable, "-m", "tui", "--title", "pods bench", "--kubeconfig",
                str(kubeconfig), "--context", "warroom-drill", "-A"]  # fmt: skip
        terminal = spawn(argv, size=SIZE, env=env, cwd=str(ROOT))
        try:
            if terminal.read_until(WARROOM_FRAME, timeout=60) is None:
                raise RuntimeError(f"the console did not start: {bytes(terminal.output[-300:])!r}")
            first_list = None
            deadline = time.monotonic() + 120
            while first_list is None and time.monotonic() < deadline:
                found = PODS_COUNTED.findall(terminal.drawn(max(0, len(terminal.output) - 20000)))
                counted = [int(m.replace(b",", b"")) for m in found]
                if counted and max(counted) >= pods:
                    first_list = time.monotonic() - terminal.started
                terminal.pump(0.1)
            if first_list is None:
                raise RuntimeError("the Pods pane never listed every pod")
            screen = Screen(terminal, SIZE)
            terminal.send(b"1")  # the Pods pane focused, as an operator watching it
            # Filtered to the probe pods, as an operator watching one app would: among
            # hundreds of crash-looping pods (which sort first) a new pod is otherwise
            # below the first screen, and "not drawn" would say nothing about currency.
            _pause(terminal, 0.5)
            terminal.send(b"/")
            if not screen.shows("label=value", within=10):
                raise RuntimeError("the Pods pane's filter field did not open")
            terminal.send(f"app={PROBE_PREFIX}\r".encode())
            if not screen.shows(f"filter: app={PROBE_PREFIX}", within=10):
                raise RuntimeError("the Pods pane did not take the filter")
            _pause(terminal, 1.0)
            terminal.check_running("the console")
            process = psutil.Process(terminal.pid)
            worker = _churn_in_background(thread, rate, seconds)
            before, started = _cpu_seconds(process), time.monotonic()
            currency: list[float] = []
            missed = 0
            for index in range(int(seconds)):
                # Counting down: the newest sorts first, above the ones before it.
                name = f"{PROBE_PREFIX}-{9999 - index:04d}"
                thread.call(lambda n=name: thread.cluster.world.apply(_probe_pod(n)))
                created = time.monotonic()
                if not _wait_shown(screen, name, within=10.0):
                    missed += 1
                else:
                    currency.append(time.monotonic() - created)
                while time.monotonic() < started + index + 1:
                    terminal.pump(0.05)
            worker.join()
            elapsed = time.monotonic() - started
            terminal.check_running("the console")
            cpu = (_cpu_seconds(process) - before) / elapsed * 100
            rss = process.memory_info().rss
        finally:
            terminal.kill()
    return {
        "first_list_s": round(first_list, 2),
        "seconds": round(elapsed, 1),
        "currency": {**_percentiles(currency), "missed": missed},
        "cpu_percent_of_one_core": round(cpu, 1),
        "rss_mb": round(rss / 1024**2, 1),
    }


def kubectl_peer(thread: ClusterThread, kubeconfig: Path, rate: float,
                 seconds: float) -> dict[str, object]:  # fmt: skip
    """`kubectl get pods -w -A` on the same cluster and load: its CPU and the lines it printed."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return {"unavailable": "kubectl is not on PATH"}
    with tempfile.TemporaryDirectory(prefix="wr-kubectl-") as tmp:
        out = Path(tmp) / "watch.txt"
        with out.open("wb") as sink:
            argv = [kubectl, "--kubeconfig", str(kubeconfig), "--context", "warroom-drill",
                    "get", "pods", "-w", "-A"]  # fmt: skip
            peer = subprocess.Popen(argv, stdout=sink, stderr=subprocess.PIPE)
            try:
                # The first list printed (every pod once) before the clock starts.
                deadline = time.monotonic() + 60
                listed = 0
                while time.monotonic() < deadline and peer.poll() is None:
                    time.sleep(0.5)
                    size = out.stat().st_size
                    if size and size == listed:
                        break
                    listed = size
                if peer.poll() is not None:
                    error = peer.stderr.read().decode(errors="replace") if peer.stderr else ""
                    return {"unavailable": f"kubectl exited: {error.strip()[-200:]}"}
                process = psutil.Process(peer.pid)
                lines_before = out.read_bytes().count(b"\n")
                worker = _churn_in_background(thread, rate, seconds)
                before, started = _cpu_seconds(process), time.monotonic()
                worker.join()
                time.sleep(0.5)  # the last changes reach it
                elapsed = time.monotonic() - started
                cpu = (_cpu_seconds(process) - before) / elapsed * 100
                rss = process.memory_info().rss
            finally:
                peer.kill()
                peer.wait()
        lines = out.read_bytes().count(b"\n") - lines_before
    version = subprocess.run([kubectl, "version", "--client"], capture_output=True, text=True)
    return {
        "command": "kubectl get pods -w -A",
        "version": (version.stdout.splitlines() or [""])[0],
        "seconds": round(elapsed, 1),
        "lines_printed": lines,
        "cpu_percent_of_one_core": round(cpu, 1),
        "rss_mb": round(rss / 1024**2, 1),
    }
