"""Pod logs, computed when read: a pure function of container instance and time.

Nothing is stored. A container instance's log is its format's startup lines,
then steady lines drawn per 10-second bucket from a random stream seeded by
(seed, pod, container, restart, bucket), then, if it ended by itself, its last
words (the crash). So 5,000 pods cost nothing until someone reads one, and a
line read twice is the same line.

Reading follows the kubelet: the running instance, else the last terminated
one; `previous` is lastState's; a container still waiting has no log. Like a
kubelet that rotates its files, at most the last 5,000 lines (or 6 hours) are
kept. `follow` yields new lines as sim time passes, until the instance ends,
the pod goes, or `close()` is called.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import random
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from tui.sim.behavior import PROFILES
from tui.sim.controllers.kubelet import ContainerRun, Instance, PodRun
from tui.sim.logformats import Entry, LogCtx, LogFormat, format_for
from tui.sim.objects import dig, parse_time, rfc3339_nano
from tui.sim.store import ApiError, BadRequest

if TYPE_CHECKING:
    from tui.sim.world import World

Obj = dict[str, Any]
BUCKET = 10.0  # sim seconds
KEEP_LINES = 5000
KEEP_SECONDS = 6 * 3600.0
POLL = 0.2  # real seconds between follow steps
STARTUP = 1.5  # sim seconds the startup lines take; steady lines come after


class LogService:
    def __init__(self, world: World) -> None:
        self.world = world
        self._marks: dict[tuple[str, str], tuple[str, float]] = {}
        self._closers: set[asyncio.Event] = set()

    # -- the LogProvider protocol ------------------------------------------------------

    def read(
        self,
        pod: Obj,
        container: str,
        *,
        previous: bool,
        tail_lines: int | None,
        since_seconds: int | None,
        since_time: str | None,
        timestamps: bool,
        limit_bytes: int | None,
    ) -> list[str]:
        run, c = self._locate(pod, container)
        instance = self._instance(pod, c, previous=previous)
        clock = self.world.clock
        hi = instance.end if instance.end is not None else clock.sim()
        lo = instance.start
        if since_seconds is not None:
            lo = max(lo, clock.sim_of(clock.wall() - since_seconds))
        if since_time:
            moment = parse_time(since_time)
            if moment is not None:
                lo = max(lo, clock.sim_of(moment))
        limit = KEEP_LINES if tail_lines is None or tail_lines < 0 else min(tail_lines, KEEP_LINES)
        lines = self.lines(run, c, instance, lo, hi, limit=limit) if limit else []
        if len(self._marks) > 10_000:
            self._marks.clear()  # only the read just before a follow matters
        self._marks[(pod["metadata"]["uid"], container)] = (instance.container_id, hi)
        rendered = [self._stamp(t, text, timestamps) for t, text in lines]
        return _limit_bytes(rendered, limit_bytes)

    async def follow(self, pod: Obj, container: str, *, timestamps: bool) -> AsyncIterator[str]:
        uid = pod["metadata"]["uid"]
        run, c = self._locate(pod, container)
        instance = self._instance(pod, c, previous=False)
        mark = self._marks.get((uid, container))
        position = mark[1] if mark and mark[0] == instance.container_id else self.world.clock.sim()
        closed = asyncio.Event()
        self._closers.add(closed)
        try:
            while True:
                if instance.end is not None and position >= instance.end:
                    return
                try:
                    await asyncio.wait_for(closed.wait(), POLL)
                    return
                except TimeoutError:
                    pass
                current = self.world.kubelet.runs.get(run.key)
                if current is not run or run.frozen:
                    return
                now = self.world.clock.sim()
                hi = now if instance.end is None else min(now, instance.end)
                if hi <= position:
                    continue
                for t, text in self.lines(run, c, instance, position, hi, exclusive=True):
                    yield self._stamp(t, text, timestamps)
                position = hi
        finally:
            self._closers.discard(closed)

    def close(self) -> None:
        """End every follow stream now (the server is going away)."""
        for closed in list(self._closers):
            closed.set()

    # -- which instance ----------------------------------------------------------------

    def _locate(self, pod: Obj, container: str) -> tuple[PodRun, ContainerRun]:
        namespace, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        node = dig(pod, "spec", "nodeName")
        if node and not self.world.node_alive(node):
            host = self.world.node_ip(node)
            raise ApiError(
                f'Get "https://{host}:10250/containerLogs/{namespace}/{name}/{container}": dial'
                f" tcp {host}:10250: connect: no route to host"
            )
        run = self.world.kubelet.runs.get((namespace, name))
        c = run.find(container) if run is not None and run.uid == pod["metadata"]["uid"] else None
        if run is None or c is None:
            raise BadRequest(
                f'container "{container}" in pod "{name}" is waiting to start: ContainerCreating'
            )
        return run, c

    def _instance(self, pod: Obj, c: ContainerRun, *, previous: bool) -> Instance:
        name = pod["metadata"]["name"]
        if previous:
            if c.last is None:
                raise BadRequest(
                    f'previous terminated container "{c.name}" in pod "{name}" not found'
                )
            return c.last
        if c.current is not None:
            return c.current
        if c.last is not None:
            return c.last
        why = {
            "ErrImagePull": "image can't be pulled",
            "ImagePullBackOff": "trying and failing to pull image",
        }.get(c.reason, c.reason or "ContainerCreating")
        raise BadRequest(f'container "{c.name}" in pod "{name}" is waiting to start: {why}')

    # -- generation ----------------------------------------------------------------------

    def context(self, run: PodRun, c: ContainerRun, instance: Instance) -> LogCtx:
        params = instance.plan.params
        upstream = params.get("upstream_service")
        if upstream:
            # Where the ingress sends requests now: the backend's ready endpoints.
            addresses = tuple(self.world.endpoint_addresses(*upstream))
            params = {**params, "upstream_addrs": addresses or ("10.244.0.99:3000",)}
        return LogCtx(
            pod=run.name,
            namespace=run.namespace,
            container=c.name,
            node=run.node,
            pod_ip=run.ip,
            start=instance.start,
            end=instance.end,
            index=instance.index,
            params=params,
            flags=self.world.flags,
            wall=self.world.clock.wall_of,
            extra={"pid": 1},
        )

    def lines(
        self,
        run: PodRun,
        c: ContainerRun,
        instance: Instance,
        lo: float,
        hi: float,
        *,
        limit: int = KEEP_LINES,
        exclusive: bool = False,
    ) -> list[tuple[float, str]]:
        """The instance's lines with lo <= t <= hi (lo < t with `exclusive`), at most
        the last `limit`, oldest first."""
        ctx = self.context(run, c, instance)
        fmt = format_for(instance.plan.profile)
        base_rate = PROFILES.get(instance.plan.profile, PROFILES["generic"]).log_rate
        lo = max(lo, instance.start, hi - KEEP_SECONDS)

        def inside(t: float) -> bool:
            return (lo < t if exclusive else lo <= t) and t <= hi

        newest_first: list[tuple[float, str]] = []
        end = instance.end
        if end is not None and instance.exit_code is not None:
            # Last words only for a container that died its own death, not one stopped.
            words = instance.plan.last_words
            for i, entry in enumerate(reversed(words)):
                t = end - 0.002 * (i + 1)
                if inside(t):
                    newest_first.append((t, self._render(fmt, ctx, t, entry)))
        steady_from = instance.start + STARTUP
        steady_to = hi if end is None else min(hi, end - 0.05 * (len(instance.plan.last_words) + 1))
        if steady_to > steady_from:
            first = max(0, math.floor((max(lo, steady_from) - instance.start) / BUCKET))
            last = math.floor((steady_to - instance.start) / BUCKET)
            for k in range(last, first - 1, -1):
                bucket = [
                    (t, text)
                    for t, text in self._bucket(fmt, ctx, instance, k, base_rate)
                    if inside(t) and steady_from <= t <= steady_to
                ]
                newest_first.extend(reversed(bucket))
                if len(newest_first) >= limit:
                    break
        if len(newest_first) < limit:
            startup = [(instance.start + offset, entry) for offset, entry in fmt.startup(ctx)]
            for t, entry in reversed(startup):
                if inside(t) and (end is None or t < end):
                    newest_first.append((t, self._render(fmt, ctx, t, entry)))
        newest_first.sort(key=lambda item: item[0], reverse=True)
        return list(reversed(newest_first[:limit]))

    def _bucket(
        self, fmt: LogFormat, ctx: LogCtx, instance: Instance, k: int, base_rate: float
    ) -> list[tuple[float, str]]:
        seed = hashlib.blake2b(
            f"{self.world.seed}/{ctx.namespace}/{ctx.pod}/{ctx.container}/{instance.index}/{k}".encode(),
            digest_size=8,
        ).digest()
        rng = random.Random(int.from_bytes(seed, "big"))
        start = instance.start + k * BUCKET
        rate = fmt.rate(ctx, start + BUCKET / 2, base_rate)
        count = max(0, round(rate * BUCKET * (0.6 + 0.8 * rng.random())))
        times = sorted(start + rng.random() * BUCKET for _ in range(count))
        return [(t, self._render(fmt, ctx, t, fmt.steady(ctx, rng, t))) for t in times]

    def _render(self, fmt: LogFormat, ctx: LogCtx, t: float, entry: Entry) -> str:
        if isinstance(entry, tuple):
            return fmt.render(ctx, t, entry[0], entry[1])
        return entry

    def _stamp(self, t: float, text: str, timestamps: bool) -> str:
        if not timestamps:
            return text
        return f"{rfc3339_nano(self.world.clock.wall_of(t))} {text}"


def _limit_bytes(lines: list[str], limit: int | None) -> list[str]:
    """Keep whole lines within `limit` bytes (each line is sent with its newline); a
    line that does not fit is cut, as the kubelet cuts the stream."""
    if limit is None or limit < 0:
        return lines
    kept: list[str] = []
    used = 0
    for line in lines:
        size = len(line.encode()) + 1
        if used + size <= limit:
            kept.append(line)
            used += size
            continue
        room = limit - used - 1
        if room > 0:
            kept.append(line.encode()[:room].decode(errors="ignore"))
        break
    return kept
