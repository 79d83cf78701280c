"""Fixed inputs for tests that must not churn: a settable clock and a frozen host."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tui.kube_session import KubeOptions
from tui.sources.host_rows import DiskUsage, HostSample, ProcessRow

T0 = datetime(2026, 11, 22, 14, 35, 0, tzinfo=UTC)


class FixedClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def frozen_sample(*, disk_percent: float = 41.0, hostname: str = "bastion-1") -> HostSample:
    gib = 1024**3
    return HostSample(
        taken_at=T0.timestamp(),
        hostname=hostname,
        cpu_percent=37.5,
        per_cpu=(52.0, 23.0, 61.0, 14.0),
        load=(3.1, 2.4, 1.9),
        cores=4,
        memory_total=16 * gib,
        memory_used=int(13.9 * gib),
        memory_available=int(2.1 * gib),
        memory_percent=86.9,
        swap_total=2 * gib,
        swap_used=int(0.2 * gib),
        swap_percent=10.0,
        disks=(
            DiskUsage("/", "/dev/sda1", "ext4", 100 * gib, int(disk_percent * gib), disk_percent),
            DiskUsage("/var/lib/docker", "/dev/sdb1", "xfs", 500 * gib, 470 * gib, 94.0),
        ),
        disk_read_rate=1.5 * 1024**2,
        disk_write_rate=300 * 1024,
        net_rx_rate=12 * 1024,
        net_tx_rate=3 * 1024,
        top_cpu=(
            ProcessRow(4242, "java", "app", 180.0, 40.1, 6 * gib),
            ProcessRow(977, "[red]nginx[/]", "www-data", 12.5, 0.5, 80 * 1024**2),
            ProcessRow(1, "systemd", "root", 0.1, 0.1, 12 * 1024**2),
        ),
        top_memory=(
            ProcessRow(4242, "java", "app", 180.0, 40.1, 6 * gib),
            ProcessRow(5150, "postgres", "postgres", 3.0, 8.0, int(1.3 * gib)),
            ProcessRow(977, "[red]nginx[/]", "www-data", 12.5, 0.5, 80 * 1024**2),
        ),
        process_count=312,
    )


class FrozenSampler:
    """Stands in for psutil where a test needs the same picture every time."""

    def __init__(self, sample: HostSample | None = None) -> None:
        self.sample_value = sample or frozen_sample()

    def sample(self) -> HostSample:
        return self.sample_value


# A kubeconfig that is never there, whatever the machine: the Pods pane says the
# same thing in every run (tests that need a cluster start a drill).
NO_CLUSTER = KubeOptions(kubeconfig=Path("/nonexistent/warroom-tests/kubeconfig"))
