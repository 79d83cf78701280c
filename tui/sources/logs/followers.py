"""Sources made of streams: a `_Group` of `_Follower`s, each one stream (a container of
a pod, a docker container) read by one thread and resumed after breaks."""

from __future__ import annotations

import heapq
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from tui.sources.log_model import LogOrigin
from tui.sources.logs.lines import Keyed, make_line, split_timestamp
from tui.sources.logs.resume import _Resume
from tui.sources.logs.source import _Source
from tui.sources.logs.streams import _Abortable, _Silent
from tui.sources.logs.tuning import BACKOFF


@dataclass(frozen=True, slots=True)
class _Next:
    """What a stream does after its connection ended."""

    action: str  # "again": stream again now; "wait": after a back-off; "end"
    status: str = ""
    detail: str = ""
    slow: bool = False  # wait at the slow end of the back-off (permissions change slowly)
    most: float = BACKOFF[-1]  # the longest wait (a container being created starts soon)


class _Group(_Source):
    """A source made of streams (`_Follower`s) whose states it sums up."""

    def __init__(self, label: str) -> None:
        super().__init__(label)
        self._group_lock = threading.RLock()
        self._followers: dict[str, _Follower] = {}
        self._follower_states: dict[str, tuple[str, str]] = {}

    def _abort(self) -> None:
        super()._abort()
        with self._group_lock:
            followers = list(self._followers.values())
        for follower in followers:
            follower.cancel()

    def deliver(self, follower: _Follower, lines: list[Keyed]) -> None:
        self._outbox.add(lines)

    def follower_state(self, follower: _Follower, status: str, detail: str) -> None:
        with self._group_lock:
            if self._followers.get(follower.key) is not follower:
                return  # a stream already let go of
            self._follower_states[follower.key] = (status, detail)
            self._update_state()

    def follower_done(self, follower: _Follower) -> None:
        """Called by a follower's thread when it ends (it reported why already)."""

    def _update_state(self) -> None:
        raise NotImplementedError

    def _initial_merge(self, followers: list[_Follower]) -> None:
        """Read each stream's past (tail, since, previous) in parallel, and hand it over
        merged in timestamp order before any followed line."""
        results: list[list[Keyed]] = [[] for _ in followers]

        def reader(index: int, follower: _Follower) -> Callable[[], None]:
            return lambda: results.__setitem__(index, follower.read_initial())

        threads = [self._spawn(reader(i, f), f"tail {f.key}") for i, f in enumerate(followers)]
        for thread in threads:
            while thread.is_alive() and not self.stopped:
                thread.join(0.2)
        merged = heapq.merge(*results, key=lambda item: item[0])
        self._hand_over([line for _, line in merged])

    def _summary(self, noun: str) -> tuple[str, str]:
        """(status, detail) for the streams of this group."""
        states = [
            (key, *self._follower_states.get(key, ("connecting", ""))) for key in self._followers
        ]
        if len(states) == 1:
            return states[0][1], states[0][2]
        count = Counter(status for _, status, _ in states)
        trouble = [
            (key, status, detail)
            for key, status, detail in states
            if status in ("reconnecting", "error")
        ]
        if count["ended"] == len(states):
            return "ended", f"all {len(states)} {noun}s ended"
        notes = f"; {len(trouble)} in trouble: {trouble[0][0]}: {trouble[0][2]}" if trouble else ""
        if count["live"]:
            return "live", f"{count['live']} of {len(states)} {noun}s live{notes}"
        if trouble:
            return trouble[0][1], f"{trouble[0][0]}: {trouble[0][2]}"
        waiting = [(key, detail) for key, status, detail in states if detail and status != "ended"]
        return "connecting", f"{waiting[0][0]}: {waiting[0][1]}" if waiting else ""


