"""Time to first full frame, idle CPU and memory of the console, in a real terminal.

Each program runs in its own pseudo-terminal; the clock starts before the
process is spawned and stops when text only the complete first frame contains
has been written to the terminal. The bare Textual app is measured the same way
in the same run, so the ratio does not depend on the machine.
"""

from __future__ import annotations

import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from bench.targets import target
from bench.terminal import TerminalProcess, spawn

ROOT = Path(__file__).resolve().parents[1]
SIZE = (160, 48)
# Text drawn only once the whole console is up: the banner and the footer.
WARROOM_FRAME = [b"elapsed", b"Timeline", b"palette"]
WARROOM_HOST_DATA = [b"Top CPU"]
HELLO_FRAME = [b"hello from a bare textual app"]


def _warroom(home: Path, title: str) -> TerminalProcess:
    env = {"XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config")}
    argv = [sys.executable, "-m", "tui", "--title", title, "--severity", "P1"]
    return spawn(argv, size=SIZE, env=env, cwd=str(ROOT))


def _hello() -> TerminalProcess:
    return spawn([sys.executable, "-m", "bench.hello_app"], size=SIZE, cwd=str(ROOT))


def _first_frame(start: TerminalProcess, needles: list[bytes]) -> float:
    try:
        seconds = start.read_until(needles, timeout=60)
        if seconds is None:
            raise RuntimeError(f"no first frame: {bytes(start.output[-300:])!r}")
        return seconds
    finally:
        start.kill()


def first_frame(runs: int = 5) -> dict[str, object]:
    warroom: list[float] = []
    hello: list[float] = []
    with tempfile.TemporaryDirectory() as home:
        # Interleaved, so drift in machine load touches both the same way.
        for run in range(runs):
            hello.append(_first_frame(_hello(), HELLO_FRAME))
            warroom.append(_first_frame(_warroom(Path(home), f"bench {run}"), WARROOM_FRAME))
    ratio = statistics.median(warroom) / statistics.median(hello)
    limit = target("first_frame_ratio")
    return {
        "runs": runs,
        "warroom_first_frame_s": round(statistics.median(warroom), 3),
        "hello_first_frame_s": round(statistics.median(hello), 3),
        "ratio": round(ratio, 2),
        "target_ratio": limit.limit,
        "meets_target": limit.met(ratio),
    }


def idle(seconds: float = 30.0) -> dict[str, object]:
    """CPU and RSS of a console left alone (host pane sampling every 2 s)."""
    with tempfile.TemporaryDirectory() as home:
        terminal = _warroom(Path(home), "idle bench")
        try:
            if terminal.read_until(WARROOM_FRAME + WARROOM_HOST_DATA, timeout=60) is None:
                raise RuntimeError("the console did not start")
            process = psutil.Process(terminal.pid)
            time.sleep(1.0)  # let start-up work settle
            terminal.pump()
            before = process.cpu_times()
            started = time.monotonic()
            while time.monotonic() - started < seconds:
                terminal.pump(0.5)
            after = process.cpu_times()
            elapsed = time.monotonic() - started
            rss = process.memory_info().rss
        finally:
            terminal.kill()
    cpu = (after.user + after.system - before.user - before.system) / elapsed * 100
    cpu_target, rss_target = target("idle_cpu_percent"), target("idle_rss_mb")
    return {
        "seconds": round(elapsed, 1),
        "cpu_percent_of_one_core": round(cpu, 2),
        "target_cpu_percent": cpu_target.limit,
        "meets_cpu_target": cpu_target.met(cpu),
        "rss_mb": round(rss / 1024**2, 1),
        "target_rss_mb": rss_target.limit,
        "meets_rss_target": rss_target.met(rss / 1024**2),
        "peer_glances": glances(seconds),
    }


def glances(seconds: float, settle: float = 3.0) -> dict[str, object]:
    """The peer for host monitoring: glances printing CPU and memory every 2 s, headless,
    as the Host pane refreshes; its CPU and RSS over the same length of time."""
    if importlib.util.find_spec("glances") is None:
        return {"unavailable": "glances is not installed (pip install -e '.[bench]')"}
    with tempfile.TemporaryDirectory() as home:
        # Its own folders, so the run leaves no log or cache behind.
        env = {"HOME": home, "XDG_DATA_HOME": home, "XDG_CONFIG_HOME": home,
               "XDG_STATE_HOME": home, "XDG_CACHE_HOME": home, "PATH": "/usr/bin:/bin"}  # fmt: skip
        argv = [sys.executable, "-m", "glances", "--stdout", "cpu.total,mem.percent", "-t", "2"]
        peer = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            time.sleep(settle)  # its imports and first sample
            if peer.poll() is not None:
                error = peer.stderr.read().decode(errors="replace") if peer.stderr else ""
                return {"unavailable": f"glances exited: {error.strip()[-200:]}"}
            process = psutil.Process(peer.pid)
            before, started = process.cpu_times(), time.monotonic()
            time.sleep(seconds)
            after, elapsed = process.cpu_times(), time.monotonic() - started
            rss = process.memory_info().rss
        finally:
            peer.kill()
            peer.wait()
    cpu = (after.user + after.system - before.user - before.system) / elapsed * 100
    return {
        "command": "glances --stdout cpu.total,mem.percent -t 2",
        "version": _version("glances"),
        "cpu_percent_of_one_core": round(cpu, 2),
        "rss_mb": round(rss / 1024**2, 1),
    }


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)
