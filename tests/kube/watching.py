"""Running the real Kubernetes source layer against a drill, for tests."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pytest

from tests.kube.conftest import Drill
from tui.sources.kube.kubeconfig import read_kubeconfig
from tui.sources.kube.model import KubeModel, Transition
from tui.sources.kube.service import KubeService

T = TypeVar("T")


class Watching:
    """A KubeService on a drill and a KubeModel fed from it, pumped by `until`."""

    def __init__(self, service: KubeService, model: KubeModel) -> None:
        self.service = service
        self.model = model
        self.transitions: list[Transition] = []

    def pump(self) -> None:
        delta = self.model.apply(self.service.cache.take(), self.service.metrics)
        self.transitions.extend(delta.transitions)
        self.transitions.extend(self.model.tick())

    def until(self, check: Callable[[], T], what: str, timeout: float = 30.0) -> T:
        deadline = time.monotonic() + timeout
        while True:
            self.pump()
            value = check()
            if value:
                return value
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}; last saw {value!r}")
            time.sleep(0.1)

    def pods(self, namespace: str | None = None) -> dict[str, str]:
        """name -> status of the pods the model holds."""
        return {
            row.name: row.status
            for row in self.model.pods.values()
            if namespace is None or row.namespace == namespace
        }

    def states(self) -> dict[str, str]:
        return {s.scope.kind.plural: s.status for s in self.model.states.values()}


@contextmanager
def watching(
    drill: Drill,
    *,
    context: str = "warroom-drill",
    namespaces: list[str | None] | None = None,
    settle_seconds: float = 120.0,
    metrics_seconds: float = 1.0,
    **service_options: Any,
) -> Iterator[Watching]:
    info = read_kubeconfig(drill.kubeconfig)
    service = KubeService(
        info, [context], namespaces or [None], metrics_seconds=metrics_seconds, **service_options
    )
    service.start()
    try:
        yield Watching(service, KubeModel(settle_seconds=settle_seconds))
    finally:
        service.stop()
