"""The incident file on a full disk: a real SQLite file capped with `PRAGMA max_page_count` on
the store's own connection. Appends fail with StoreFull; the holding queue keeps the events
(their own time and id) and writes them, in order and once, when space returns."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.helpers.cli import warroom
from tests.helpers.fixed import FixedClock
from tests.helpers.full_disk import fill_up, make_room
from tui.timeline.model import Event, EventKind, Severity
from tui.timeline.pending import HoldingQueue, is_held, read_recovery
from tui.timeline.reader import TimelineReader
from tui.timeline.store import StoreError, StoreFull, TimelineStore
from tui.timeline.verify import verify_file


async def new_store(path: Path, clock: FixedClock) -> TimelineStore:
    return await TimelineStore.create(
        path, title="Checkout down", severity=Severity.P1, actor="alice@b", clock=clock
    )


def chain_ok(path: Path) -> bool:
    with TimelineReader(path) as reader:
        return verify_file(reader).ok


async def hold_disk_alert(queue: HoldingQueue, state: str) -> Event | None:
    return await queue.record_transition(
        EventKind.HOST_ALERT,
        f"bastion-1: Disk / is {state}",
        subject="bastion-1:disk:/",
        state=state,
        quiet_state="ok",
        data={"metric": "disk"},
        actor="alice@b",
        source="host",
    )


async def test_a_full_file_refuses_appends_with_store_full(tmp_path: Path) -> None:
    path = tmp_path / "i.db"
    store = await new_store(path, FixedClock())
    await fill_up(store)
    before = len(await store.events())
    with pytest.raises(StoreFull, match="the disk is full") as raised:
        await store.append(EventKind.NOTE, "the pool is exhausted", actor="alice@b")
    assert isinstance(raised.value, StoreError)  # callers that know only StoreError still cope
    assert len(await store.events()) == before
    await make_room(store)
    note = await store.append(EventKind.NOTE, "the pool is exhausted", actor="alice@b")
    assert note.seq > 0
    await store.close()
    assert chain_ok(path)


async def test_held_events_are_written_in_order_once_space_returns(tmp_path: Path) -> None:
    path = tmp_path / "i.db"
    clock = FixedClock()
    store = await new_store(path, clock)
    queue = HoldingQueue(store)
    await fill_up(store)
    filled = len(await store.events())

    held: list[Event] = []
    for text in ("first: pool exhausted", "second: restarting api"):
        clock.advance(seconds=10)
        held.append(await queue.append(EventKind.NOTE, text, actor="alice@b"))
    clock.advance(seconds=10)
    alert = await hold_disk_alert(queue, "critical")
    clock.advance(seconds=10)
    calm = await hold_disk_alert(queue, "ok")
    assert alert is not None and calm is not None
    held += [alert, calm]
    assert all(is_held(event) for event in held)
    assert queue.count == 4
    assert await queue.flush() == 0  # still full: nothing written, nothing dropped
    assert queue.count == 4
    assert isinstance(queue.last_error, StoreFull)
    assert len(await store.events()) == filled

    await make_room(store)
    clock.advance(seconds=10)
    # A new append writes the held events first, then itself.
    latest = await queue.append(EventKind.NOTE, "third: api back", actor="alice@b")
    assert not is_held(latest)
    assert queue.count == 0

    written = (await store.events())[filled:]
    assert [e.uuid for e in written] == [e.uuid for e in [*held, latest]]
    # Each keeps the moment it was made, not the moment it was written.
    assert [e.ts for e in written] == [e.ts for e in [*held, latest]]
    assert [(e.kind, e.text, e.actor, e.data) for e in written] == [
        (e.kind, e.text, e.actor, e.data) for e in [*held, latest]
    ]
    assert len({e.uuid for e in await store.events()}) == len(await store.events())
    await store.close()
    assert chain_ok(path)


async def test_a_late_transition_is_still_recorded_once_across_consoles(
    tmp_path: Path,
) -> None:
    path = tmp_path / "i.db"
    clock = FixedClock()
    mine = await new_store(path, clock)
    # Another console on the same file; the page cap is per connection, so it still writes.
    theirs = await TimelineStore.open(path, clock=clock)
    queue = HoldingQueue(mine)
    await fill_up(mine)

    held = await hold_disk_alert(queue, "critical")
    assert held is not None and is_held(held)
    other = await theirs.record_transition(
        EventKind.HOST_ALERT, "bastion-1: Disk / is critical", subject="bastion-1:disk:/",
        state="critical", quiet_state="ok", actor="bob@b", source="host",
    )  # fmt: skip
    assert other is not None

    await make_room(mine)
    assert await queue.flush() == 1  # taken: the file already says critical
    assert queue.count == 0
    alerts = [e for e in await mine.events() if e.kind == EventKind.HOST_ALERT]
    assert [(e.actor, e.data["state"]) for e in alerts] == [("bob@b", "critical")]
    await theirs.close()
    await mine.close()
    assert chain_ok(path)


async def test_quit_while_full_saves_a_recovery_file_that_recover_imports(
    tmp_path: Path, env: dict[str, str]
) -> None:
    path = tmp_path / "i.db"
    clock = FixedClock()
    store = await new_store(path, clock)
    queue = HoldingQueue(store)
    await fill_up(store)
    clock.advance(seconds=5)
    note = await queue.append(EventKind.NOTE, "rolled back [b]v2[/b]", actor="alice@b")
    alert = await hold_disk_alert(queue, "critical")
    assert alert is not None
    # The first directory cannot take a file (its parent is a file): the next one does.
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("")
    state_dir = tmp_path / "state"
    saved = queue.save_recovery([blocked / "sub", state_dir])
    assert saved.parent == state_dir
    await store.close()

    recovery = read_recovery(saved)
    assert [h.event.uuid for h in recovery.held] == [note.uuid, alert.uuid]
    assert json.loads(saved.read_text().splitlines()[0])["file"] == str(path.resolve())

    result = await asyncio.to_thread(warroom, "recover", str(saved), env=env)
    assert result.returncode == 0, result.stderr
    assert "2 held events written" in result.stdout
    again = await asyncio.to_thread(warroom, "recover", str(saved), env=env)
    assert again.returncode == 0, again.stderr
    assert "0 held events written, 2 already there" in again.stdout

    reopened = await TimelineStore.open(path)
    events = await reopened.events()
    await reopened.close()
    restored = {e.uuid: e for e in events}
    assert restored[note.uuid].ts == note.ts
    assert restored[note.uuid].text == "rolled back [b]v2[/b]"
    assert restored[alert.uuid].data["state"] == "critical"
    assert chain_ok(path)


async def test_recover_refuses_a_file_of_another_incident(
    tmp_path: Path, env: dict[str, str]
) -> None:
    clock = FixedClock()
    store = await new_store(tmp_path / "a.db", clock)
    queue = HoldingQueue(store)
    await fill_up(store)
    await queue.append(EventKind.NOTE, "held", actor="alice@b")
    saved = queue.save_recovery([tmp_path])
    await store.close()
    other = await new_store(tmp_path / "b.db", clock)
    await other.close()

    result = await asyncio.to_thread(
        warroom, "recover", str(saved), "--db", str(tmp_path / "b.db"), env=env
    )
    assert result.returncode == 2
    assert "belongs to another incident" in result.stderr
    assert "Traceback" not in result.stderr


async def test_other_store_errors_are_raised_not_held(tmp_path: Path) -> None:
    path = tmp_path / "i.db"
    store = await new_store(path, FixedClock())
    await store.close()
    readonly = await TimelineStore.open(path, readonly=True)
    queue = HoldingQueue(readonly)
    with pytest.raises(StoreError, match="read-only") as raised:
        await queue.append(EventKind.NOTE, "not this way", actor="alice@b")
    assert not isinstance(raised.value, StoreFull)
    assert queue.count == 0
    await readonly.close()
