"""What the host sampler returns: plain frozen dataclasses.

Kept apart from the sampler so the screen can import them without loading
psutil before the first frame.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DiskUsage:
    mountpoint: str
    device: str
    fstype: str
    total: int
    used: int
    percent: float


@dataclass(frozen=True, slots=True)
class ProcessRow:
    pid: int
    name: str
    user: str
    cpu_percent: float
    memory_percent: float
    rss: int


@dataclass(frozen=True, slots=True)
class HostSample:
    taken_at: float
    hostname: str
    cpu_percent: float
    per_cpu: tuple[float, ...]
    load: tuple[float, float, float]
    cores: int
    memory_total: int
    memory_used: int
    memory_available: int
    memory_percent: float
    swap_total: int
    swap_used: int
    swap_percent: float
    disks: tuple[DiskUsage, ...]
    disk_read_rate: float | None
    disk_write_rate: float | None
    net_rx_rate: float | None
    net_tx_rate: float | None
    top_cpu: tuple[ProcessRow, ...]
    top_memory: tuple[ProcessRow, ...]
    process_count: int

    @property
    def load_per_core(self) -> float:
        return self.load[0] / max(self.cores, 1)
