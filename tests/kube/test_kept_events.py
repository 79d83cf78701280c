"""The cache lets old Normal events go and keeps every warning.

Against the drill through the real watch, and on the cache alone for the
bookkeeping (what `take` reports, an event that happens again coming back).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.kube.conftest import Drill
from tests.kube.watching import watching
from tui.sim.resources import EVENTS as EVENT_RESOURCE
from tui.sim.resources import PODS
from tui.sources.kube.cache import KubeCache
from tui.sources.kube.kept_events import last_seen
from tui.sources.kube.watch import EVENTS, Scope, WatchState


def _cluster_events(drill: Drill) -> list[dict[str, Any]]:
    return drill.call(lambda: list(drill.cluster.store.items(EVENT_RESOURCE)))


def test_the_watch_keeps_every_warning_and_only_the_newest_normal_events(
    start_drill: Callable[..., Drill],
) -> None:
    drill = start_drill("site-down")
    with watching(drill, normal_events_kept=4) as w:
        warnings = {e["metadata"]["uid"] for e in _cluster_events(drill) if e["type"] == "Warning"}
        assert len(warnings) >= 3

        def held(kind: str) -> set[str]:
            return {row.key[2] for row in w.model.events.values() if row.type == kind}

        w.until(lambda: warnings <= held("Warning") and held("Normal"), "the events listed")
        normal = [e for e in _cluster_events(drill) if e["type"] == "Normal"]
        assert len(normal) > 5  # more than are kept: some had to go
        assert len(held("Normal")) <= 5  # 4, trimmed once a quarter more have come
        newest = sorted(normal, key=last_seen)[-len(held("Normal")) :]
        assert held("Normal") <= {e["metadata"]["uid"] for e in normal}
        assert {last_seen(e) for e in newest} == {
            last_seen(e) for e in normal if e["metadata"]["uid"] in held("Normal")
        }

        # New Normal events keep arriving: they are held, older ones go.
        def record(index: int) -> None:
            pod = next(iter(drill.cluster.store.items(PODS)))
            drill.cluster.world.events.record(
                pod, PODS, "Normal", "Pulled", f"pulled image {index}", component="kubelet"
            )

        for index in range(6):
            drill.call(record, index)
        newest_uids = {
            e["metadata"]["uid"]
            for e in _cluster_events(drill)
            if e.get("message", "").startswith("pulled image ")
        }
        w.until(lambda: len(held("Normal") & newest_uids) >= 4, "the newest events held")
        assert len(held("Normal")) <= 5
        assert warnings <= held("Warning")


SCOPE = Scope("prod", EVENTS, None)


def _event(index: int, kind: str = "Normal", second: int | None = None) -> dict[str, Any]:
    """Event `index`, last seen `second` (by default `index`) seconds after 10:00."""
    at = index if second is None else second
    stamp = f"2026-11-22T10:{at // 60:02d}:{at % 60:02d}Z"
    return {
        "metadata": {"uid": f"ev-{index}", "namespace": "web", "name": f"web.{index}"},
        "type": kind,
        "reason": "Started" if kind == "Normal" else "BackOff",
        "lastTimestamp": stamp,
    }


def test_the_cache_reports_what_it_let_go_and_takes_back_what_happens_again() -> None:
    cache = KubeCache(normal_events_kept=10)
    cache.state(WatchState(SCOPE, "live"))
    for index in range(3):
        cache.apply(SCOPE, "ADDED", _event(1000 + index, "Warning", second=index))
    for index in range(100):
        cache.apply(SCOPE, "ADDED", _event(index))
    held = cache.objects(EVENTS)
    normal = sorted(e["metadata"]["uid"] for e in held if e["type"] == "Normal")
    assert 10 <= len(normal) <= 12
    assert normal == sorted(f"ev-{i}" for i in range(100 - len(normal), 100))  # the newest
    assert sum(e["type"] == "Warning" for e in held) == 3  # the oldest of all, all kept
    changes = cache.take()
    assert {k[2] for k in changes.updated} == {*normal, "ev-1000", "ev-1001", "ev-1002"}
    assert ("prod", "events", "ev-0") in changes.removed

    # ev-0 happens again, now the newest: it is held again and reported as updated.
    cache.apply(SCOPE, "MODIFIED", _event(0, second=3000))
    assert cache.get(("prod", "events", "ev-0")) is not None
    assert ("prod", "events", "ev-0") in cache.take().updated

    # A relist of everything trims the same way.
    cache.reset(SCOPE, [_event(index) for index in range(200)])
    normal = [e for e in cache.objects(EVENTS) if e["type"] == "Normal"]
    assert 10 <= len(normal) <= 12
    assert {e["metadata"]["uid"] for e in normal} >= {f"ev-{i}" for i in range(190, 200)}
