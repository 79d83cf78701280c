"""The resource types the drill cluster serves, as discovery describes them."""

from __future__ import annotations

from dataclasses import dataclass

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
READ_VERBS = ("get", "list")


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
    group: str, version: str, kind: str, plural: str, namespaced: bool = True, **kw
) -> ResourceType:
    return ResourceType(group, version, kind, plural, namespaced, **kw)


RESOURCES: tuple[ResourceType, ...] = (
    _r("", "v1", "Namespace", "namespaces", False, short_names=("ns",), subresources=("status",)),
    _r("", "v1", "Node", "nodes", False, short_names=("no",), subresources=("status",)),
    _r("", "v1", "Pod", "pods", short_names=("po",), categories=("all",),
       subresources=("status", "log", "eviction")),
    _r("", "v1", "Event", "events", short_names=("ev",)),
    _r("", "v1", "Service", "services", short_names=("svc",), categories=("all",),
       subresources=("status",)),
    _r("", "v1", "Endpoints", "endpoints", short_names=("ep",)),
    _r("", "v1", "ConfigMap", "configmaps", short_names=("cm",)),
    _r("", "v1", "Secret", "secrets"),
    _r("", "v1", "ServiceAccount", "serviceaccounts", short_names=("sa",)),
    _r("apps", "v1", "Deployment", "deployments", short_names=("deploy",), categories=("all",),
       subresources=("status", "scale"), has_generation=True),
    _r("apps", "v1", "ReplicaSet", "replicasets", short_names=("rs",), categories=("all",),
       subresources=("status", "scale"), has_generation=True),
    _r("apps", "v1", "StatefulSet", "statefulsets", short_names=("sts",), categories=("all",),
       subresources=("status", "scale"), has_generation=True),
    _r("apps", "v1", "DaemonSet", "daemonsets", short_names=("ds",), categories=("all",),
       subresources=("status",), has_generation=True),
    _r("networking.k8s.io", "v1", "Ingress", "ingresses", short_names=("ing",),
       subresources=("status",), has_generation=True),
    _r("networking.k8s.io", "v1", "IngressClass", "ingressclasses", False),
    _r("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers",
       short_names=("hpa",), categories=("all",), subresources=("status",), has_generation=True),
    _r("cert-manager.io", "v1", "Certificate", "certificates", short_names=("cert", "certs"),
       subresources=("status",), has_generation=True),
    _r("cert-manager.io", "v1", "ClusterIssuer", "clusterissuers", False,
       subresources=("status",)),
    _r("acme.cert-manager.io", "v1", "Challenge", "challenges", subresources=("status",)),
    _r("metrics.k8s.io", "v1beta1", "PodMetrics", "pods", verbs=READ_VERBS),
    _r("metrics.k8s.io", "v1beta1", "NodeMetrics", "nodes", False, verbs=READ_VERBS),
)  # fmt: skip

# Groups in the order discovery lists them; the preferred version is the only one.
GROUP_ORDER = (
    "apps",
    "autoscaling",
    "networking.k8s.io",
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
DEPLOYMENTS = apps("deployments")
REPLICASETS = apps("replicasets")
STATEFULSETS = apps("statefulsets")
INGRESSES = BY_PATH[("networking.k8s.io", "v1", "ingresses")]
HPAS = BY_PATH[("autoscaling", "v2", "horizontalpodautoscalers")]
CERTIFICATES = BY_PATH[("cert-manager.io", "v1", "certificates")]
CHALLENGES = BY_PATH[("acme.cert-manager.io", "v1", "challenges")]
POD_METRICS = BY_PATH[("metrics.k8s.io", "v1beta1", "pods")]
NODE_METRICS = BY_PATH[("metrics.k8s.io", "v1beta1", "nodes")]
