"""What an operator does to a cluster, through the API (never by shelling out).

Each function does what the kubectl command of the same name does, so the
result on the cluster is the one the runbooks expect:

    rollout_restart   kubectl rollout restart
    revisions         kubectl rollout history
    rollout_undo      kubectl rollout undo [--to-revision]
    scale             kubectl scale --replicas
    delete_pod        kubectl delete pod

They block (run them in a thread) and raise KubeError with the API's message.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tui.sources.kube.client import KubeClient, KubeError, object_path
from tui.sources.podstatus import parse_time

Obj = dict[str, Any]
STRATEGIC = "application/strategic-merge-patch+json"
MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
REVISION = "deployment.kubernetes.io/revision"
CHANGE_CAUSE = "kubernetes.io/change-cause"

# Workload kinds that can be restarted, and their API paths.
WORKLOADS: dict[str, tuple[str, str, str]] = {
    "Deployment": ("apps", "v1", "deployments"),
    "StatefulSet": ("apps", "v1", "statefulsets"),
    "DaemonSet": ("apps", "v1", "daemonsets"),
    "ReplicaSet": ("apps", "v1", "replicasets"),
}


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """Which object an action is about: what the confirmation names."""

    context: str
    namespace: str
    kind: str
    name: str

    def describe(self) -> str:
        return f"{self.kind.lower()}/{self.name} in {self.namespace} (context {self.context})"


def _path(ref: ObjectRef, subresource: str = "") -> str:
    if ref.kind == "Pod":
        path = object_path("", "v1", "pods", ref.namespace, ref.name)
    else:
        group, version, plural = WORKLOADS[ref.kind]
        path = object_path(group, version, plural, ref.namespace, ref.name)
    return f"{path}/{subresource}" if subresource else path


def get(client: KubeClient, ref: ObjectRef) -> Obj:
    return client.get(_path(ref))


def rollout_restart(client: KubeClient, ref: ObjectRef, now: datetime | None = None) -> Obj:
    if ref.kind not in ("Deployment", "StatefulSet", "DaemonSet"):
        raise KubeError("invalid", f"{ref.kind} cannot be restarted (only workloads can)")
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    patch = {
        "spec": {
            "template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": stamp}}}
        }
    }
    return client.request("PATCH", _path(ref), body=patch, content_type=STRATEGIC)


def scale(client: KubeClient, ref: ObjectRef, replicas: int) -> Obj:
    if replicas < 0:
        raise KubeError("invalid", "replicas cannot be negative")
    body = {"spec": {"replicas": replicas}}
    return client.request("PATCH", _path(ref, "scale"), body=body, content_type=MERGE)


def delete_pod(client: KubeClient, ref: ObjectRef) -> Obj:
    body = {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"}
    return client.request("DELETE", _path(ref), body=body)


@dataclass(frozen=True, slots=True)
class Revision:
    number: int
    replicaset: str
    images: tuple[str, ...]
    change_cause: str
    created: datetime | None
    template: Obj
    current: bool

    def describe(self) -> str:
        cause = f" — {self.change_cause}" if self.change_cause else ""
        return f"{self.number}: {', '.join(self.images)}{cause}"


def revisions(client: KubeClient, ref: ObjectRef) -> list[Revision]:
    """The deployment's ReplicaSets as revisions, newest first (`rollout history`)."""
    if ref.kind != "Deployment":
        raise KubeError("invalid", "revision history is shown for deployments")
    deployment = get(client, ref)
    selector = (deployment.get("spec") or {}).get("selector", {}).get("matchLabels") or {}
    uid = deployment["metadata"]["uid"]
    current = (deployment["metadata"].get("annotations") or {}).get(REVISION, "")
    listed = client.get(
        object_path("apps", "v1", "replicasets", ref.namespace),
        {"labelSelector": ",".join(f"{k}={v}" for k, v in sorted(selector.items())) or None},
    )
    found = []
    for rs in listed.get("items") or []:
        owners = rs["metadata"].get("ownerReferences") or []
        if not any(o.get("uid") == uid for o in owners):
            continue
        annotations = rs["metadata"].get("annotations") or {}
        try:
            number = int(annotations.get(REVISION, "0"))
        except ValueError:
            continue
        template = rs.get("spec", {}).get("template") or {}
        containers = (template.get("spec") or {}).get("containers") or []
        found.append(
            Revision(
                number=number,
                replicaset=rs["metadata"]["name"],
                images=tuple(c.get("image", "") for c in containers),
                change_cause=annotations.get(CHANGE_CAUSE, ""),
                created=parse_time(rs["metadata"].get("creationTimestamp")),
                template=template,
                current=str(number) == current,
            )
        )
    return sorted(found, key=lambda r: r.number, reverse=True)


