"""Services: cluster IPs and load balancers, and their Endpoints.

Which pods back which service is kept incrementally: a pod change is matched
against the few services of its namespace, never the other way round, so a
namespace with thousands of pods costs one selector check per service per
change. Endpoints list ready pods in `addresses` and running-but-unready pods
in `notReadyAddresses`; terminating pods are left out, as the endpoints
controller does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.sim.controllers.base import Obj, WorldController
from tui.sim.controllers.replicaset import is_ready
from tui.sim.objects import dig, is_deleting, map_selector_matches, owner_reference
from tui.sim.resources import BY_PATH, ENDPOINTS, PODS, SERVICES
from tui.sim.store import Change, NotFound

if TYPE_CHECKING:
    from tui.sim.world import World

Key = tuple[str, str]
# Served once the API server lists discovery.k8s.io; kept in step with Endpoints then.
ENDPOINTSLICES = BY_PATH.get(("discovery.k8s.io", "v1", "endpointslices"))


class ServiceController(WorldController):
    """Cluster IPs, node ports and load balancer addresses (the cloud provider's part)."""

    name = "service"
    primary = SERVICES
    component = "service-controller"

    def observe(self, change: Change) -> None:
        ip = dig(change.obj, "spec", "clusterIP")
        if ip and ip != "None" and change.event_type != "DELETED":
            self.world.ips.claim_service_ip(ip)  # before any allocation can pick it
        super().observe(change)

    def sync(self, key: Key) -> None:
        svc = self.store.find(SERVICES, *key)
        if svc is None or is_deleting(svc):
            return
        spec = dict(svc.get("spec") or {})
        changed = False
        if not spec.get("clusterIP"):
            spec["clusterIP"] = self.world.ips.service_ip()
            spec["clusterIPs"] = [spec["clusterIP"]]
            changed = True
        kind = spec.get("type", "ClusterIP")
        if kind in ("NodePort", "LoadBalancer"):
            ports = []
            for port in spec.get("ports") or []:
                if not port.get("nodePort"):
                    port = {**port, "nodePort": self.world.node_port()}
                    changed = True
                ports.append(port)
            spec["ports"] = ports
        if changed:
            svc = self.world.update(SERVICES, {**svc, "spec": spec})
        if kind == "LoadBalancer" and not dig(svc, "status", "loadBalancer", "ingress"):
            self.event(svc, SERVICES, "Normal", "EnsuringLoadBalancer", "Ensuring load balancer")
            address = self.world.ips.balancer_ip()
            self.world.set_status(
                SERVICES, svc, {"loadBalancer": {"ingress": [{"ip": address, "ipMode": "VIP"}]}}
            )
            self.event(svc, SERVICES, "Normal", "EnsuredLoadBalancer", "Ensured load balancer")


class EndpointsController(WorldController):
    name = "endpoints"
    component = "endpoint-controller"

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self.services: dict[str, dict[str, dict[str, str]]] = {}  # ns -> name -> selector
        self.members: dict[Key, set[str]] = {}  # service -> pod names
        self._slices: dict[Key, str] = {}  # service -> its EndpointSlice's name

    def observe(self, change: Change) -> None:
        metadata = change.obj["metadata"]
        namespace, name = metadata.get("namespace", ""), metadata["name"]
        if change.rtype is SERVICES:
            self._service_changed(change, namespace, name)
        elif change.rtype is PODS:
            labels = metadata.get("labels") or {}
            gone = change.event_type == "DELETED"
            for service, selector in self.services.get(namespace, {}).items():
                key = (namespace, service)
                members = self.members.setdefault(key, set())
                matches = not gone and map_selector_matches(selector, labels)
                if matches or name in members:
                    if matches:
                        members.add(name)
                    else:
                        members.discard(name)
                    self.enqueue(key)
        elif (
            change.rtype is ENDPOINTS
            and change.event_type == "DELETED"
            and name in self.services.get(namespace, {})
        ):
            self.enqueue((namespace, name))  # someone deleted it: put it back

    def _service_changed(self, change: Change, namespace: str, name: str) -> None:
        key = (namespace, name)
        if change.event_type == "DELETED":
            self.services.get(namespace, {}).pop(name, None)
            self.members.pop(key, None)
            self.enqueue(key)
            return
        selector = dig(change.obj, "spec", "selector", default={}) or {}
        known = self.services.setdefault(namespace, {})
        if known.get(name) != selector or key not in self.members:
            known[name] = selector
            self.members[key] = {
                pod
                for pod in self.index.pods_by_ns.get(namespace, ())
                if map_selector_matches(
                    selector,
                    dig(self.store.find(PODS, namespace, pod), "metadata", "labels", default={}),
                )
            }
        self.enqueue(key)

    def sync(self, key: Key) -> None:
        svc = self.store.find(SERVICES, *key)
        current = self.store.find(ENDPOINTS, *key)
        if svc is None:
            if current is not None:
                try:
                    self.store.remove(ENDPOINTS, *key)
                except NotFound:
                    pass
            return
        if not dig(svc, "spec", "selector"):
            return  # endpoints of selector-less services are managed by hand
        ready: list[Obj] = []
        unready: list[Obj] = []
        pods: list[Obj] = []
        for name in sorted(self.members.get(key, ())):
            pod = self.store.find(PODS, key[0], name)
            if pod is None or is_deleting(pod) or not dig(pod, "status", "podIP"):
                continue
            if dig(pod, "status", "phase") in ("Succeeded", "Failed"):
                continue
            address = {
                "ip": pod["status"]["podIP"],
                "nodeName": dig(pod, "spec", "nodeName", default=""),
                "targetRef": {
                    "kind": "Pod",
                    "namespace": key[0],
                    "name": name,
                    "uid": pod["metadata"]["uid"],
                },
            }
            (ready if is_ready(pod) else unready).append(address)
            pods.append(pod)
        subsets: list[Obj] = []
        if ready or unready:
            subset: Obj = {}
            if ready:
                subset["addresses"] = sorted(ready, key=lambda a: a["ip"])
            if unready:
                subset["notReadyAddresses"] = sorted(unready, key=lambda a: a["ip"])
            subset["ports"] = self._ports(svc, pods)
            subsets.append(subset)
        labels = dict(svc["metadata"].get("labels") or {})
        body: Obj = {
            "metadata": {"name": key[1], "namespace": key[0], "labels": labels},
            "subsets": subsets,
        }
        if current is None:
            self.world.create(ENDPOINTS, body)
        elif current.get("subsets") != subsets or current["metadata"].get("labels") != labels:
            self.world.update(
                ENDPOINTS,
                {
                    **current,
                    "subsets": subsets,
                    "metadata": {**current["metadata"], "labels": labels},
                },
            )
        if ENDPOINTSLICES is not None:
            self._slice(svc, ready, unready, subsets[0]["ports"] if subsets else [])

    def _slice(self, svc: Obj, ready: list[Obj], unready: list[Obj], ports: list[Obj]) -> None:
        """The same endpoints as an EndpointSlice (what `kubectl describe ingress` reads),
        owned by the Service so it goes with it."""
        assert ENDPOINTSLICES is not None
        # Slice ports always carry name, protocol and port: kubectl dereferences
        # all three (an unnamed service port is name "").
        ports = [
            {"name": p.get("name", ""), "protocol": p.get("protocol", "TCP"), "port": p.get("port")}
            for p in ports
        ]
        namespace, service = svc["metadata"]["namespace"], svc["metadata"]["name"]
        key = (namespace, service)
        name = self._slices.get(key)
        if name is None:
            name = self._slices[key] = f"{service}-{self.world.suffix()}"
        endpoints = [
            {
                "addresses": [address["ip"]],
                "conditions": {"ready": ok, "serving": ok, "terminating": False},
                "nodeName": address["nodeName"],
                "targetRef": address["targetRef"],
            }
            for addresses, ok in ((ready, True), (unready, False))
            for address in addresses
        ]
        body: Obj = {
            "metadata": {
                "name": name,
                "namespace": namespace,
                "generateName": f"{service}-",
                "labels": {
                    **(svc["metadata"].get("labels") or {}),
                    "kubernetes.io/service-name": service,
                    "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                },
                "ownerReferences": [owner_reference(svc, SERVICES)],
            },
            "addressType": "IPv4",
            "endpoints": sorted(endpoints, key=lambda e: e["addresses"][0]),
            "ports": ports,
        }
        current = self.store.find(ENDPOINTSLICES, namespace, name)
        if current is None:
            self.world.create(ENDPOINTSLICES, body)
        elif (current.get("endpoints"), current.get("ports")) != (body["endpoints"], ports):
            self.world.update(
                ENDPOINTSLICES, {**current, "endpoints": body["endpoints"], "ports": ports}
            )

    def _ports(self, svc: Obj, pods: list[Obj]) -> list[Obj]:
        ports = []
        for port in dig(svc, "spec", "ports", default=[]):
            target = port.get("targetPort", port.get("port"))
            if isinstance(target, str) and not target.isdigit():
                target = _named_port(pods, target) or port.get("port")
            entry: Obj = {"port": int(target), "protocol": port.get("protocol", "TCP")}
            if port.get("name"):
                entry["name"] = port["name"]
            ports.append(entry)
        return ports


def _named_port(pods: list[Obj], name: str) -> int | None:
    for pod in pods:
        for container in dig(pod, "spec", "containers", default=[]):
            for port in container.get("ports") or []:
                if port.get("name") == name:
                    return int(port["containerPort"])
    return None
