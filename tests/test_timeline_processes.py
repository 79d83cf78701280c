"""Real separate processes on one incident file: concurrency and crashes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def appender(path: Path, count: int, tag: str, delay: float = 0.0) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.appender", str(path), str(count), tag, str(delay)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stored(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return db.execute("SELECT uuid, text FROM events ORDER BY seq").fetchall()


def test_two_processes_append_concurrently_and_nothing_is_lost(
    make_incident: Callable[..., Path],
) -> None:
    path = make_incident()
    writers = [appender(path, 300, "alpha"), appender(path, 300, "beta")]
    acknowledged: set[str] = set()
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        acknowledged.update(out.split())
    rows = stored(path)
    uuids = [uuid for uuid, _ in rows]
    assert len(acknowledged) == 600
    assert acknowledged <= set(uuids)
    assert len(uuids) == len(set(uuids)) == 601  # plus the declaration
    for tag in ("alpha", "beta"):
        # Each writer's own events keep their order.
        numbers = [int(text.split()[1]) for _, text in rows if text.startswith(tag)]
        assert numbers == list(range(300))


def test_sigkill_mid_stream_loses_no_acknowledged_event(
    make_incident: Callable[..., Path],
) -> None:
    path = make_incident()
    writer = appender(path, 100_000, "doomed")
    acknowledged: list[str] = []
    assert writer.stdout is not None
    for line in writer.stdout:
        acknowledged.append(line.strip())
        if len(acknowledged) == 250:
            os.kill(writer.pid, signal.SIGKILL)
            break
    # Whatever was printed before the kill landed too.
    remainder, _ = writer.communicate(timeout=30)
    acknowledged.extend(remainder.split())
    assert writer.returncode == -signal.SIGKILL
    rows = stored(path)
    uuids = {uuid for uuid, _ in rows}
    assert len(acknowledged) >= 250
    assert set(acknowledged) <= uuids
    # The file still opens and accepts new events after the crash.
    follow = appender(path, 1, "after")
    out, err = follow.communicate(timeout=30)
    assert follow.returncode == 0, err
    assert out.strip() in {uuid for uuid, _ in stored(path)}
