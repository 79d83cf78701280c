"""Faults that involve other processes: a second console on the same incident file,
and the console killed with SIGKILL in the middle of a burst of events."""

from __future__ import annotations

import asyncio
import re
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.conftest import wait_for
from tests.faults.conftest import add_note, notes, started
from tests.faults.pty_console import open_console, start_note, type_note, wait_after
from tests.helpers.cli import ROOT, warroom
from tests.helpers.console_text import timeline_texts


async def test_two_consoles_on_one_file_see_each_others_notes(
    console, make_incident, env: dict[str, str]
) -> None:
    path = make_incident()
    other = await asyncio.to_thread(open_console, path, env, (160, 48))
    try:
        app = console(path=path)
        async with app.run_test(size=(160, 48)) as pilot:
            await started(pilot, app)
            await add_note(pilot, app, "pool")
            # The other console's Timeline pane is narrow: "who: what" fits a short note.
            await asyncio.to_thread(wait_after, other, 0, re.compile(rb"alice: pool"))
            seq = await asyncio.to_thread(type_note, other, "carol-restarted-pgbouncer")
            await wait_for(
                lambda: any(t.endswith(": carol-restarted-pgbouncer") for t in timeline_texts(app)),
                pilot,
            )  # fmt: skip
            other.send(b"q")
            assert await asyncio.to_thread(other.wait, 10) == 0
    finally:
        other.kill()
    written = notes(path)
    assert written.count("pool") == written.count("carol-restarted-pgbouncer") == 1
    with sqlite3.connect(path) as db:
        (kind,) = db.execute("SELECT kind FROM events WHERE seq = ?", (seq,)).fetchone()
    assert kind == "note"


def appender(path: Path, tag: str) -> subprocess.Popen[str]:
    """Another process appending a note every 5 ms, printing each acknowledged id."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.appender", str(path), "100000", tag, "0.005"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip


def acknowledged(writer: subprocess.Popen[str]) -> list[str]:
    """The ids a stopped appender printed in full (each after its commit)."""
    out, _ = writer.communicate(timeout=30)
    return [line for line in out.split("\n") if len(line) == 36]


def test_sigkill_during_a_burst_loses_nothing_acknowledged(
    make_incident, env: dict[str, str]
) -> None:
    path = make_incident()
    terminal = open_console(path, env, (160, 48))
    writers = [appender(path, "bob"), appender(path, "dave")]
    typed: dict[int, str] = {}
    try:
        for index in range(6):
            text = f"burst-{index}"
            typed[type_note(terminal, text, seen=typed)] = text
        start_note(terminal, "burst-last")  # Enter is on its way: no answer awaited
        terminal.process.send_signal(signal.SIGKILL)
        assert terminal.wait(timeout=10) == -signal.SIGKILL
    finally:
        terminal.kill()
        for writer in writers:
            writer.terminate()
    ids = [uuid for writer in writers for uuid in acknowledged(writer)]
    assert len(ids) > 10  # the other writers really wrote during the burst

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        by_seq = dict(db.execute("SELECT seq, text FROM events WHERE kind = 'note'").fetchall())
        stored = {row[0] for row in db.execute("SELECT uuid FROM events")}
    for seq, text in typed.items():
        assert by_seq.get(seq) == text, (seq, text)
    assert set(ids) <= stored
    verified = warroom("verify", str(path), env=env)
    assert verified.returncode == 0 and "hash chain intact" in verified.stdout, verified.stdout
    after = warroom("note", "--db", str(path), "written after the crash", env=env)
    assert after.returncode == 0, after.stderr
