"""The soak: the demo with every pane live for a long run; do RSS and CPU stay flat?

`python -m bench --soak [MINUTES]` (30 by default). The console runs as in the
idle figure (bench/demo.py: Pods on the drill, Logs following a crash-looping
pod, a runbook open, Host, the Ingress pane's probes), with the drill in its own
process (`warroom sim serve`), and a note a minute arrives from `warroom note`,
so the Timeline keeps growing. Every 10 s the console process's RSS and its CPU
over those 10 s are sampled, and the drill's RSS beside them. The verdict is the
least-squares slope of each against the soak targets: a leak shows as RSS that
keeps climbing, work piling up as CPU that does. The slope over the whole run is
reported, and the verdict is taken on the second half: the first minutes are
warm-up (the log buffer and the timeline filling, caches), not a trend.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bench.demo import SCENARIO, running_demo
from bench.targets import target

SAMPLE_SECONDS = 10.0
NOTE_SECONDS = 60.0
SETTLE_SECONDS = 20.0


def slope_per_hour(hours: list[float], values: list[float]) -> float:
    """Least-squares slope of `values` against `hours` (0 with fewer than two samples)."""
    count = len(hours)
    if count < 2:
        return 0.0
    mean_x = sum(hours) / count
    mean_y = sum(values) / count
    spread = sum((x - mean_x) ** 2 for x in hours)
    if spread == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(hours, values, strict=True)) / spread


def _summary(hours: list[float], values: list[float], unit_target: str) -> dict[str, object]:
    half = len(values) // 2
    late = slope_per_hour(hours[half:], values[half:])
    limit = target(unit_target)
    return {
        "start": round(values[0], 2),
        "end": round(values[-1], 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
        "slope_per_hour": round(slope_per_hour(hours, values), 2),
        "slope_per_hour_second_half": round(late, 2),
        "flat_below_per_hour": limit.limit,
        "verdict": "flat" if limit.met(late) else "growing",
    }


def soak(minutes: float = 30.0) -> dict[str, object]:
    samples: list[dict[str, float]] = []
    notes = 0
    # The drill apart, in its own process: the console's figures are then the console's
    # alone (the drill keeps up to 50,000 changes of watch history, which in one
    # process would read as the console growing). The drill's RSS is sampled beside.
    with (
        tempfile.TemporaryDirectory(prefix="wr-soak-") as tmp,
        running_demo(Path(tmp), drill_apart=True) as demo,
    ):
        demo.idle_for(SETTLE_SECONDS)
        process = demo.process
        times = process.cpu_times()
        cpu_before = times.user + times.system
        started = last = time.monotonic()
        next_note = started + NOTE_SECONDS
        while last - started < minutes * 60:
            demo.idle_for(SAMPLE_SECONDS)
            if time.monotonic() >= next_note:
                notes += 1
                demo.note(f"soak note {notes}")
                next_note += NOTE_SECONDS
            now = time.monotonic()
            times = process.cpu_times()
            cpu_now = times.user + times.system
            drill = demo.drill_process
            samples.append({
                "minute": round((now - started) / 60, 2),
                "rss_mb": round(process.memory_info().rss / 1024**2, 2),
                "cpu_percent": round((cpu_now - cpu_before) / (now - last) * 100, 2),
                "drill_rss_mb": round(drill.memory_info().rss / 1024**2, 2) if drill else 0.0,
            })  # fmt: skip
            print(f"bench: soak {samples[-1]}", file=sys.stderr, flush=True)
            cpu_before, last = cpu_now, now
        live = demo.live
    hours = [s["minute"] / 60 for s in samples]
    rss = _summary(hours, [s["rss_mb"] for s in samples], "soak_rss_mb_per_hour")
    cpu = _summary(hours, [s["cpu_percent"] for s in samples], "soak_cpu_points_per_hour")
    drill_rss = [s["drill_rss_mb"] for s in samples]
    return {
        "scenario": SCENARIO,
        "minutes": minutes,
        "sample_seconds": SAMPLE_SECONDS,
        "panes_live": live,
        "notes_added": notes,
        "rss_mb": rss,
        "cpu_percent_of_one_core": cpu,
        "drill_rss_mb": {
            "start": drill_rss[0],
            "end": drill_rss[-1],
            "slope_per_hour": round(slope_per_hour(hours, drill_rss), 2),
        },
        "flat": rss["verdict"] == "flat" and cpu["verdict"] == "flat",
        "samples": samples,
    }
