"""The resource types the drill cluster serves, as discovery describes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
READ_VERBS = ("get", "list")
CREATE_ONLY = ("create",)

# Which API answers a subresource with what kind, and which verbs it takes.
SUBRESOURCE_KINDS: dict[str, tuple[str, str, str]] = {
    "scale": ("autoscaling", "v1", "Scale"),
    "eviction": ("policy", "v1", "Eviction"),
}
SUBRESOURCE_VERBS: dict[str, tuple[str, ...]] = {
    "log": ("get",),
    "eviction": ("create",),
}


@dataclass(frozen=True, slots=True)
class ResourceType:
    group: str  # "" for the core group
    version: str
    kind: str
    plural: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ALL_VERBS
    subresources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    # Whether a change of `spec` bumps metadata.generation (workloads do).
    has_generation: bool = False
    # Served by a CustomResourceDefinition on a real cluster (cert-manager's kinds).
    custom: bool = False
    # Answered, never stored: the access reviews (POST, read the answer, gone).
    virtual: bool = False
    # DELETE answers with the object (as for Pods and Services) instead of a Status.
    delete_returns_object: bool = False

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_version(self) -> str:
        return self.api_version

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def key(self) -> str:
        """'pods', 'deployments.apps': unique, as kubectl writes it."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def base_path(self, namespace: str | None = None) -> str:
        root = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            return f"{root}/namespaces/{namespace}/{self.plural}"
        return f"{root}/{self.plural}"


def _r(
    group: str, version: str, kind: str, plural: str, namespaced: bool = True, **kw: Any
) -> ResourceType:
    return ResourceType(group, version, kind, plural, namespaced, **kw)


RESOURCES: tuple[ResourceType, ...] = (
    _r("", "v1", "Namespace", "namespaces", False, short_names=("ns",),
       subresources=("status",)),
    _r("", "v1", "Node", "nodes", False, short_names=("no",), subresources=("status",)),
    _r("", "v1", "Pod", "pods", short_names=("po",), categories=("all",),
       subresources=("status", "log", "eviction"), delete_returns_object=True),
    _r("", "v1", "Event", "events", short_names=("ev",)),
    _r("", "v1", "Service", "services", short_names=("svc",), categories=("all",),
       subresources=("status",), delete_returns_object=True),
    _r("", "v1", "Endpoints", "endpoints", short_names=("ep",)),
    _r("", "v1", "ConfigMap", "configmaps", short_names=("cm",)),
    _r("", "v1", "Secret", "secrets"),
    _r("", "v1", "ServiceAccount", "serviceaccounts", short_names=("sa",),
       delete_returns_object=True),
    _r("apps", "v1", "Deployment", "deployments", short_names=("deploy",), categories=("all",),
       subresources=("status", "scale"), has_generation=True),
    _r("apps", "v1", "ReplicaSet", "replicasets", short_names=("rs",), categories=("all",),
       subresources=("status", "scale"), has_generation=True),
    _r("apps", "v1", "StatefulSet", "statefulsets", short_names=("sts",), categories=("all",),
       subresources=("status", "scale"), has_generation=True),
    _r("apps", "v1", "DaemonSet", "daemonsets", short_names=("ds",), categories=("all",),
       subresources=("status",), has_generation=True),
    _r("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", False,
       verbs=CREATE_ONLY, virtual=True),
    _r("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews",
       False, verbs=CREATE_ONLY, virtual=True),
    _r("authorization.k8s.io", "v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews",
       False, verbs=CREATE_ONLY, virtual=True),
    _r("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers",
       short_names=("hpa",), categories=("all",), subresources=("status",), has_generation=True),
    _r("networking.k8s.io", "v1", "Ingress", "ingresses", short_names=("ing",),
       subresources=("status",), has_generation=True),
    _r("networking.k8s.io", "v1", "IngressClass", "ingressclasses", False),
    _r("coordination.k8s.io", "v1", "Lease", "leases"),
    _r("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices"),
    _r("cert-manager.io", "v1", "Certificate", "certificates", short_names=("cert", "certs"),
       categories=("cert-manager",), subresources=("status",), has_generation=True,
       custom=True),
    _r("cert-manager.io", "v1", "ClusterIssuer", "clusterissuers", False,
       categories=("cert-manager",), subresources=("status",), has_generation=True,
       custom=True),
    _r("acme.cert-manager.io", "v1", "Challenge", "challenges",
       categories=("cert-manager", "cert-manager-acme"), subresources=("status",),
       custom=True),
    _r("metrics.k8s.io", "v1beta1", "PodMetrics", "pods", verbs=READ_VERBS),
    _r("metrics.k8s.io", "v1beta1", "NodeMetrics", "nodes", False, verbs=READ_VERBS),
)  # fmt: skip

