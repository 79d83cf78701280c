"""Ingresses, services, endpoints and cert-manager objects as the API returns them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.helpers.fixed import T0
from tests.helpers.kube_objects import stamp, uid

Obj = dict[str, Any]
Path = tuple[str, str, int | str]  # path, service, port


def ingress(
    name: str,
    namespace: str = "shop",
    *,
    rules: dict[str, list[Path]] | None = None,
    tls: list[tuple[str, list[str]]] | None = None,
    annotations: dict[str, str] | None = None,
    address: str | None = "198.18.0.10",
    ingress_class: str | None = "nginx",
    created: datetime | None = None,
    path_type: str = "Prefix",
) -> Obj:
    """`rules`: host -> [(path, service, port)]; `tls`: [(secret, hosts)]."""
    rules = rules if rules is not None else {"shop.example.com": [("/", "web", 80)]}
    spec: Obj = {
        "rules": [
            {
                "host": host,
                "http": {
                    "paths": [
                        {
                            "path": path,
                            "pathType": path_type,
                            "backend": {"service": {"name": service, "port": _port(port)}},
                        }
                        for path, service, port in paths
                    ]
                },
            }
            for host, paths in rules.items()
        ]
    }
    if ingress_class:
        spec["ingressClassName"] = ingress_class
    if tls:
        spec["tls"] = [{"secretName": secret, "hosts": hosts} for secret, hosts in tls]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "uid": uid("ingress", namespace, name),
            "creationTimestamp": stamp(created or T0 - timedelta(days=30)),
            "annotations": annotations or {},
        },
        "spec": spec,
        "status": {"loadBalancer": {"ingress": [{"ip": address}] if address else []}},
    }


def _port(port: int | str) -> Obj:
    return {"number": port} if isinstance(port, int) else {"name": port}


def service(
    name: str, namespace: str = "shop", *, ports: list[tuple[str, int]] | None = None
) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace, "uid": uid("svc", namespace, name)},
        "spec": {
            "selector": {"app": name},
            "ports": [{"name": n, "port": p} for n, p in (ports or [("http", 80)])],
        },
    }


def endpoints(name: str, namespace: str = "shop", *, ready: int = 2, not_ready: int = 0) -> Obj:
    subset: Obj = {"ports": [{"name": "http", "port": 8080}]}
    if ready:
        subset["addresses"] = [{"ip": f"10.0.0.{i + 1}"} for i in range(ready)]
    if not_ready:
        subset["notReadyAddresses"] = [{"ip": f"10.0.1.{i + 1}"} for i in range(not_ready)]
    return {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {"name": name, "namespace": namespace, "uid": uid("ep", namespace, name)},
        "subsets": [subset] if ready or not_ready else [],
    }


def certificate(
    name: str,
    namespace: str = "shop",
    *,
    hosts: list[str] | None = None,
    not_after: datetime | None = None,
    ready: bool = True,
    reason: str = "Ready",
    message: str = "Certificate is up to date and has not expired",
    owner: Obj | None = None,
) -> Obj:
    metadata: Obj = {"name": name, "namespace": namespace, "uid": uid("cert", namespace, name)}
    if owner is not None:
        metadata["ownerReferences"] = [
            {"kind": "Ingress", "name": owner["metadata"]["name"],
             "uid": owner["metadata"]["uid"], "controller": True}
        ]  # fmt: skip
    after = not_after or T0 + timedelta(days=60)
    return {
        "apiVersion": "cert-manager.io/v1",
        "kind": "Certificate",
        "metadata": metadata,
        "spec": {"secretName": name, "dnsNames": hosts or ["shop.example.com"]},
        "status": {
            "notBefore": stamp(after - timedelta(days=90)),
            "notAfter": stamp(after),
            "conditions": [
                {"type": "Ready", "status": "True" if ready else "False", "reason": reason,
                 "message": message}
            ],
        },
    }  # fmt: skip


def challenge(
    dns_name: str, namespace: str = "shop", *, state: str = "pending", reason: str = ""
) -> Obj:
    name = f"{dns_name}-challenge"
    return {
        "apiVersion": "acme.cert-manager.io/v1",
        "kind": "Challenge",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "uid": uid("challenge", namespace, name),
            "creationTimestamp": stamp(T0 - timedelta(hours=1)),
        },
        "spec": {"dnsName": dns_name, "type": "HTTP-01"},
        "status": {"state": state, "reason": reason},
    }


def healthy_shop() -> list[Obj]:
    """A shop served at the apex and www, with TLS for both and ready backends."""
    hosts = ["shop.example.com", "www.shop.example.com"]
    main = ingress(
        "web",
        rules={h: [("/", "web", 80), ("/api", "api", "http")] for h in hosts},
        tls=[("shop-tls", hosts)],
        annotations={"cert-manager.io/cluster-issuer": "letsencrypt-prod"},
    )
    return [
        main,
        service("web"),
        service("api"),
        endpoints("web"),
        endpoints("api", ready=1),
        certificate("shop-tls", hosts=hosts, owner=main),
    ]
