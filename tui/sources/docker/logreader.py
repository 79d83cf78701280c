"""The Logs pane's `ContainerLogReader` over an engine: `docker logs --timestamps`.

It has its own client, with a long read timeout: a followed container may be
quiet for minutes, and the shared client's timeout is sized for requests.
`stop()` still ends a read at once (the returned stream's close() shuts its
socket), and the log source resumes from its last timestamp after a timeout.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from tui.sources.docker.endpoint import Endpoint
from tui.sources.docker.engine import api_client

FOLLOW_READ_TIMEOUT = 600.0


class EngineLogReader:
    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._api: Any = None
        self._lock = threading.Lock()

    def _client(self) -> Any:
        with self._lock:
            if self._api is None:
                self._api = api_client(self.endpoint, timeout=FOLLOW_READ_TIMEOUT)
            return self._api

    def stream(
        self, container_id: str, *, tail: int, since: datetime | None, follow: bool
    ) -> Iterator[bytes]:
        return self._client().logs(  # type: ignore[no-any-return]
            container_id,
            stream=True,
            follow=follow,
            timestamps=True,
            tail=tail if tail >= 0 else "all",
            since=since,
        )

    def close(self) -> None:
        with self._lock:
            api, self._api = self._api, None
        if api is not None:
            try:
                api.close()
            except Exception:  # closing a client whose engine is gone: nothing to do
                pass
