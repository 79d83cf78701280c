"""The incident file: an append-only SQLite timeline shared by every operator.

Guarantees the rest of warroom relies on:

* `append` returns only after the event is committed and fsynced, so anything
  the UI reports as recorded survives `kill -9` or a power cut.
* Several processes (operators on one bastion) can append to one file at once:
  WAL mode, a busy timeout and `BEGIN IMMEDIATE` serialise writers without
  losing anything, and `changed_elsewhere` tells a reader to fetch new events.
* A file that is not a warroom incident (foreign, corrupt, newer) is refused
  with a clear `StoreError` and never written to.
* Each event is chained to the one committed before it (tui/timeline/chain.py):
  the previous hash is read inside the event's own write transaction, so
  concurrent writers still build one unbroken chain in commit order.
* A full disk is its own error, `StoreFull`: the caller can hold the event and
  write it later with `write_event` (tui/timeline/pending.py), which keeps the
  event's own time and id and never writes one id twice.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, NotRequired, Required, TypedDict, Unpack
from urllib.parse import quote

import aiosqlite

from tui.readfile import UnreadableFile, read_bytes
from tui.timeline.chain import event_hash, genesis_hash
from tui.timeline.model import (
    Event,
    EventKind,
    Incident,
    IncidentState,
    Severity,
    StateFolder,
    format_ts,
    new_event_id,
    parse_ts,
    utc_now,
)
from tui.timeline.schema import (
    APPLICATION_ID,
    CONNECTION_PRAGMAS,
    SCHEMA_VERSION,
    migration_script,
)

SQLITE_HEADER = b"SQLite format 3\x00"
# The oldest schema this version reads without upgrading it (read-only opens).
READABLE_FROM = 1

Clock = Callable[[], datetime]


class StoreError(Exception):
    """A problem with an incident file, worded for the operator."""


class StoreFull(StoreError):
    """The incident file cannot grow: the disk (or its page limit) is full. Nothing was written."""


# A real ENOSPC mostly surfaces as SQLITE_FULL, but a failed write or fsync of the
# WAL can come back as an I/O error instead; it counts as "full" only when the
# file's file system really has no room left.
SQLITE_FULL = 13
SQLITE_IOERR = 10
NO_ROOM_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class TransitionCheck:
    """What `record_transition` compares: write only when `state` is news for the subject."""

    state: str
    quiet_state: str


class EventFields(TypedDict, total=False):
    """The keywords of an event: `new_event` says what each defaults to.

    One list for `append`, `new_event` and the holding queue's `append`
    (tui/timeline/pending.py), which all take the same event.
    """

    data: dict[str, Any] | None
    actor: Required[str]
    source: str
    pinned: bool
    subject: str | None
    at: datetime | None


class TransitionFields(TypedDict):
    """The keywords of a state change: `record_transition`, here and in the holding queue."""

    subject: str
    state: str
    quiet_state: str
    data: NotRequired[dict[str, Any] | None]
    actor: str
    source: str


@dataclass(frozen=True, slots=True)
class IncidentSummary:
    """One line of `warroom incidents`: read without loading every event."""

    path: Path
    incident: Incident
    severity: Severity
    status: str
    event_count: int


def check_sqlite_header(path: Path) -> None:
    """Refuse anything that is not a SQLite file before SQLite touches it."""
    try:
        header = read_bytes(path, what="incident file", limit=len(SQLITE_HEADER))
    except UnreadableFile as error:
        raise StoreError(str(error)) from None
    if header and header != SQLITE_HEADER:
        raise StoreError(f"{path}: not a warroom incident file (not an SQLite database)")


def _check_existing_file(path: Path) -> None:
    check_sqlite_header(path)
    if path.stat().st_size == 0:
        raise StoreError(f"{path}: empty file, not a warroom incident file")


def create_private_file(path: Path) -> None:
    """Create the file 0600 before SQLite does: SQLite gives -wal and -shm the same mode."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise StoreError(f"{path}: cannot create ({error.strerror or error})") from None
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        if path.is_dir():
            raise StoreError(f"{path}: is a directory, not an incident file") from None
        if path.stat().st_size:
            raise StoreError(f"{path}: already exists; open it with --db instead") from None
        path.chmod(0o600)
        return
    except OSError as error:
        raise StoreError(f"{path}: cannot create ({error.strerror or error})") from None
    os.close(fd)


