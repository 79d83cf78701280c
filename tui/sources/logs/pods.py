"""The log of one pod: one container, or all of them merged in time order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tui.sources.kube.client import KubeClient, KubeError, describe_transport_error
from tui.sources.log_model import LogOrigin
from tui.sources.logs.followers import _Follower, _Group, _Next
from tui.sources.logs.pod_objects import (
    _container_statuses,
    _describe_state,
    _log_containers,
    _pod_path,
)
from tui.sources.logs.source import _Untracking
from tui.sources.logs.streams import _Abortable, _HttpLines
from tui.sources.logs.tuning import (
    DEFAULT_TAIL,
    FOLLOW_READ_TIMEOUT,
    READ_TIMEOUT,
    REORDER_WINDOW,
)

ClientLike = KubeClient | Callable[[], KubeClient]


def _factory(client: ClientLike) -> Callable[[], KubeClient]:
    # A KubeClient loads credentials when built: a factory is called in the source's thread.
    if isinstance(client, KubeClient) or not callable(client):
        return lambda: client  # type: ignore[return-value]
    return client


class _PodFollower(_Follower):
    """One container of one pod, through the API server's log endpoint."""

    def __init__(
        self,
        owner: _Group,
        client: KubeClient,
        origin: LogOrigin,
        *,
        namespace: str,
        pod: str,
        container: str,
        uid: str = "",
        previous: bool = False,
        follow: bool = True,
        tail_lines: int | None = DEFAULT_TAIL,
        since_seconds: int | None = None,
    ) -> None:
        super().__init__(owner, f"{pod}/{container}", origin, follow=follow and not previous)
        self.client = client
        self.namespace = namespace
        self.pod = pod
        self.container = container
        self.uid = uid
        self.previous = previous
        self.tail_lines = tail_lines
        self.since_seconds = since_seconds

    def _open(self, *, follow: bool) -> _Abortable:
        query: dict[str, Any] = {"container": self.container, "timestamps": "true"}
        if follow:
            query["follow"] = "true"
        if self.previous:
            query["previous"] = "true"
        if self.resume.ns is not None:
            query["sinceTime"] = self.resume.since_time()
        else:
            if self.tail_lines is not None and self.tail_lines >= 0:
                query["tailLines"] = str(self.tail_lines)
            if self.since_seconds:
                query["sinceSeconds"] = str(self.since_seconds)
        path = f"{_pod_path(self.namespace, self.pod)}/log"
        stream = _HttpLines(
            self.client, path, query, FOLLOW_READ_TIMEOUT if follow else READ_TIMEOUT
        )
        self.owner._track(stream)
        return _Untracking(stream, self.owner)

    def _after_end(self, got: int) -> _Next:
        """A followed stream ended: the container exited, the pod went, or the server
        let go. The pod's status says which."""
        try:
            pod = self.client.get(_pod_path(self.namespace, self.pod))
        except KubeError as error:
            if error.kind == "notfound":
                return _Next("end", "ended", "pod deleted")
            return _Next("wait", "reconnecting", error.message)
        if self.uid and (pod.get("metadata") or {}).get("uid") not in (None, self.uid):
            return _Next("end", "ended", "pod replaced")
        status = _container_statuses(pod).get(self.container) or {}
        state = status.get("state") or {}
        if "running" in state:
            return _Next("again")
        phase = (pod.get("status") or {}).get("phase")
        terminating = bool((pod.get("metadata") or {}).get("deletionTimestamp"))
        policy = (pod.get("spec") or {}).get("restartPolicy", "Always")
        exit_code = ((state.get("terminated") or {}).get("exitCode")) if state else None
        final = (
            phase in ("Succeeded", "Failed")
            or terminating
            or (
                "terminated" in state
                and (policy == "Never" or (policy == "OnFailure" and exit_code == 0))
            )
        )
        if final:
            return _Next("end", "ended", f"container {_describe_state(state)}")
        return _Next("wait", "reconnecting", f"container {_describe_state(state)}")

    def _after_error(self, error: Exception) -> _Next:
        if not isinstance(error, KubeError):
            return _Next("wait", "reconnecting", describe_transport_error(error))
        if error.kind == "config":
            return _Next("end", "error", error.message)
        if error.kind == "notfound":
            if self.resume.ns is not None:
                return _Next("end", "ended", "pod deleted")
            return _Next("end", "error", error.message)
        if error.kind == "invalid":
            if "waiting to start" in error.message:
                return _Next("wait", "connecting", error.message, most=4.0)
            return _Next("end", "error", error.message)  # no previous instance, no such container
        if error.kind in ("forbidden", "unauthorized"):
            return _Next("wait", "error", error.message, slow=True)
        return _Next("wait", "reconnecting", error.message)


class PodLogs(_Group):
    """The log of one pod: one container, or all of them merged in time order.

    States: connecting; live; reconnecting ("in 4 s: connection refused", "in 8 s:
    container waiting: CrashLoopBackOff"); ended ("pod deleted", "container exited
    with code 0 (Completed)", or a one-shot read done); error ("pods "x" not found",
    forbidden; no previous instance).
    """

    def __init__(
        self,
        client: ClientLike,
        context: str,
        namespace: str,
        pod: str,
        container: str | None = None,
        previous: bool = False,
        tail_lines: int | None = DEFAULT_TAIL,
        since_seconds: int | None = None,
        follow: bool = True,
        *,
        reorder_window: float = REORDER_WINDOW,
    ) -> None:
        tag = f"{namespace}/{pod}" + (f"/{container}" if container else "")
        super().__init__(f"pod {tag}" + (" (previous)" if previous else ""))
        self._client_factory = _factory(client)
        self.context = context
        self.namespace = namespace
        self.pod = pod
        self.container = container
        self.previous = previous
        self.tail_lines = tail_lines
        self.since_seconds = since_seconds
        self.follow = follow and not previous
        self.reorder_window = reorder_window

    def _run(self) -> None:
        client = self._retrying(self._client_factory, "kubeconfig")
        if client is None:
            return
        if self.container is not None:
            names = [self.container]
        else:
            pod = self._retrying(lambda: client.get(_pod_path(self.namespace, self.pod)), "pod")
            if pod is None:
                return
            names = _log_containers(pod)
            if not names:
                self._state("error", "the pod has no containers")
                return
        several = len(names) > 1
        followers = [self._follower(client, name, tagged=several) for name in names]
        with self._group_lock:
            self._followers = {f.key: f for f in followers}
        if several:
            self._outbox.window = self.reorder_window
            self._initial_merge(followers)
            threads = [self._spawn(f.run, f.key) for f in followers]
            for thread in threads:
                while thread.is_alive() and not self.stopped:
                    thread.join(0.5)
        else:
            followers[0].run()

    def _follower(self, client: KubeClient, name: str, *, tagged: bool) -> _PodFollower:
        origin = LogOrigin(
            "pod",
            self.pod,
            context=self.context,
            namespace=self.namespace,
            container=name if tagged or self.container else None,
            previous=self.previous,
        )
        return _PodFollower(
            self,
            client,
            origin,
            namespace=self.namespace,
            pod=self.pod,
            container=name,
            previous=self.previous,
            follow=self.follow,
            tail_lines=self.tail_lines,
            since_seconds=self.since_seconds,
        )

    def _update_state(self) -> None:
        self._state(*self._summary("container"))
