"""URL probes: `curl -f https://.../health` every few seconds, with memory.

A `ProbeSpec` is one URL to watch (`--probe URL` gives just the URL; a config
file can set the rest). A `ProbeRunner` checks every spec on its own interval
and keeps, per probe, what the pane shows: last status, a latency history for a
sparkline, the last error, the last success, the run of consecutive failures.
It reports each transition exactly once: a probe going down yields one
`ProbeTransition`, staying down yields nothing more, coming back yields one.

    runner = ProbeRunner([ProbeSpec.from_config("https://shop.example.com/health")])
    await runner.run_forever(on_update)   # in a worker; cancel it to stop

`on_update(update)` receives a `ProbeUpdate` (result, new state, transitions)
after every check; it may be a plain function or a coroutine function. The
blocking HTTP work runs in daemon threads, at most `max_concurrency` at a time,
so the event loop never waits on the network.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import logging
import math
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tui.safetext import one_line
from tui.sources.probe_checks import DEFAULT_EXPECT, HttpResult, StatusSet, http_check, in_thread
from tui.sources.probe_dns import Pins

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
HISTORY = 60  # latency samples kept per probe: one sparkline's width
ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS")  # probes read; they never change anything
_SPEC_KEYS = ("name", "url", "method", "expect_status", "timeout", "interval", "down_after")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _seconds(value: object, what: str, label: str) -> float:
    """A duration from config: 5, 2.5, "5", "5s", "500ms", "2m"."""
    if isinstance(value, bool):
        raise ValueError(f"{label}: {what} must be a number of seconds, not {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().lower()
        scale = 1.0
        for suffix, factor in (("ms", 0.001), ("s", 1.0), ("m", 60.0)):
            if text.endswith(suffix):
                text, scale = text[: -len(suffix)].strip(), factor
                break
        try:
            seconds = float(text) * scale
        except ValueError:
            raise ValueError(
                f"{label}: {what} {value!r} is not a duration (e.g. 5, 5s, 500ms)"
            ) from None
    else:
        raise ValueError(f"{label}: {what} must be a number of seconds, not {value!r}")
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"{label}: {what} must be more than 0 seconds")
    return seconds


def default_name(url: str) -> str:
    """A readable probe name: https://shop.example.com/health -> shop.example.com/health."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return url
    path = parsed.path if parsed.path != "/" else ""
    return f"{parsed.netloc.decode('ascii')}{path}"


@dataclass(frozen=True, slots=True)
class ProbeSpec:
    name: str
    url: str
    method: str = "GET"
    expect_status: StatusSet = DEFAULT_EXPECT  # anything StatusSet.parse takes is accepted
    timeout: float = 5.0
    interval: float = 15.0
    down_after: int = 1  # consecutive failures before the probe counts as down

    def __post_init__(self) -> None:
        label = f"probe {self.name!r}" if self.name else f"probe {self.url!r}"
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"{label}: name must not be empty")
        if len(self.name) > 80:
            raise ValueError(f"{label}: name is longer than 80 characters")
        object.__setattr__(self, "name", one_line(self.name.strip(), max_chars=80))
        _check_url(self.url, label)
        method = str(self.method).strip().upper()
        if method not in ALLOWED_METHODS:
            raise ValueError(
                f"{label}: method {self.method!r} is not allowed;"
                f" probes only read ({', '.join(ALLOWED_METHODS)})"
            )
        object.__setattr__(self, "method", method)
        try:
            expect = StatusSet.parse(self.expect_status)
        except ValueError as exc:
            raise ValueError(f"{label}: {exc}") from None
        object.__setattr__(self, "expect_status", expect)
        timeout = _seconds(self.timeout, "timeout", label)
        if timeout > 120:
            raise ValueError(f"{label}: timeout above 120 seconds would hide an outage")
        interval = _seconds(self.interval, "interval", label)
        if interval < 1:
            raise ValueError(f"{label}: interval must be at least 1 second")
        object.__setattr__(self, "timeout", timeout)
        object.__setattr__(self, "interval", interval)
        if isinstance(self.down_after, bool) or not isinstance(self.down_after, int):
            raise ValueError(f"{label}: down_after must be a whole number of checks")
        if self.down_after < 1:
            raise ValueError(f"{label}: down_after must be at least 1")

    @classmethod
    def from_config(cls, value: str | Mapping[str, Any]) -> ProbeSpec:
        """From `--probe URL` (a string) or a config table with url and optional settings."""
        if isinstance(value, str):
            url = value.strip()
            _check_url(url, f"--probe {value!r}")
            return cls(name=default_name(url), url=url)
        if not isinstance(value, Mapping):
            raise ValueError(f"probe: expected a URL or a table with a url, got {value!r}")
        unknown = sorted(str(k) for k in value if k not in _SPEC_KEYS)
        label = f"probe {value.get('name') or value.get('url')!r}"
        if unknown:
            raise ValueError(
                f"{label}: unknown setting {', '.join(unknown)} (known: {', '.join(_SPEC_KEYS)})"
            )
        url = value.get("url")
        if not isinstance(url, str) or not url.strip():
            raise ValueError(f"{label}: url is missing")
        settings = {k: value[k] for k in _SPEC_KEYS if k in value and k != "url"}
        settings.setdefault("name", default_name(url.strip()))
        if not isinstance(settings["name"], str):
            raise ValueError(f"{label}: name must be text")
        return cls(url=url.strip(), **settings)


