"""List+watch of one resource kind in one scope, kept alive whatever happens.

Like client-go's reflector: list (in pages), then watch from the list's
resourceVersion with bookmarks, resume from the last version seen after a
dropped stream, relist after 410 Gone, back off on errors, and report the
connection state ("live", "reconnecting in 4 s: connection refused",
"forbidden: pods in prod") so the pane can say it. Runs in a daemon thread; a
stop event ends it at the next line or timeout.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from tui.sources.kube.client import KubeClient, KubeError, object_path

Obj = dict[str, Any]
PAGE = 500
WATCH_SECONDS = 300  # the server ends each watch after this; we resume at once
BACKOFF = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
# A request unanswered this long is said on the pane: a hung API server looks "live".
SLOW_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Kind:
    group: str
    version: str
    plural: str
    label: str  # how people say it: "pods", "deployments"
    namespaced: bool = True


PODS = Kind("", "v1", "pods", "pods")
EVENTS = Kind("", "v1", "events", "events")
NODES = Kind("", "v1", "nodes", "nodes", namespaced=False)
DEPLOYMENTS = Kind("apps", "v1", "deployments", "deployments")
REPLICASETS = Kind("apps", "v1", "replicasets", "replicasets")
STATEFULSETS = Kind("apps", "v1", "statefulsets", "statefulsets")
DAEMONSETS = Kind("apps", "v1", "daemonsets", "daemonsets")
HPAS = Kind("autoscaling", "v2", "horizontalpodautoscalers", "hpa")
# What the Ingress pane is built from. cert-manager's kinds are custom resources:
# on a cluster without cert-manager they answer 404, which only that pane reports.
INGRESSES = Kind("networking.k8s.io", "v1", "ingresses", "ingresses")
SERVICES = Kind("", "v1", "services", "services")
ENDPOINTS = Kind("", "v1", "endpoints", "endpoints")
CERTIFICATES = Kind("cert-manager.io", "v1", "certificates", "certificates")
CHALLENGES = Kind("acme.cert-manager.io", "v1", "challenges", "challenges")
EDGE_KINDS = (INGRESSES, SERVICES, ENDPOINTS, CERTIFICATES, CHALLENGES)


@dataclass(frozen=True, slots=True)
class Scope:
    """What one watch covers: a kind, in a context, in a namespace (None: all)."""

    context: str
    kind: Kind
    namespace: str | None

    def describe(self) -> str:
        where = f" in {self.namespace}" if self.namespace and self.kind.namespaced else ""
        return f"{self.kind.label}{where}"


@dataclass(frozen=True, slots=True)
class WatchState:
    scope: Scope
    status: str  # connecting, live, slow, reconnecting, forbidden, unauthorized, error
    message: str = ""
    retry_at: float | None = None  # time.monotonic() of the next attempt
    reason: str = ""  # the failure's KubeError kind: "notfound" is an API not installed

    @property
    def healthy(self) -> bool:
        return self.status == "live"

    def describe(self, now: float | None = None) -> str:
        if self.status == "live":
            return "live"
        if self.status == "forbidden":
            return f"forbidden: {self.scope.describe()}"
        if self.retry_at is not None:
            seconds = max(0, round(self.retry_at - (now or time.monotonic())))
            return f"{self.status} in {seconds} s: {self.message}"
        return f"{self.status}: {self.message}" if self.message else self.status


class Sink(Protocol):
    """Where a watch delivers (called from its thread; must be thread-safe)."""

    def reset(self, scope: Scope, items: list[Obj]) -> None: ...

    def apply(self, scope: Scope, event_type: str, obj: Obj) -> None: ...

    def state(self, state: WatchState) -> None: ...


def slim(obj: Obj) -> Obj:
    """Drop what warroom never shows and what costs memory at 5,000 pods."""
    metadata = obj.get("metadata")
    if isinstance(metadata, dict):
        metadata.pop("managedFields", None)
        annotations = metadata.get("annotations")
        if isinstance(annotations, dict):
            annotations.pop("kubectl.kubernetes.io/last-applied-configuration", None)
    return obj


class SlowAnswer:
    """Around one blocking request: calls `say` if it has no answer after SLOW_SECONDS
    (from a timer thread), never after the block ends; `said` tells whether it did."""

    def __init__(self, say: Callable[[], None], seconds: float = SLOW_SECONDS) -> None:
        self._say = say
        self._lock = threading.Lock()
        self._done = False
        self.said = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def _fire(self) -> None:
        with self._lock:
            if not self._done:
                self.said = True
                self._say()

    def __enter__(self) -> SlowAnswer:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._done = True
        self._timer.cancel()


class ResourceWatch:
    def __init__(
        self,
        client: Callable[[], KubeClient],
        scope: Scope,
        sink: Sink,
        stop: threading.Event,
        *,
        sleep: Callable[[float], bool] | None = None,
        forget: Callable[[KubeClient], None] | None = None,
    ) -> None:
        self._client_factory = client
        # Called with a client whose credentials were refused (401), so the next
        # `client()` reads the kubeconfig again: tokens get rotated under us.
        self._forget = forget
        self.scope = scope
        self._sink = sink
        self._stop = stop
        # Waiting on the stop event makes a back-off end the moment we quit.
        self._sleep = sleep or stop.wait
        self.thread = threading.Thread(
            target=self._run, name=f"watch-{scope.context}-{scope.kind.plural}", daemon=True
        )

    def start(self) -> None:
        self.thread.start()

    @property
    def _path(self) -> str:
        kind = self.scope.kind
        namespace = self.scope.namespace if kind.namespaced else None
        return object_path(kind.group, kind.version, kind.plural, namespace)

    def _run(self) -> None:
        failures = 0
        version: str | None = None
        client: KubeClient | None = None
        listed = False
        self._sink.state(WatchState(self.scope, "connecting"))
        while not self._stop.is_set():
            try:
                if client is None:
                    client = self._client_factory()
                if version is None:
                    # Before the first answer it is still "connecting", only slowly.
                    with self._slow("list", "slow" if listed else "connecting"):
                        version = self._list(client)
                    listed = True
                    self._sink.state(WatchState(self.scope, "live"))
                    failures = 0
                version = self._watch(client, version, reconnected=failures > 0)
                failures = 0
            except KubeError as error:
                if error.kind == "gone":
                    version = None  # too old to resume: list again
                    continue
                if error.kind == "config":
                    self._sink.state(WatchState(self.scope, "error", error.message))
                    return
                delay = BACKOFF[min(failures, len(BACKOFF) - 1)]
                if error.kind in ("forbidden", "notfound") or (
                    error.kind == "unauthorized" and failures > 0
                ):
                    # Permissions and missing APIs change slowly: retry at the slow end.
                    delay = BACKOFF[-1]
                if error.kind == "unauthorized" and client is not None:
                    # A refused token may have been rotated in the kubeconfig: the next
                    # attempt (soon, the first time) reloads the credentials.
                    if self._forget is not None:
                        self._forget(client)
                    client = None
                failures += 1
                status = {"forbidden": "forbidden", "unauthorized": "unauthorized"}.get(
                    error.kind, "reconnecting"
                )
                self._sink.state(
                    WatchState(
                        self.scope, status, error.message, time.monotonic() + delay, error.kind
                    )
                )
                if self._sleep(delay):
                    break
                if status != "reconnecting":
                    version = None

    def _slow(self, what: str, status: str = "slow") -> SlowAnswer:
        message = f"no answer to the {what} after {SLOW_SECONDS:g} s"
        return SlowAnswer(lambda: self._sink.state(WatchState(self.scope, status, message)))

    def _list(self, client: KubeClient) -> str:
        items: list[Obj] = []
        token: str | None = None
        while True:
            page = client.get(self._path, {"limit": PAGE, "continue": token})
            items.extend(slim(item) for item in page.get("items") or [])
            metadata = page.get("metadata") or {}
            token = metadata.get("continue")
            if not token:
                self._sink.reset(self.scope, items)
                return str(metadata.get("resourceVersion") or "0")

    def _watch(self, client: KubeClient, version: str, *, reconnected: bool) -> str:
        """Follow changes from `version`; return the last version seen when the stream ends."""
        query = {
            "watch": "1",
            "resourceVersion": version,
            "allowWatchBookmarks": "true",
            "timeoutSeconds": WATCH_SECONDS,
        }
        with self._slow("watch") as slow:
            stream = client.lines(self._path, query)
        if reconnected or slow.said:  # resumed from the last version seen: nothing missed
            self._sink.state(WatchState(self.scope, "live"))
        for line in stream:
            if self._stop.is_set():
                break
            try:
                event = json.loads(line)
            except ValueError:
                continue
            event_type = event.get("type")
            obj = event.get("object") or {}
            if event_type == "ERROR":
                code = obj.get("code")
                message = obj.get("message") or "watch error"
                if code == 410:
                    raise KubeError("gone", message, status=410)
                raise KubeError("server", message, status=code)
            found = (obj.get("metadata") or {}).get("resourceVersion")
            if found:
                version = str(found)
            if event_type in ("ADDED", "MODIFIED", "DELETED"):
                self._sink.apply(self.scope, event_type, slim(obj))
        return version
