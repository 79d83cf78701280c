"""The pods of a workload (or of a label selector), followed as they come and go."""

from __future__ import annotations

import json
from urllib.parse import quote

from tui.sources.kube.client import KubeClient, KubeError
from tui.sources.log_model import LogOrigin
from tui.sources.logs.followers import _Follower, _Group
from tui.sources.logs.pod_objects import Obj, _PodInfo
from tui.sources.logs.pods import ClientLike, _factory, _PodFollower
from tui.sources.logs.streams import _HttpLines, _Silent
from tui.sources.logs.tuning import (
    BACKOFF,
    DEFAULT_TAIL,
    REORDER_WINDOW,
    WATCH_READ_TIMEOUT,
    WATCH_SECONDS,
)

WORKLOAD_KINDS = {
    "deployment": ("apps", "deployments"),
    "statefulset": ("apps", "statefulsets"),
    "daemonset": ("apps", "daemonsets"),
    "replicaset": ("apps", "replicasets"),
    "job": ("batch", "jobs"),
    "service": ("", "services"),
    "selector": ("", ""),  # the name is a label selector
}
_KIND_ALIASES = {
    "deploy": "deployment",
    "deployments": "deployment",
    "sts": "statefulset",
    "statefulsets": "statefulset",
    "ds": "daemonset",
    "daemonsets": "daemonset",
    "rs": "replicaset",
    "replicasets": "replicaset",
    "jobs": "job",
    "svc": "service",
    "services": "service",
    "labels": "selector",
}


def label_selector(selector: Obj) -> str:
    """A LabelSelector (matchLabels, matchExpressions) as a query string."""
    parts = [f"{key}={value}" for key, value in sorted((selector.get("matchLabels") or {}).items())]
    for expression in selector.get("matchExpressions") or []:
        key = expression.get("key", "")
        operator = expression.get("operator", "")
        values = ",".join(expression.get("values") or [])
        parts.append(
            {
                "In": f"{key} in ({values})",
                "NotIn": f"{key} notin ({values})",
                "Exists": key,
                "DoesNotExist": f"!{key}",
            }.get(operator, "")
        )
    return ",".join(part for part in parts if part)


