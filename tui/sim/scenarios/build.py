"""Builders for the objects scenarios create: plain manifests, as someone would write them."""

from __future__ import annotations

import base64
from typing import Any

from tui.sim.controllers.nodes import healthy_conditions

Obj = dict[str, Any]


def namespace(name: str, labels: dict[str, str] | None = None) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": name,
            "labels": {"kubernetes.io/metadata.name": name, **(labels or {})},
        },
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def node(
    name: str, index: int, since: str, *, cpu: int = 4, memory_gi: int = 8, pool: str = "pool-prod"
) -> Obj:
    """A ready node; `since`: when it became Ready (RFC 3339)."""
    # A DigitalOcean s-4vcpu-8gb droplet: what the kubelet reports and reserves.
    capacity_ki = memory_gi * 1024 * 1024 - 240_000
    allocatable_mi = memory_gi * 1024 - 1182
    reserved_cpu = 100 * cpu // 4 + 20
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {
                "beta.kubernetes.io/arch": "amd64",
                "beta.kubernetes.io/instance-type": f"s-{cpu}vcpu-{memory_gi}gb",
                "beta.kubernetes.io/os": "linux",
                "doks.digitalocean.com/managed": "true",
                "doks.digitalocean.com/node-id": f"9c3f1e2a-51b7-4d1c-8e0a-7f2d4b6c{index:04d}",
                "doks.digitalocean.com/node-pool": pool,
                "doks.digitalocean.com/version": "1.31.1-do.4",
                "failure-domain.beta.kubernetes.io/region": "nyc1",
                "kubernetes.io/arch": "amd64",
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "node.kubernetes.io/instance-type": f"s-{cpu}vcpu-{memory_gi}gb",
                "region": "nyc1",
                "topology.kubernetes.io/region": "nyc1",
            },
            "annotations": {
                "alpha.kubernetes.io/provided-node-ip": f"10.114.0.{index + 1}",
                "csi.volume.kubernetes.io/nodeid": (
                    f'{{"dobs.csi.digitalocean.com":"44{index:06d}"}}'
                ),
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        },
        "spec": {
            "podCIDR": f"10.244.{index - 1}.0/24",
            "podCIDRs": [f"10.244.{index - 1}.0/24"],
            "providerID": f"digitalocean://44{index:06d}",
        },
        "status": {
            "capacity": {
                "cpu": str(cpu),
                "ephemeral-storage": "165089200Ki",
                "hugepages-1Gi": "0",
                "hugepages-2Mi": "0",
                "memory": f"{capacity_ki}Ki",
                "pods": "110",
            },
            "allocatable": {
                "cpu": f"{cpu * 1000 - reserved_cpu}m",
                "ephemeral-storage": "152146206469",
                "hugepages-1Gi": "0",
                "hugepages-2Mi": "0",
                "memory": f"{allocatable_mi}Mi",
                "pods": "110",
            },
            "addresses": [
                {"type": "Hostname", "address": name},
                {"type": "InternalIP", "address": f"10.114.0.{index + 1}"},
                {"type": "ExternalIP", "address": f"198.51.100.{20 + index}"},
            ],
            "conditions": healthy_conditions(since),
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": f"5b1c3a7e-9d2f-4e8a-b6c1-{index:012d}",
                "containerRuntimeVersion": "containerd://1.6.31",
                "kernelVersion": "6.1.0-25-amd64",
                "kubeProxyVersion": "v1.31.1",
                "kubeletVersion": "v1.31.1",
                "machineID": f"{index:032x}",
                "operatingSystem": "linux",
                "osImage": "Debian GNU/Linux 12 (bookworm)",
                "systemUUID": f"44{index:06d}-0000-0000-0000-000000000000",
            },
        },
    }


def container(
    name: str,
    image: str,
    *,
    port: int | None = None,
    cpu: str | None = None,
    memory: str | None = None,
    cpu_limit: str | None = None,
    memory_limit: str | None = None,
    probe: str | None = None,
    env: dict[str, str] | None = None,
    env_from_secret: tuple[str, str, str] | None = None,
    args: list[str] | None = None,
) -> Obj:
    spec: Obj = {"name": name, "image": image}
    if args:
        spec["args"] = args
    if port:
        spec["ports"] = [
            {
                "name": "http" if port not in (5432, 27017, 6379, 53) else name,
                "containerPort": port,
                "protocol": "TCP",
            }
        ]
    variables = [{"name": k, "value": v} for k, v in (env or {}).items()]
    if env_from_secret:
        var, secret, key = env_from_secret
        variables.append({"name": var, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}})
    if variables:
        spec["env"] = variables
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v}
    limits = {k: v for k, v in (("cpu", cpu_limit), ("memory", memory_limit)) if v}
    resources: Obj = {}
    if limits:
        resources["limits"] = limits
    if requests:
        resources["requests"] = requests
    spec["resources"] = resources
    if probe == "tcp" and port:
        spec["readinessProbe"] = {
            "tcpSocket": {"port": port},
            "initialDelaySeconds": 5,
            "periodSeconds": 10,
            "timeoutSeconds": 1,
            "successThreshold": 1,
            "failureThreshold": 3,
        }
    elif probe and port:
        spec["readinessProbe"] = {
            "httpGet": {"path": probe, "port": port, "scheme": "HTTP"},
            "initialDelaySeconds": 2,
            "periodSeconds": 10,
            "timeoutSeconds": 2,
            "successThreshold": 1,
            "failureThreshold": 3,
        }
        spec["livenessProbe"] = {
            "httpGet": {"path": probe, "port": port, "scheme": "HTTP"},
            "initialDelaySeconds": 15,
            "periodSeconds": 20,
            "timeoutSeconds": 2,
            "successThreshold": 1,
            "failureThreshold": 3,
        }
    return spec


