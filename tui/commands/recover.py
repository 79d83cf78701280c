"""`warroom recover HELD.jsonl [--db FILE.db]`: write events a console could not write.

A console that quits while the disk is still full saves its held events to a
recovery file (tui/timeline/pending.py). This writes them into their incident
file, in order, each with its original time and id: an event already in the
file is skipped, so running it twice adds nothing.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from tui.commands.errors import UsageError
from tui.safetext import one_line
from tui.timeline.store import TimelineStore


def register(commands: argparse._SubParsersAction) -> None:
    recover = commands.add_parser(
        "recover",
        help="write the events a console held on a full disk into their incident file",
        description="Import a recovery file (FILE.db.held-*.jsonl, written by a console that"
        " quit while the incident file's disk was full) into its incident file: each event"
        " keeps its time and id and is chained as it is written. Events already in the file"
        " are skipped, so importing twice adds nothing. Works while consoles have the file"
        " open.",
    )
    recover.add_argument("path", type=Path, metavar="HELD.jsonl", help="the recovery file")
    recover.add_argument(
        "--db",
        type=Path,
        metavar="PATH",
        help="the incident file (default: the one named in the recovery file)",
    )
    recover.set_defaults(run=lambda args: asyncio.run(recover_events(args)))


async def recover_events(args: argparse.Namespace) -> int:
    # Loaded when a recovery runs: the console's start-up imports every command's module.
    from tui.timeline.pending import import_recovery, read_recovery

    source: Path = args.path.expanduser()
    if not source.is_file():
        raise UsageError(f"{source}: no such recovery file")
    recovery = read_recovery(source)
    target: Path = args.db.expanduser() if args.db else recovery.file
    if not target.exists():
        raise UsageError(f"{target}: no such incident file (name it with --db)")
    store = await TimelineStore.open(target)
    try:
        written, skipped = await import_recovery(store, recovery)
    finally:
        await store.close()
    print(
        f"{one_line(str(target))}: {written} held events written, {skipped} already there;"
        f" {one_line(str(source))} can be deleted"
    )
    return 0
