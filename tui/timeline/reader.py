"""Reading a whole incident file without writing to it: review, export, verify, merge.

Plain `sqlite3`, opened read-only, so it works on a file another process is
still writing (WAL: readers never block the writer), on a copy from another
machine, and on a file in a directory we cannot write (opened `immutable`, the
only way SQLite reads a WAL file there; such a file cannot be followed). Every
call is a short query; callers on an event loop run them in a thread, and the
lock makes one connection safe to share between those threads.

Files of schema 1 (before the hash chain) are read as they are: no migration
happens here, and every event reads as predating the chain.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tui.timeline.chain import genesis_hash
from tui.timeline.model import EventKind, Incident, Severity, parse_ts
from tui.timeline.rows import ROW_COLUMNS, ROW_COLUMNS_V1, StoredRow
from tui.timeline.schema import APPLICATION_ID, CHAIN_SCHEMA, SCHEMA_VERSION
from tui.timeline.store import StoreError, check_sqlite_header

CHUNK = 5000


class TimelineReader:
    """One read-only connection to an incident file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        check_sqlite_header(path)
        if path.stat().st_size == 0:
            raise StoreError(f"{path}: empty file, not a warroom incident file")
        # Reentrant: a snapshot holds it while the queries inside it take it again.
        self._lock = threading.RLock()
        self.immutable = False
        self._db = self._connect()
        try:
            self._validate()
        except BaseException:
            self._db.close()
            raise

    # -- opening -------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        base = f"file:{quote(os.path.abspath(self.path))}"  # noqa: PTH100
        try:
            db = self._open(f"{base}?mode=ro")
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as error:
            if "unable to open" not in str(error) and "readonly" not in str(error):
                raise self._friendly(error) from None
            # A WAL file in a directory we cannot write (a copy on read-only
            # media): SQLite can only read it as immutable.
            self.immutable = True
            db = self._open(f"{base}?mode=ro&immutable=1")
        except sqlite3.Error as error:
            raise self._friendly(error) from None
        db.execute("PRAGMA busy_timeout = 10000")
        return db

    @staticmethod
    def _open(uri: str) -> sqlite3.Connection:
        # isolation_level=None: transactions only where `snapshot` asks for one.
        return sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)

    def _friendly(self, error: sqlite3.Error) -> StoreError:
        message = str(error)
        if "not a database" in message or "malformed" in message:
            return StoreError(f"{self.path}: not a warroom incident file, or damaged ({message})")
        return StoreError(f"{self.path}: {message}")

    def _validate(self) -> None:
        app_id = self._scalar("PRAGMA application_id")
        version = int(self._scalar("PRAGMA user_version") or 0)
        if app_id != APPLICATION_ID:
            tables = self._scalar("SELECT count(*) FROM sqlite_master")
            kind = "an empty database" if not tables else "a database of another program"
            raise StoreError(f"{self.path}: not a warroom incident file ({kind})")
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: written by a newer warroom (schema {version}, this one knows"
                f" {SCHEMA_VERSION}); upgrade warroom to read it"
            )
        self.schema_version = version
        self._columns = ROW_COLUMNS if version >= CHAIN_SCHEMA else ROW_COLUMNS_V1
        header = self.query("SELECT id, title, severity, started_at, created_by FROM incident")
        if not header:
            raise StoreError(f"{self.path}: damaged incident file (no incident header)")
        self.header: tuple[str, ...] = tuple(str(value) for value in header[0])
        incident_id, title, severity, started_at, created_by = self.header
        try:
            self.incident = Incident(
                incident_id, title, Severity(severity), parse_ts(started_at), created_by
            )
        except ValueError:
            raise StoreError(
                f"{self.path}: damaged incident header ({severity!r}, {started_at!r})"
            ) from None
        self.genesis = genesis_hash(*self.header)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> TimelineReader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- plumbing ------------------------------------------------------------------

    def query(
        self, sql: str, params: Sequence[Any] = (), *, cancel: threading.Event | None = None
    ) -> list[tuple[Any, ...]]:
        """Run one statement; setting `cancel` from another thread stops it ("interrupted")."""
        with self._lock:
            if cancel is not None:
                # Checked every few thousand SQLite steps: only this statement stops.
                self._db.set_progress_handler(lambda: int(cancel.is_set()), 5000)
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as error:
                raise self._friendly(error) from None
            finally:
                if cancel is not None:
                    self._db.set_progress_handler(None, 0)

    def _scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    def snapshot(self) -> _Snapshot:
        """A read transaction: everything read inside sees the same commit."""
        return _Snapshot(self)

    # -- facts about the file ------------------------------------------------------

    def data_version(self) -> int:
        """Changes when another connection commits: cheap to poll."""
        return int(self._scalar("PRAGMA data_version") or 0)

    def count(self) -> int:
        return int(self._scalar("SELECT count(*) FROM events") or 0)

    def max_seq(self) -> int:
        return int(self._scalar("SELECT max(seq) FROM events") or 0)

    def min_seq(self) -> int:
        return int(self._scalar("SELECT min(seq) FROM events") or 0)

    def highest_assigned_seq(self) -> int:
        """The highest seq SQLite ever handed out (AUTOINCREMENT never reuses one)."""
        value = self._scalar("SELECT seq FROM sqlite_sequence WHERE name = 'events'")
        return int(value or 0)

    def chain_info(self) -> tuple[int, str | None]:
        """(last seq written before the chain existed, when the chain started)."""
        if self.schema_version < CHAIN_SCHEMA:
            return self.max_seq(), None
        rows = self.query("SELECT starts_after_seq, since FROM chain LIMIT 1")
        if not rows:
            return 0, None
        return int(rows[0][0]), str(rows[0][1])

    # -- events --------------------------------------------------------------------

    def rows(self, *, after_seq: int = 0, limit: int | None = None) -> list[StoredRow]:
        sql = f"SELECT {self._columns} FROM events WHERE seq > ? ORDER BY seq"
        params: list[Any] = [after_seq]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [StoredRow(*row) for row in self.query(sql, params)]

    def rows_by_seq(self, seqs: Sequence[int]) -> list[StoredRow]:
        """The rows with these seqs, in seq order (missing ones are left out)."""
        found: list[StoredRow] = []
        for start in range(0, len(seqs), 500):
            chunk = list(seqs[start : start + 500])
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT {self._columns} FROM events WHERE seq IN ({marks}) ORDER BY seq"
            found.extend(StoredRow(*row) for row in self.query(sql, chunk))
        return found

    def rows_of_kinds(self, kinds: Sequence[str]) -> list[StoredRow]:
        """Every event of these kinds, in commit order (uses the kind index)."""
        marks = ",".join("?" * len(kinds))
        sql = f"SELECT {self._columns} FROM events WHERE kind IN ({marks}) ORDER BY seq"
        return [StoredRow(*row) for row in self.query(sql, list(kinds))]

    def rows_where(self, where: str, params: Sequence[Any] = ()) -> list[StoredRow]:
        """Rows matching a WHERE clause built by this package (never by user text)."""
        sql = f"SELECT {self._columns} FROM events WHERE {where} ORDER BY seq"
        return [StoredRow(*row) for row in self.query(sql, params)]

    def pinned_uuids(self) -> set[str]:
        """Events pinned now: pinned when recorded, then pins and unpins in commit order."""
        pinned = {row[0] for row in self.query("SELECT uuid FROM events WHERE pinned = 1")}
        for row in self.rows_of_kinds([EventKind.PIN_CHANGED]):
            data = row.payload()
            target = str(data.get("target", ""))
            if data.get("pinned"):
                pinned.add(target)
            else:
                pinned.discard(target)
        return pinned

    def seqs_of_uuids(self, uuids: Sequence[str]) -> list[int]:
        found: list[int] = []
        for start in range(0, len(uuids), 500):
            chunk = list(uuids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            found += [
                r[0] for r in self.query(f"SELECT seq FROM events WHERE uuid IN ({marks})", chunk)
            ]
        return sorted(found)

    def iter_rows(self, *, after_seq: int = 0, chunk: int = CHUNK) -> Iterator[StoredRow]:
        """Every row in commit order, a chunk at a time (keyset paging: memory stays flat)."""
        last = after_seq
        while True:
            batch = self.rows(after_seq=last, limit=chunk)
            if not batch:
                return
            yield from batch
            last = batch[-1].seq


class _Snapshot:
    """`with reader.snapshot():` holds one read transaction (consistent multi-query reads)."""

    def __init__(self, reader: TimelineReader) -> None:
        self._reader = reader

    def __enter__(self) -> TimelineReader:
        # Held until the end: another thread's query must not land inside this
        # transaction (one connection), nor start a second one.
        self._reader._lock.acquire()
        try:
            self._reader.query("BEGIN")
        except BaseException:
            self._reader._lock.release()
            raise
        return self._reader

    def __exit__(self, *_exc: object) -> None:
        try:
            self._reader.query("COMMIT")
        finally:
            self._reader._lock.release()
