"""One `docker stats` reading from a stats stream's JSON, computed as the docker CLI does."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Usage:
    """CPU, memory, network and block I/O of one container, as `docker stats` shows them."""

    cpu_percent: float | None  # 100 = one core busy
    memory: int | None  # bytes in use, page cache excluded
    memory_limit: int | None  # bytes; the host's memory when no limit is set
    net_rx: int | None  # bytes since the container started
    net_tx: int | None
    block_read: int | None
    block_write: int | None
    pids: int | None

    @property
    def memory_percent(self) -> float | None:
        if not self.memory_limit or self.memory is None:
            return None
        return 100.0 * self.memory / self.memory_limit


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def cpu_percent(stats: Mapping[str, Any]) -> float | None:
    """(container CPU delta / host CPU delta) x CPUs x 100, between this reading and the last.

    None when there is no previous reading to compare with (the first one of a
    stream), rather than a misleading 0.
    """
    cpu = stats.get("cpu_stats") or {}
    pre = stats.get("precpu_stats") or {}
    total = _int((cpu.get("cpu_usage") or {}).get("total_usage"))
    pre_total = _int((pre.get("cpu_usage") or {}).get("total_usage"))
    system = _int(cpu.get("system_cpu_usage"))
    pre_system = _int(pre.get("system_cpu_usage"))
    if None in (total, pre_total, system, pre_system) or not pre_system:
        return None
    cpu_delta = total - pre_total  # type: ignore[operator]
    system_delta = system - pre_system  # type: ignore[operator]
    if system_delta <= 0 or cpu_delta < 0:
        return None
    per_cpu = (cpu.get("cpu_usage") or {}).get("percpu_usage") or ()
    cpus = _int(cpu.get("online_cpus")) or len(per_cpu) or 1
    return 100.0 * cpu_delta / system_delta * cpus


def memory_in_use(memory: Mapping[str, Any]) -> int | None:
    """Usage minus reclaimable page cache, the figure `docker stats` prints."""
    usage = _int(memory.get("usage"))
    if usage is None:
        return None
    detail = memory.get("stats") or {}
    for key in ("total_inactive_file", "inactive_file"):  # cgroup v1, then v2
        cache = _int(detail.get(key))
        if cache is not None and cache < usage:
            return usage - cache
    return usage


def _block_io(blkio: Mapping[str, Any]) -> tuple[int | None, int | None]:
    entries = blkio.get("io_service_bytes_recursive")
    if not isinstance(entries, list):
        return None, None
    read = write = 0
    for entry in entries:
        op = str(entry.get("op", "")).lower()
        value = _int(entry.get("value")) or 0
        if op == "read":
            read += value
        elif op == "write":
            write += value
    return read, write


def usage_from_stats(stats: Mapping[str, Any]) -> Usage:
    memory = stats.get("memory_stats") or {}
    networks = stats.get("networks")
    rx = tx = None
    if isinstance(networks, Mapping):
        rx = sum(_int(n.get("rx_bytes")) or 0 for n in networks.values())
        tx = sum(_int(n.get("tx_bytes")) or 0 for n in networks.values())
    read, write = _block_io(stats.get("blkio_stats") or {})
    return Usage(
        cpu_percent=cpu_percent(stats),
        memory=memory_in_use(memory),
        memory_limit=_int(memory.get("limit")),
        net_rx=rx,
        net_tx=tx,
        block_read=read,
        block_write=write,
        pids=_int((stats.get("pids_stats") or {}).get("current")),
    )
