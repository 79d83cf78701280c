"""KubeModel: rows for the panes and state transitions for the timeline.

Fed with what changed in the cache (and the latest metrics), it returns only
the rows that changed, so the panes update by key, and the transitions worth
recording: a pod entering CrashLoopBackOff, OOMKilled, ImagePullBackOff or
staying Pending too long, and recovering; a node going NotReady; a deployment
losing availability. Transient states (ContainerCreating, Terminating, a fresh
Pending) only become news once they last longer than `settle_seconds`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from tui.sources.kube.cache import Changes, Key
from tui.sources.kube.ingress_index import IngressIndex
from tui.sources.kube.rows import (
    DeploymentRow,
    EventRow,
    HpaRow,
    NodeRow,
    PodRow,
    deployment_row,
    event_row,
    hpa_row,
    node_row,
    pod_row,
)
from tui.sources.kube.service import MetricsStore
from tui.sources.kube.watch import (
    DEPLOYMENTS,
    EDGE_KINDS,
    EVENTS,
    HPAS,
    NODES,
    PODS,
    Kind,
    WatchState,
)

Obj = dict[str, Any]
# NotReady: a fresh pod waiting for its readiness probe is not news (yet).
TRANSIENT = ("Pending", "ContainerCreating", "PodInitializing", "Terminating", "NotReady")


@dataclass(frozen=True, slots=True)
class Transition:
    subject: str  # stable identity in the timeline: k8s:CONTEXT/NAMESPACE/KIND/NAME
    state: str  # the problem, or "ok"
    text: str
    data: dict[str, Any]


@dataclass
class Table:
    """One kind's rows: what changed this round."""

    updated: dict[Key, Any] = field(default_factory=dict)
    removed: set[Key] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.updated or self.removed)


@dataclass
class Delta:
    pods: Table = field(default_factory=Table)
    events: Table = field(default_factory=Table)
    deployments: Table = field(default_factory=Table)
    nodes: Table = field(default_factory=Table)
    hpas: Table = field(default_factory=Table)
    ingresses: Table = field(default_factory=Table)  # IngressRow by key
    states: list[WatchState] | None = None  # the Pods pane's watches
    edge_states: list[WatchState] | None = None  # the Ingress pane's (EDGE_KINDS)
    metrics_problems: dict[str, str] | None = None
    transitions: list[Transition] = field(default_factory=list)

    def __bool__(self) -> bool:
        tables = (self.pods, self.events, self.deployments, self.nodes, self.hpas, self.ingresses)
        return (
            any(tables)
            or self.states is not None
            or self.edge_states is not None
            or bool(self.transitions)
            or (self.metrics_problems is not None)
        )


def subject(context: str, namespace: str, kind: str, name: str) -> str:
    return f"k8s:{context}/{namespace or '-'}/{kind}/{name}"


ROW_BUILDERS: dict[str, tuple[Kind, Callable[[Key, Obj], Any]]] = {
    "pods": (PODS, pod_row),
    "events": (EVENTS, event_row),
    "deployments": (DEPLOYMENTS, deployment_row),
    "nodes": (NODES, node_row),
    "hpas": (HPAS, hpa_row),
}


