"""The console's live connection to Kubernetes: which clusters, and the update loop.

A KubeSession reads the kubeconfig, starts the watches (KubeService) for the
chosen contexts and namespaces, and every `update_seconds` turns what changed
into a Delta for the Pods pane and transitions for the timeline. The kubernetes
client and the row building run in threads; this module never imports Textual.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace

from tui.config import KubeSettings
from tui.kube_options import KubeOptions
from tui.sources.kube.client import KubeClient
from tui.sources.kube.kubeconfig import KubeconfigError, KubeconfigInfo, read_kubeconfig
from tui.sources.kube.model import Delta, KubeModel, Transition
from tui.sources.kube.service import KubeService

# How often transient states are re-judged (a Pending that became "too long").
TICK_SECONDS = 5.0


class KubeUnavailableError(Exception):
    def __init__(self, reason: str, *, offer_drill: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.offer_drill = offer_drill


@dataclass
class KubeSession:
    options: KubeOptions
    settings: KubeSettings
    info: KubeconfigInfo | None = None
    contexts: tuple[str, ...] = ()
    namespaces: tuple[str | None, ...] = ()
    service: KubeService | None = None
    model: KubeModel = field(default_factory=KubeModel)

    async def connect(self) -> None:
        """Read the kubeconfig and decide what to watch; KubeUnavailableError if nothing."""
        try:
            info = await asyncio.to_thread(read_kubeconfig, self.options.kubeconfig)
        except KubeconfigError as error:
            # A missing kubeconfig is where a drill helps; a broken one needs fixing.
            raise KubeUnavailableError(
                f"Kubernetes: {error}", offer_drill="no kubeconfig" in str(error)
            ) from None
        contexts = self.options.contexts or ((info.current,) if info.current else info.contexts[:1])
        unknown = [c for c in contexts if c not in info.contexts]
        if unknown:
            raise KubeUnavailableError(
                f"Kubernetes: context {', '.join(unknown)} is not in the kubeconfig"
                f" (known: {', '.join(info.contexts)})",
                offer_drill=False,
            )
        self.info = info
        self.contexts = tuple(contexts)
        if self.options.all_namespaces:
            self.namespaces = (None,)
        elif self.options.namespaces:
            self.namespaces = tuple(self.options.namespaces)
        else:
            # kubectl's rule: the context's namespace, else "default".
            self.namespaces = (info.namespaces.get(contexts[0]) or "default",)

    def start(self) -> None:
        assert self.info is not None, "connect first"
        self.model = KubeModel(settle_seconds=self.settings.settle_seconds)
        self.service = KubeService(
            self.info,
            list(self.contexts),
            list(self.namespaces),
            metrics_seconds=self.settings.metrics_seconds,
        )
        self.service.start()

    def stop(self) -> Delta:
        """Stop watching; the returned Delta empties the pane."""
        if self.service is not None:
            self.service.stop()
            self.service = None
        return self.model.forget()

    def client(self, context: str) -> KubeClient:
        assert self.service is not None, "not connected"
        return self.service.client(context)

    def retarget(self, *, contexts: tuple[str, ...] | None = None,
                 namespaces: tuple[str | None, ...] | None = None) -> None:  # fmt: skip
        """Watch other contexts or namespaces from now on (call `stop` first)."""
        if contexts is not None:
            self.contexts = contexts
            self.options = replace(self.options, contexts=contexts)
        if namespaces is not None:
            self.namespaces = namespaces
            everything = namespaces == (None,)
            chosen = tuple(n for n in namespaces if n)
            self.options = replace(self.options, all_namespaces=everything, namespaces=chosen)

    async def run(
        self,
        publish: Callable[[Delta], None],
        record: Callable[[Transition], Awaitable[None]],
    ) -> None:
        """Until cancelled: hand what changed to `publish`, transitions to `record`."""
        loop = asyncio.get_running_loop()
        last_tick = loop.time()
        while True:
            service = self.service
            if service is not None:
                changes = service.cache.take()
                delta = await asyncio.to_thread(self.model.apply, changes, service.metrics)
                if loop.time() - last_tick >= TICK_SECONDS:
                    last_tick = loop.time()
                    delta.transitions.extend(await asyncio.to_thread(self.model.tick))
                if delta:
                    publish(delta)
                for transition in delta.transitions:
                    await record(transition)
            await asyncio.sleep(self.settings.update_seconds)
