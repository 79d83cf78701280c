"""A separate process that appends log lines to a file at a steady rate.

`python -m bench.log_writer PATH RATE SECONDS`: every 10 ms it appends the lines
due by then, each stamped with the wall-clock time it was written
(` t=1763800000.123456` at its end, where level detection does not look), so a
reader can tell how far behind it is. Line bodies
come from the real log samples when they are present, otherwise from a
synthetic mix of levels.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Iterator
from pathlib import Path

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "logs"
STAMP_MARK = " t="


def bodies() -> Iterator[str]:
    lines: list[str] = []
    if CORPORA.is_dir():
        for sample in sorted(CORPORA.glob("*.log")):
            lines.extend(sample.read_text(errors="replace").splitlines())
    if not lines:
        levels = ["INFO", "INFO", "INFO", "WARN", "ERROR", "DEBUG"]
        lines = [f"2026-11-22 10:00:00,000 {lv} worker-{n}: request {n} done" for n, lv in
                 zip(range(600), itertools.cycle(levels), strict=False)]  # fmt: skip
    return itertools.cycle(lines)


def stamp_of(text: str) -> float | None:
    """The write time a line carries, if it is one of ours."""
    _, mark, stamp = text.rpartition(STAMP_MARK)
    if not mark:
        return None
    try:
        return float(stamp)
    except ValueError:
        return None


def write(path: Path, rate: int, seconds: float) -> int:
    source = bodies()
    written = 0
    started = time.monotonic()
    with path.open("a", encoding="utf-8") as out:
        while (elapsed := time.monotonic() - started) < seconds:
            due = int(elapsed * rate) - written
            if due > 0:
                now = f"{STAMP_MARK}{time.time():.6f}\n"
                out.write("".join(next(source) + now for _ in range(due)))
                out.flush()
                written += due
            time.sleep(0.01)
    return written


if __name__ == "__main__":
    count = write(Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]))
    print(count)
