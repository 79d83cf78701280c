"""Host thresholds from the seeds, and the crossings worth a timeline entry.

The seeds call a disk above 90% critical and ask for memory, swap and load to be
watched the same way. A value sitting on a threshold would flap between levels at
every sample, so leaving a level needs the value to fall a little below the line
(hysteresis); the timeline then gets one entry per real crossing and one per
recovery.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tui.config import HostSettings
from tui.sources.host_rows import HostSample

# Leaving a level needs the value 3% (of the threshold) under it.
HYSTERESIS = 0.03


class Level(StrEnum):
    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Level.OK: 0, Level.WARNING: 1, Level.CRITICAL: 2}


@dataclass(frozen=True, slots=True)
class Reading:
    """One watched value of one sample, with its level."""

    subject: str  # stable identity in the timeline, e.g. "host:bastion1:disk:/"
    metric: str  # the same without the host, e.g. "disk:/"
    label: str  # what people call it, e.g. "Disk /"
    value: float
    unit: str
    warning: float
    critical: float
    level: Level

    def describe(self) -> str:
        return f"{self.label} at {self.value:.1f}{self.unit}"


@dataclass(frozen=True, slots=True)
class Crossing:
    reading: Reading
    previous: Level

    @property
    def text(self) -> str:
        r = self.reading
        if r.level is Level.OK:
            return f"{r.label} back to normal: {r.value:.1f}{r.unit} (was {self.previous.value})"
        line = r.critical if r.level is Level.CRITICAL else r.warning
        direction = "rose" if r.level.rank > self.previous.rank else "eased"
        return (
            f"{r.label} {direction} to {r.level.value}: {r.value:.1f}{r.unit}"
            f" (threshold {line:g}{r.unit})"
        )


def classify(value: float, warning: float, critical: float, previous: Level) -> Level:
    """The level of `value`, holding the previous level within the hysteresis band."""
    if value >= critical:
        return Level.CRITICAL
    if previous is Level.CRITICAL and value >= critical * (1 - HYSTERESIS):
        return Level.CRITICAL
    if value >= warning:
        return Level.WARNING
    if previous.rank >= Level.WARNING.rank and value >= warning * (1 - HYSTERESIS):
        return Level.WARNING
    return Level.OK


class ThresholdTracker:
    """Turns successive samples into readings with levels, and reports crossings."""

    def __init__(self, settings: HostSettings) -> None:
        self._settings = settings
        self._levels: dict[str, Level] = {}

    def update(self, sample: HostSample) -> tuple[list[Reading], list[Crossing]]:
        readings: list[Reading] = []
        crossings: list[Crossing] = []
        for metric, label, value, unit, warning, critical in self._watched(sample):
            subject = f"host:{sample.hostname}:{metric}"
            previous = self._levels.get(subject, Level.OK)
            level = classify(value, warning, critical, previous)
            reading = Reading(subject, metric, label, value, unit, warning, critical, level)
            readings.append(reading)
            if level is not previous:
                crossings.append(Crossing(reading, previous))
            self._levels[subject] = level
        return readings, crossings

    def _watched(self, sample: HostSample) -> list[tuple[str, str, float, str, float, float]]:
        s = self._settings
        cores = max(sample.cores, 1)
        watched = [
            ("memory", "Memory", sample.memory_percent, "%", s.memory_warning,
             s.memory_critical),
            ("load", f"Load (1 min, {cores} cores)", sample.load[0], "",
             s.load_warning_per_core * cores, s.load_critical_per_core * cores),
        ]  # fmt: skip
        if sample.swap_total:
            watched.append(
                ("swap", "Swap", sample.swap_percent, "%", s.swap_warning, s.swap_critical)
            )
        for disk in sample.disks:
            watched.append(
                (f"disk:{disk.mountpoint}", f"Disk {disk.mountpoint}", disk.percent, "%",
                 s.disk_warning, s.disk_critical)
            )  # fmt: skip
        return watched