class _Follower:
    """One stream of lines, read by one thread; resumes after breaks from the newest
    timestamp it delivered. Subclasses say how to open it and what an end means."""

    def __init__(self, owner: _Group, key: str, origin: LogOrigin, *, follow: bool) -> None:
        self.owner = owner
        self.key = key
        self.origin = origin
        self.follow = follow
        self.resume = _Resume()
        self.initial_done = False
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._stream: _Abortable | None = None
        self._delivered = 0

    def cancel(self) -> None:
        """Stop this stream (from any thread): its blocking read ends now."""
        self._cancel.set()
        with self._lock:
            stream = self._stream
        if stream is not None:
            stream.abort()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set() or self.owner.stopped

    # -- subclasses ------------------------------------------------------------------------

    def _open(self, *, follow: bool) -> _Abortable:
        raise NotImplementedError

    def _after_end(self, got: int) -> _Next:
        raise NotImplementedError

    def _after_error(self, error: Exception) -> _Next:
        raise NotImplementedError

    def _end_detail(self) -> str:
        return f"{self._delivered} lines"

    # -- reading ---------------------------------------------------------------------------

    def read_initial(self) -> list[Keyed]:
        """The stream's past in one read, for merging with its neighbours. On failure,
        [] and not done: run() then reads it with retries."""
        collected: list[Keyed] = []
        try:
            self._read(self._open(follow=False), collected.extend, live=False)
        except Exception:  # run() retries and reports it
            return []
        self.initial_done = True
        return collected

    def run(self) -> None:
        try:
            self._loop()
        finally:
            self.owner.follower_done(self)

    def _loop(self) -> None:
        if self.initial_done and not self.follow:
            self._report("ended", self._end_detail())
            return
        failures = 0
        empty_agains = 0
        while not self.cancelled:
            got = 0
            try:
                got = self._read(self._open(follow=self.follow), self._deliver, live=self.follow)
                step = self._after_end(got) if self.follow else _Next("end", "ended", "")
            except _Silent:
                continue  # quiet, not broken: ask again from where it got to
            except Exception as error:  # every failure is reported, most are retried
                if self.cancelled:
                    return
                step = self._after_error(error)
            if got:
                failures = empty_agains = 0
            if step.action == "again" and not got:
                empty_agains += 1
                if empty_agains > 2:  # the server keeps closing at once: do not spin
                    step = _Next("wait", "reconnecting", "the stream keeps closing")
            if step.action == "again":
                continue
            if step.action == "end":
                self._report(step.status, step.detail or self._end_detail())
                return
            delay = BACKOFF[-1] if step.slow else BACKOFF[min(failures, len(BACKOFF) - 1)]
            delay = min(delay, step.most)
            failures += 1
            self._report(step.status, f"in {delay:g} s: {step.detail}")
            if self._cancel.wait(delay):
                return

    def _read(self, stream: _Abortable, sink: Callable[[list[Keyed]], None], *, live: bool) -> int:
        with self._lock:
            self._stream = stream
        if self.cancelled:
            stream.abort()
        try:
            if live:
                self._report("live", "")
            self.resume.reconnected()
            got = 0
            for batch in stream.batches():
                if self.cancelled:
                    break
                lines = self._lines(batch)
                if lines:
                    got += len(lines)
                    sink(lines)
            return got
        finally:
            with self._lock:
                self._stream = None

    def _lines(self, batch: list[bytes]) -> list[Keyed]:
        keyed: list[Keyed] = []
        for raw in batch:
            if not raw:
                continue
            ns, moment, body = split_timestamp(raw)
            if not self.resume.fresh(ns, body):
                continue  # delivered before the stream broke
            key = ns if ns is not None else (self.resume.ns or 0)
            keyed.append((key, make_line(self.origin, body, moment)))
        return keyed

    def _deliver(self, lines: list[Keyed]) -> None:
        self._delivered += len(lines)
        self.owner.deliver(self, lines)

    def _report(self, status: str, detail: str) -> None:
        self.owner.follower_state(self, status, detail)
