"""The hash chain: written by the store (also by concurrent processes), checked by verify."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import run_coroutine
from tests.helpers.cli import assert_one_line_error, warroom
from tests.review.script import write_script
from tests.test_timeline_processes import appender
from tui.timeline.model import EventKind
from tui.timeline.reader import TimelineReader
from tui.timeline.schema import MIGRATIONS
from tui.timeline.store import TimelineStore
from tui.timeline.verify import verify_file


@pytest.fixture
def scripted(tmp_path: Path) -> Path:
    path = tmp_path / "incident.db"
    run_coroutine(write_script(path))
    return path


def tamper(path: Path, *statements: str) -> None:
    """What someone editing the file by hand would do: drop the guard, change rows."""
    with sqlite3.connect(path) as db:
        db.execute("DROP TRIGGER IF EXISTS events_are_never_updated")
        db.execute("DROP TRIGGER IF EXISTS events_are_never_deleted")
        for statement in statements:
            db.execute(statement)


def verify(path: Path, env: dict[str, str]) -> tuple[int, dict[str, object]]:
    result = warroom("verify", "--json", str(path), env=env)
    assert "Traceback" not in result.stderr
    return result.returncode, json.loads(result.stdout)


def test_an_untouched_file_verifies(scripted: Path, env: dict[str, str]) -> None:
    code, report = verify(scripted, env)
    assert code == 0
    assert report["ok"] and report["events"] == report["chained"] == 25
    assert report["pre_chain"] == 0
    with sqlite3.connect(scripted) as db:
        last_hash = db.execute("SELECT hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()[0]
    assert report["head"] == last_hash
    text = warroom("verify", str(scripted), env=env)
    assert text.returncode == 0
    assert "OK, 25 events, hash chain intact" in text.stdout


def test_an_edited_row_is_reported_at_that_event(scripted: Path, env: dict[str, str]) -> None:
    tamper(scripted, "UPDATE events SET text = 'nothing to see' WHERE seq = 8")
    code, report = verify(scripted, env)
    assert code == 1
    problems = report["problems"]
    assert isinstance(problems, list)
    # Reported once, at the edited event: the ones after it still check.
    assert [(p["seq"], p["what"]) for p in problems] == [(8, "altered")]
    assert "event #8 does not match the chain" in problems[0]["message"]
    text = warroom("verify", str(scripted), env=env)
    assert text.returncode == 1
    assert text.stdout.startswith(f"{scripted}: ALTERED: event #8 does not match the chain")


def test_edited_data_pin_flag_or_time_are_caught(scripted: Path, env: dict[str, str]) -> None:
    tamper(
        scripted,
        """UPDATE events SET data = '{"milestone":"detected","at":"2026-11-22T14:34:00.000Z"}'
           WHERE seq = 5""",
        "UPDATE events SET pinned = 0 WHERE seq = 9",
        "UPDATE events SET ts = '2026-11-22T14:36:00.000Z' WHERE seq = 12",
    )
    code, report = verify(scripted, env)
    assert code == 1
    assert [p["seq"] for p in report["problems"]] == [5, 9, 12]  # type: ignore[union-attr]


def test_a_deleted_row_is_reported_missing(scripted: Path, env: dict[str, str]) -> None:
    tamper(scripted, "DELETE FROM events WHERE seq = 6")
    code, report = verify(scripted, env)
    assert code == 1
    first = report["problems"][0]  # type: ignore[index]
    assert (first["seq"], first["what"]) == (6, "missing")
    assert first["message"] == "event #6 is missing (deleted)"


def test_deleted_and_renumbered_rows_still_break_the_chain(
    scripted: Path, env: dict[str, str]
) -> None:
    # Hiding the gap: the row goes and every later seq moves down by one.
    tamper(
        scripted,
        "DELETE FROM events WHERE seq = 6",
        "UPDATE events SET seq = seq - 1 WHERE seq > 6",
        "UPDATE sqlite_sequence SET seq = seq - 1 WHERE name = 'events'",
    )
    code, report = verify(scripted, env)
    assert code == 1
    first = report["problems"][0]  # type: ignore[index]
    assert (first["seq"], first["what"]) == (6, "altered")
    assert "or the event before it" in first["message"]


def test_deleting_the_last_events_is_caught(scripted: Path, env: dict[str, str]) -> None:
    tamper(scripted, "DELETE FROM events WHERE seq >= 24")
    code, report = verify(scripted, env)
    assert code == 1
    first = report["problems"][0]  # type: ignore[index]
    assert first["message"] == "event #24–#25 is missing (the last events were deleted)"


def test_an_edited_header_is_caught(scripted: Path, env: dict[str, str]) -> None:
    with sqlite3.connect(scripted) as db:
        db.execute("UPDATE incident SET title = 'Minor blip'")
    code, report = verify(scripted, env)
    assert code == 1
    assert (
        "event #1 does not match the chain: it or the header"
        in report["problems"][0][  # type: ignore[index]
            "message"
        ]
    )


def test_bad_input_is_one_line_exit_2(tmp_path: Path, env: dict[str, str]) -> None:
    assert_one_line_error(warroom("verify", str(tmp_path / "nope.db"), env=env), "no such")
    (tmp_path / "x.db").write_text("hello")
    assert_one_line_error(warroom("verify", str(tmp_path / "x.db"), env=env), "not an SQLite")


def test_concurrent_writers_build_one_unbroken_chain(
    make_incident: Callable[..., Path],
) -> None:
    path = make_incident()
    writers = [appender(path, 200, "alpha"), appender(path, 200, "beta")]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    with TimelineReader(path) as reader:
        report = verify_file(reader)
    assert report.ok, report.problems
    assert report.events == report.chained == 401


def make_schema_1_file(path: Path) -> None:
    """A file as the previous warroom wrote it: schema 1, no hashes."""
    with sqlite3.connect(path) as db:
        db.executescript(
            "BEGIN;" + MIGRATIONS[0] + "PRAGMA application_id = 1465011505;"
            "PRAGMA user_version = 1; COMMIT;"
        )
        db.execute(
            "INSERT INTO incident VALUES ('inc-1', 'Old incident', 'P2',"
            " '2026-01-01T10:00:00.000Z', 'dave@old')"
        )
        for n in range(1, 4):
            db.execute(
                "INSERT INTO events (uuid, ts, kind, actor, source, text) VALUES"
                " (?, ?, 'note', 'dave@old', 'operator', ?)",
                (f"old-{n}", f"2026-01-01T10:0{n}:00.000Z", f"old note {n}"),
            )


def test_a_schema_1_file_opens_and_its_old_events_are_marked_pre_chain(
    tmp_path: Path, env: dict[str, str]
) -> None:
    path = tmp_path / "old.db"
    make_schema_1_file(path)
    # Read-only tools read it as it is, without upgrading it.
    with TimelineReader(path) as reader:
        before = verify_file(reader)
        assert reader.schema_version == 1
    assert before.ok and before.pre_chain == 3 and before.chained == 0
    # So does the store, read-only (warroom incidents lists it as it is).
    listed = warroom("incidents", "--json", str(path), env=env)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)["events"] == 3
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1

    async def upgrade_and_append() -> None:
        store = await TimelineStore.open(path)
        await store.append(EventKind.NOTE, "after the upgrade", actor="erin@new")
        await store.close()

    asyncio.run(upgrade_and_append())
    code, report = verify(path, env)
    assert code == 0
    assert (report["events"], report["pre_chain"], report["chained"]) == (4, 3, 1)
    text = warroom("verify", str(path), env=env).stdout
    assert "events #1–#3 predate the hash chain" in text
    # The old events are as they were; their edits cannot be detected, which is
    # exactly what "predate the chain" says.
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT starts_after_seq FROM chain").fetchone()[0] == 3
        rows = db.execute("SELECT seq, hash IS NULL FROM events ORDER BY seq").fetchall()
    assert rows == [(1, 1), (2, 1), (3, 1), (4, 0)]