def rollout_undo(client: KubeClient, ref: ObjectRef, to_revision: int | None = None) -> Revision:
    """Put the template of `to_revision` (default: the previous one) back, as kubectl does."""
    history = revisions(client, ref)
    current = next((r for r in history if r.current), history[0] if history else None)
    if to_revision is None:
        older = [r for r in history if current is None or r.number < current.number]
        if not older:
            raise KubeError("invalid", f"no rollout history found for {ref.describe()}")
        target = older[0]
    else:
        target = next((r for r in history if r.number == to_revision), None)
        if target is None:
            raise KubeError("invalid", f"unable to find revision {to_revision} of {ref.describe()}")
    if current is not None and target.number == current.number:
        raise KubeError("invalid", f"revision {target.number} is already the current one")
    template = copy.deepcopy(target.template)
    # The ReplicaSet's own hash label is not part of the deployment's template.
    (template.get("metadata") or {}).get("labels", {}).pop("pod-template-hash", None)
    patch: list[Obj] = [{"op": "replace", "path": "/spec/template", "value": template}]
    if target.change_cause:
        deployment = get(client, ref)
        annotations = dict(deployment["metadata"].get("annotations") or {})
        annotations[CHANGE_CAUSE] = target.change_cause
        patch.append({"op": "replace", "path": "/metadata/annotations", "value": annotations})
    client.request("PATCH", _path(ref), body=patch, content_type=JSON_PATCH)
    return target


def owner_chain(client: KubeClient, pod: Obj, context: str) -> list[ObjectRef]:
    """pod -> ReplicaSet -> Deployment (or StatefulSet, DaemonSet, Job...), as far as it goes."""
    namespace = pod["metadata"].get("namespace", "")
    chain: list[ObjectRef] = [ObjectRef(context, namespace, "Pod", pod["metadata"]["name"])]
    current = pod
    for _ in range(4):
        owners = current["metadata"].get("ownerReferences") or []
        owner = next((o for o in owners if o.get("controller")), owners[0] if owners else None)
        if owner is None:
            break
        ref = ObjectRef(context, namespace, owner.get("kind", ""), owner.get("name", ""))
        chain.append(ref)
        if ref.kind not in WORKLOADS:
            break
        try:
            current = get(client, ref)
        except KubeError:
            break
    return chain


def pod_events(client: KubeClient, pod: Obj) -> list[Obj]:
    """The pod's events, newest first (the Events section of `kubectl describe pod`)."""
    metadata = pod["metadata"]
    selector = ",".join(
        [
            f"involvedObject.name={metadata['name']}",
            f"involvedObject.namespace={metadata.get('namespace', '')}",
            f"involvedObject.uid={metadata.get('uid', '')}",
        ]
    )
    listed = client.get(
        object_path("", "v1", "events", metadata.get("namespace")), {"fieldSelector": selector}
    )

    def last_seen(event: Obj) -> str:
        return event.get("lastTimestamp") or event.get("eventTime") or ""

    return sorted(listed.get("items") or [], key=last_seen, reverse=True)
