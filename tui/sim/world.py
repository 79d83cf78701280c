"""World: the drill cluster's simulated machinery (first version: static objects).

Provides what the API server needs besides storage: pod logs, metrics, and
deletion semantics. Controllers and scenarios build on this.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import yaml

from tui.sim.resources import NAMESPACES, NODES, PODS, ResourceType, for_kind
from tui.sim.store import Invalid, ObjectStore, now_rfc3339

Obj = dict[str, Any]


class World:
    def __init__(self, store: ObjectStore, *, seed: int = 0, speed: float = 1.0) -> None:
        self.store = store
        self.rng = random.Random(seed)
        self.speed = speed
        self.logs = self
        self.metrics = self

    def load_scenario(self, name: str) -> None:
        for ns in ("default", "kube-system", "wilkenweb-prod"):
            self.store.create(NAMESPACES, {"metadata": {"name": ns}, "status": {"phase": "Active"}})
        for index in (1, 2, 3):
            self.store.create(NODES, {
                "metadata": {"name": f"node-{index}", "labels": {"kubernetes.io/hostname": f"node-{index}"}},
                "status": {"conditions": [{"type": "Ready", "status": "True"}],
                           "nodeInfo": {"kubeletVersion": "v1.31.0"}},
            })  # fmt: skip
        for index in range(3):
            self.store.create(PODS, {
                "metadata": {"name": f"app-{index}", "namespace": "wilkenweb-prod", "labels": {"app": "app"}},
                "spec": {"nodeName": f"node-{index + 1}", "containers": [{"name": "app", "image": "app:1"}]},
                "status": {"phase": "Running", "startTime": now_rfc3339(),
                           "conditions": [{"type": "Ready", "status": "True"}],
                           "containerStatuses": [{"name": "app", "ready": True, "restartCount": 0,
                                                  "state": {"running": {"startedAt": now_rfc3339()}}}]},
            })  # fmt: skip

    def load_manifests(self, folder: Path) -> None:
        for path in sorted(folder.glob("*.y*ml")):
            for doc in yaml.safe_load_all(path.read_text()):
                if not doc:
                    continue
                rtype = for_kind(doc.get("apiVersion", ""), doc.get("kind", ""))
                if rtype is None:
                    raise Invalid(f"{path}: unsupported kind {doc.get('kind')}")
                self.store.create(rtype, doc)

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def close_streams(self) -> None:
        pass

    def delete(self, rtype: ResourceType, obj: Obj, options: Obj) -> Obj:
        return self.store.remove(rtype, obj["metadata"].get("namespace"), obj["metadata"]["name"])

    def read(self, pod: Obj, container: str, **kwargs: Any) -> list[str]:
        return [f"{now_rfc3339()} INFO started {pod['metadata']['name']}"]

    async def follow(self, pod: Obj, container: str, *, timestamps: bool) -> AsyncIterator[str]:
        while True:
            await asyncio.sleep(1)
            yield f"{now_rfc3339()} INFO tick"

    def pod_metrics(self, namespace: str | None) -> list[Obj]:
        return []

    def node_metrics(self) -> list[Obj]:
        return []
