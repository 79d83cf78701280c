"""Events held in memory while the incident file cannot grow (a full disk).

The event is made when the operator acts or the console notices a change: its
time, id, actor, kind, text and data are fixed then. Only the write waits. Held
events are written oldest first, each in its own transaction (so each gets its
place in the hash chain when it is written), and the first failure stops the
round: nothing overtakes an older held event. A new event is written directly
only when nothing is held.

Held events live only in this process's memory. On the way out, `save_recovery`
writes whatever is still held to a JSON lines file that `warroom recover`
imports; the import goes through the same `write_event`, so an event already in
the file is not written twice and a transition is still deduplicated.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Unpack

from tui.timeline.model import Event, format_ts, parse_ts
from tui.timeline.store import (
    EventFields,
    StoreError,
    StoreFull,
    TimelineStore,
    TransitionCheck,
    TransitionFields,
)

# The first line of a recovery file says what it is and where its events belong.
RECOVERY_FORMAT = "warroom-held-events"
RECOVERY_VERSION = 1


@dataclass(frozen=True, slots=True)
class HeldEvent:
    """An event not yet in the file; `transition` is checked again when it is written."""

    event: Event
    transition: TransitionCheck | None = None


def is_held(event: Event) -> bool:
    """An event the store handed back unwritten: it has no place (seq) in the file yet."""
    return event.seq == 0


class HoldingQueue:
    """Writes events to the store, or holds them, in order, until the store takes them."""

    def __init__(self, store: TimelineStore) -> None:
        self.store = store
        self._held: deque[HeldEvent] = deque()
        # One writer at a time: a direct write must not overtake a held event.
        self._lock = asyncio.Lock()
        self.last_error: StoreError | None = None
        # How many held events the store has taken since this queue began (written,
        # or found already there): the console tells the operator as they go.
        self.taken = 0

    @property
    def count(self) -> int:
        return len(self._held)

    @property
    def held(self) -> tuple[HeldEvent, ...]:
        return tuple(self._held)

    async def append(self, kind: str, text: str, **fields: Unpack[EventFields]) -> Event:
        """Write an event now, or hold it if the disk is full (then its seq is 0).

        Any other store error is raised, as `TimelineStore.append` does, unless
        events are already held: then the new one waits behind them.
        """
        event = self.store.new_event(kind, text, **fields)
        written = await self._write_or_hold(HeldEvent(event))
        assert written is not None  # a plain event is never deduplicated away
        return written

    async def record_transition(
        self, kind: str, text: str, **fields: Unpack[TransitionFields]
    ) -> Event | None:
        """`TimelineStore.record_transition`, held on a full disk and checked when written."""
        event, check = self.store.new_transition(kind, text, **fields)
        return await self._write_or_hold(HeldEvent(event, check))

    async def flush(self) -> int:
        """Write held events, oldest first, until one fails. Returns how many were taken."""
        async with self._lock:
            return await self._flush_locked()

    async def _write_or_hold(self, item: HeldEvent) -> Event | None:
        async with self._lock:
            if self._held:
                await self._flush_locked()
            if self._held:
                self._held.append(item)
                return item.event
            try:
                return await self.store.write_event(item.event, transition=item.transition)
            except StoreFull as error:
                self.last_error = error
                self._held.append(item)
                return item.event

    async def _flush_locked(self) -> int:
        taken = 0
        while self._held:
            item = self._held[0]
            try:
                await self.store.write_event(item.event, transition=item.transition)
            except StoreError as error:
                # Full, or busy, or gone for a moment: try again later, in order.
                self.last_error = error
                break
            self._held.popleft()
            taken += 1
            self.taken += 1
        if not self._held:
            self.last_error = None
        return taken

    def save_recovery(self, directories: Iterable[Path]) -> Path:
        """Write what is still held to a new JSON lines file in the first directory that takes it.

        Raises OSError (from the last directory tried) when none does.
        """
        stamp = datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
        name = f"{self.store.path.name}.held-{stamp}-{os.getpid()}.jsonl"
        body = recovery_lines(self.store, self._held)
        failure: OSError | None = None
        for directory in directories:
            path = directory / name
            try:
                write_new_file(path, body)
            except OSError as error:
                failure = error
                continue
            return path
        raise failure or OSError("no directory to write the held events to")


def recovery_lines(store: TimelineStore, held: Iterable[HeldEvent]) -> str:
    header = {
        "format": RECOVERY_FORMAT,
        "version": RECOVERY_VERSION,
        "incident": store.incident.id,
        "title": store.incident.title,
        "file": str(store.path.resolve()),
    }
    lines = [json.dumps(header, sort_keys=True)]
    lines += [json.dumps(held_json(item), sort_keys=True, default=str) for item in held]
    return "\n".join(lines) + "\n"


def held_json(item: HeldEvent) -> dict[str, Any]:
    event = item.event
    check = item.transition
    return {
        "uuid": event.uuid,
        "ts": format_ts(event.ts),
        "kind": event.kind,
        "actor": event.actor,
        "source": event.source,
        "text": event.text,
        "data": event.data,
        "pinned": event.pinned,
        "subject": event.subject,
        "transition": (
            None if check is None else {"state": check.state, "quiet_state": check.quiet_state}
        ),
    }


def write_new_file(path: Path, body: str) -> None:
    """Create `path` (0600, never over an existing file), write and fsync it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(body)
            out.flush()
            os.fsync(out.fileno())
    except OSError:
        # A half-written recovery file would look like a complete one.
        path.unlink(missing_ok=True)
        raise