def _check_url(url: object, label: str) -> None:
    if not isinstance(url, str):
        raise ValueError(f"{label}: url must be text")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ValueError(f"{label}: {url!r} is not a valid URL ({exc})") from None
    if parsed.scheme not in ("http", "https"):
        raise ValueError(f"{label}: {url!r} must start with http:// or https://")
    if not parsed.host:
        raise ValueError(f"{label}: {url!r} has no host")


def parse_probes(values: Iterable[str | Mapping[str, Any]]) -> list[ProbeSpec]:
    """Several specs; two probes with one name would be indistinguishable, so that fails."""
    specs: list[ProbeSpec] = []
    seen: set[str] = set()
    for value in values:
        spec = ProbeSpec.from_config(value)
        if spec.name in seen:
            raise ValueError(f"probe {spec.name!r} is defined twice: give one of them a name")
        seen.add(spec.name)
        specs.append(spec)
    return specs


@dataclass(frozen=True, slots=True)
class ProbeState:
    """What the pane shows for one probe, as of its last check."""

    name: str
    url: str
    up: bool | None = None  # None until the first verdict
    status: int | None = None
    latency_ms: float | None = None
    latencies: tuple[float | None, ...] = ()  # oldest first; None where no response came
    last_error: str | None = None  # the last failure's explanation (kept after recovery)
    explanation: str = "not checked yet"
    last_checked_at: dt.datetime | None = None
    last_success_at: dt.datetime | None = None
    down_since: dt.datetime | None = None
    consecutive_failures: int = 0
    checks: int = 0
    last_result: HttpResult | None = field(default=None, repr=False)

    @property
    def latency_values(self) -> tuple[float, ...]:
        """The history without gaps, for a sparkline that takes numbers only."""
        return tuple(v for v in self.latencies if v is not None)


@dataclass(frozen=True, slots=True)
class ProbeTransition:
    """A change worth one timeline entry: down, back up, certificate, DNS..."""

    name: str
    up: bool  # True: something recovered; False: something broke
    text: str  # one plain line
    data: Mapping[str, Any] = field(default_factory=dict)
    kind: str = "probe"  # probe; for host watches: dns, tls, http (see probe_hosts)
    at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class ProbeUpdate:
    result: HttpResult
    state: ProbeState
    transitions: tuple[ProbeTransition, ...] = ()


def duration_text(seconds: float) -> str:
    seconds = max(int(seconds), 0)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {seconds}s" if seconds else f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes}m" if minutes else f"{hours}h"


class _Track:
    """Mutable per-probe bookkeeping; `snapshot()` hands out a frozen copy."""

    def __init__(self, spec: ProbeSpec, history: int) -> None:
        self.spec = spec
        self.latencies: deque[float | None] = deque(maxlen=history)
        self.state = ProbeState(name=spec.name, url=spec.url)


