"""The targets every benchmark figure is held to, in one place.

The groups read their limits from here, and the table printed by `python -m bench`
shows each figure next to its target. The limits come from the project's issues;
a figure without a target is reported for what it is, with no pass or fail.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    limit: float
    unit: str
    # Most figures must stay under their limit; a few (a ratio held to "at most") may equal it.
    inclusive: bool = False

    def met(self, value: float) -> bool:
        return value <= self.limit if self.inclusive else value < self.limit

    def describe(self) -> str:
        sign = "≤" if self.inclusive else "<"
        return f"{sign} {self.limit:g}{self.unit}"


TARGETS: dict[str, Target] = {
    # First full frame, as a multiple of a bare Textual app's measured in the same run.
    "first_frame_ratio": Target(1.5, "x hello", inclusive=True),
    # The console left alone, with no cluster and with the demo (every pane live).
    "idle_cpu_percent": Target(2.0, "% of a core"),
    "idle_rss_mb": Target(120, " MB"),
    "drill_ready_s": Target(1.0, " s"),
    # 5,000 pods with 100 watch events a second.
    "pods_current_s": Target(1.0, " s"),
    "pods_key_p95_ms": Target(50, " ms"),
    "pods_cpu_percent": Target(50, "% of a core"),
    # 20,000 log lines a second for a minute (and no line lost).
    "logs_lag_p95_ms": Target(1000, " ms"),
    "logs_cpu_percent": Target(100, "% of a core"),
    "logs_rss_growth_mb": Target(50, " MB"),
    # 50 hung or failing probes.
    "probes_key_p95_ms": Target(50, " ms"),
    # 200 containers with their stats streams.
    "containers_cpu_percent": Target(30, "% of a core"),
    # A 1,000,000-event incident: open, search.
    "review_s": Target(1.0, " s"),
    # The soak: what "flat" means for the least-squares slope over the run.
    "soak_rss_mb_per_hour": Target(10, " MB/h"),
    "soak_cpu_points_per_hour": Target(1.0, " points/h"),
}


def target(name: str) -> Target:
    return TARGETS[name]