# Groups in the order discovery lists them (built-in groups first, then the
# custom resources and the aggregated metrics API, as a real cluster does).
# Each group has one version, which is its preferred version.
GROUP_ORDER = (
    "apps",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "networking.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "cert-manager.io",
    "acme.cert-manager.io",
    "metrics.k8s.io",
)

BY_PATH: dict[tuple[str, str, str], ResourceType] = {
    (r.group, r.version, r.plural): r for r in RESOURCES
}
BY_KIND: dict[tuple[str, str], ResourceType] = {(r.api_version, r.kind): r for r in RESOURCES}


def lookup(group: str, version: str, plural: str) -> ResourceType | None:
    return BY_PATH.get((group, version, plural))


def for_kind(api_version: str, kind: str) -> ResourceType | None:
    return BY_KIND.get((api_version, kind))


def group_versions() -> list[tuple[str, str]]:
    """Every served (group, version), the core group first."""
    found: list[tuple[str, str]] = [("", "v1")]
    for group in GROUP_ORDER:
        for version in sorted({r.version for r in RESOURCES if r.group == group}):
            found.append((group, version))
    return found


def in_group_version(group: str, version: str) -> list[ResourceType]:
    return [r for r in RESOURCES if r.group == group and r.version == version]


def core(plural: str) -> ResourceType:
    return BY_PATH[("", "v1", plural)]


def apps(plural: str) -> ResourceType:
    return BY_PATH[("apps", "v1", plural)]


PODS = core("pods")
NODES = core("nodes")
EVENTS = core("events")
SERVICES = core("services")
ENDPOINTS = core("endpoints")
NAMESPACES = core("namespaces")
CONFIGMAPS = core("configmaps")
SECRETS = core("secrets")
SERVICEACCOUNTS = core("serviceaccounts")
DEPLOYMENTS = apps("deployments")
REPLICASETS = apps("replicasets")
STATEFULSETS = apps("statefulsets")
DAEMONSETS = apps("daemonsets")
INGRESSES = BY_PATH[("networking.k8s.io", "v1", "ingresses")]
INGRESSCLASSES = BY_PATH[("networking.k8s.io", "v1", "ingressclasses")]
LEASES = BY_PATH[("coordination.k8s.io", "v1", "leases")]
HPAS = BY_PATH[("autoscaling", "v2", "horizontalpodautoscalers")]
CERTIFICATES = BY_PATH[("cert-manager.io", "v1", "certificates")]
CLUSTERISSUERS = BY_PATH[("cert-manager.io", "v1", "clusterissuers")]
CHALLENGES = BY_PATH[("acme.cert-manager.io", "v1", "challenges")]
POD_METRICS = BY_PATH[("metrics.k8s.io", "v1beta1", "pods")]
NODE_METRICS = BY_PATH[("metrics.k8s.io", "v1beta1", "nodes")]
ACCESS_REVIEWS = BY_PATH[("authorization.k8s.io", "v1", "selfsubjectaccessreviews")]
RULES_REVIEWS = BY_PATH[("authorization.k8s.io", "v1", "selfsubjectrulesreviews")]
SELF_REVIEWS = BY_PATH[("authentication.k8s.io", "v1", "selfsubjectreviews")]
