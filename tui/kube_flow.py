"""What happens when an operator acts on a cluster from the console.

Every action follows the same path: resolve the object (a selected pod means
its workload for restart, undo and scale), refuse under --readonly or a
read-only context, ask for confirmation naming context, namespace, kind and
name (typing the name on production contexts), call the API in a thread, and
record the outcome in the timeline, whatever it is: refused, cancelled,
succeeded or failed with the API's message.
"""

from __future__ import annotations

import asyncio
import fnmatch
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.kube_session import KubeOptions
from tui.sources.kube import actions
from tui.sources.kube.actions import ObjectRef
from tui.sources.kube.client import KubeError
from tui.sources.kube.model import subject
from tui.sources.kube.rows import DeploymentRow, PodRow
from tui.timeline.model import EventKind
from widgets import kube_requests as requests

if TYPE_CHECKING:
    from tui.app import WarRoomApp


TITLES = {
    requests.RESTART: "Rollout restart",
    requests.UNDO: "Rollout undo",
    requests.SCALE: "Scale",
    requests.DELETE_POD: "Delete pod",
}


@dataclass(frozen=True, slots=True)
class Outcome:
    result: str  # refused, cancelled, succeeded, failed
    detail: str = ""
    data: dict[str, Any] | None = None


def matches(context: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(context, pattern) for pattern in patterns)


