"""The controllers' runtime: work queues fed by store changes, timers on sim time.

A controller keeps an ordered set of keys to look at. The store calls the
engine for every change; the engine hands the change to the controllers that
watch that kind, which mark what needs work (cheap, synchronous). The work
itself (`sync(key)`) runs later:

- while a scenario replays its history, synchronously: `run_until(t)` fires
  timers in order on the virtual clock and drains every queue after each;
- once live, each controller is an asyncio task that wakes when its queue gets
  a key, waits a short tick so a burst of changes becomes one pass, and drains
  the queue in slices so the API server is never starved.

Timers are on the sim axis (`call_later(seconds)`); live, they become event
loop timers scaled by speed.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

from tui.sim.resources import ResourceType
from tui.sim.store import Change

if TYPE_CHECKING:
    from tui.sim.clock import SimClock

log = logging.getLogger("tui.sim")

TICK = 0.02  # real seconds a woken controller waits for more changes
SLICE = 500  # keys synced before yielding to the event loop
HISTORY_TICK = 0.05  # sim seconds of timers fired as one step when replaying history
MAX_SETTLE = 200_000  # syncs in one history step before we call it a loop


class Timer:
    __slots__ = ("args", "cancelled", "due", "fn", "handle", "seq")

    def __init__(self, due: float, seq: int, fn: Callable[..., Any], args: tuple[Any, ...]):
        self.due, self.seq, self.fn, self.args = due, seq, fn, args
        self.cancelled = False
        self.handle: asyncio.TimerHandle | None = None

    def cancel(self) -> None:
        self.cancelled = True
        if self.handle is not None:
            self.handle.cancel()

    def __lt__(self, other: Timer) -> bool:
        return (self.due, self.seq) < (other.due, other.seq)


class Controller:
    """Base: a queue of keys and a sync for one key."""

    name = "controller"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.queue: dict[Hashable, None] = {}
        self.wake = asyncio.Event()

    def observe(self, change: Change) -> None:
        """Mark what `change` means work for. Must be cheap."""

    def enqueue(self, key: Hashable) -> None:
        self.queue[key] = None
        if self.engine.live:
            self.wake.set()

    def sync(self, key: Any) -> None:
        raise NotImplementedError

    def after(self, delay: float, key: Hashable) -> Timer:
        """Look at `key` again in `delay` sim seconds."""
        return self.engine.call_later(delay, self.enqueue, key)


class Engine:
    def __init__(self, clock: SimClock) -> None:
        self.clock = clock
        self.controllers: list[Controller] = []
        self.routes: dict[ResourceType | None, list[Controller]] = {}
        self.before: list[Callable[[Change], None]] = []  # indexes: updated first
        self.after_work: list[Callable[[], None]] = []
        self.errors: list[str] = []
        self.live = False
        self._heap: list[Timer] = []
        self._seq = itertools.count()
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._after_pending = False

    # -- wiring --------------------------------------------------------------------

    def add(self, controller: Controller, *rtypes: ResourceType | None) -> None:
        """Route changes of `rtypes` to `controller` (None: every kind)."""
        self.controllers.append(controller)
        for rtype in rtypes:
            self.routes.setdefault(rtype, []).append(controller)

    def dispatch(self, change: Change) -> None:
        """The store listener."""
        for hook in self.before:
            hook(change)
        for controller in self.routes.get(change.rtype, ()):
            self._guard(controller.observe, change)
        for controller in self.routes.get(None, ()):
            self._guard(controller.observe, change)

    # -- timers --------------------------------------------------------------------

    def call_later(self, delay: float, fn: Callable[..., Any], *args: Any) -> Timer:
        timer = Timer(self.clock.sim() + max(0.0, delay), next(self._seq), fn, args)
        if self.live and self._loop is not None:
            timer.handle = self._loop.call_later(
                self.clock.real_delay(delay), self._fire_live, timer
            )
        else:
            heapq.heappush(self._heap, timer)
        return timer

    def _fire_live(self, timer: Timer) -> None:
        if self.live and not timer.cancelled:
            self._guard(timer.fn, *timer.args)
            self._note_work()

    # -- history replay ----------------------------------------------------------------

    def settle(self) -> None:
        """Drain every queue until nothing is left to do (history replay)."""
        count = 0
        while True:
            busy = False
            for controller in self.controllers:
                while controller.queue:
                    self._sync_next(controller)
                    busy = True
                    count += 1
                    if count > MAX_SETTLE:
                        raise RuntimeError(f"controllers do not settle ({controller.name})")
            if not busy:
                break
        self._run_after_work()

    def run_until(self, sim: float) -> None:
        """Replay history up to sim time `sim`: timers in order, queues after each."""
        assert not self.live
        self.settle()
        while self._heap and self._heap[0].due <= sim:
            # Timers due within one tick fire together before the queues drain, as a
            # burst of changes becomes one pass when live.
            first = self._heap[0].due
            while self._heap and self._heap[0].due <= min(first + HISTORY_TICK, sim):
                timer = heapq.heappop(self._heap)
                if not timer.cancelled:
                    self.clock.advance(timer.due)
                    self._guard(timer.fn, *timer.args)
            self.settle()
        self.clock.advance(sim)
        self.settle()

    # -- live --------------------------------------------------------------------------

    def start(self) -> None:
        """Go live on the running loop: timers become loop timers, controllers tasks."""
        if self.live:
            return
        self._loop = asyncio.get_running_loop()
        now = self.clock.sim()
        self.clock.go_live()
        self.live = True
        pending, self._heap = self._heap, []
        for timer in pending:
            if not timer.cancelled:
                timer.handle = self._loop.call_later(
                    self.clock.real_delay(timer.due - now), self._fire_live, timer
                )
        for controller in self.controllers:
            controller.wake = asyncio.Event()
            if controller.queue:
                controller.wake.set()
            self._tasks.append(
                self._loop.create_task(self._run(controller), name=f"sim-{controller.name}")
            )

    async def _run(self, controller: Controller) -> None:
        while True:
            await controller.wake.wait()
            await asyncio.sleep(TICK)
            controller.wake.clear()
            done = 0
            while controller.queue:
                self._sync_next(controller)
                done += 1
                if done % SLICE == 0:
                    await asyncio.sleep(0)
            if done:
                self._note_work()

    def _note_work(self) -> None:
        """Run the after-work hooks (scenario evaluation) soon, once per burst."""
        if self._after_pending or self._loop is None:
            return
        self._after_pending = True

        def run() -> None:
            self._after_pending = False
            self._run_after_work()

        self._loop.call_later(0.05, run)

    def _run_after_work(self) -> None:
        for hook in self.after_work:
            self._guard(hook)

    def _sync_next(self, controller: Controller) -> None:
        """Sync the oldest queued key. It leaves the queue first, so that a change made
        during its own sync queues it again."""
        key = next(iter(controller.queue))
        del controller.queue[key]
        self._guard(controller.sync, key)

    def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        for timer in self._heap:
            timer.cancel()
        self._heap.clear()
        self.live = False  # live timers still on the loop see this and do nothing

    # -- errors --------------------------------------------------------------------

    def _guard(self, fn: Callable[..., Any], *args: Any) -> None:
        """A bug in one controller must not stop the others: log it and keep it
        (tests assert there were none)."""
        try:
            fn(*args)
        except Exception as error:
            name = getattr(fn, "__qualname__", repr(fn))
            log.exception("drill cluster: %s failed", name)
            if len(self.errors) < 100:
                self.errors.append(f"{name}: {type(error).__name__}: {error}")
