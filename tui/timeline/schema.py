"""The incident file's SQLite schema and its migrations.

A warroom file is marked with `PRAGMA application_id`, so a foreign SQLite file
is recognised and refused instead of being written into. `PRAGMA user_version`
holds the schema version; each migration moves the file up by one version inside
one transaction, so an interrupted upgrade leaves the file as it was.
"""

from __future__ import annotations

# "WRM1" in ASCII: the value `file(1)` and our own checks recognise.
APPLICATION_ID = 0x57524D31

# Each entry upgrades the schema from version N to N+1 (index N).
MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1: the incident header and the append-only event log.
    """
    CREATE TABLE incident (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        severity TEXT NOT NULL,
        started_at TEXT NOT NULL,
        created_by TEXT NOT NULL
    );
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid TEXT NOT NULL UNIQUE,
        ts TEXT NOT NULL,
        kind TEXT NOT NULL,
        actor TEXT NOT NULL,
        source TEXT NOT NULL,
        text TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{}',
        pinned INTEGER NOT NULL DEFAULT 0,
        subject TEXT
    );
    CREATE INDEX events_by_kind ON events(kind, seq);
    CREATE INDEX events_by_subject ON events(subject, seq) WHERE subject IS NOT NULL;
    CREATE INDEX events_by_ts ON events(ts);
    CREATE TRIGGER events_are_never_updated BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'the incident timeline is append-only'); END;
    CREATE TRIGGER events_are_never_deleted BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'the incident timeline is append-only'); END;
    """,
    # 1 -> 2: the hash chain (see tui/timeline/chain.py). Events already in the
    # file stay unhashed; `chain` records where the chain starts, and when.
    """
    ALTER TABLE events ADD COLUMN hash TEXT;
    CREATE TABLE chain (
        starts_after_seq INTEGER NOT NULL,
        since TEXT NOT NULL
    );
    INSERT INTO chain (starts_after_seq, since)
        SELECT coalesce(max(seq), 0), strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM events;
    CREATE TRIGGER chain_is_never_updated BEFORE UPDATE ON chain
    BEGIN SELECT RAISE(ABORT, 'the incident timeline is append-only'); END;
    CREATE TRIGGER chain_is_never_deleted BEFORE DELETE ON chain
    BEGIN SELECT RAISE(ABORT, 'the incident timeline is append-only'); END;
    CREATE INDEX events_pinned ON events(seq) WHERE pinned = 1;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
# The first schema whose events carry a chained hash.
CHAIN_SCHEMA = 2


def migration_script(version: int) -> str:
    """The script that moves a file from `version` to `version + 1`, atomically."""
    return (
        "BEGIN IMMEDIATE;\n"
        f"{MIGRATIONS[version]}\n"
        f"PRAGMA application_id = {APPLICATION_ID};\n"
        f"PRAGMA user_version = {version + 1};\n"
        "COMMIT;"
    )


# Every connection: wait for other writers instead of failing at once, keep the
# write-ahead log so readers never block the writer, and fsync each commit so an
# acknowledged event survives a crash of the process or of the machine.
CONNECTION_PRAGMAS = (
    "PRAGMA busy_timeout = 10000",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
)