@dataclass(frozen=True, slots=True)
class RecoveryFile:
    """A recovery file read back: the incident it belongs to, and its held events."""

    incident: str
    file: Path
    held: tuple[HeldEvent, ...]


def read_recovery(path: Path) -> RecoveryFile:
    """Parse a recovery file; StoreError (worded for the operator) if it is not one."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise StoreError(f"{path}: cannot read ({error})") from None
    try:
        header = json.loads(lines[0]) if lines else {}
        if not isinstance(header, dict) or header.get("format") != RECOVERY_FORMAT:
            raise ValueError("not a warroom recovery file")
        held = tuple(
            held_from_json(json.loads(line), number)
            for number, line in enumerate(lines[1:], start=2)
            if line.strip()
        )
        return RecoveryFile(str(header["incident"]), Path(str(header["file"])), held)
    except (ValueError, KeyError, TypeError) as error:
        raise StoreError(f"{path}: not a warroom recovery file ({error})") from None


def held_from_json(row: Any, line: int) -> HeldEvent:
    if not isinstance(row, dict):
        raise ValueError(f"line {line}: not an event")
    check = row.get("transition")
    data = row.get("data") or {}
    if not isinstance(data, dict):
        raise ValueError(f"line {line}: data is not an object")
    event = Event(
        uuid=str(row["uuid"]),
        ts=parse_ts(str(row["ts"])),
        kind=str(row["kind"]),
        actor=str(row["actor"]),
        source=str(row["source"]),
        text=str(row["text"]),
        data=data,
        pinned=bool(row.get("pinned")),
        subject=None if row.get("subject") is None else str(row["subject"]),
    )
    transition = (
        None if check is None else TransitionCheck(str(check["state"]), str(check["quiet_state"]))
    )
    return HeldEvent(event, transition)


async def import_recovery(store: TimelineStore, recovery: RecoveryFile) -> tuple[int, int]:
    """Write a recovery file's events in order: (written, already there or not news)."""
    if recovery.incident != store.incident.id:
        raise StoreError(
            f"{store.path}: belongs to another incident ({store.incident.id});"
            f" these events are for incident {recovery.incident} ({recovery.file})"
        )
    written = skipped = 0
    for item in recovery.held:
        event = await store.write_event(item.event, transition=item.transition)
        if event is None:
            skipped += 1
        else:
            written += 1
    return written, skipped
