"""`warroom note`: append a note to an incident from the shell."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from tui.commands.errors import UsageError
from tui.identity import current_actor
from tui.timeline.model import EventKind
from tui.timeline.store import TimelineStore


def register(commands: argparse._SubParsersAction) -> None:
    note = commands.add_parser(
        "note",
        help="append a note to an incident from the shell",
        description="Append a note to an incident file; '-' reads the note from stdin."
        " Works while consoles have the file open: they show it within a second.",
    )
    note.add_argument("--db", type=Path, metavar="PATH", required=True, help="incident file")
    note.add_argument("text", nargs="+", help="the note (words are joined with spaces)")
    note.set_defaults(run=lambda args: asyncio.run(append_note(args)))


async def append_note(args: argparse.Namespace) -> int:
    words: list[str] = args.text
    text = sys.stdin.read() if words == ["-"] else " ".join(words)
    text = text.strip()
    if not text:
        raise UsageError("the note is empty")
    path: Path = args.db.expanduser()
    if not path.exists():
        raise UsageError(f"{path}: no such incident file (start one with 'warroom --db {path}')")
    store = await TimelineStore.open(path)
    try:
        event = await store.append(EventKind.NOTE, text, actor=current_actor(), source="cli")
    finally:
        await store.close()
    print(f"recorded note #{event.seq} at {event.ts:%Y-%m-%d %H:%M:%S} UTC ({event.uuid})")
    return 0