class WorkloadLogs(_Group):
    """The pods of a workload (or of a label selector), merged in timestamp order.

    Pods that join start streaming, pods that go stop; at most `max_streams` are
    followed at once. The pasts (tails) are merged by timestamp before anything is
    followed; followed lines pass a short reorder window.

    `kind`: deployment, statefulset, daemonset, replicaset, job, service, or
    "selector" with `name` a label selector ("app=web,tier in (a,b)").

    States: connecting; live ("following 3 pods", "no pods with logs yet");
    capped ("following 20 of 35 pods"); reconnecting (the pod watch is broken:
    "in 4 s: ..."); ended (one-shot reads done); error (no such workload,
    forbidden).
    """

    def __init__(
        self,
        client: ClientLike,
        context: str,
        namespace: str,
        kind: str,
        name: str,
        previous: bool = False,
        tail_lines: int | None = DEFAULT_TAIL,
        max_streams: int = 20,
        container: str | None = None,
        follow: bool = True,
        *,
        reorder_window: float = REORDER_WINDOW,
    ) -> None:
        kind = _KIND_ALIASES.get(kind.lower(), kind.lower())
        if kind not in WORKLOAD_KINDS:
            raise ValueError(f"cannot follow logs of a {kind}: one of {sorted(WORKLOAD_KINDS)}")
        super().__init__(f"{kind} {namespace}/{name}" + (" (previous)" if previous else ""))
        self._client_factory = _factory(client)
        self.context = context
        self.namespace = namespace
        self.kind = kind
        self.name = name
        self.previous = previous
        self.tail_lines = tail_lines
        self.max_streams = max(1, max_streams)
        self.container = container
        self.follow = follow and not previous
        self.selector: str | None = None
        self._client: KubeClient | None = None
        self._pods: dict[str, _PodInfo] = {}
        self._ended: dict[str, str] = {}  # pod name -> uid whose stream ended for good
        self._first_seen: set[str] | None = None  # uids of the pods there at the start
        self._eligible = 0
        self._streaming = False
        self._watch_trouble: tuple[str, str] | None = None
        self._outbox.window = reorder_window

    @property
    def following(self) -> tuple[str, ...]:
        """The pods whose logs are followed now."""
        with self._group_lock:
            return tuple(
                sorted(f.pod for f in self._followers.values() if isinstance(f, _PodFollower))
            )

    # -- the main thread -----------------------------------------------------------------

    def _run(self) -> None:
        client = self._retrying(self._client_factory, "kubeconfig")
        if client is None:
            return
        self._client = client
        selector = self._retrying(lambda: self._resolve(client), self.kind)
        if selector is None:
            return
        self.selector = selector
        version = self._retrying(lambda: self._list(client), "pods")
        if version is None:
            return
        first = self._reconcile()
        self._initial_merge(first)
        if not self.follow:
            self._finish_one_shot(first)
            return
        with self._group_lock:
            self._streaming = True
            for follower in self._followers.values():
                self._spawn(follower.run, follower.key)
            self._update_state()
        self._watch_loop(client, version)

    def _resolve(self, client: KubeClient) -> str:
        if self.kind == "selector":
            return self.name
        group, plural = WORKLOAD_KINDS[self.kind]
        root = f"/apis/{group}/v1" if group else "/api/v1"
        namespace, name = quote(self.namespace, safe=""), quote(self.name, safe="")
        path = f"{root}/namespaces/{namespace}/{plural}/{name}"
        spec = client.get(path).get("spec") or {}
        raw = spec.get("selector") or {}
        if self.kind == "service":
            selector = ",".join(f"{k}={v}" for k, v in sorted(raw.items()))
        else:
            selector = label_selector(raw)
        if not selector:
            raise KubeError("invalid", f"{self.kind} {self.name} selects no pods by label")
        return selector

    def _pods_path(self) -> str:
        return f"/api/v1/namespaces/{quote(self.namespace, safe='')}/pods"

    def _list(self, client: KubeClient) -> str:
        pods: dict[str, _PodInfo] = {}
        token: str | None = None
        while True:
            page = client.get(
                self._pods_path(),
                {"labelSelector": self.selector, "limit": "500", "continue": token},
            )
            for item in page.get("items") or []:
                info = _PodInfo.of(item)
                pods[info.name] = info
            metadata = page.get("metadata") or {}
            token = metadata.get("continue")
            if not token:
                with self._group_lock:
                    self._pods = pods
                    if self._first_seen is None:
                        self._first_seen = {info.uid for info in pods.values()}
                return str(metadata.get("resourceVersion") or "0")

    def _watch_loop(self, client: KubeClient, version: str | None) -> None:
        failures = 0
        while not self.stopped:
            try:
                if version is None:
                    version = self._list(client)
                    self._reconcile()
                version = self._watch(client, version)
                failures = 0
            except _Silent:
                continue
            except KubeError as error:
                if self.stopped:
                    return
                if error.kind == "gone":
                    version = None  # too old to resume from: list again
                    continue
                slow = error.kind in ("forbidden", "unauthorized")
                delay = BACKOFF[-1] if slow else BACKOFF[min(failures, len(BACKOFF) - 1)]
                failures += 1
                with self._group_lock:
                    self._watch_trouble = (
                        "error" if slow else "reconnecting",
                        f"in {delay:g} s: watching pods: {error.message}",
                    )
                    self._update_state()
                if self._stop.wait(delay):
                    return
                version = None  # pods may have come and gone meanwhile

    def _watch(self, client: KubeClient, version: str) -> str:
        query = {
            "labelSelector": self.selector,
            "watch": "1",
            "resourceVersion": version,
            "allowWatchBookmarks": "true",
            "timeoutSeconds": str(WATCH_SECONDS),
        }
        stream = _HttpLines(client, self._pods_path(), query, WATCH_READ_TIMEOUT)
        self._track(stream)
        try:
            with self._group_lock:
                if self._watch_trouble is not None:
                    self._watch_trouble = None
                    self._update_state()
            for batch in stream.batches():
                if self.stopped:
                    break
                version = self._apply_events(batch, version)
            return version
        finally:
            self._untrack(stream)

    def _apply_events(self, batch: list[bytes], version: str) -> str:
        changed = False
        for raw in batch:
            try:
                event = json.loads(raw)
            except ValueError:
                continue
            kind = event.get("type")
            obj = event.get("object") or {}
            if kind == "ERROR":
                if obj.get("code") == 410:
                    raise KubeError("gone", obj.get("message") or "expired", status=410)
                raise KubeError("server", obj.get("message") or "watch error")
            version = str((obj.get("metadata") or {}).get("resourceVersion") or version)
            if kind in ("ADDED", "MODIFIED", "DELETED"):
                info = _PodInfo.of(obj)
                with self._group_lock:
                    if kind == "DELETED":
                        self._pods.pop(info.name, None)
                    else:
                        self._pods[info.name] = info
                changed = True
        if changed:
            self._reconcile()
        return version

    # -- which pods are followed -------------------------------------------------------------

    def _container_of(self, info: _PodInfo) -> str:
        return self.container or info.default

    def _eligible_pod(self, info: _PodInfo) -> bool:
        container = self._container_of(info)
        if self.previous:
            return container in info.crashed
        return container in info.logged

    def _reconcile(self) -> list[_Follower]:
        """Stop the streams of pods gone, start streams for pods with logs while there is
        room; the followers it added (started now if streaming has begun)."""
        with self._group_lock:
            if self.stopped:
                return []
            for name, uid in list(self._ended.items()):
                if name not in self._pods or self._pods[name].uid != uid:
                    del self._ended[name]
            for key, follower in list(self._followers.items()):
                assert isinstance(follower, _PodFollower)
                info = self._pods.get(follower.pod)
                if info is None or info.uid != follower.uid:
                    follower.cancel()
                    self._drop(key)
            followed = {f.pod for f in self._followers.values() if isinstance(f, _PodFollower)}
            waiting = sorted(
                (
                    info
                    for info in self._pods.values()
                    if info.name not in followed
                    and info.name not in self._ended
                    and self._eligible_pod(info)
                ),
                key=lambda info: (self._container_of(info) not in info.running, info.name),
            )
            room = max(0, self.max_streams - len(self._followers))
            added = [self._add_follower(info) for info in waiting[:room]]
            self._eligible = len(self._followers) + len(waiting) - len(added)
            if self._streaming:
                for follower in added:
                    self._spawn(follower.run, follower.key)
            self._update_state()
            return added

    def _add_follower(self, info: _PodInfo) -> _Follower:
        container = self._container_of(info)
        origin = LogOrigin(
            "pod",
            info.name,
            context=self.context,
            namespace=self.namespace,
            container=container if len(info.containers) > 1 else None,
            previous=self.previous,
        )
        assert self._client is not None
        # A pod that came after the start is new: all of its log belongs in the stream.
        new = self._first_seen is not None and info.uid not in self._first_seen
        follower = _PodFollower(
            self,
            self._client,
            origin,
            namespace=self.namespace,
            pod=info.name,
            container=container,
            uid=info.uid,
            previous=self.previous,
            follow=self.follow,
            tail_lines=None if new else self.tail_lines,
        )
        self._followers[follower.key] = follower
        return follower

    def _drop(self, key: str) -> None:
        self._followers.pop(key, None)
        self._follower_states.pop(key, None)

    def follower_done(self, follower: _Follower) -> None:
        assert isinstance(follower, _PodFollower)
        with self._group_lock:
            if self._followers.get(follower.key) is not follower or self.stopped:
                return
            if self.follow:
                # Its pod is gone or will not run again: free the slot for a waiting pod.
                self._ended[follower.pod] = follower.uid
                self._drop(follower.key)
        if self.follow:
            self._reconcile()

    def _finish_one_shot(self, followers: list[_Follower]) -> None:
        """previous / no follow: what the merge could not read is read with retries."""
        retry = [f for f in followers if not f.initial_done]
        threads = [self._spawn(f.run, f.key) for f in retry]
        for thread in threads:
            while thread.is_alive() and not self.stopped:
                thread.join(0.5)
        read = sum(1 for f in followers if f.initial_done)
        self._state("ended", f"{read} of {len(followers)} pods read")

    def _update_state(self) -> None:
        with self._group_lock:
            if self._watch_trouble is not None:
                self._state(*self._watch_trouble)
                return
            if not self._streaming:
                return  # "connecting" until the pasts are merged; a one-shot read ends
            count = len(self._followers)
            if count == 0:
                self._state("live", f"no pods with logs yet ({self.selector})")
                return
            states = [self._follower_states.get(key, ("connecting", "")) for key in self._followers]
            trouble = [
                (key, detail)
                for key, (status, detail) in zip(self._followers, states, strict=True)
                if status in ("reconnecting", "error")
            ]
            pods = "pod" if self._eligible == 1 else "pods"
            capped = self._eligible > count
            detail = (
                f"following {count} of {self._eligible} {pods}"
                if capped
                else f"following {count} {pods}"
            )
            if trouble:
                detail += f"; {len(trouble)} in trouble: {trouble[0][0]}: {trouble[0][1]}"
            if len(trouble) == count:
                self._state(states[0][0], detail)
            else:
                self._state("capped" if capped else "live", detail)
