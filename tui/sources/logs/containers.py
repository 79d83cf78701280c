"""A container's log from a container engine (docker, podman)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Protocol

from tui.sources.log_model import LogOrigin
from tui.sources.logs.followers import _Follower, _Group, _Next
from tui.sources.logs.source import _Untracking
from tui.sources.logs.streams import _Abortable, _IterLines
from tui.sources.logs.tuning import DEFAULT_TAIL


class ContainerLogReader(Protocol):
    """Where container logs come from: a container engine (docker, podman).

    `stream` returns the log as `docker logs --timestamps` writes it: each line
    starts with its RFC3339Nano timestamp and ends with "\\n"; a line may arrive in
    several pieces. `tail` < 0 means all; `since` is inclusive, to the second. A
    returned iterator with a `close()` that ends a blocking read from another thread
    (docker's CancellableStream has one) lets stop() end at once.
    """

    def stream(
        self, container_id: str, *, tail: int, since: datetime | None, follow: bool
    ) -> Iterator[bytes]: ...


class _ContainerFollower(_Follower):
    def __init__(
        self,
        owner: _Group,
        reader: ContainerLogReader,
        container_id: str,
        origin: LogOrigin,
        *,
        follow: bool,
        tail_lines: int | None,
        since_seconds: int | None,
    ) -> None:
        super().__init__(owner, container_id, origin, follow=follow)
        self.reader = reader
        self.container_id = container_id
        self.tail_lines = tail_lines
        self.since_seconds = since_seconds

    def _open(self, *, follow: bool) -> _Abortable:
        if self.resume.ns is not None:
            since: datetime | None = self.resume.since()
            tail = -1
        else:
            since = (
                datetime.now(UTC) - timedelta(seconds=self.since_seconds)
                if self.since_seconds
                else None
            )
            tail = self.tail_lines if self.tail_lines is not None else -1
        stream = _IterLines(
            self.reader.stream(self.container_id, tail=tail, since=since, follow=follow)
        )
        self.owner._track(stream)
        return _Untracking(stream, self.owner)

    def _after_end(self, got: int) -> _Next:
        # The engine ends a followed log when the container stops, or when it lets go.
        # Asking again tells them apart: a stopped container has nothing new.
        if got:
            return _Next("again")
        return _Next("end", "ended", "the container stopped")

    def _after_error(self, error: Exception) -> _Next:
        status = getattr(error, "status_code", None) or getattr(
            getattr(error, "response", None), "status_code", None
        )
        text = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        if status == 404:
            return _Next("end", "error", f"no such container: {text}")
        return _Next("wait", "reconnecting", text)


class ContainerLogs(_Group):
    """A container's log through a `ContainerLogReader`, followed and resumed like a pod's.

    States: connecting; live; reconnecting ("in 2 s: ..."); ended ("the container
    stopped", or a one-shot read done); error (no such container).
    """

    def __init__(
        self,
        reader: ContainerLogReader,
        container_id: str,
        name: str,
        tail_lines: int | None = DEFAULT_TAIL,
        since_seconds: int | None = None,
        follow: bool = True,
    ) -> None:
        super().__init__(f"container {name}")
        origin = LogOrigin("container", name)
        self._follower = _ContainerFollower(
            self,
            reader,
            container_id,
            origin,
            follow=follow,
            tail_lines=tail_lines,
            since_seconds=since_seconds,
        )
        self._followers = {self._follower.key: self._follower}

    def _run(self) -> None:
        self._follower.run()

    def _update_state(self) -> None:
        self._state(*self._summary("container"))
