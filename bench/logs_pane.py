"""The Logs pane under a firehose: 20,000 lines a second for a minute.

The real console (headless, 160x48, the Logs pane zoomed as an operator would)
follows a real file with `--log-file`, while a separate process appends lines
to it at a steady rate, each stamped with the time it was written. After every
frame the newest line the frame shows is compared with the clock: that is the
display lag. CPU is the console's whole process (the file source's thread, the
pane, the frames turned into terminal output); RSS is taken when the ring
buffer has filled and again at the end. `tail -F` of the same file, measured in
the same run, is the peer: what merely reading the stream costs.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from bench.log_writer import stamp_of
from bench.pods_pane import _Frames, _percentiles
from tui.config import load_settings
from tui.kube_session import KubeOptions
from tui.timeline.model import Severity
from tui.timeline.store import TimelineStore

ROOT = Path(__file__).resolve().parents[1]


def _writer(path: Path, rate: int, seconds: float) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "bench.log_writer", str(path), str(rate), str(seconds)]
    return subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL)


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


async def _console(home: Path, log: Path, rate: int, seconds: float) -> dict[str, Any]:
    from tui.app import WarRoomApp

    config = home / "config.toml"
    config.write_text("")
    settings = load_settings(config, environ={"WARROOM_INCIDENTS_DIRECTORY": str(home)})
    db = home / "bench.db"
    store = await TimelineStore.create(db, title="bench", severity=Severity.P2, actor="bench")
    await store.close()
    # No cluster: the figure is the Logs pane's, with the Host pane sampling as usual.
    no_cluster = KubeOptions(kubeconfig=home / "no-kubeconfig")
    app = WarRoomApp(settings, db, actor="bench", kube_options=no_cluster, log_files=(log,))
    process = psutil.Process()
    lags: list[float] = []
    async with app.run_test(size=(160, 48)) as pilot:
        pane = app.console_screen.pane("logs")
        _Frames(app)  # turns each frame into terminal output, as a terminal would need
        original = app._display

        def measured(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            buffer = pane.buffer  # type: ignore[attr-defined]
            newest = buffer.get(buffer.last_seq) if len(buffer) else None
            stamp = stamp_of(newest.text) if newest is not None else None
            if stamp is not None:
                lags.append(time.time() - stamp)

        app._display = measured  # type: ignore[method-assign]
        await pilot.press("4", "z")
        writer = _writer(log, rate, seconds)
        peer = subprocess.Popen(
            ["tail", "-F", "-n", "0", str(log)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        peer_process = psutil.Process(peer.pid)
        capacity = settings.logs.buffer_lines
        while len(pane.buffer) < capacity and writer.poll() is None:  # type: ignore[attr-defined]
            await asyncio.sleep(0.1)
        lags.clear()  # the start (tail read, first frames) is not the steady state
        rss_full = process.memory_info().rss
        cpu_before, peer_before = _cpu_seconds(process), _cpu_seconds(peer_process)
        wall_before = time.perf_counter()
        rss_samples = [rss_full]
        while writer.poll() is None:
            await asyncio.sleep(1)
            rss_samples.append(process.memory_info().rss)
        wall = time.perf_counter() - wall_before
        cpu = 100 * (_cpu_seconds(process) - cpu_before) / wall
        peer_cpu = 100 * (_cpu_seconds(peer_process) - peer_before) / wall
        peer.terminate()
        await asyncio.sleep(0.5)  # let the last lines land
        received = pane.received  # type: ignore[attr-defined]
        dropped_by_buffer = pane.dropped  # type: ignore[attr-defined]
    written = sum(1 for _ in log.open(errors="replace"))
    ordered = sorted(lags)
    return {
        "rate_per_s": rate,
        "seconds": seconds,
        "lines_written": written,
        "lines_received": received,
        "ring_buffer_lines": capacity,
        "ring_buffer_dropped": dropped_by_buffer,
        "display_lag": {
            **_percentiles(ordered),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 1) if ordered else None,
        },
        "cpu_percent": round(cpu, 1),
        "rss_mb_when_buffer_full": round(rss_full / 1024**2, 1),
        "rss_mb_end": round(rss_samples[-1] / 1024**2, 1),
        "rss_growth_mb_after_full": round((max(rss_samples) - rss_full) / 1024**2, 1),
        "peer_tail_F_cpu_percent": round(peer_cpu, 1),
    }


def firehose(rate: int = 20_000, seconds: float = 60) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as home:
        log = Path(home) / "firehose.log"
        log.touch()
        return asyncio.run(_console(Path(home), log, rate, seconds))


if __name__ == "__main__":
    import json

    quick = "--quick" in sys.argv
    print(json.dumps(firehose(seconds=10 if quick else 60), indent=2))
