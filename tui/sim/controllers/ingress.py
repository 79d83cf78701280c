"""ingress-nginx's part: it syncs every nginx-class Ingress and publishes its address.

The address is the ingress controller Service's load balancer IP, as
`--publish-service` does; each change is acknowledged with the controller's
`Sync  Scheduled for sync` event that `kubectl describe ingress` shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.sim.controllers.base import Obj, WorldController
from tui.sim.objects import dig, is_deleting
from tui.sim.resources import INGRESSES, SERVICES
from tui.sim.store import Change

if TYPE_CHECKING:
    from tui.sim.world import World

CONTROLLER_SERVICE = ("ingress-nginx", "ingress-nginx-controller")
CLASS_ANNOTATION = "kubernetes.io/ingress.class"


class IngressController(WorldController):
    name = "ingress-nginx"
    primary = INGRESSES
    component = "nginx-ingress-controller"

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self._seen: dict[tuple[str, str], tuple[int, str]] = {}

    def observe(self, change: Change) -> None:
        if change.rtype is SERVICES:
            metadata = change.obj["metadata"]
            if (metadata.get("namespace"), metadata["name"]) == CONTROLLER_SERVICE:
                for ingress in self.store.items(INGRESSES):
                    self.enqueue((ingress["metadata"]["namespace"], ingress["metadata"]["name"]))
            return
        if change.event_type == "DELETED":
            metadata = change.obj["metadata"]
            self._seen.pop((metadata.get("namespace", ""), metadata["name"]), None)
            return
        super().observe(change)

    def sync(self, key: tuple[str, str]) -> None:
        ingress = self.store.find(INGRESSES, *key)
        if ingress is None or is_deleting(ingress) or not self._ours(ingress):
            return
        # Anything but our own status write is a configuration change to sync.
        signature = (
            int(ingress["metadata"].get("generation", 1)),
            repr(sorted((ingress["metadata"].get("annotations") or {}).items())),
        )
        if self._seen.get(key) != signature:
            self._seen[key] = signature
            self.event(
                ingress,
                INGRESSES,
                "Normal",
                "Sync",
                "Scheduled for sync",
                host="ingress-nginx-controller",
            )
        service = self.store.find(SERVICES, *CONTROLLER_SERVICE)
        entries = dig(service, "status", "loadBalancer", "ingress", default=[]) if service else []
        wanted = {"loadBalancer": {"ingress": [{"ip": e["ip"]} for e in entries if e.get("ip")]}}
        if not wanted["loadBalancer"]["ingress"]:
            wanted = {"loadBalancer": {}}
        if ingress.get("status") != wanted:
            self.world.set_status(INGRESSES, ingress, wanted)

    def _ours(self, ingress: Obj) -> bool:
        wanted = dig(ingress, "spec", "ingressClassName") or dig(
            ingress, "metadata", "annotations", CLASS_ANNOTATION
        )
        return wanted in (None, "nginx")