class ProbeRunner:
    def __init__(
        self,
        specs: Iterable[ProbeSpec],
        *,
        pins: Pins | None = None,
        max_concurrency: int = 10,
        clock: Clock = utc_now,
        ca_file: str | Path | None = None,
        history: int = HISTORY,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self._tracks: dict[str, _Track] = {}
        for spec in specs:
            if spec.name in self._tracks:
                raise ValueError(f"probe {spec.name!r} is defined twice: give one of them a name")
            self._tracks[spec.name] = _Track(spec, history)
        self._pins = dict(pins or {})
        self._limit = max_concurrency
        self._semaphore: asyncio.Semaphore | None = None
        self._clock = clock
        self._ca_file = ca_file

    @property
    def specs(self) -> tuple[ProbeSpec, ...]:
        return tuple(t.spec for t in self._tracks.values())

    def state(self, name: str) -> ProbeState:
        return self._tracks[name].state

    def states(self) -> tuple[ProbeState, ...]:
        return tuple(t.state for t in self._tracks.values())

    async def check(self, name: str) -> ProbeUpdate:
        """Check one probe now (waiting for a free slot) and record the result."""
        track = self._tracks[name]
        if self._semaphore is None:  # created lazily: it must belong to the running loop
            self._semaphore = asyncio.Semaphore(self._limit)
        async with self._semaphore:
            result = await self._run(track.spec)
        return self._record(track, result)

    async def check_all(self) -> list[ProbeUpdate]:
        """One round over every probe, concurrently within the cap."""
        return list(await asyncio.gather(*(self.check(name) for name in self._tracks)))

    async def run_forever(self, on_update: Callable[[ProbeUpdate], Awaitable[None] | None]) -> None:
        """Check every probe on its interval until cancelled."""
        async with asyncio.TaskGroup() as group:
            for name in self._tracks:
                group.create_task(self._loop(name, on_update), name=f"probe:{name}")

    async def _loop(
        self, name: str, on_update: Callable[[ProbeUpdate], Awaitable[None] | None]
    ) -> None:
        loop = asyncio.get_running_loop()
        interval = self._tracks[name].spec.interval
        while True:
            started = loop.time()
            update = await self.check(name)
            try:
                outcome = on_update(update)
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception:
                # A failing consumer must not stop the watching; the error is logged.
                log.exception("probe update handler failed for %s", name)
            await asyncio.sleep(max(0.0, interval - (loop.time() - started)))

    async def _run(self, spec: ProbeSpec) -> HttpResult:
        try:
            return await in_thread(
                http_check,
                spec.url,
                method=spec.method,
                expect_status=spec.expect_status,
                timeout=spec.timeout,
                pins=self._pins,
                ca_file=self._ca_file,
            )
        except Exception as exc:  # a defect in a check must show up, not kill the runner
            log.exception("probe %s failed unexpectedly", spec.name)
            return HttpResult(
                url=spec.url,
                method=spec.method,
                error=f"check failed unexpectedly: {type(exc).__name__}: {exc}",
                error_kind="internal",
            )

    def _record(self, track: _Track, result: HttpResult) -> ProbeUpdate:
        now = self._clock()
        spec, before = track.spec, track.state
        track.latencies.append(result.latency_ms if result.status is not None else None)
        failures = 0 if result.ok else before.consecutive_failures + 1
        up = before.up
        if result.ok:
            up = True
        elif failures >= spec.down_after:
            up = False
        down_since = before.down_since
        transitions: tuple[ProbeTransition, ...] = ()
        if up is False and before.up is not False:
            down_since = now
            transitions = (self._went_down(spec, result, failures, now),)
        elif up is True and before.up is False:
            transitions = (self._came_back(spec, before, result, now),)
            down_since = None
        track.state = ProbeState(
            name=spec.name,
            url=spec.url,
            up=up,
            status=result.status,
            latency_ms=result.latency_ms,
            latencies=tuple(track.latencies),
            last_error=before.last_error if result.ok else result.explanation,
            explanation=result.explanation,
            last_checked_at=now,
            last_success_at=now if result.ok else before.last_success_at,
            down_since=down_since,
            consecutive_failures=failures,
            checks=before.checks + 1,
            last_result=result,
        )
        return ProbeUpdate(result, track.state, transitions)

    @staticmethod
    def _data(spec: ProbeSpec, result: HttpResult, failures: int) -> dict[str, Any]:
        return {
            "url": spec.url,
            "status": result.status,
            "latency_ms": None if result.latency_ms is None else round(result.latency_ms, 1),
            "problem": result.problem,
            "error": result.error,
            "address": result.address,
            "consecutive_failures": failures,
        }

    def _went_down(
        self, spec: ProbeSpec, result: HttpResult, failures: int, now: dt.datetime
    ) -> ProbeTransition:
        after = f" ({failures} failed checks in a row)" if failures > 1 else ""
        return ProbeTransition(
            name=spec.name,
            up=False,
            text=f"{spec.name} is DOWN: {result.explanation}{after}",
            data=self._data(spec, result, failures),
            at=now,
        )

    def _came_back(
        self, spec: ProbeSpec, before: ProbeState, result: HttpResult, now: dt.datetime
    ) -> ProbeTransition:
        down_for = (now - before.down_since).total_seconds() if before.down_since else 0.0
        data = self._data(spec, result, 0)
        data["down_for_s"] = round(down_for, 1)
        data["failed_checks"] = before.consecutive_failures
        return ProbeTransition(
            name=spec.name,
            up=True,
            text=(
                f"{spec.name} is back UP: {result.explanation}"
                f" (down {duration_text(down_for)}, {before.consecutive_failures} failed checks)"
            ),
            data=data,
            at=now,
        )
