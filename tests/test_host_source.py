from __future__ import annotations

import time

from tests.helpers.fixed import frozen_sample
from tui.config import HostSettings
from tui.sources.host import PSEUDO_FILESYSTEMS, HostSampler, real_disks
from tui.sources.thresholds import Level, ThresholdTracker, classify


def test_real_sample_has_sane_values() -> None:
    sampler = HostSampler(top_processes=3)
    time.sleep(0.2)
    first = sampler.sample()
    time.sleep(0.2)
    second = sampler.sample()
    assert first.disk_read_rate is None  # no previous counters yet
    assert second.cores >= 1
    assert len(second.per_cpu) == second.cores
    assert 0 <= second.cpu_percent <= 100
    assert 0 < second.memory_used <= second.memory_total
    assert second.disks, "at least one real filesystem"
    assert all(d.fstype not in PSEUDO_FILESYSTEMS for d in second.disks)
    assert second.net_rx_rate is not None and second.net_rx_rate >= 0
    assert 1 <= len(second.top_cpu) <= 3
    assert second.process_count >= 1
    rss = [p.rss for p in second.top_memory]
    assert rss == sorted(rss, reverse=True)


def test_real_disks_fold_bind_mounts() -> None:
    disks = real_disks()
    devices = [d.device for d in disks]
    assert len(devices) == len(set(devices))


def test_classify_holds_levels_inside_the_hysteresis_band() -> None:
    assert classify(91, 80, 90, Level.OK) is Level.CRITICAL
    assert classify(88, 80, 90, Level.CRITICAL) is Level.CRITICAL  # within 3% of 90
    assert classify(87, 80, 90, Level.CRITICAL) is Level.WARNING
    assert classify(79, 80, 90, Level.WARNING) is Level.WARNING
    assert classify(77, 80, 90, Level.WARNING) is Level.OK
    assert classify(79, 80, 90, Level.OK) is Level.OK


def test_tracker_reports_each_crossing_once() -> None:
    tracker = ThresholdTracker(HostSettings())
    crossings = []
    for percent in (50, 91, 92, 95, 89, 85, 70, 71):
        _, found = tracker.update(frozen_sample(disk_percent=percent))
        crossings += [(c.previous, c.reading.level) for c in found if c.reading.metric == "disk:/"]
    assert crossings == [
        (Level.OK, Level.CRITICAL),
        (Level.CRITICAL, Level.WARNING),
        (Level.WARNING, Level.OK),
    ]


def test_tracker_watches_the_seeds_metrics() -> None:
    readings, crossings = ThresholdTracker(HostSettings()).update(frozen_sample())
    levels = {r.metric: r.level for r in readings}
    assert levels == {
        "memory": Level.WARNING,  # 86.9% >= 80
        "load": Level.OK,  # 3.1 on 4 cores < 4
        "swap": Level.OK,
        "disk:/": Level.OK,
        "disk:/var/lib/docker": Level.CRITICAL,  # 94% >= 90
    }
    texts = sorted(c.text for c in crossings)
    assert texts == [
        "Disk /var/lib/docker rose to critical: 94.0% (threshold 90%)",
        "Memory rose to warning: 86.9% (threshold 80%)",
    ]
    assert all(r.subject.startswith("host:bastion-1:") for r in readings)
