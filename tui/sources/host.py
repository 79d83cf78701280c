"""Host resources via psutil: what `top`, `free -m`, `df -h` and `ps aux | sort` show.

`HostSampler.sample()` is a blocking call (it reads /proc); the app runs it in a
thread. It returns a `HostSample` (see host_rows.py), which the Host pane renders.
Rates (disk and network throughput) and per-process CPU need two readings, so
the sampler keeps the previous counters and `psutil.Process` objects between
calls; the first sample reports rates as unknown (None).
"""

from __future__ import annotations

import os
import pwd
import socket
import time

import psutil

from tui.sources.host_rows import DiskUsage, HostSample, ProcessRow

# Filesystems that hold no user data or whose usage means nothing for an
# incident (kernel interfaces, memory-backed, container plumbing, read-only
# images that are always 100% full).
PSEUDO_FILESYSTEMS = frozenset(
    {
        "autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs", "debugfs",
        "devpts", "devtmpfs", "efivarfs", "fusectl", "fuse.lxcfs", "fuse.gvfsd-fuse",
        "fuse.portal", "hugetlbfs", "mqueue", "nsfs", "proc", "pstore", "ramfs",
        "rpc_pipefs", "securityfs", "selinuxfs", "squashfs", "sysfs", "tmpfs",
        "tracefs", "nfsd", "iso9660",
    }
)  # fmt: skip


def real_disks() -> tuple[DiskUsage, ...]:
    """Usage of each real filesystem, one row per device (bind mounts folded)."""
    seen: dict[str, DiskUsage] = {}
    for part in psutil.disk_partitions(all=True):
        if part.fstype in PSEUDO_FILESYSTEMS or not part.fstype:
            continue
        if part.mountpoint.startswith(("/proc", "/sys", "/dev", "/run")):
            continue
        try:
            usage = psutil.disk_usage(part.mountpoint)
        except OSError:  # vanished, stale NFS, no permission: skip, never fail the pane
            continue
        if usage.total == 0:
            continue
        key = part.device or part.mountpoint
        row = DiskUsage(
            mountpoint=part.mountpoint,
            device=part.device,
            fstype=part.fstype,
            total=usage.total,
            used=usage.used,
            percent=usage.percent,
        )
        # The shortest mount point of a device is the one people know it by.
        current = seen.get(key)
        if current is None or len(row.mountpoint) < len(current.mountpoint):
            seen[key] = row
    return tuple(sorted(seen.values(), key=lambda d: d.mountpoint))


class HostSampler:
    """Takes `HostSample`s; keeps what is needed to turn counters into rates."""

    def __init__(self, *, top_processes: int = 5) -> None:
        self._top = top_processes
        self._hostname = socket.gethostname()
        self._cores = psutil.cpu_count(logical=True) or 1
        self._users: dict[int, str] = {}
        self._last_time = time.monotonic()
        self._last_disk = _disk_counters()
        self._last_net = _net_counters()
        # psutil's cpu_percent(None) compares with the previous call: prime it.
        psutil.cpu_percent(percpu=True)
        psutil.cpu_percent()
        self._first = True

    def sample(self) -> HostSample:
        now = time.monotonic()
        elapsed = max(now - self._last_time, 1e-6)
        disk = _disk_counters()
        net = _net_counters()
        per_cpu = tuple(psutil.cpu_percent(percpu=True))
        cpu = psutil.cpu_percent()
        memory = psutil.virtual_memory()
        swap = psutil.swap_memory()
        top_cpu, top_memory, count = self._top_processes(memory.total)
        first, self._first = self._first, False

        def rate(current: int | None, previous: int | None) -> float | None:
            if first or current is None or previous is None or current < previous:
                return None
            return (current - previous) / elapsed

        sample = HostSample(
            taken_at=time.time(),
            hostname=self._hostname,
            cpu_percent=cpu,
            per_cpu=per_cpu,
            load=_load_average(),
            cores=self._cores,
            memory_total=memory.total,
            memory_used=memory.total - memory.available,
            memory_available=memory.available,
            memory_percent=memory.percent,
            swap_total=swap.total,
            swap_used=swap.used,
            swap_percent=swap.percent,
            disks=real_disks(),
            disk_read_rate=rate(disk[0], self._last_disk[0]),
            disk_write_rate=rate(disk[1], self._last_disk[1]),
            net_rx_rate=rate(net[0], self._last_net[0]),
            net_tx_rate=rate(net[1], self._last_net[1]),
            top_cpu=top_cpu,
            top_memory=top_memory,
            process_count=count,
        )
        self._last_time, self._last_disk, self._last_net = now, disk, net
        return sample

    def _top_processes(
        self, memory_total: int
    ) -> tuple[tuple[ProcessRow, ...], tuple[ProcessRow, ...], int]:
        """Top processes by CPU and by memory, like `ps aux | sort -rn -k 3|4`.

        `psutil.process_iter` keeps its Process objects between calls (and
        notices a reused pid), so cpu_percent() measures since the previous
        sample. Only the cheap per-process fields are read; user names are
        looked up once per uid.
        """
        rows: list[ProcessRow] = []
        for process in psutil.process_iter(["name", "uids", "cpu_percent", "memory_info"]):
            info = process.info
            memory = info.get("memory_info")
            uids = info.get("uids")
            rss = memory.rss if memory is not None else 0
            rows.append(
                ProcessRow(
                    pid=process.pid,
                    name=info.get("name") or "?",
                    user=self._user_name(uids.real) if uids is not None else "?",
                    cpu_percent=info.get("cpu_percent") or 0.0,
                    memory_percent=rss / memory_total * 100 if memory_total else 0.0,
                    rss=rss,
                )
            )
        by_cpu = tuple(sorted(rows, key=lambda r: r.cpu_percent, reverse=True)[: self._top])
        by_memory = tuple(sorted(rows, key=lambda r: r.rss, reverse=True)[: self._top])
        return by_cpu, by_memory, len(rows)

    def _user_name(self, uid: int) -> str:
        name = self._users.get(uid)
        if name is None:
            try:
                name = pwd.getpwuid(uid).pw_name
            except KeyError:  # a uid with no passwd entry (containers): show the number
                name = str(uid)
            self._users[uid] = name
        return name


def _load_average() -> tuple[float, float, float]:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        one, five, fifteen = psutil.getloadavg()
    return (one, five, fifteen)


def _disk_counters() -> tuple[int | None, int | None]:
    try:
        counters = psutil.disk_io_counters()
    except (OSError, RuntimeError):
        counters = None
    if counters is None:
        return (None, None)
    return (counters.read_bytes, counters.write_bytes)


def _net_counters() -> tuple[int | None, int | None]:
    try:
        counters = psutil.net_io_counters()
    except OSError:
        counters = None
    if counters is None:
        return (None, None)
    return (counters.bytes_recv, counters.bytes_sent)
