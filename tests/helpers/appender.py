"""A separate process that appends notes to an incident file.

Usage: python -m tests.helpers.appender DB COUNT TAG [DELAY]

Prints each event's id on stdout right after `append` returns (that is, after
the commit is durable), so a parent that kills this process knows exactly which
events were acknowledged.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from tui.timeline.model import EventKind
from tui.timeline.store import TimelineStore


async def main(path: Path, count: int, tag: str, delay: float) -> None:
    store = await TimelineStore.open(path)
    for index in range(count):
        event = await store.append(EventKind.NOTE, f"{tag} {index}", actor=f"{tag}@test")
        sys.stdout.write(f"{event.uuid}\n")
        sys.stdout.flush()
        if delay:
            time.sleep(delay)
    await store.close()


if __name__ == "__main__":
    db, count, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    delay = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    asyncio.run(main(Path(db), count, tag, delay))