def _event_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Event:
    seq, uuid, ts, kind, actor, source, text, data, pinned, subject = row
    try:
        payload = json.loads(data) if data else {}
    except json.JSONDecodeError:
        payload = {"unparsed": data}
    if not isinstance(payload, dict):
        payload = {"value": payload}
    return Event(
        uuid=uuid,
        ts=parse_ts(ts),
        kind=kind,
        actor=actor,
        source=source,
        text=text,
        data=payload,
        pinned=bool(pinned),
        subject=subject,
        seq=seq,
    )


EVENT_COLUMNS = "seq, uuid, ts, kind, actor, source, text, data, pinned, subject"


def _disk_has_no_room(path: Path) -> bool:
    try:
        stats = os.statvfs(path.parent)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < NO_ROOM_BYTES


def _is_full(path: Path, error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code == SQLITE_FULL or "database or disk is full" in str(error):
        return True
    is_io_error = code is not None and code & 0xFF == SQLITE_IOERR
    return is_io_error and _disk_has_no_room(path)


def _friendly(path: Path, error: sqlite3.Error) -> StoreError:
    message = str(error)
    if _is_full(path, error):
        return StoreFull(f"{path}: the disk is full ({message})")
    if "not a database" in message or "malformed" in message:
        return StoreError(f"{path}: not a warroom incident file, or damaged ({message})")
    if "readonly" in message or "read-only" in message:
        return StoreError(f"{path}: the file is read-only ({message})")
    if "locked" in message or "busy" in message:
        return StoreError(f"{path}: another process holds the file too long ({message})")
    return StoreError(f"{path}: {message}")


class TimelineStore:
    """Async access to one incident file. Create with `create` or `open`."""

    def __init__(
        self,
        path: Path,
        connection: aiosqlite.Connection,
        incident: Incident,
        *,
        clock: Clock,
        readonly: bool,
        genesis: str,
    ) -> None:
        self.path = path
        self.incident = incident
        self.readonly = readonly
        # What the first chained event links to (the header's hash).
        self._genesis = genesis
        self._db = connection
        self._clock = clock
        # One transaction at a time on this connection; other processes are
        # serialised by SQLite itself.
        self._write_lock = asyncio.Lock()
        self._data_version: int | None = None
        # SQLite's own page limit, kept while `limit_pages` simulates a full disk.
        self._uncapped_pages: int | None = None

    # -- opening -----------------------------------------------------------------

    @classmethod
    async def create(
        cls,
        path: Path,
        *,
        title: str,
        severity: Severity,
        actor: str,
        clock: Clock = utc_now,
    ) -> TimelineStore:
        """Start a new incident file and record that the incident was declared."""
        await asyncio.to_thread(create_private_file, path)
        connection = await cls._connect(path, readonly=False)
        try:
            await connection.execute_fetchall("PRAGMA journal_mode = WAL")
            await cls._migrate(path, connection, from_version=0)
            started = clock()
            incident = Incident(
                id=new_event_id(),
                title=title,
                severity=severity,
                started_at=started,
                created_by=actor,
            )
            await connection.execute_fetchall(
                "INSERT INTO incident (id, title, severity, started_at, created_by)"
                " VALUES (?, ?, ?, ?, ?)",
                (incident.id, title, severity.value, format_ts(started), actor),
            )
        except sqlite3.Error as error:
            await connection.close()
            raise _friendly(path, error) from None
        except BaseException:
            await connection.close()
            raise
        genesis = genesis_hash(incident.id, title, severity.value, format_ts(started), actor)
        store = cls(path, connection, incident, clock=clock, readonly=False, genesis=genesis)
        await store.append(
            EventKind.DECLARED,
            f"Incident declared: {title} ({severity.value})",
            data={"title": title, "severity": severity.value},
            actor=actor,
            source="warroom",
        )
        return store

    @classmethod
    async def open(
        cls, path: Path, *, readonly: bool = False, clock: Clock = utc_now
    ) -> TimelineStore:
        """Open an existing incident file, upgrading its schema when it is older."""
        await asyncio.to_thread(_check_existing_file, path)
        connection = await cls._connect(path, readonly=readonly)
        try:
            incident = await cls._validate(path, connection, readonly=readonly)
            rows = list(
                await connection.execute_fetchall(
                    "SELECT id, title, severity, started_at, created_by FROM incident LIMIT 1"
                )
            )
        except sqlite3.Error as error:
            await connection.close()
            raise _friendly(path, error) from None
        except BaseException:
            await connection.close()
            raise
        # The header exactly as stored: the chain covers those bytes, not a re-rendering.
        genesis = genesis_hash(*(str(value) for value in rows[0]))
        return cls(path, connection, incident, clock=clock, readonly=readonly, genesis=genesis)

    @staticmethod
    async def _connect(path: Path, *, readonly: bool) -> aiosqlite.Connection:
        mode = "ro" if readonly else "rw"
        # Relative paths resolve against the working directory, as the user meant.
        uri = f"file:{quote(os.path.abspath(path))}?mode={mode}"  # noqa: ASYNC240, PTH100
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves.
        connection = aiosqlite.connect(uri, uri=True, isolation_level=None)
        # aiosqlite's worker thread must not keep the interpreter alive if a
        # caller forgets to close: every commit is already durable by then.
        worker = getattr(connection, "_thread", None)
        if isinstance(worker, threading.Thread):
            worker.daemon = True
        try:
            await connection
        except sqlite3.Error as error:
            raise _friendly(path, error) from None
        try:
            for pragma in CONNECTION_PRAGMAS:
                await connection.execute_fetchall(pragma)
        except sqlite3.Error as error:
            await connection.close()
            raise _friendly(path, error) from None
        return connection

    @classmethod
    async def _validate(
        cls, path: Path, connection: aiosqlite.Connection, *, readonly: bool
    ) -> Incident:
        try:
            app_id = await cls._scalar(connection, "PRAGMA application_id")
            version = await cls._scalar(connection, "PRAGMA user_version")
            if app_id != APPLICATION_ID:
                tables = await cls._scalar(connection, "SELECT count(*) FROM sqlite_master")
                kind = "an empty database" if not tables else "a database of another program"
                raise StoreError(f"{path}: not a warroom incident file ({kind})")
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{path}: written by a newer warroom (schema {version}, this one knows"
                    f" {SCHEMA_VERSION}); upgrade warroom to open it"
                )
            if version < READABLE_FROM:
                if readonly:
                    raise StoreError(
                        f"{path}: uses an older schema ({version}); open it once without"
                        " read-only mode to upgrade it"
                    )
                await cls._migrate(path, connection, from_version=version)
            elif version < SCHEMA_VERSION and not readonly:
                # Later migrations only add (the hash chain): a read-only reader
                # reads the file as it is, and the first writer upgrades it.
                await cls._migrate(path, connection, from_version=version)
            rows = await connection.execute_fetchall(
                "SELECT id, title, severity, started_at, created_by FROM incident LIMIT 1"
            )
            row = next(iter(rows), None)
        except sqlite3.Error as error:
            raise _friendly(path, error) from None
        if row is None:
            raise StoreError(f"{path}: damaged incident file (no incident header)")
        incident_id, title, severity, started_at, created_by = row
        try:
            parsed_severity = Severity(severity)
            started = parse_ts(started_at)
        except ValueError:
            raise StoreError(
                f"{path}: damaged incident header ({severity!r}, {started_at!r})"
            ) from None
        return Incident(incident_id, title, parsed_severity, started, created_by)

    @staticmethod
    async def _migrate(path: Path, connection: aiosqlite.Connection, *, from_version: int) -> None:
        for version in range(from_version, SCHEMA_VERSION):
            try:
                await connection.executescript(migration_script(version))
            except sqlite3.Error as error:
                if connection.in_transaction:
                    await connection.rollback()
                raise _friendly(path, error) from None

    @staticmethod
    async def _scalar(connection: aiosqlite.Connection, sql: str, *params: Any) -> Any:
        rows = list(await connection.execute_fetchall(sql, params))
        return rows[0][0] if rows else None

    async def close(self) -> None:
        await self._db.close()

    # -- writing -----------------------------------------------------------------

    async def append(self, kind: str, text: str, **fields: Unpack[EventFields]) -> Event:
        """Commit one event; return it only once it is durable."""
        event = self.new_event(kind, text, **fields)
        seq = 0

        async def work() -> None:
            nonlocal seq
            seq = await self._insert(event)

        async with self._write_lock:
            await self._in_transaction(work)
        return replace(event, seq=seq)

    async def record_transition(
        self, kind: str, text: str, **fields: Unpack[TransitionFields]
    ) -> Event | None:
        """Append a state change of `subject` unless the file already says so.

        Several consoles may watch the same disk or pod; the check and the insert
        share one write transaction, so the timeline gets each crossing once
        however many processes notice it. Nothing is written for a subject that
        has no history and sits in its `quiet_state` (a healthy disk is not news).
        """
        event, check = self.new_transition(kind, text, **fields)
        return await self.write_event(event, transition=check)

    def new_event(
        self,
        kind: str,
        text: str,
        *,
        data: dict[str, Any] | None = None,
        actor: str,
        source: str = "operator",
        pinned: bool = False,
        subject: str | None = None,
        at: datetime | None = None,
    ) -> Event:
        """The event `append` would write, stamped now, for `write_event` to write (maybe later)."""
        return self._new_event(kind, text, data, actor, source, pinned, subject, at)

    def new_transition(
        self,
        kind: str,
        text: str,
        *,
        subject: str,
        state: str,
        quiet_state: str,
        data: dict[str, Any] | None = None,
        actor: str,
        source: str,
    ) -> tuple[Event, TransitionCheck]:
        """The event `record_transition` would write (its `data` carries the state), and the
        check that decides, when it is written, whether it is news."""
        payload = {**(data or {}), "state": state}
        event = self._new_event(kind, text, payload, actor, source, False, subject, None)
        return event, TransitionCheck(state, quiet_state)

    async def write_event(
        self, event: Event, *, transition: TransitionCheck | None = None
    ) -> Event | None:
        """Commit an event made earlier (its time and id unchanged); None if nothing was written.

        Nothing is written when the file already holds the event's id (an earlier
        attempt did commit, or a recovery file is imported twice), or, for a
        `transition`, when the subject is already in that state: checked in the
        write transaction, as `record_transition` does, so a late write is still
        deduplicated against what other consoles wrote meanwhile.
        """
        seq = 0

        async def work() -> None:
            nonlocal seq
            if await self._scalar(self._db, "SELECT 1 FROM events WHERE uuid = ?", event.uuid):
                return
            if transition is not None and not await self._is_news(event, transition):
                return
            seq = await self._insert(event)

        async with self._write_lock:
            await self._in_transaction(work)
        return replace(event, seq=seq) if seq else None

    async def _is_news(self, event: Event, transition: TransitionCheck) -> bool:
        rows = list(
            await self._db.execute_fetchall(
                "SELECT data FROM events WHERE subject = ? AND kind = ? ORDER BY seq DESC LIMIT 1",
                (event.subject, event.kind),
            )
        )
        row = rows[0] if rows else None
        previous = json.loads(row[0]).get("state") if row else transition.quiet_state
        return bool(previous != transition.state)

    async def limit_pages(self, headroom: int | None) -> int:
        """Cap the file at its current size plus `headroom` pages; None lifts the cap.

        `PRAGMA max_page_count` on this store's own connection: a full disk, for
        drills and tests, without filling a real file system. Returns the cap.
        """
        async with self._write_lock:
            try:
                if self._uncapped_pages is None:
                    self._uncapped_pages = await self._scalar(self._db, "PRAGMA max_page_count")
                if headroom is None:
                    pages = await self._scalar(
                        self._db, f"PRAGMA max_page_count = {int(self._uncapped_pages)}"
                    )
                else:
                    current = await self._scalar(self._db, "PRAGMA page_count")
                    pages = await self._scalar(
                        self._db, f"PRAGMA max_page_count = {int(current) + max(headroom, 0)}"
                    )
            except sqlite3.Error as error:
                raise _friendly(self.path, error) from None
        return int(pages)

    def _new_event(
        self,
        kind: str,
        text: str,
        data: dict[str, Any] | None,
        actor: str,
        source: str,
        pinned: bool,
        subject: str | None,
        at: datetime | None,
    ) -> Event:
        if self.readonly:
            raise StoreError(f"{self.path}: opened read-only; nothing can be recorded")
        return Event(
            uuid=new_event_id(),
            ts=at or self._clock(),
            kind=str(kind),
            actor=actor,
            source=source,
            text=text,
            data=dict(data or {}),
            pinned=pinned,
            subject=subject,
        )

    async def _insert(self, event: Event) -> int:
        """Insert inside the caller's write transaction, linked to the last committed event."""
        rows = list(
            await self._db.execute_fetchall("SELECT hash FROM events ORDER BY seq DESC LIMIT 1")
        )
        # No event yet, or only events from before the chain: link to the header.
        previous = rows[0][0] if rows and rows[0][0] else self._genesis
        columns = {
            "uuid": event.uuid,
            "ts": format_ts(event.ts),
            "kind": event.kind,
            "actor": event.actor,
            "source": event.source,
            "text": event.text,
            "data": event.data_json(),
            "pinned": int(event.pinned),
            "subject": event.subject,
        }
        async with self._db.execute(
            "INSERT INTO events (uuid, ts, kind, actor, source, text, data, pinned, subject, hash)"
            " VALUES (:uuid, :ts, :kind, :actor, :source, :text, :data, :pinned, :subject, :hash)",
            {**columns, "hash": event_hash(previous, **columns)},
        ) as cursor:
            return int(cursor.lastrowid or 0)

    async def _in_transaction(self, work: Callable[[], Any]) -> None:
        try:
            await self._db.execute_fetchall("BEGIN IMMEDIATE")
            try:
                await work()
                await self._db.execute_fetchall("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    await self._db.execute_fetchall("ROLLBACK")
                raise
        except sqlite3.Error as error:
            raise _friendly(self.path, error) from None

    # -- reading -----------------------------------------------------------------

    async def events(self, *, after_seq: int = 0, limit: int | None = None) -> list[Event]:
        """Events in commit order, optionally only those newer than `after_seq`."""
        sql = f"SELECT {EVENT_COLUMNS} FROM events WHERE seq > ? ORDER BY seq"
        params: tuple[Any, ...] = (after_seq,)
        if limit is not None:
            sql += " LIMIT ?"
            params += (limit,)
        try:
            rows = await self._db.execute_fetchall(sql, params)
        except sqlite3.Error as error:
            raise _friendly(self.path, error) from None
        return [_event_from_row(row) for row in rows]

    async def changed_elsewhere(self) -> bool:
        """True when another connection committed since the last call (cheap to poll).

        The first call returns True: nothing is known yet.
        """
        try:
            version = await self._scalar(self._db, "PRAGMA data_version")
        except sqlite3.Error as error:
            raise _friendly(self.path, error) from None
        # Unknown baseline counts as changed: a spurious fetch costs nothing, a
        # missed one would hide another operator's event.
        changed = version != self._data_version
        self._data_version = version
        return changed

    async def state(self) -> IncidentState:
        folder = StateFolder(self.incident)
        for event in await self.events():
            folder.apply(event)
        return folder.snapshot()

    async def summary(self) -> IncidentSummary:
        state = await self.state()
        return IncidentSummary(
            path=self.path,
            incident=self.incident,
            severity=state.severity,
            status=state.status.value,
            event_count=state.event_count,
        )
