"""The API server's defaulting, for objects the drill cluster creates itself.

A real API server fills in defaults (strategy, restartPolicy, imagePullPolicy,
...) before storing an object; `kubectl describe` and `-o yaml` show them.
Scenario objects, manifests and the pods controllers create go through here.
Objects created through the API are stored as sent (the server does not call
us); the controllers treat every default as optional.
"""

from __future__ import annotations

import copy
from typing import Any

from tui.sim.resources import (
    DAEMONSETS,
    DEPLOYMENTS,
    PODS,
    SERVICES,
    STATEFULSETS,
    ResourceType,
)

Obj = dict[str, Any]

DEFAULT_TOLERATIONS = [
    {
        "key": "node.kubernetes.io/not-ready",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300,
    },
    {
        "key": "node.kubernetes.io/unreachable",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300,
    },
]


def image_pull_policy(image: str) -> str:
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else ""
    return "Always" if tag in ("", "latest") else "IfNotPresent"


def container(spec: Obj) -> Obj:
    result = dict(spec)
    result.setdefault("imagePullPolicy", image_pull_policy(result.get("image", "")))
    result.setdefault("terminationMessagePath", "/dev/termination-log")
    result.setdefault("terminationMessagePolicy", "File")
    result.setdefault("resources", {})
    if result.get("ports"):
        result["ports"] = [{**p, "protocol": p.get("protocol", "TCP")} for p in result["ports"]]
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        if isinstance(result.get(probe), dict):
            result[probe] = {
                "timeoutSeconds": 1,
                "periodSeconds": 10,
                "successThreshold": 1,
                "failureThreshold": 3,
                **result[probe],
            }
    return result


def pod_spec(spec: Obj) -> Obj:
    result = dict(spec)
    result["containers"] = [container(c) for c in result.get("containers") or []]
    if result.get("initContainers"):
        result["initContainers"] = [container(c) for c in result["initContainers"]]
    result.setdefault("restartPolicy", "Always")
    result.setdefault("terminationGracePeriodSeconds", 30)
    result.setdefault("dnsPolicy", "ClusterFirst")
    result.setdefault("securityContext", {})
    result.setdefault("schedulerName", "default-scheduler")
    return result


def template(spec: Obj) -> Obj:
    result = dict(spec)
    result["metadata"] = dict(result.get("metadata") or {})
    result["spec"] = pod_spec(result.get("spec") or {})
    return result


def pod(obj: Obj) -> Obj:
    """What admission adds to a new pod: defaults, the service account, tolerations."""
    result = copy.deepcopy(obj)
    spec = pod_spec(result.get("spec") or {})
    spec.setdefault("serviceAccountName", "default")
    spec.setdefault("serviceAccount", spec["serviceAccountName"])
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("priority", 0)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    tolerations = list(spec.get("tolerations") or [])
    for default in DEFAULT_TOLERATIONS:
        if not any(t.get("key") == default["key"] for t in tolerations):
            tolerations.append(dict(default))
    spec["tolerations"] = tolerations
    result["spec"] = spec
    return result


def deployment(obj: Obj) -> Obj:
    result = copy.deepcopy(obj)
    spec = result.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    strategy = spec.setdefault("strategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxSurge", "25%")
        rolling.setdefault("maxUnavailable", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    spec["template"] = template(spec.get("template") or {})
    return result


def statefulset(obj: Obj) -> Obj:
    result = copy.deepcopy(obj)
    spec = result.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    spec.setdefault("podManagementPolicy", "OrderedReady")
    spec.setdefault("updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault(
        "persistentVolumeClaimRetentionPolicy", {"whenDeleted": "Retain", "whenScaled": "Retain"}
    )
    spec["template"] = template(spec.get("template") or {})
    return result


def daemonset(obj: Obj) -> Obj:
    result = copy.deepcopy(obj)
    spec = result.setdefault("spec", {})
    spec.setdefault(
        "updateStrategy",
        {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}},
    )
    spec.setdefault("revisionHistoryLimit", 10)
    spec["template"] = template(spec.get("template") or {})
    return result


def service(obj: Obj) -> Obj:
    result = copy.deepcopy(obj)
    spec = result.setdefault("spec", {})
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    spec.setdefault("ipFamilies", ["IPv4"])
    spec.setdefault("ipFamilyPolicy", "SingleStack")
    spec.setdefault("internalTrafficPolicy", "Cluster")
    if spec["type"] in ("LoadBalancer", "NodePort"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    spec["ports"] = [
        {"protocol": "TCP", "targetPort": p.get("port"), **p} for p in spec.get("ports") or []
    ]
    return result


DEFAULTERS = {
    DEPLOYMENTS: deployment,
    STATEFULSETS: statefulset,
    DAEMONSETS: daemonset,
    SERVICES: service,
    PODS: pod,
}


def apply_defaults(rtype: ResourceType, obj: Obj) -> Obj:
    defaulter = DEFAULTERS.get(rtype)
    return defaulter(obj) if defaulter else copy.deepcopy(obj)
