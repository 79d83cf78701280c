"""What every source shares: its threads, stop(), the hand-over to the feed, state
reports, and retrying with back-off."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from tui.sources.kube.client import KubeError
from tui.sources.log_model import LogFeed, LogLine, SourceState
from tui.sources.logs.outbox import _Outbox
from tui.sources.logs.streams import _Abortable
from tui.sources.logs.tuning import BACKOFF, FLUSH_INTERVAL

T = TypeVar("T")


class _Source:
    """Threads, stop, the outbox and state reporting shared by every source."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._stop = threading.Event()
        self._lock = threading.Lock()  # a hand-over and stop() never interleave
        self._threads: list[threading.Thread] = []
        self._threads_lock = threading.Lock()
        self._streams: set[_Abortable] = set()
        self._feed: LogFeed | None = None
        self._outbox = _Outbox()
        self._last_state: tuple[str, str] | None = None
        self._work_done = threading.Event()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.label}>"

    # -- the public life cycle ---------------------------------------------------------

    def start(self, feed: LogFeed) -> None:
        """Start reading in daemon threads; returns at once."""
        if self._feed is not None or self.stopped:
            return
        self._feed = feed
        self._state("connecting")
        self._spawn(self._flush_loop, "flush")
        self._spawn(self._work, "main")

    def stop(self) -> None:
        """Stop reading: idempotent, returns at once; nothing reaches the feed after it."""
        with self._lock:
            if self._stop.is_set():
                return
            self._stop.set()
        self._abort()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def join(self, timeout: float = 2.0) -> bool:
        """Wait for the threads to end (after stop(), or a source that ended); True if they did."""
        deadline = time.monotonic() + timeout
        with self._threads_lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in threads)

    # -- for subclasses ------------------------------------------------------------------

    def _run(self) -> None:
        raise NotImplementedError

    def _abort(self) -> None:
        for stream in list(self._streams):
            stream.abort()

    def _work(self) -> None:
        try:
            self._run()
        finally:
            self._work_done.set()

    def _guarded(self, target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except Exception as error:  # a bug: say so in the pane, never on the terminal
                self._state("error", f"internal error: {type(error).__name__}: {error}")

        return run

    def _spawn(self, target: Callable[[], None], name: str) -> threading.Thread:
        thread = threading.Thread(
            target=self._guarded(target), name=f"logs {self.label} {name}", daemon=True
        )
        with self._threads_lock:
            # Pods come and go for hours: keep only the threads still running.
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()
        return thread

    def _track(self, stream: _Abortable) -> None:
        self._streams.add(stream)
        if self.stopped:  # stop() ran while this stream was being opened
            stream.abort()

    def _untrack(self, stream: _Abortable) -> None:
        self._streams.discard(stream)

    def _flush_loop(self) -> None:
        while not self._stop.wait(FLUSH_INTERVAL):
            self._hand_over(self._outbox.take())
            if self._work_done.is_set():
                self._hand_over(self._outbox.take(everything=True))
                return

    def _hand_over(self, lines: list[LogLine]) -> None:
        if not lines:
            return
        with self._lock:
            if self._feed is not None and not self._stop.is_set():
                self._feed.put(lines)

    def _state(self, status: str, detail: str = "") -> None:
        if status == "ended":
            # Everything read goes out before the source says it is done.
            self._hand_over(self._outbox.take(everything=True))
        with self._lock:
            if self._feed is None or self._stop.is_set() or self._last_state == (status, detail):
                return
            self._last_state = (status, detail)
            self._feed.set_state(SourceState(self.label, status, detail))

    def _retrying(self, call: Callable[[], T], what: str) -> T | None:
        """`call()` until it works; transient failures are retried with back-off and
        reported; None if it cannot work (reported as an error) or the source stopped."""
        failures = 0
        while not self.stopped:
            try:
                return call()
            except KubeError as error:
                if self.stopped:
                    return None
                if error.kind in ("config", "notfound", "invalid"):
                    self._state("error", f"{what}: {error.message}")
                    return None
                slow = error.kind in ("forbidden", "unauthorized")
                delay = BACKOFF[-1] if slow else BACKOFF[min(failures, len(BACKOFF) - 1)]
                failures += 1
                status = "error" if slow else "reconnecting"
                self._state(status, f"in {delay:g} s: {what}: {error.message}")
                if self._stop.wait(delay):
                    return None
        return None


class _Untracking:
    """A stream the source forgets (for stop()) once read to its end."""

    def __init__(self, stream: _Abortable, owner: _Source) -> None:
        self._stream = stream
        self._owner = owner

    def abort(self) -> None:
        self._stream.abort()
        self._owner._untrack(self._stream)

    def batches(self) -> Iterator[list[bytes]]:
        try:
            yield from self._stream.batches()
        finally:
            self._owner._untrack(self._stream)
