"""KubeService: the watches and metrics for the contexts and namespaces in view.

One client per context (created lazily, in the watch's thread), one watch per
kind per namespace scope, one metrics poller per context. Everything lands in
the shared KubeCache and MetricsStore; the app takes from them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from tui.sources.kube.cache import KubeCache
from tui.sources.kube.client import KubeClient, KubeError, object_path
from tui.sources.kube.kept_events import NORMAL_EVENTS_KEPT
from tui.sources.kube.kubeconfig import KubeconfigInfo
from tui.sources.kube.rows import cpu_millicores, memory_bytes
from tui.sources.kube.watch import (
    DEPLOYMENTS,
    EDGE_KINDS,
    EVENTS,
    HPAS,
    NODES,
    PODS,
    Kind,
    ResourceWatch,
    Scope,
    WatchState,
)

NAMESPACED_KINDS: tuple[Kind, ...] = (PODS, EVENTS, DEPLOYMENTS, HPAS, *EDGE_KINDS)
CLUSTER_KINDS: tuple[Kind, ...] = (NODES,)
METRICS_SECONDS = 15.0


@dataclass
class MetricsStore:
    """Latest usage from metrics.k8s.io, per context: (namespace, pod) and node."""

    pods: dict[tuple[str, str, str], tuple[int | None, int | None]] = field(default_factory=dict)
    nodes: dict[tuple[str, str], tuple[int | None, int | None]] = field(default_factory=dict)
    # context -> why metrics are missing ("" when they work)
    problems: dict[str, str] = field(default_factory=dict)
    version: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class KubeService:
    def __init__(
        self,
        info: KubeconfigInfo,
        contexts: list[str],
        namespaces: list[str | None],
        *,
        client_factory: Callable[[str, str], KubeClient] = KubeClient,
        metrics_seconds: float = METRICS_SECONDS,
        normal_events_kept: int = NORMAL_EVENTS_KEPT,
    ) -> None:
        self.info = info
        self.contexts = contexts
        self.namespaces = namespaces
        self.cache = KubeCache(normal_events_kept=normal_events_kept)
        self.metrics = MetricsStore()
        self._client_factory = client_factory
        self._clients: dict[str, KubeClient] = {}
        self._client_errors: dict[str, KubeError] = {}
        self._client_lock = threading.Lock()
        self._stop = threading.Event()
        self._watches: list[ResourceWatch] = []
        self._metrics_seconds = metrics_seconds
        self._pollers: list[threading.Thread] = []

    # -- clients -----------------------------------------------------------------------

    def client(self, context: str) -> KubeClient:
        """The context's client, created once (loading kubeconfig and credentials)."""
        with self._client_lock:
            found = self._clients.get(context)
            if found is None:
                found = self._client_factory(self.info.config_file, context)
                self._clients[context] = found
            return found

    def forget_client(self, context: str, stale: KubeClient) -> None:
        """Drop `stale` (its credentials were refused) so the next `client(context)` reads
        the kubeconfig again. Not closed: other threads may be finishing a call on it."""
        with self._client_lock:
            if self._clients.get(context) is stale:
                del self._clients[context]

    # -- scopes ------------------------------------------------------------------------

    def scopes(self) -> list[Scope]:
        found: list[Scope] = []
        for context in self.contexts:
            for namespace in self.namespaces:
                found.extend(Scope(context, kind, namespace) for kind in NAMESPACED_KINDS)
            found.extend(Scope(context, kind, None) for kind in CLUSTER_KINDS)
        return found

    def start(self) -> None:
        for scope in self.scopes():
            watch = ResourceWatch(
                lambda context=scope.context: self.client(context), scope, self.cache, self._stop,
                forget=lambda stale, context=scope.context: self.forget_client(context, stale),
            )  # fmt: skip
            self._watches.append(watch)
            watch.start()
        for context in self.contexts:
            poller = threading.Thread(
                target=self._poll_metrics, args=(context,), name=f"metrics-{context}", daemon=True
            )
            self._pollers.append(poller)
            poller.start()

    def stop(self) -> None:
        """Ask every thread to end; they are daemons, so nobody waits for a hung socket."""
        self._stop.set()
        with self._client_lock:
            for client in self._clients.values():
                client.close()

    def states(self) -> list[WatchState]:
        return self.cache.states()

    # -- metrics -----------------------------------------------------------------------

    def _poll_metrics(self, context: str) -> None:
        while not self._stop.is_set():
            try:
                self._read_metrics(context)
                problem = ""
            except KubeError as error:
                problem = {
                    "notfound": "metrics.k8s.io not available (no metrics-server)",
                    "forbidden": "metrics forbidden for this user",
                }.get(error.kind, f"metrics: {error.message}")
            with self.metrics.lock:
                self.metrics.problems[context] = problem
                self.metrics.version += 1
            if self._stop.wait(self._metrics_seconds):
                return

    def _read_metrics(self, context: str) -> None:
        client = self.client(context)
        pods: dict[tuple[str, str, str], tuple[int | None, int | None]] = {}
        for namespace in self.namespaces:
            path = object_path("metrics.k8s.io", "v1beta1", "pods", namespace)
            for item in client.get(path).get("items") or []:
                cpu = memory = 0
                for container in item.get("containers") or []:
                    usage = container.get("usage") or {}
                    cpu += cpu_millicores(usage.get("cpu")) or 0
                    memory += memory_bytes(usage.get("memory")) or 0
                meta = item.get("metadata") or {}
                pods[(context, meta.get("namespace", ""), meta.get("name", ""))] = (cpu, memory)
        nodes: dict[tuple[str, str], tuple[int | None, int | None]] = {}
        path = object_path("metrics.k8s.io", "v1beta1", "nodes")
        for item in client.get(path).get("items") or []:
            usage = item.get("usage") or {}
            name = (item.get("metadata") or {}).get("name", "")
            nodes[(context, name)] = (
                cpu_millicores(usage.get("cpu")),
                memory_bytes(usage.get("memory")),
            )
        with self.metrics.lock:
            for key in [k for k in self.metrics.pods if k[0] == context]:
                del self.metrics.pods[key]
            self.metrics.pods.update(pods)
            for key in [k for k in self.metrics.nodes if k[0] == context]:
                del self.metrics.nodes[key]
            self.metrics.nodes.update(nodes)
            self.metrics.version += 1