class KubeModel:
    def __init__(self, *, settle_seconds: float = 120.0) -> None:
        self.settle_seconds = settle_seconds
        self.pods: dict[Key, PodRow] = {}
        self.events: dict[Key, EventRow] = {}
        self.deployments: dict[Key, DeploymentRow] = {}
        self.nodes: dict[Key, NodeRow] = {}
        self.hpas: dict[Key, HpaRow] = {}
        self.states: dict[Any, WatchState] = {}
        self.ingresses = IngressIndex()
        # subject -> last state this model reported (the file dedupes across consoles)
        self._reported: dict[str, str] = {}
        self._metrics_version = -1

    # -- applying changes ----------------------------------------------------------

    def apply(self, changes: Changes, metrics: MetricsStore, now: datetime | None = None) -> Delta:
        now = now or datetime.now(UTC)
        delta = Delta()
        for name, (kind, build) in ROW_BUILDERS.items():
            rows: dict[Key, Any] = getattr(self, name)
            table: Table = getattr(delta, name)
            updated, removed = changes.of_kind(kind)
            for key in removed:
                if rows.pop(key, None) is not None:
                    table.removed.add(key)
            for key, obj in updated.items():
                row = build(key, obj)
                if name == "pods":
                    row = self._with_pod_metrics(row, metrics)
                elif name == "nodes":
                    row = self._with_node_metrics(row, metrics)
                if rows.get(key) != row:
                    rows[key] = row
                    table.updated[key] = row
        self._refresh_metrics(metrics, delta)
        if changes.states:
            self.states.update(changes.states)
            self._split_states(changes.states, delta)
        edges = self.ingresses.apply(changes, changes.states, now)
        delta.ingresses.updated.update(edges.updated)
        delta.ingresses.removed |= edges.removed
        delta.transitions = self._transitions(delta, now)
        return delta

    def forget(self, context: str | None = None) -> Delta:
        """Remove every row (of one context): the pane empties before a new view fills it."""
        delta = Delta()
        for name in ROW_BUILDERS:
            rows: dict[Key, Any] = getattr(self, name)
            for key in [k for k in rows if context is None or k[0] == context]:
                del rows[key]
                getattr(delta, name).removed.add(key)
        self.states = {s: v for s, v in self.states.items() if context and s.context != context}
        delta.states = [s for s in self.states.values() if s.scope.kind not in EDGE_KINDS]
        delta.edge_states = [s for s in self.states.values() if s.scope.kind in EDGE_KINDS]
        delta.ingresses.removed |= self.ingresses.forget(context)
        return delta

    def _split_states(self, changed: dict[Any, WatchState], delta: Delta) -> None:
        """Each pane gets the states of the watches it shows, when one of them changed."""
        if any(scope.kind not in EDGE_KINDS for scope in changed):
            delta.states = [s for s in self.states.values() if s.scope.kind not in EDGE_KINDS]
        if any(scope.kind in EDGE_KINDS for scope in changed):
            delta.edge_states = [s for s in self.states.values() if s.scope.kind in EDGE_KINDS]

    def _with_pod_metrics(self, row: PodRow, metrics: MetricsStore) -> PodRow:
        usage = metrics.pods.get((row.context, row.namespace, row.name))
        if usage is None:
            return row if row.cpu_millicores is None else replace(row, cpu_millicores=None,
                                                                  memory_bytes=None)  # fmt: skip
        return replace(row, cpu_millicores=usage[0], memory_bytes=usage[1])

    def _with_node_metrics(self, row: NodeRow, metrics: MetricsStore) -> NodeRow:
        usage = metrics.nodes.get((row.context, row.name))
        if usage is None:
            return row
        return replace(row, cpu_millicores=usage[0], memory_bytes=usage[1])

    def _refresh_metrics(self, metrics: MetricsStore, delta: Delta) -> None:
        with metrics.lock:
            if metrics.version == self._metrics_version:
                return
            self._metrics_version = metrics.version
            for key, row in list(self.pods.items()):
                fresh = self._with_pod_metrics(row, metrics)
                if fresh != row:
                    self.pods[key] = fresh
                    delta.pods.updated[key] = fresh
            for key, node in list(self.nodes.items()):
                fresh_node = self._with_node_metrics(node, metrics)
                if fresh_node != node:
                    self.nodes[key] = fresh_node
                    delta.nodes.updated[key] = fresh_node
            delta.metrics_problems = dict(metrics.problems)

    # -- transitions ---------------------------------------------------------------

    def tick(self, now: datetime | None = None) -> list[Transition]:
        """Re-judge transient states that may have lasted too long by now."""
        now = now or datetime.now(UTC)
        return [t for row in list(self.pods.values()) if (t := self._pod_transition(row, now))]

    def _transitions(self, delta: Delta, now: datetime) -> list[Transition]:
        found: list[Transition] = []
        for row in delta.pods.updated.values():
            if transition := self._pod_transition(row, now):
                found.append(transition)
        for node in delta.nodes.updated.values():
            if transition := self._judge(
                subject(node.context, "", "node", node.name), node.state,
                f"Node {node.name}", node.status, {"kind": "Node", "name": node.name,
                "context": node.context, "pressures": list(node.pressures)},
            ):  # fmt: skip
                found.append(transition)
        for deployment in delta.deployments.updated.values():
            what = f"Deployment {deployment.namespace}/{deployment.name}"
            detail = (
                f"{deployment.state if deployment.state != 'ok' else 'available'},"
                f" {deployment.available}/{deployment.desired} available"
            )
            data = {
                "kind": "Deployment", "context": deployment.context,
                "namespace": deployment.namespace, "name": deployment.name,
                "revision": deployment.revision, "images": list(deployment.images),
            }  # fmt: skip
            if transition := self._judge(
                subject(deployment.context, deployment.namespace, "deployment", deployment.name),
                deployment.state, what, detail, data,
            ):  # fmt: skip
                found.append(transition)
        return found

    def _pod_transition(self, row: PodRow, now: datetime) -> Transition | None:
        state = row.state
        if state in TRANSIENT or (state.startswith("Init:") and row.rank >= 3):
            since = row.created or now
            if (now - since).total_seconds() < self.settle_seconds:
                state = self._reported.get(self._pod_subject(row), "ok")
            elif state == "Pending":
                state = "Pending too long"
        detail = f"{row.status} {row.ready}/{row.containers}"
        if row.restarts:
            detail += f", {row.restarts} restarts"
        data = {
            "kind": "Pod", "context": row.context, "namespace": row.namespace, "name": row.name,
            "status": row.status, "restarts": row.restarts, "node": row.node,
            "owner": {"kind": row.owner_kind, "name": row.owner_name},
        }  # fmt: skip
        return self._judge(
            self._pod_subject(row), state, f"Pod {row.namespace}/{row.name}", detail, data
        )

    @staticmethod
    def _pod_subject(row: PodRow) -> str:
        return subject(row.context, row.namespace, "pod", row.name)

    def _judge(
        self, key: str, state: str, what: str, detail: str, data: dict[str, Any]
    ) -> Transition | None:
        previous = self._reported.get(key, "ok")
        if state == previous:
            return None
        self._reported[key] = state
        if state == "ok":
            text = f"{what} recovered: {detail} (was {previous})"
        else:
            text = f"{what}: {state} ({detail})"
        return Transition(key, state, text, {**data, "previous": previous})
