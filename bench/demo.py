"""The console as `warroom demo` runs it, every pane live, in a real terminal.

`warroom demo` starts the drill cluster in its own process (a thread beside the
console) and opens the console on it through a kubeconfig. Here it runs in a
160x48 pseudo-terminal with the site-down scenario (pods crash-looping, broken
ingresses), a health probe to a local server that answers, and keys pressed
as an operator would: the first pod's logs followed (`1`, `l`), the first
suggested runbook opened (`5`, `o`, Enter), the Ingress pane on its probes
(`2`, `v`). The Host pane samples every 2 s and the Timeline receives the
scenario's transitions (and, in the soak, a note a minute from `warroom note`).

Every figure is the demo process's: the console and the drill cluster it
carries. `warroom sim serve` of the same scenario, alone and unwatched, is
measured beside it so the table can say what the cluster costs by itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil

from bench.screen import Screen
from bench.startup import WARROOM_FRAME
from bench.targets import target
from bench.terminal import TerminalProcess, spawn

ROOT = Path(__file__).resolve().parents[1]
SIZE = (160, 48)
SCENARIO = "site-down"
# On screen once each pane is live: its border title says what it shows.
LIVE_MARKS = {
    "pods": "CrashLoopBackOff",
    "logs": "Logs \u00b7 pod ",
    "runbook": "Runbook \u00b7 ",
    "probes": "Ingress \u00b7 probes",
    "host": "Top CPU",
    "timeline": "events \u00b7 live",
}


class _Healthy(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # the name http.server calls
        body = b"ok\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the bench's stderr is for its progress lines


@contextmanager
def health_server() -> Iterator[str]:
    """A local endpoint that answers 200, for the console's probe."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Healthy)
    thread = threading.Thread(target=server.serve_forever, name="health", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/health"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Demo:
    terminal: TerminalProcess
    db: Path
    home: Path
    live: dict[str, bool]
    drill: TerminalProcess | None = None  # the drill's own process, when apart

    @property
    def process(self) -> psutil.Process:
        return psutil.Process(self.terminal.pid)

    @property
    def drill_process(self) -> psutil.Process | None:
        return None if self.drill is None else psutil.Process(self.drill.pid)

    def idle_for(self, seconds: float) -> None:
        """Keep reading what the console draws (a terminal would) for `seconds`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.terminal.pump(min(0.5, max(deadline - time.monotonic(), 0)))
            if self.drill is not None:
                self.drill.pump(0)  # its output read too: a full pty would stall it
        self.terminal.check_running("the demo")
        # The screen is not kept: a long run would otherwise hold every frame ever drawn.
        self.terminal.output.clear()

    def note(self, text: str) -> None:
        """A note from the shell, as a second operator adds one: the Timeline receives it."""
        argv = [sys.executable, "-m", "tui", "note", "--db", str(self.db), text]
        quiet = subprocess.DEVNULL
        subprocess.run(argv, cwd=ROOT, env=_environment(self.home), check=True, stdout=quiet,
                       stderr=quiet, timeout=60)  # fmt: skip


def _environment(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_STATE_HOME": str(home / "state"),
    }


def _press(screen: Screen, keys: bytes, mark: str, within: float = 20.0) -> bool:
    """Press `keys`, then wait until `mark` is on screen; whether it came."""
    screen.terminal.send(keys)
    return screen.shows(mark, within)


def _until(screen: Screen, keys: bytes, mark: str, unless: str = "", tries: int = 3) -> bool:
    """Press `keys` until `mark` is on screen. Under load a key can take its time or go
    astray; it is pressed again only while `unless` (the state it should leave) is shown."""
    for _ in range(tries):
        if _press(screen, keys, mark, within=15):
            return True
        if unless and unless not in screen.text():
            return screen.shows(mark, within=15)
    return False


def _escape(screen: Screen) -> None:
    """Close whatever dialog is up. Alone: Esc followed at once by a key reads as alt+key."""
    screen.terminal.send(b"\x1b")
    screen.shows("never on screen", within=1.0)


def _open_runbook(screen: Screen, attempts: int = 3) -> bool:
    """Open the first runbook the picker suggests; whether one opened."""
    _until(screen, b"5", "5 Runbook")
    for _ in range(attempts):
        # The picker lists the suggestions first, once it has read the library.
        if _press(screen, b"o", "matches", within=20):
            screen.shows("never on screen", within=0.5)  # its first row selectable
            if _press(screen, b"\r", LIVE_MARKS["runbook"]):
                return True
        _escape(screen)  # the picker, if it came up late, would take the next keys
    return False


@contextmanager
def running_demo(home: Path, *, drill_apart: bool = False) -> Iterator[Demo]:
    """`warroom demo` with every pane live; the console is killed on leaving.

    With `drill_apart`, the drill runs as `warroom sim serve` in its own process and
    the console connects to it as to any cluster (what `warroom demo` does in one
    process): the console's own figures, with the drill's process in `Demo.drill`.
    """
    db = home / "demo.db"
    with health_server() as probe_url, ExitStack() as stack:
        env = {key: value for key, value in _environment(home).items() if key.startswith("XDG_")}
        argv = [sys.executable, "-m", "tui", "demo", "--scenario", SCENARIO,
                "--db", str(db), "--probe", probe_url]  # fmt: skip
        drill = None
        if drill_apart:
            drill, kubeconfig = stack.enter_context(_served_drill(home))
            argv = [sys.executable, "-m", "tui", "--title", f"drill: {SCENARIO}", "--db", str(db),
                    "--probe", probe_url, "--kubeconfig", str(kubeconfig),
                    "--context", "warroom-drill", "-A"]  # fmt: skip
        terminal = spawn(argv, size=SIZE, env=env, cwd=str(ROOT))
        try:
            if terminal.read_until(WARROOM_FRAME, timeout=60) is None:
                raise RuntimeError(f"the demo did not start: {bytes(terminal.output[-300:])!r}")
            screen = Screen(terminal, SIZE)
            live = {"pods": screen.shows(LIVE_MARKS["pods"], within=60)}
            # The first row is the worst pod (a crash-looping one): follow its logs.
            _press(screen, b"1", "1 Pods", within=2)
            live["logs"] = _until(screen, b"l", LIVE_MARKS["logs"])
            live["runbook"] = _open_runbook(screen)
            _press(screen, b"2", "2 Ingress", within=2)
            ingresses = "Ingress \u00b7 ingresses"
            live["probes"] = _until(screen, b"v", LIVE_MARKS["probes"], unless=ingresses)
            for pane in ("host", "timeline"):
                live[pane] = screen.shows(LIVE_MARKS[pane], within=10)
            terminal.output.clear()
            yield Demo(terminal=terminal, db=db, home=home, live=live, drill=drill)
        finally:
            terminal.kill()


@contextmanager
def _served_drill(home: Path) -> Iterator[tuple[TerminalProcess, Path]]:
    """`warroom sim serve` of the scenario in its own process, and its kubeconfig."""
    kubeconfig = home / "drill-kubeconfig"
    argv = [sys.executable, "-m", "tui", "sim", "serve", "--scenario", SCENARIO,
            "--kubeconfig-out", str(kubeconfig)]  # fmt: skip
    terminal = spawn(argv, cwd=str(ROOT), env={"XDG_STATE_HOME": str(home / "drill-state")})
    try:
        if terminal.read_until([b"try: KUBECONFIG="], timeout=60) is None:
            raise RuntimeError(bytes(terminal.output[-300:]).decode(errors="replace"))
        yield terminal, kubeconfig
    finally:
        terminal.kill()


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def _drill_alone(home: Path, seconds: float, settle: float) -> dict[str, object]:
    """`warroom sim serve` of the same scenario, with nobody watching: the cluster's share."""
    argv = [sys.executable, "-m", "tui", "sim", "serve", "--scenario", SCENARIO,
            "--kubeconfig-out", str(home / "alone-kubeconfig")]  # fmt: skip
    terminal = spawn(argv, cwd=str(ROOT), env={"XDG_STATE_HOME": str(home / "state")})
    try:
        if terminal.read_until([b"try: KUBECONFIG="], timeout=60) is None:
            raise RuntimeError(bytes(terminal.output[-300:]).decode(errors="replace"))
        deadline = time.monotonic() + settle
        while time.monotonic() < deadline:
            terminal.pump(0.5)
        process = psutil.Process(terminal.pid)
        before, started = _cpu_seconds(process), time.monotonic()
        while time.monotonic() - started < seconds:
            terminal.pump(0.5)
        cpu = (_cpu_seconds(process) - before) / (time.monotonic() - started) * 100
        return {
            "cpu_percent_of_one_core": round(cpu, 2),
            "rss_mb": round(process.memory_info().rss / 1024**2, 1),
        }
    finally:
        terminal.kill()


def idle(seconds: float = 60.0, settle: float = 15.0) -> dict[str, object]:
    """CPU and RSS of `warroom demo`, every pane live, left alone for `seconds`."""
    cpu_target, rss_target = target("idle_cpu_percent"), target("idle_rss_mb")
    with tempfile.TemporaryDirectory(prefix="wr-demo-") as tmp:
        home = Path(tmp)
        with running_demo(home) as demo:
            demo.idle_for(settle)  # the first lists, the log tail and the first probes land
            process = demo.process
            before, started = _cpu_seconds(process), time.monotonic()
            demo.idle_for(seconds)
            elapsed = time.monotonic() - started
            cpu = (_cpu_seconds(process) - before) / elapsed * 100
            rss = process.memory_info().rss / 1024**2
            threads = process.num_threads()
            live = demo.live
        alone = _drill_alone(home, seconds, settle)
    return {
        "scenario": SCENARIO,
        "seconds": round(elapsed, 1),
        "panes_live": live,
        "cpu_percent_of_one_core": round(cpu, 2),
        "meets_cpu_target": cpu_target.met(cpu),
        "rss_mb": round(rss, 1),
        "meets_rss_target": rss_target.met(rss),
        "threads": threads,
        "drill_alone": alone,
    }
