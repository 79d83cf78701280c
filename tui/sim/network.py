"""Addresses: pod IPs from each node's podCIDR, service cluster IPs, load balancer IPs.

Allocation is sequential and reuses freed addresses, so a seed and a scenario
always give the same addresses.
"""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Callable

SERVICE_CIDR = ipaddress.ip_network("10.245.0.0/16")
LB_CIDR = ipaddress.ip_network("203.0.113.0/24")  # documentation range: never routable


class AddressPool:
    def __init__(self, pod_cidr_of: Callable[[str], str | None], seed: int = 0) -> None:
        self._pod_cidr_of = pod_cidr_of
        self._pods: dict[str, tuple[list[str], set[str]]] = {}
        self._services: set[str] = set()
        # Cluster IPs are random in the range, as the API server's allocator picks them.
        self._service_rng = random.Random(f"services/{seed}")
        self._balancers: set[str] = set()

    def allocate(self, node: str) -> str:
        free, used = self._pod_pool(node)
        if not free:
            raise RuntimeError(f"no pod addresses left on {node}")
        address = free.pop(0)
        used.add(address)
        return address

    def release(self, node: str, address: str) -> None:
        pool = self._pods.get(node)
        if pool is None or address not in pool[1]:
            return
        pool[1].discard(address)
        pool[0].append(address)  # reused last, as IPAM does, so logs stay unambiguous

    def _pod_pool(self, node: str) -> tuple[list[str], set[str]]:
        if node not in self._pods:
            cidr = self._pod_cidr_of(node) or "10.244.250.0/24"
            network = ipaddress.ip_network(cidr, strict=False)
            hosts = [str(h) for h in network.hosts()][1:]  # .1 is the node's bridge
            self._pods[node] = (hosts, set())
        return self._pods[node]

    def reserve(self, node: str, address: str) -> None:
        free, used = self._pod_pool(node)
        if address in free:
            free.remove(address)
        used.add(address)

    def claim_service_ip(self, address: str) -> None:
        """An address a Service already has (given in its manifest)."""
        self._services.add(address)

    def service_ip(self) -> str:
        while True:
            offset = self._service_rng.randint(16, SERVICE_CIDR.num_addresses - 2)
            candidate = str(SERVICE_CIDR.network_address + offset)
            if candidate not in self._services:
                self._services.add(candidate)
                return candidate

    def balancer_ip(self) -> str:
        for host in LB_CIDR.hosts():
            address = str(host)
            if host.packed[-1] >= 10 and address not in self._balancers:
                self._balancers.add(address)
                return address
        raise RuntimeError("no load balancer addresses left")
