"""A full incident file without filling a real disk: `PRAGMA max_page_count` on the store's
own connection (`TimelineStore.limit_pages`), then filler events until not even the smallest
fits, so any real event after it needs a page the file cannot have."""

from __future__ import annotations

from tui.timeline.model import EventKind
from tui.timeline.store import StoreFull, TimelineStore

# Each size is appended until one no longer fits; the smallest over and over, because a
# failure can come from an index leaf that a new random id would miss.
FILLER_SIZES = (3000, 1000, 300, 100, 30, 10)
SMALLEST_FAILURES_IN_A_ROW = 20


async def fill_up(store: TimelineStore) -> int:
    """Cap the file at its size and fill what room its pages have left; returns fillers written."""
    await store.limit_pages(0)
    written = 0
    for size in FILLER_SIZES:
        while await _filler(store, size):
            written += 1
    failures = 0
    while failures < SMALLEST_FAILURES_IN_A_ROW:
        if await _filler(store, 0):
            written += 1
            failures = 0
        else:
            failures += 1
    return written


async def _filler(store: TimelineStore, size: int) -> bool:
    try:
        await store.append(EventKind.NOTE, "f" + "x" * size, actor="filler", source="test")
    except StoreFull:
        return False
    return True


async def make_room(store: TimelineStore) -> None:
    """Space returns: lift the cap."""
    await store.limit_pages(None)
