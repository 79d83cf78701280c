"""Fixtures for tests against the drill cluster: a real HTTPS API server on loopback."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tui.sim.cluster import ClusterThread, DrillCluster


@dataclass
class Drill:
    """A running drill cluster and a kubeconfig pointing at it."""

    thread: ClusterThread
    kubeconfig: Path

    @property
    def cluster(self) -> DrillCluster:
        return self.thread.cluster

    def call(self, function, *args):  # type: ignore[no-untyped-def]
        """Run on the cluster's own loop (to inspect the store or inject a fault)."""
        return self.thread.call(function, *args)

    def heal(self) -> None:
        """Undo every injected error and latency, so the next test starts on a healthy cluster."""
        faults = self.cluster.faults
        self.call(faults.heal)
        self.call(setattr, faults, "latency", 0.0)

    def kubectl(
        self, *args: str, context: str | None = None, timeout: float = 60, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        argv = [kubectl_path(), *(["--context", context] if context else []), *args]
        env = {**os.environ, "KUBECONFIG": str(self.kubeconfig)}
        result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed:\n{result.stderr}")
        return result


def kubectl_path() -> str:
    found = shutil.which("kubectl")
    if found is None:
        pytest.fail("kubectl is not installed; ./scripts/test installs it (kubernetes-client)")
    return found


@contextmanager
def running_drill(
    kubeconfig: Path, scenario: str = "healthy", **options: object
) -> Iterator[Drill]:
    """A drill cluster on its own thread, its kubeconfig written to `kubeconfig`, stopped
    on leaving (for module-scoped fixtures as much as for `start_drill`)."""
    thread = ClusterThread(scenario, **options)
    thread.start()
    try:
        yield Drill(thread, thread.cluster.write_kubeconfig(kubeconfig))
    finally:
        thread.stop()


@pytest.fixture
def start_drill(tmp_path: Path) -> Iterator[Callable[..., Drill]]:
    """Start a drill cluster: start_drill("bad-deploy", speed=20, seed=1)."""
    with ExitStack() as started:
        count = 0

        def start(scenario: str = "healthy", **options: object) -> Drill:
            nonlocal count
            count += 1
            kubeconfig = tmp_path / f"kubeconfig-{count}"
            return started.enter_context(running_drill(kubeconfig, scenario, **options))

        yield start


@pytest.fixture
def drill(start_drill: Callable[..., Drill]) -> Drill:
    return start_drill("healthy")
