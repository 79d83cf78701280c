"""Following an engine's containers live: one events stream, one stats stream per
running container, and a thread that re-reads a container when an event says it
changed.

The whole list is read once per connection; after that, only events move
things: a `die` re-reads that one container, a `destroy` removes it. Stats
streams start when a container runs and end when it stops. Everything lands in
a pending `DockerDelta` that the app takes with `drain()` a few times a second,
so a crash loop's burst of events or 200 containers' stats cost the screen one
update per period, and each container's usage is refreshed at most once per
`stats_seconds`.

Threads (all daemons, all ended by `stop()` within a moment):

    supervisor   connects (with back-off), lists, follows the events stream
    inspector    re-reads the containers events named, in small batches
    stats-<id>   one per running container
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tui.sources.docker.crashloop import CrashTracker, LoopRule
from tui.sources.docker.endpoint import EndpointError
from tui.sources.docker.engine import Engine, EngineUnavailable, describe_error
from tui.sources.docker.model import DockerDelta, EngineStatus
from tui.sources.docker.rows import ContainerRow, row_from_inspect
from tui.sources.docker.stats import Usage, usage_from_stats
from tui.sources.docker.streams import (
    close_quietly,
    event_action,
    event_id,
    event_time,
    open_events,
    open_stats,
)
from tui.sources.docker.transitions import TransitionGate

RETRY_SECONDS = (1, 2, 4, 8, 15, 30)
# Events that can change what a row shows; the rest (exec, attach, cleanup...) cannot.
REREAD = frozenset({"create", "start", "restart", "die", "stop", "kill", "oom", "pause",
                    "unpause", "rename", "update", "init", "died"})  # fmt: skip
GONE = frozenset({"destroy", "remove"})
STATS_STATES = frozenset({"running", "paused"})
# Events arrive in bursts (a compose restart, a crash loop): gather them this long.
COALESCE_SECONDS = 0.05
LOOP_CHECK_SECONDS = 5.0
INITIAL_READERS = 8

Connect = Callable[[], Engine]


class DockerWatcher:
    def __init__(
        self,
        connect: Connect,
        *,
        stats_seconds: float = 1.0,
        clock: Callable[[], float] = time.time,
        loop_rule: LoopRule | None = None,
        settle_seconds: float = 1.0,
        stats: bool = True,
    ) -> None:
        self._connect = connect
        self.stats_seconds = stats_seconds
        self._clock = clock
        self._with_stats = stats
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._stopped = threading.Event()
        self._engine: Engine | None = None
        self._events: Any = None
        self._rows: dict[str, ContainerRow] = {}
        self._usage: dict[str, Usage] = {}
        self._usage_fresh: set[str] = set()
        self._usage_sent: dict[str, float] = {}
        self._to_read: set[str] = set()
        self._stats: dict[str, _StatsFollower] = {}
        self._gate = TransitionGate(settle_seconds)
        self._last_die: dict[str, float] = {}  # id -> newest die event handled (replays repeat)
        self._tracker = CrashTracker(loop_rule)
        self._delta = DockerDelta(status=EngineStatus("connecting", "connecting…"))
        self._last_loop_check = 0.0

    # -- what the app calls ------------------------------------------------------------

    def start(self) -> None:
        for target, name in ((self._supervise, "docker-watch"), (self._read_loop, "docker-read")):
            threading.Thread(target=target, name=name, daemon=True).start()

    def stop(self) -> None:
        """Idempotent; returns at once: every stream is shut, threads end by themselves."""
        self._stopped.set()
        with self._lock:
            followers = list(self._stats.values())
            self._stats.clear()
            events, self._events = self._events, None
            self._wake.notify_all()
        close_quietly(events)
        for follower in followers:
            follower.close()

    @property
    def engine(self) -> Engine | None:
        return self._engine

    @property
    def rows(self) -> dict[str, ContainerRow]:
        with self._lock:
            return dict(self._rows)

    def drain(self) -> DockerDelta | None:
        """What changed since the last call (None: nothing)."""
        now = time.monotonic()
        with self._lock:
            self._apply_usage(now)
            if now - self._last_loop_check >= LOOP_CHECK_SECONDS:
                self._last_loop_check = now
                self._recheck_loops()
            if self._engine is not None:
                self._delta.transitions += self._gate.due(self._engine.info.name, now)
            delta, self._delta = self._delta, DockerDelta()
        return delta if delta else None

    # -- connection --------------------------------------------------------------------

    def _set_status(self, status: EngineStatus) -> None:
        with self._lock:
            self._delta.status = status

    def _supervise(self) -> None:
        failures = 0
        while not self._stopped.is_set():
            try:
                engine = self._connect()
            except (EngineUnavailable, EndpointError) as error:
                self._engine = None  # actions and logs say "no engine" rather than hang
                reason = getattr(error, "reason", str(error))
                hint = getattr(error, "hint", "")
                self._set_status(EngineStatus("unavailable", reason, hint))
                self._pause(failures)
                failures += 1
                continue
            self._engine = engine
            started = time.monotonic()
            problem = self._follow(engine)
            self._drop_streams()
            if self._stopped.is_set():
                engine.close()
                break
            if time.monotonic() - started > 60:
                failures = 0  # it was live a good while: retry promptly
            wait = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
            self._set_status(
                EngineStatus("reconnecting", f"{problem}; retrying in {wait} s", engine=engine.info)
            )
            self._pause(failures)
            failures += 1
            engine.close()

    def _pause(self, failures: int) -> None:
        self._stopped.wait(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])

    def _follow(self, engine: Engine) -> str:
        """List, then follow events until the stream breaks; returns why it ended."""
        since = self._clock()
        try:
            listed = engine.api.containers(all=True)
            ids = [str(c.get("Id")) for c in listed if c.get("Id")]
            self._read_all(engine, ids)
            stream = open_events(engine.api, since)
        except Exception as error:  # the engine went away between calls
            return describe_error(error, engine.endpoint)
        with self._lock:
            if self._stopped.is_set():
                close_quietly(stream)
                return "stopped"
            self._events = stream
            for gone in set(self._rows) - set(ids):
                self._remove(gone)
            self._delta.status = EngineStatus("live", engine.info.describe(), engine=engine.info)
        try:
            for event in stream:
                if self._stopped.is_set():
                    break
                self._on_event(event)
        except Exception as error:  # a broken connection, a decode error: reconnect
            if self._stopped.is_set():
                return "stopped"
            return f"event stream broke: {describe_error(error, engine.endpoint)}"
        return "the engine closed the event stream"

    def _drop_streams(self) -> None:
        with self._lock:
            followers = list(self._stats.values())
            self._stats.clear()
            events, self._events = self._events, None
        close_quietly(events)
        for follower in followers:
            follower.close()

    # -- events and reading containers ---------------------------------------------------

    def _on_event(self, event: dict[str, Any]) -> None:
        action = event_action(event)
        container_id = event_id(event)
        if not container_id:
            return
        kind = action.split(":", 1)[0].strip()
        with self._lock:
            if kind in GONE:
                self._remove(container_id)
                return
            if kind == "die":
                at = event_time(event)
                # A reconnect replays the last second of events: count each exit once.
                if at > self._last_die.get(container_id, 0.0):
                    self._last_die[container_id] = at
                    attributes = (event.get("Actor") or {}).get("Attributes") or {}
                    code = attributes.get("exitCode") or attributes.get("containerExitCode") or 0
                    try:
                        self._tracker.died(container_id, int(code), at)
                    except ValueError:
                        pass
            if kind in REREAD or kind.startswith("health_status"):
                self._to_read.add(container_id)
                self._wake.notify()

    def _read_loop(self) -> None:
        while not self._stopped.is_set():
            with self._lock:
                while not self._to_read and not self._stopped.is_set():
                    self._wake.wait(1.0)
            self._stopped.wait(COALESCE_SECONDS)
            with self._lock:
                ids, self._to_read = self._to_read, set()
                engine = self._engine
            if engine is not None and ids and not self._stopped.is_set():
                for container_id in ids:
                    self._read_one(engine, container_id)

    def _read_one(self, engine: Engine, container_id: str) -> None:
        from docker.errors import NotFound

        try:
            attrs = engine.api.inspect_container(container_id)
        except NotFound:
            with self._lock:
                self._remove(container_id)
            return
        except Exception:  # the engine is going away: the supervisor reconnects and re-lists
            return
        row = row_from_inspect(attrs)
        with self._lock:
            self._put(row, engine)

    def _read_all(self, engine: Engine, ids: Iterable[str]) -> None:
        """The first listing: every container read, a few at a time (200 in about a second)."""
        ids = list(ids)
        with ThreadPoolExecutor(max_workers=INITIAL_READERS) as pool:
            list(pool.map(lambda cid: self._read_one(engine, cid), ids))

    # -- rows (called with the lock held) --------------------------------------------------

    def _put(self, row: ContainerRow, engine: Engine) -> None:
        if self._stopped.is_set():
            return
        running = row.state in STATS_STATES
        row = row.with_crash_loop(self._tracker.looping(row.id, self._clock()))
        if running:
            row = row.with_usage(self._usage.get(row.id))
        else:
            self._usage.pop(row.id, None)
        previous = self._rows.get(row.id)
        self._rows[row.id] = row
        if previous != row:
            self._delta.updated[row.id] = row
            self._delta.removed.discard(row.id)
        self._gate.observe(row, time.monotonic())
        follower = self._stats.get(row.id)
        if running and follower is None and self._with_stats:
            follower = _StatsFollower(self, engine, row.id)
            self._stats[row.id] = follower
            follower.start()
        elif not running and follower is not None:
            del self._stats[row.id]
            follower.close()

    def _remove(self, container_id: str) -> None:
        row = self._rows.pop(container_id, None)
        follower = self._stats.pop(container_id, None)
        if follower is not None:
            follower.close()
        self._usage.pop(container_id, None)
        self._usage_sent.pop(container_id, None)
        self._tracker.forget(container_id)
        self._last_die.pop(container_id, None)
        if row is None:
            return
        self._delta.updated.pop(container_id, None)
        self._delta.removed.add(container_id)
        engine = self._engine
        found = self._gate.removed(engine.info.name, row) if engine is not None else None
        if found is not None:
            self._delta.transitions.append(found)

    def _sampled(self, follower: _StatsFollower, usage: Usage) -> None:
        with self._lock:
            if self._stats.get(follower.container_id) is follower:
                self._usage[follower.container_id] = usage
                self._usage_fresh.add(follower.container_id)

    def _apply_usage(self, now: float) -> None:
        for container_id in list(self._usage_fresh):
            if now - self._usage_sent.get(container_id, 0.0) < self.stats_seconds:
                continue  # refreshed recently: this reading waits for a later drain
            self._usage_fresh.discard(container_id)
            row = self._rows.get(container_id)
            usage = self._usage.get(container_id)
            if row is None or usage is None or row.state not in STATS_STATES:
                continue
            self._usage_sent[container_id] = now
            row = row.with_usage(usage)
            self._rows[container_id] = row
            self._delta.updated[container_id] = row

    def _recheck_loops(self) -> None:
        """A crash loop ends by time passing (no event says so): look again now and then."""
        now = self._clock()
        for container_id in self._tracker.tracked():
            row = self._rows.get(container_id)
            if row is not None:
                looping = self._tracker.looping(container_id, now)
                if looping != row.crash_looping:
                    row = row.with_crash_loop(looping)
                    self._rows[container_id] = row
                    self._delta.updated[container_id] = row
                    self._gate.observe(row, time.monotonic())
        self._tracker.expire(now)


class _StatsFollower:
    """One container's stats stream, reopened after an error while the container runs."""

    def __init__(self, watcher: DockerWatcher, engine: Engine, container_id: str) -> None:
        self.watcher = watcher
        self.engine = engine
        self.container_id = container_id
        self._closed = threading.Event()
        self._stream: Any = None
        self._thread = threading.Thread(
            target=self._run, name=f"docker-stats-{container_id[:12]}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._closed.set()
        close_quietly(self._stream)

    def _run(self) -> None:
        failures = 0
        while not self._closed.is_set():
            try:
                self._stream = open_stats(self.engine.api, self.container_id)
                if self._closed.is_set():
                    close_quietly(self._stream)
                    return
                for sample in self._stream:
                    if self._closed.is_set():
                        return
                    if isinstance(sample, dict):
                        self.watcher._sampled(self, usage_from_stats(sample))
                        failures = 0
                # The engine ends the stream when the container stops; the inspector
                # closes this follower once the container is read as stopped.
            except Exception:  # a stream error: retry while this container still runs
                pass
            failures += 1
            self._closed.wait(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])
