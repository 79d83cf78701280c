"""Probe specs, and the runner against real servers: state, transitions, concurrency."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest

from tests.helpers.fixed import FixedClock
from tests.probes.servers import SilentServer, Site, closed_port
from tui.sources.probes import ProbeRunner, ProbeSpec, ProbeUpdate, parse_probes


def _clock() -> FixedClock:
    return FixedClock(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC))


# --- specs -------------------------------------------------------------------


def test_a_bare_url_is_a_probe_with_defaults() -> None:
    spec = ProbeSpec.from_config("https://shop.example.com/health")
    assert spec.name == "shop.example.com/health"
    assert spec.url == "https://shop.example.com/health"
    assert (spec.method, spec.timeout, spec.interval, spec.down_after) == ("GET", 5.0, 15.0, 1)
    assert str(spec.expect_status) == "200-399"
    assert ProbeSpec.from_config("http://example.com:8080/").name == "example.com:8080"


def test_a_config_table_sets_the_rest() -> None:
    spec = ProbeSpec.from_config(
        {
            "name": "checkout",
            "url": "https://shop.example.com/api/health",
            "method": "head",
            "expect_status": "200,204",
            "timeout": "1500ms",
            "interval": "1m",
            "down_after": 2,
        }
    )
    assert spec.name == "checkout" and spec.method == "HEAD"
    assert str(spec.expect_status) == "200, 204"
    assert spec.timeout == 1.5 and spec.interval == 60.0 and spec.down_after == 2


def test_statuses_can_be_given_as_a_range() -> None:
    spec = ProbeSpec("api", "http://api.example.com/", expect_status=range(200, 300))  # type: ignore[arg-type]
    assert 204 in spec.expect_status and 301 not in spec.expect_status


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("example.com/health", "must start with http:// or https://"),
        ("https:///health", "has no host"),
        ({"name": "x"}, "probe 'x': url is missing"),
        ({"url": "https://a.example/", "timout": 3}, "unknown setting timout"),
        ({"url": "https://a.example/", "method": "POST"}, "method 'POST' is not allowed"),
        ({"url": "https://a.example/", "timeout": 0}, "timeout must be more than 0 seconds"),
        ({"url": "https://a.example/", "timeout": "soon"}, "timeout 'soon' is not a duration"),
        ({"url": "https://a.example/", "timeout": 600}, "timeout above 120 seconds"),
        ({"url": "https://a.example/", "interval": 0.2}, "interval must be at least 1 second"),
        ({"url": "https://a.example/", "expect_status": "ok"}, "expected status: 'ok'"),
        ({"url": "https://a.example/", "down_after": 0}, "down_after must be at least 1"),
        ({"url": "https://a.example/", "name": ""}, "name must not be empty"),
        (42, "expected a URL or a table"),
    ],
)
def test_bad_specs_say_what_is_wrong(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ProbeSpec.from_config(value)  # type: ignore[arg-type]


def test_two_probes_with_one_name_are_refused() -> None:
    with pytest.raises(ValueError, match="defined twice"):
        parse_probes(["https://a.example/health", "https://a.example/health"])
    specs = parse_probes(
        ["https://a.example/health", {"name": "a2", "url": "https://a.example/health"}]
    )
    assert [s.name for s in specs] == ["a.example/health", "a2"]


# --- state and transitions ------------------------------------------------------


async def test_down_and_up_are_reported_once_each(http_site: Site) -> None:
    clock = _clock()
    spec = ProbeSpec("shop", http_site.url("/health"), timeout=2)
    runner = ProbeRunner([spec], clock=clock)

    first = await runner.check("shop")
    assert first.transitions == ()  # coming up at start is not news
    assert first.state.up is True and first.state.last_success_at == clock.now

    http_site.health_status = 503
    clock.advance(seconds=15)
    down = await runner.check("shop")
    assert len(down.transitions) == 1
    event = down.transitions[0]
    assert event.up is False and event.name == "shop" and event.kind == "probe"
    assert event.text.startswith("shop is DOWN: 503 Service Unavailable (expected 200-399)")
    assert event.data["status"] == 503 and event.data["url"] == spec.url
    assert down.state.down_since == clock.now

    for _ in range(3):  # staying down is no news
        clock.advance(seconds=15)
        assert (await runner.check("shop")).transitions == ()
    assert runner.state("shop").consecutive_failures == 4
    assert runner.state("shop").last_error is not None

    http_site.health_status = 200
    clock.advance(seconds=15)
    up = await runner.check("shop")
    assert len(up.transitions) == 1 and up.transitions[0].up is True
    assert up.transitions[0].text.startswith("shop is back UP: 200 OK in ")
    assert up.transitions[0].text.endswith("(down 1m, 4 failed checks)")
    assert up.transitions[0].data["down_for_s"] == 60.0
    assert up.state.consecutive_failures == 0 and up.state.down_since is None
    assert (await runner.check("shop")).transitions == ()
    assert runner.state("shop").checks == 7


async def test_a_probe_failing_from_the_start_is_reported_down() -> None:
    runner = ProbeRunner([ProbeSpec("gone", f"http://127.0.0.1:{closed_port()}/", timeout=2)])
    update = await runner.check("gone")
    assert update.state.up is False
    assert [t.up for t in update.transitions] == [False]
    assert "connection refused" in update.transitions[0].text
    assert update.state.latencies == (None,)


async def test_down_after_needs_that_many_failures(http_site: Site) -> None:
    runner = ProbeRunner([ProbeSpec("shop", http_site.url("/health"), down_after=3)])
    await runner.check("shop")
    http_site.health_status = 502
    assert (await runner.check("shop")).transitions == ()
    second = await runner.check("shop")
    assert second.transitions == () and second.state.up is True
    third = await runner.check("shop")
    assert [t.up for t in third.transitions] == [False]
    assert third.transitions[0].text.endswith("(3 failed checks in a row)")


async def test_latency_history_is_bounded(http_site: Site) -> None:
    runner = ProbeRunner([ProbeSpec("shop", http_site.url("/health"))], history=5)
    for _ in range(7):
        await runner.check("shop")
    state = runner.state("shop")
    assert len(state.latencies) == 5 and len(state.latency_values) == 5
    assert all(v is not None and v >= 0 for v in state.latencies)


async def test_duplicate_names_and_bad_limits_are_refused(http_site: Site) -> None:
    spec = ProbeSpec("shop", http_site.url("/health"))
    with pytest.raises(ValueError, match="defined twice"):
        ProbeRunner([spec, spec])
    with pytest.raises(ValueError, match="max_concurrency"):
        ProbeRunner([spec], max_concurrency=0)


async def test_run_forever_delivers_updates_until_cancelled(http_site: Site) -> None:
    specs = [
        ProbeSpec("health", http_site.url("/health"), interval=1),
        ProbeSpec("bundle", http_site.url("/static/js/main.js"), interval=1),
    ]
    runner = ProbeRunner(specs)
    updates: list[ProbeUpdate] = []
    got_enough = asyncio.Event()

    async def on_update(update: ProbeUpdate) -> None:
        updates.append(update)
        if len(updates) >= 4:
            got_enough.set()

    task = asyncio.create_task(runner.run_forever(on_update))
    await asyncio.wait_for(got_enough.wait(), timeout=20)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, timeout=5)
    assert {u.state.name for u in updates} == {"health", "bundle"}
    assert all(u.result.ok for u in updates)
    assert {s.name: s.checks >= 2 for s in runner.states()} == {"health": True, "bundle": True}


async def test_a_failing_handler_does_not_stop_the_probes(http_site: Site) -> None:
    runner = ProbeRunner([ProbeSpec("health", http_site.url("/health"), interval=1)])
    calls = 0
    done = asyncio.Event()

    def on_update(update: ProbeUpdate) -> None:
        nonlocal calls
        calls += 1
        if calls >= 2:
            done.set()
        raise RuntimeError("consumer bug")

    task = asyncio.create_task(runner.run_forever(on_update))
    await asyncio.wait_for(done.wait(), timeout=20)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert calls >= 2


# --- concurrency ------------------------------------------------------------------


async def test_fifty_hung_probes_run_capped_and_never_block_the_loop(
    silent: SilentServer,
) -> None:
    cap = 25
    specs = [ProbeSpec(f"p{i}", silent.url(f"/health/{i}"), timeout=5.0) for i in range(50)]
    runner = ProbeRunner(specs, max_concurrency=cap)
    ticks = 0
    longest_gap = 0.0
    stop = asyncio.Event()

    async def ticker() -> None:
        # Measures the event loop: a blocking call in it would stall these ticks.
        nonlocal ticks, longest_gap
        last = time.monotonic()
        while not stop.is_set():
            await asyncio.sleep(0.05)
            now = time.monotonic()
            longest_gap = max(longest_gap, now - last)
            last = now
            ticks += 1

    ticking = asyncio.create_task(ticker())
    updates = await runner.check_all()
    stop.set()
    await ticking

    assert len(updates) == 50
    assert all(u.result.problem == "timeout" for u in updates)
    assert all(len(u.transitions) == 1 and not u.transitions[0].up for u in updates)
    assert silent.accepted == 50
    assert silent.most_open == cap  # concurrent, and never more than the cap
    # The loop kept running while fifty probes waited out their 5 s timeouts.
    assert ticks >= 20
    assert longest_gap < 5.0  # the loop never waited out a probe's timeout
