"""What the pane asks for (`LogRequest`) and the source that shows it (`open_source`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tui.sources.kube.client import KubeClient
from tui.sources.logs.containers import ContainerLogReader, ContainerLogs
from tui.sources.logs.files import FileLogs
from tui.sources.logs.pods import PodLogs
from tui.sources.logs.tuning import DEFAULT_TAIL
from tui.sources.logs.workloads import _KIND_ALIASES, WORKLOAD_KINDS, WorkloadLogs

LogSource = PodLogs | WorkloadLogs | FileLogs | ContainerLogs


@dataclass(frozen=True, slots=True)
class LogRequest:
    """What to show, as the pane says it: "pod X previous", "deployment Y", "file Z".

    kind: "pod"; a workload kind (deployment, statefulset, daemonset, replicaset,
    job, service) or "selector" (name is a label selector); "file" (name is a
    path); "container" (name is the container id, `container` its display name).
    """

    kind: str
    name: str
    context: str | None = None
    namespace: str | None = None
    container: str | None = None  # pod: one container (None: all); docker: its name
    previous: bool = False
    follow: bool = True
    tail_lines: int | None = DEFAULT_TAIL
    since_seconds: int | None = None
    from_start: bool = False  # files: from the first line instead of the tail
    max_streams: int = 20

    def describe(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{self.name}" + (" (previous)" if self.previous else "")


def open_source(
    request: LogRequest,
    client_for_context: Callable[[str], KubeClient],
    *,
    containers: ContainerLogReader | None = None,
) -> LogSource:
    """The source for `request`, not started. ValueError if the request is incomplete."""
    kind = _KIND_ALIASES.get(request.kind.lower(), request.kind.lower())
    if kind == "file":
        return FileLogs(request.name, tail_lines=request.tail_lines, from_start=request.from_start)
    if kind == "container":
        if containers is None:
            raise ValueError("container logs need a container engine")
        return ContainerLogs(
            containers,
            request.name,
            request.container or request.name,
            tail_lines=request.tail_lines,
            since_seconds=request.since_seconds,
            follow=request.follow,
        )
    if not request.context or not request.namespace:
        raise ValueError(f"{request.describe()}: a context and a namespace are needed")
    context = request.context

    def client() -> KubeClient:
        return client_for_context(context)

    if kind == "pod":
        return PodLogs(
            client,
            context,
            request.namespace,
            request.name,
            container=request.container,
            previous=request.previous,
            tail_lines=request.tail_lines,
            since_seconds=request.since_seconds,
            follow=request.follow,
        )
    if kind in WORKLOAD_KINDS:
        return WorkloadLogs(
            client,
            context,
            request.namespace,
            kind,
            request.name,
            previous=request.previous,
            tail_lines=request.tail_lines,
            max_streams=request.max_streams,
            container=request.container,
            follow=request.follow,
        )
    raise ValueError(
        f"no logs for a {request.kind}: pod, file, container or one of {sorted(WORKLOAD_KINDS)}"
    )