class KubeFlow:
    def __init__(self, app: WarRoomApp) -> None:
        self.app = app

    @property
    def settings(self) -> Any:
        return self.app.settings.kube

    def is_production(self, context: str) -> bool:
        return matches(context, self.settings.production_contexts)

    def readonly_reason(self, context: str) -> str | None:
        if self.app.view_only:
            from tui.view_only import NOTICE

            return NOTICE
        if self.app.readonly:
            return "warroom runs with --readonly: nothing may change a cluster"
        if matches(context, self.settings.readonly_contexts):
            return f"context {context} is configured read-only (kube.readonly_contexts)"
        return None

    async def _in_thread(self, function: Any, *args: Any) -> Any:
        return await asyncio.to_thread(function, *args)

    # -- resolving what an action is about -----------------------------------------

    async def target(self, action: str, row: Any) -> ObjectRef:
        if isinstance(row, DeploymentRow):
            return ObjectRef(row.context, row.namespace, "Deployment", row.name)
        if not isinstance(row, PodRow):
            raise KubeError("invalid", "select a pod or a deployment first")
        pod_ref = ObjectRef(row.context, row.namespace, "Pod", row.name)
        if action == requests.DELETE_POD:
            return pod_ref
        client = self.app.kube.client(row.context)
        pod = await self._in_thread(actions.get, client, pod_ref)
        chain = await self._in_thread(actions.owner_chain, client, pod, row.context)
        workloads = [ref for ref in chain[1:] if ref.kind in ("Deployment", "StatefulSet",
                                                                "DaemonSet")]  # fmt: skip
        if not workloads:
            raise KubeError("invalid", f"pod {row.name} belongs to no deployment, statefulset"
                            " or daemonset")  # fmt: skip
        ref = workloads[-1]
        if action == requests.UNDO and ref.kind != "Deployment":
            raise KubeError("invalid", f"rollout undo is for deployments ({ref.kind} here)")
        if action == requests.SCALE and ref.kind == "DaemonSet":
            raise KubeError("invalid", "a daemonset runs one pod per node: it cannot be scaled")
        return ref

    # -- the flow --------------------------------------------------------------------

    async def run(self, action: str, row: Any, amount: int | None) -> None:
        from tui.screens.kube_screens import ConfirmActionScreen

        title = TITLES.get(action, action)
        try:
            ref = await self.target(action, row)
        except KubeError as error:
            self.app.notify(f"{title}: {error}", severity="error", markup=False)
            return
        refusal = self.readonly_reason(ref.context)
        if refusal:
            self.app.notify(f"{title} refused: {refusal}", severity="warning", markup=False)
            await self.record(action, ref, Outcome("refused", refusal))
            return
        try:
            plan = await self.plan(action, ref, amount)
        except KubeError as error:
            self.app.notify(f"{title}: {error}", severity="error", markup=False)
            await self.record(action, ref, Outcome("failed", error.message))
            return
        if plan is None:
            await self.record(action, ref, Outcome("cancelled", "no choice made"))
            return
        consequence, do, data = plan
        production = self.is_production(ref.context)
        confirmed = await self.app.push_screen_wait(
            ConfirmActionScreen(ref, title, consequence, typed=production, production=production)
        )
        if not confirmed:
            await self.record(action, ref, Outcome("cancelled", consequence, data))
            self.app.notify(f"{title} cancelled.", markup=False)
            return
        try:
            await self._in_thread(do)
        except KubeError as error:
            self.app.notify(f"{title} failed: {error}", severity="error", timeout=10, markup=False)
            await self.record(action, ref, Outcome("failed", error.message, data))
            return
        await self.record(action, ref, Outcome("succeeded", consequence, data))
        self.app.notify(f"{title}: done ({ref.describe()}).", markup=False)

    async def plan(self, action: str, ref: ObjectRef, amount: int | None) -> Any:
        """(what will happen, the call to make, data for the record), or None if abandoned."""
        from tui.screens.kube_screens import RevisionPickerScreen, ScaleScreen

        client = self.app.kube.client(ref.context)
        if action == requests.RESTART:
            return (
                f"every pod of {ref.kind.lower()}/{ref.name} is replaced, a few at a time",
                lambda: actions.rollout_restart(client, ref),
                {},
            )
        if action == requests.DELETE_POD:
            return (
                f"pod {ref.name} is deleted; its controller (if any) creates a replacement",
                lambda: actions.delete_pod(client, ref),
                {},
            )
        if action == requests.SCALE:
            current = await self._in_thread(actions.get, client, ref)
            replicas = int((current.get("spec") or {}).get("replicas", 1))
            if amount is None:
                chosen = await self.app.push_screen_wait(ScaleScreen(ref, replicas))
                if chosen is None:
                    return None
                wanted = int(chosen)
            else:
                wanted = max(0, replicas + amount)
            return (
                f"replicas of {ref.kind.lower()}/{ref.name} go from {replicas} to {wanted}",
                lambda: actions.scale(client, ref, wanted),
                {"from": replicas, "to": wanted},
            )
        if action == requests.UNDO:
            history = await self._in_thread(actions.revisions, client, ref)
            chosen = await self.app.push_screen_wait(RevisionPickerScreen(ref, history))
            if chosen is None:
                return None
            revision = next(r for r in history if r.number == chosen)
            return (
                f"deployment/{ref.name} goes back to revision {revision.number}"
                f" ({', '.join(revision.images)})",
                lambda: actions.rollout_undo(client, ref, revision.number),
                {"to_revision": revision.number, "images": list(revision.images)},
            )
        raise KubeError("invalid", f"unknown action {action}")

    async def record(self, action: str, ref: ObjectRef, outcome: Outcome) -> None:
        title = TITLES.get(action, action)
        text = f"{title} of {ref.kind.lower()}/{ref.name} in {ref.namespace} ({ref.context}):"
        text += f" {outcome.result}"
        if outcome.detail:
            text += f": {outcome.detail}"
        await self.app.record(
            EventKind.K8S_ACTION,
            text,
            source="kubernetes",
            subject=subject(ref.context, ref.namespace, ref.kind.lower(), ref.name),
            data={
                "action": action,
                "result": outcome.result,
                "context": ref.context,
                "namespace": ref.namespace,
                "kind": ref.kind,
                "name": ref.name,
                "detail": outcome.detail,
                **(outcome.data or {}),
            },
        )

    # -- views -----------------------------------------------------------------------

    async def show_detail(self, row: Any) -> None:
        from tui.screens.kube_screens import PodDetailScreen

        if not isinstance(row, PodRow):
            await self.show_yaml(row)
            return
        ref = ObjectRef(row.context, row.namespace, "Pod", row.name)
        try:
            client = self.app.kube.client(row.context)
            pod = await self._in_thread(actions.get, client, ref)
            events = await self._in_thread(actions.pod_events, client, pod)
            owners = await self._in_thread(actions.owner_chain, client, pod, row.context)
        except KubeError as error:
            self.app.notify(f"Cannot read pod {row.name}: {error}", severity="error", markup=False)
            return
        await self.app.push_screen_wait(PodDetailScreen(pod, events, owners[1:], row.context))

    async def show_yaml(self, row: Any) -> None:
        import yaml

        from tui.screens.kube_screens import YamlScreen

        kind = "Pod" if isinstance(row, PodRow) else "Deployment"
        if not isinstance(row, PodRow | DeploymentRow):
            self.app.notify("YAML is shown for pods and deployments.")
            return
        ref = ObjectRef(row.context, row.namespace, kind, row.name)
        try:
            obj = await self._in_thread(actions.get, self.app.kube.client(row.context), ref)
        except KubeError as error:
            self.app.notify(f"Cannot read {ref.describe()}: {error}", severity="error",
                            markup=False)  # fmt: skip
            return
        (obj.get("metadata") or {}).pop("managedFields", None)
        text = yaml.safe_dump(obj, sort_keys=False, default_flow_style=False)
        await self.app.push_screen_wait(YamlScreen(f"{kind.lower()}/{row.name}", text))

    async def switch(self, what: str) -> None:
        from tui.screens.kube_screens import ALL_NAMESPACES, ChoiceListScreen

        session = self.app.kube
        if session.info is None:
            self.app.notify("No kubeconfig is loaded: nothing to switch.")
            return
        if what == "context":
            chosen = await self.app.push_screen_wait(
                ChoiceListScreen("Contexts to show", list(session.info.contexts),
                                 set(session.contexts), multiple=True)
            )  # fmt: skip
            if not chosen:
                return
            await self.restart(contexts=tuple(c for c in session.info.contexts if c in chosen))
            return
        try:
            listed = await self._in_thread(
                session.client(session.contexts[0]).get, "/api/v1/namespaces"
            )
            names = sorted(i["metadata"]["name"] for i in listed.get("items") or [])
        except KubeError as error:
            # Least privilege: a user who cannot list namespaces can still type one in.
            self.app.notify(f"Cannot list namespaces: {error}", severity="warning", markup=False)
            names = sorted({n for n in session.namespaces if n})
        current = {ns or ALL_NAMESPACES for ns in session.namespaces}
        chosen = await self.app.push_screen_wait(
            ChoiceListScreen("Namespace", [ALL_NAMESPACES, *names], current, multiple=False)
        )
        if chosen is None:
            return
        await self.restart(namespaces=(None,) if chosen == ALL_NAMESPACES else (chosen,))

    async def restart(
        self,
        *,
        contexts: tuple[str, ...] | None = None,
        namespaces: tuple[str | None, ...] | None = None,
    ) -> None:
        from tui.messages import KubeUpdated

        session = self.app.kube
        emptied = await self._in_thread(session.stop)
        self.app.console_screen.pane("pods").post_message(KubeUpdated(emptied, session.contexts))
        session.retarget(contexts=contexts, namespaces=namespaces)
        self.app.restart_kube()

    async def start_drill(self) -> None:
        from tui.commands.sim import default_kubeconfig_path
        from tui.screens.kube_screens import ChoiceListScreen
        from tui.sim.cluster import ClusterThread
        from tui.sim.scenarios import SCENARIOS

        if self.app.drill is not None:
            self.app.notify("A drill cluster is already running.")
            return
        chosen = await self.app.push_screen_wait(
            ChoiceListScreen(
                "Drill scenario", list(SCENARIOS), {"healthy"}, multiple=False, marker=None
            )
        )
        if chosen is None:
            return
        thread = ClusterThread(chosen)
        try:
            cluster = await self._in_thread(thread.start)
        except Exception as error:  # a drill that cannot start must not take the console down
            self.app.notify(f"The drill cluster did not start: {error}", severity="error",
                            markup=False)  # fmt: skip
            return
        self.app.drill = thread
        path = await self._in_thread(
            cluster.write_kubeconfig, default_kubeconfig_path("console-kubeconfig")
        )
        await self.app.record(
            EventKind.NOTE,
            f"Drill cluster started: scenario {chosen} (kubeconfig {path})",
            source="warroom",
            data={"drill": chosen, "kubeconfig": str(path)},
        )
        session = self.app.kube
        await self._in_thread(session.stop)
        session.options = KubeOptions(kubeconfig=path, contexts=("warroom-drill",),
                                      all_namespaces=True)  # fmt: skip
        self.app.restart_kube()
