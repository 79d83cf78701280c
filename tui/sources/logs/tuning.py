"""The numbers the log sources run by: back-off, hand-over pace, timeouts, sizes."""

from __future__ import annotations

BACKOFF = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
FLUSH_INTERVAL = 0.1  # the pane draws about ten times a second: no point handing over faster
REORDER_WINDOW = 0.3  # how long merged streams hold a line so a late neighbour can overtake it
MAX_HELD = 50_000  # lines held for reordering beyond this go out at once (a flood)
READ_TIMEOUT = 60.0  # a one-shot read (tail, previous)
# A followed log silent this long is requested again, from where it got to: a quiet
# container is normal, and a connection nobody talks on may be dead.
FOLLOW_READ_TIMEOUT = 120.0
WATCH_SECONDS = 300
WATCH_READ_TIMEOUT = 90.0
MAX_LINE_BYTES = 2 * 1024 * 1024  # a "line" longer than this is handed on in pieces
FILE_POLL = 0.2
FILE_READ = 1024 * 1024
PARTIAL_IDLE = 2.0  # a file's last line without its newline is shown after this long
DEFAULT_TAIL = 500
