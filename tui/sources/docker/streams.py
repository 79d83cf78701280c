"""The engine's long-lived streams, each closable from another thread.

`close()` shuts the stream's socket, which ends a blocking read at once: that
is how the watcher stops within a moment whatever the engine is doing.
"""

from __future__ import annotations

import time
from typing import Any

# A running container's stats come every second (docker) or five (podman);
# this long without one means the connection is dead, not the container quiet.
STATS_READ_TIMEOUT = 30.0


def open_events(api: Any, since: float) -> Any:
    """Container events from `since` (replayed first, so nothing between a listing and the
    stream's start is missed), then live. Iterable of dicts; has close()."""
    return api.events(decode=True, since=int(since), filters={"type": ["container"]})


def open_stats(api: Any, container_id: str) -> Any:
    """A container's stats stream (one JSON object per reading). Iterable; has close().

    What APIClient.stats(stream=True) does, keeping the response so the stream
    can be closed from another thread (stats() returns a bare generator).
    """
    from docker.types import CancellableStream

    url = api._url("/containers/{0}/stats", container_id)
    response = api._get(url, params={"stream": True}, stream=True, timeout=STATS_READ_TIMEOUT)
    api._raise_for_status(response)
    return CancellableStream(api._stream_helper(response, decode=True), response)


def close_quietly(stream: Any) -> None:
    if stream is None:
        return
    try:
        stream.close()
    except Exception:  # already closed, or its socket already gone: nothing left to end
        pass


def event_action(event: dict[str, Any]) -> str:
    return str(event.get("Action") or event.get("status") or "")


def event_id(event: dict[str, Any]) -> str:
    return str(event.get("id") or (event.get("Actor") or {}).get("ID") or "")


def event_time(event: dict[str, Any]) -> float:
    nano = event.get("timeNano")
    if isinstance(nano, int) and nano > 0:
        return nano / 1e9
    seconds = event.get("time")
    return float(seconds) if isinstance(seconds, int | float) else time.time()