def deployment(
    namespace: str,
    name: str,
    containers: list[Obj],
    *,
    replicas: int = 1,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    template_annotations: dict[str, str] | None = None,
    pod_spec: Obj | None = None,
    progress_deadline: int | None = None,
) -> Obj:
    selector = labels or {"app": name}
    spec: Obj = {
        "replicas": replicas,
        "selector": {"matchLabels": dict(selector)},
        "template": {
            "metadata": {"labels": dict(selector)},
            "spec": {"containers": containers, **(pod_spec or {})},
        },
    }
    if template_annotations:
        spec["template"]["metadata"]["annotations"] = dict(template_annotations)
    if progress_deadline is not None:
        spec["progressDeadlineSeconds"] = progress_deadline
    metadata: Obj = {"name": name, "namespace": namespace, "labels": dict(selector)}
    if annotations:
        metadata["annotations"] = dict(annotations)
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata, "spec": spec}


def statefulset(
    namespace: str,
    name: str,
    containers: list[Obj],
    *,
    replicas: int = 1,
    service: str | None = None,
    labels: dict[str, str] | None = None,
    storage: str = "10Gi",
) -> Obj:
    selector = labels or {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(selector)},
        "spec": {
            "replicas": replicas,
            "serviceName": service or name,
            "selector": {"matchLabels": dict(selector)},
            "template": {
                "metadata": {"labels": dict(selector)},
                "spec": {"containers": containers, "terminationGracePeriodSeconds": 30},
            },
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "data"},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "storageClassName": "do-block-storage",
                        "resources": {"requests": {"storage": storage}},
                    },
                }
            ],
        },
    }


def daemonset(
    namespace: str,
    name: str,
    containers: list[Obj],
    *,
    host_network: bool = False,
    labels: dict[str, str] | None = None,
) -> Obj:
    selector = labels or {"k8s-app": name}
    pod_spec: Obj = {"containers": containers, "priorityClassName": "system-node-critical"}
    if host_network:
        pod_spec["hostNetwork"] = True
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(selector)},
        "spec": {
            "selector": {"matchLabels": dict(selector)},
            "template": {"metadata": {"labels": dict(selector)}, "spec": pod_spec},
        },
    }


def service(
    namespace: str,
    name: str,
    selector: dict[str, str] | None,
    ports: list[tuple[str, int, int | str]],
    *,
    kind: str = "ClusterIP",
    headless: bool = False,
    cluster_ip: str | None = None,
    labels: dict[str, str] | None = None,
) -> Obj:
    spec: Obj = {
        "type": kind,
        "ports": [
            {"name": port_name, "port": port, "targetPort": target, "protocol": "TCP"}
            for port_name, port, target in ports
        ],
    }
    if selector:
        spec["selector"] = dict(selector)
    if headless:
        spec["clusterIP"] = "None"
        spec["clusterIPs"] = ["None"]
    elif cluster_ip:
        spec["clusterIP"] = cluster_ip
        spec["clusterIPs"] = [cluster_ip]
    metadata: Obj = {"name": name, "namespace": namespace}
    if labels:
        metadata["labels"] = dict(labels)
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": spec}


def ingress(
    namespace: str,
    name: str,
    rules: list[tuple[str, list[tuple[str, str, int]]]],
    *,
    tls: list[tuple[str, list[str]]] | None = None,
    annotations: dict[str, str] | None = None,
) -> Obj:
    spec: Obj = {
        "ingressClassName": "nginx",
        "rules": [
            {
                "host": host,
                "http": {
                    "paths": [
                        {
                            "path": path,
                            "pathType": "Prefix",
                            "backend": {"service": {"name": svc, "port": {"number": port}}},
                        }
                        for path, svc, port in paths
                    ]
                },
            }
            for host, paths in rules
        ],
    }
    if tls:
        spec["tls"] = [{"hosts": list(hosts), "secretName": secret} for secret, hosts in tls]
    metadata: Obj = {"name": name, "namespace": namespace}
    if annotations:
        metadata["annotations"] = dict(annotations)
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": metadata,
        "spec": spec,
    }


def secret(
    namespace: str,
    name: str,
    data: dict[str, str],
    *,
    kind: str = "Opaque",
    annotations: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
) -> Obj:
    metadata: Obj = {"name": name, "namespace": namespace}
    if annotations:
        metadata["annotations"] = dict(annotations)
    if labels:
        metadata["labels"] = dict(labels)
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": metadata,
        "type": kind,
        "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()},
    }


def configmap(namespace: str, name: str, data: dict[str, str]) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace},
        "data": dict(data),
    }


def hpa(namespace: str, name: str, target: str, *, low: int, high: int, cpu: int) -> Obj:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target},
            "minReplicas": low,
            "maxReplicas": high,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": cpu},
                    },
                }
            ],
        },
    }


def cluster_issuer(name: str, email: str) -> Obj:
    return {
        "apiVersion": "cert-manager.io/v1",
        "kind": "ClusterIssuer",
        "metadata": {"name": name},
        "spec": {
            "acme": {
                "server": "https://acme-v02.api.letsencrypt.org/directory",
                "email": email,
                "privateKeySecretRef": {"name": name},
                "solvers": [{"http01": {"ingress": {"ingressClassName": "nginx"}}}],
            }
        },
    }
