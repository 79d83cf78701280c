from __future__ import annotations

import hashlib
import sqlite3
import stat
from pathlib import Path

import pytest

from tests.helpers.fixed import T0, FixedClock
from tui.timeline.model import EventKind, Severity, Status
from tui.timeline.schema import APPLICATION_ID, SCHEMA_VERSION
from tui.timeline.store import StoreError, TimelineStore


async def new_store(path: Path, clock: FixedClock | None = None) -> TimelineStore:
    return await TimelineStore.create(
        path,
        title="Checkout down",
        severity=Severity.P1,
        actor="alice@b",
        clock=clock or FixedClock(),
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_create_writes_a_private_wal_file_with_a_declared_event(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "incident.db"
    store = await new_store(path)
    events = await store.events()
    await store.close()

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [e.kind for e in events] == [EventKind.DECLARED]
    assert events[0].ts == T0
    assert events[0].data == {"title": "Checkout down", "severity": "P1"}
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


async def test_append_is_durable_and_read_back_by_a_new_connection(tmp_path: Path) -> None:
    path = tmp_path / "i.db"
    clock = FixedClock()
    store = await new_store(path, clock)
    clock.advance(seconds=1.5)
    note = await store.append(
        EventKind.NOTE, "db [red]pool[/] full", data={"n": 1}, actor="bob@b", pinned=True
    )
    assert note.seq == 2
    # No close: a second connection must already see it (committed, not buffered).
    other = await TimelineStore.open(path, readonly=True)
    seen = await other.events(after_seq=1)
    await other.close()
    await store.close()
    assert len(seen) == 1
    assert seen[0].uuid == note.uuid
    assert seen[0].text == "db [red]pool[/] full"
    assert seen[0].actor == "bob@b"
    assert seen[0].pinned
    assert seen[0].ts == clock.now
    assert seen[0].data == {"n": 1}


async def test_events_cannot_be_updated_or_deleted(tmp_path: Path) -> None:
    path = tmp_path / "i.db"
    store = await new_store(path)
    await store.close()
    with sqlite3.connect(path) as db:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute("UPDATE events SET text = 'rewritten'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute("DELETE FROM events")


async def test_state_folds_status_and_severity(tmp_path: Path) -> None:
    store = await new_store(tmp_path / "i.db")
    await store.append(EventKind.STATUS_CHANGED, "s", data={"to": "identified"}, actor="a")
    await store.append(EventKind.SEVERITY_CHANGED, "s", data={"to": "P0"}, actor="a")
    summary = await store.summary()
    await store.close()
    assert summary.status == Status.IDENTIFIED
    assert summary.severity is Severity.P0
    assert summary.event_count == 3


async def test_record_transition_writes_each_crossing_once(tmp_path: Path) -> None:
    path = tmp_path / "i.db"
    first = await new_store(path)
    second = await TimelineStore.open(path)  # another console on the same file

    async def record(store: TimelineStore, state: str) -> object:
        return await store.record_transition(
            EventKind.HOST_ALERT,
            f"disk {state}",
            subject="host:b:disk:/",
            state=state,
            quiet_state="ok",
            actor="a",
            source="host",
        )

    assert await record(first, "ok") is None  # healthy and no history: not news
    assert await record(first, "critical") is not None
    assert await record(second, "critical") is None  # the other console saw it first
    assert await record(second, "ok") is not None  # recovery
    assert await record(first, "ok") is None
    alerts = [e for e in await first.events() if e.kind == EventKind.HOST_ALERT]
    await first.close()
    await second.close()
    assert [e.data["state"] for e in alerts] == ["critical", "ok"]


async def test_changed_elsewhere_sees_other_connections_only(tmp_path: Path) -> None:
    path = tmp_path / "i.db"
    mine = await new_store(path)
    theirs = await TimelineStore.open(path)
    assert await mine.changed_elsewhere()  # first call: nothing known yet
    assert not await mine.changed_elsewhere()
    await mine.append(EventKind.NOTE, "mine", actor="a")
    assert not await mine.changed_elsewhere()
    await theirs.append(EventKind.NOTE, "theirs", actor="b")
    assert await mine.changed_elsewhere()
    assert not await mine.changed_elsewhere()
    await mine.close()
    await theirs.close()


async def test_readonly_store_refuses_to_append(tmp_path: Path) -> None:
    path = tmp_path / "i.db"
    await (await new_store(path)).close()
    store = await TimelineStore.open(path, readonly=True)
    with pytest.raises(StoreError, match="read-only"):
        await store.append(EventKind.NOTE, "x", actor="a")
    await store.close()


async def test_create_refuses_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "i.db"
    await (await new_store(path)).close()
    before = digest(path)
    with pytest.raises(StoreError, match="already exists"):
        await new_store(path)
    assert digest(path) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello, this is a text file, not a database\n" * 20, "not an SQLite database"),
        (b"", "empty file"),
        (b"SQLite format 3\x00" + b"\xff" * 4080, "damaged"),
    ],
)
async def test_open_refuses_non_incident_files_and_leaves_them_alone(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "x.db"
    path.write_bytes(content)
    before = digest(path)
    with pytest.raises(StoreError, match=message):
        await TimelineStore.open(path)
    assert digest(path) == before


async def test_open_refuses_another_programs_database(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE customers (id INTEGER)")
        db.execute("INSERT INTO customers VALUES (1)")
    before = digest(path)
    with pytest.raises(StoreError, match="another program"):
        await TimelineStore.open(path)
    assert digest(path) == before


async def test_open_refuses_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "i.db"
    await (await new_store(path)).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer warroom"):
        await TimelineStore.open(path)


async def test_missing_and_unreadable_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such incident file"):
        await TimelineStore.open(tmp_path / "missing.db")
    with pytest.raises(StoreError, match="is a directory"):
        await TimelineStore.open(tmp_path)
