"""Writing a whole new incident file at once: merges, imports of JSON exports, benchmarks.

The file is created exactly as `TimelineStore.create` creates one (private
mode, WAL, the same migrations), then the header and every event go in with
one transaction: a failure leaves no half-written file behind. Events get new
seqs in the order given and a fresh hash chain from the new header.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from tui.timeline.chain import genesis_hash, row_hash
from tui.timeline.rows import StoredRow
from tui.timeline.schema import CONNECTION_PRAGMAS, SCHEMA_VERSION, migration_script
from tui.timeline.store import StoreError, create_private_file

Header = tuple[str, str, str, str, str]  # id, title, severity, started_at, created_by


def write_new_file(
    path: Path, header: Header, rows: Iterable[StoredRow], *, durable: bool = True
) -> tuple[int, str | None]:
    """Create `path` holding `rows` (their seq and hash are replaced).

    Returns (events written, head hash). `durable=False` skips fsync while
    loading, for benchmark files that are thrown away.
    """
    create_private_file(path)
    try:
        db = sqlite3.connect(path, isolation_level=None)
    except sqlite3.Error as error:
        raise StoreError(f"{path}: {error}") from None
    try:
        for pragma in CONNECTION_PRAGMAS:
            db.execute(pragma)
        db.execute("PRAGMA journal_mode = WAL")
        if not durable:
            db.execute("PRAGMA synchronous = OFF")
        for version in range(SCHEMA_VERSION):
            db.executescript(migration_script(version))
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "INSERT INTO incident (id, title, severity, started_at, created_by)"
            " VALUES (?, ?, ?, ?, ?)",
            header,
        )
        chained = _Chain(genesis_hash(*header), rows)
        db.executemany(
            "INSERT INTO events"
            " (seq, uuid, ts, kind, actor, source, text, data, pinned, subject, hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            chained,
        )
        db.execute("COMMIT")
    except sqlite3.Error as error:
        db.close()
        _remove(path)
        raise StoreError(f"{path}: cannot write ({error})") from None
    except BaseException:
        db.close()
        _remove(path)
        raise
    db.close()
    return chained.count, chained.head


def _remove(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(OSError):
            leftover.unlink()


class _Chain:
    """Rows renumbered from 1 and chained, as tuples for executemany (a generator that
    remembers how far it got)."""

    def __init__(self, genesis: str, rows: Iterable[StoredRow]) -> None:
        self._rows = iter(rows)
        self.head: str | None = None
        self._previous = genesis
        self.count = 0

    def __iter__(self) -> _Chain:
        return self

    def __next__(self) -> tuple[object, ...]:
        row = next(self._rows)
        self.count += 1
        digest = row_hash(self._previous, row)
        self._previous = self.head = digest
        return (
            self.count,
            row.uuid,
            row.ts,
            row.kind,
            row.actor,
            row.source,
            row.text,
            row.data,
            row.pinned,
            row.subject,
            digest,
        )
