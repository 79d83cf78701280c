"""The kubelets: run each bound pod's containers and report their status.

Per pod: sandbox (IP), init containers one by one, then every container:
image pull (Pulling/Pulled, or ErrImagePull then ImagePullBackOff with a
growing back-off), Created/Started, readiness (Unhealthy events while the
probe fails), exit (Error/OOMKilled with the exit code in lastState), restart
with CrashLoopBackOff back-off 10s, 20s, 40s ... 5m, and graceful termination
when the pod is deleted (Killing, then the pod goes).

Everything is driven by timers on sim time, per pod; nothing scans all pods.
A pod's container instances (when each started and ended, with which plan)
are kept for the log and metrics providers: the current and the previous one,
as a kubelet keeps them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tui.sim.behavior import ContainerPlan
from tui.sim.controllers.base import Obj, WorldController
from tui.sim.defaults import image_pull_policy
from tui.sim.objects import condition, dig, is_deleting, set_condition
from tui.sim.resources import PODS
from tui.sim.store import Change, NotFound

if TYPE_CHECKING:
    from tui.sim.world import World

SANDBOX = 0.6  # sim seconds from binding to the pod's network being up
START = 0.3  # create -> started
SHOW_EXIT = 1.0  # how long a terminated state shows before the restart or back-off
SHOW_PULL_ERROR = 2.0  # ErrImagePull before ImagePullBackOff
BACKOFF_MAX = 300.0
BACKOFF_RESET = 600.0  # running this long forgives earlier crashes


def backoff(level: int) -> float:
    """0 for the first restart, then 10s, 20s, 40s ... capped at 5 minutes."""
    return 0.0 if level <= 0 else min(10.0 * 2 ** (level - 1), BACKOFF_MAX)


@dataclass
class Instance:
    """One run of a container: what the logs and metrics are computed from."""

    container_id: str
    index: int  # 0 for the first run, 1 after the first restart, ...
    start: float  # sim seconds
    started_at: str  # wall stamp
    plan: ContainerPlan
    end: float | None = None
    finished_at: str = ""
    exit_code: int | None = None
    reason: str = ""


@dataclass
class ContainerRun:
    name: str
    image: str
    spec: Obj
    init: bool = False
    state: str = "waiting"  # waiting, running, terminated
    reason: str = "ContainerCreating"
    message: str = ""
    restarts: int = 0
    crash_level: int = 0
    pull_level: int = 0
    current: Instance | None = None  # running, or just terminated
    last: Instance | None = None  # lastState.terminated
    ready: bool = False
    image_id: str = ""
    done: bool = False  # init container completed


@dataclass
class PodRun:
    namespace: str
    name: str
    uid: str
    node: str
    host_ip: str
    start_time: str
    inits: list[ContainerRun]
    containers: list[ContainerRun]
    restart_policy: str = "Always"
    ip: str = ""
    sandbox: bool = False
    epoch: int = 0  # bumped to void every pending timer
    terminating: bool = False
    frozen: bool = False  # its node's kubelet is gone
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return (self.namespace, self.name)

    def all(self) -> list[ContainerRun]:
        return [*self.inits, *self.containers]

    def find(self, name: str) -> ContainerRun | None:
        return next((c for c in self.all() if c.name == name), None)


class Kubelet(WorldController):
    """Every node's kubelet (one controller; a dead node's pods are frozen)."""

    name = "kubelet"
    component = "kubelet"

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self.runs: dict[tuple[str, str], PodRun] = {}
        self.images: dict[str, set[str]] = {}  # node -> images present

    def observe(self, change: Change) -> None:
        if change.rtype is not PODS:
            return
        metadata = change.obj["metadata"]
        key = (metadata.get("namespace", ""), metadata["name"])
        if (
            change.event_type == "DELETED"
            or dig(change.obj, "spec", "nodeName")
            or key in self.runs
        ):
            self.enqueue(key)

    # -- life cycle --------------------------------------------------------------------

    def sync(self, key: tuple[str, str]) -> None:
        pod = self.store.find(PODS, *key)
        run = self.runs.get(key)
        if run is not None and (pod is None or pod["metadata"]["uid"] != run.uid):
            self._drop(run)
            run = None
        if pod is None:
            return
        node = dig(pod, "spec", "nodeName")
        if not node or not self.world.node_alive(node):
            return
        if run is None:
            if is_deleting(pod):
                self._remove(pod)  # never started here: nothing to stop
                return
            if dig(pod, "status", "phase") in ("Succeeded", "Failed"):
                return
            self._start(pod, node)
        elif is_deleting(pod) and not run.terminating:
            self._terminate(run, pod)

    def _drop(self, run: PodRun) -> None:
        run.epoch += 1
        self.runs.pop(run.key, None)
        if run.ip and run.ip != run.host_ip:
            self.world.ips.release(run.node, run.ip)

    def _remove(self, pod: Obj) -> None:
        try:
            self.store.remove(PODS, pod["metadata"]["namespace"], pod["metadata"]["name"])
        except NotFound:
            pass

    def _start(self, pod: Obj, node: str) -> None:
        spec = pod.get("spec") or {}
        run = PodRun(
            namespace=pod["metadata"]["namespace"],
            name=pod["metadata"]["name"],
            uid=pod["metadata"]["uid"],
            node=node,
            host_ip=self.world.node_ip(node),
            start_time=self.clock.stamp(),
            inits=[
                ContainerRun(c["name"], c.get("image", ""), c, init=True)
                for c in spec.get("initContainers") or []
            ],
            containers=[
                ContainerRun(c["name"], c.get("image", ""), c) for c in spec.get("containers") or []
            ],
            restart_policy=spec.get("restartPolicy", "Always"),
        )
        for container in run.inits:
            container.reason = (
                "PodInitializing" if container is not run.inits[0] else "ContainerCreating"
            )
        if run.inits:
            for container in run.containers:
                container.reason = "PodInitializing"
        self.runs[run.key] = run
        self._write(run)
        self._later(run, SANDBOX, self._sandbox_ready)

    def _later(self, run: PodRun, delay: float, fn: Any, *args: Any) -> None:
        """fn(run, *args) after `delay`, unless by then the run was voided (epoch bumped),
        replaced or frozen: a timer must not act on a pod life that is over."""
        epoch = run.epoch

        def fire() -> None:
            if run.epoch == epoch and self.runs.get(run.key) is run and not run.frozen:
                fn(run, *args)

        self.engine.call_later(delay, fire)

    def _sandbox_ready(self, run: PodRun) -> None:
        pod = self._pod(run)
        if pod is None:
            return
        if dig(pod, "spec", "hostNetwork"):
            run.ip = run.host_ip
        else:
            run.ip = self.world.ips.allocate(run.node)
        run.sandbox = True
        self._prepare_next(run)

    # -- images --------------------------------------------------------------------------

    def _prepare(self, run: PodRun, c: ContainerRun) -> None:
        if c.current is None and c.last is None and c.pull_level == 0:
            c.state, c.reason, c.message = "waiting", "ContainerCreating", ""
        elif c.state == "running":
            c.state = "waiting"
        # Otherwise the status keeps saying why it is not running (ImagePullBackOff,
        # CrashLoopBackOff, Error) until it runs again, as the kubelet's does.
        policy = c.spec.get("imagePullPolicy") or image_pull_policy(c.image)
        present = c.image in self.images.get(run.node, ())
        if policy == "Never" and not present:
            c.reason = "ErrImageNeverPull"
            c.message = f'Container image "{c.image}" is not present with pull policy of Never'
            self._event(run, c, "Warning", "ErrImageNeverPull", c.message)
            self._write(run)
            return
        if present and policy != "Always":
            self._event(
                run,
                c,
                "Normal",
                "Pulled",
                f'Container image "{c.image}" already present on machine',
            )
            self._later(run, START, self._create, c)
            return
        self._event(run, c, "Normal", "Pulling", f'Pulling image "{c.image}"')
        seconds = self.world.plan_for(self._pod(run) or {}, c.spec, c.restarts, c.init).pull_seconds
        if present:
            seconds = 0.4  # Always re-checks the registry; the layers are cached
        self._later(run, seconds, self._pulled, c, seconds)

    def _pulled(self, run: PodRun, c: ContainerRun, seconds: float) -> None:
        registry = self.world.registry
        if not registry.exists(c.image):
            error = registry.pull_error(c.image)
            c.state, c.reason, c.message = "waiting", "ErrImagePull", error
            self._event(run, c, "Warning", "Failed", f'Failed to pull image "{c.image}": {error}')
            self._event(run, c, "Warning", "Failed", "Error: ErrImagePull")
            self._write(run)
            self._later(run, SHOW_PULL_ERROR, self._pull_backoff, c)
            return
        c.pull_level = 0
        self.images.setdefault(run.node, set()).add(c.image)
        c.image_id = registry.image_id(c.image)
        self._event(
            run,
            c,
            "Normal",
            "Pulled",
            f'Successfully pulled image "{c.image}" in {seconds:.3f}s ({seconds:.3f}s'
            f" including waiting). Image size: {registry.size(c.image)} bytes.",
        )
        self._later(run, START, self._create, c)

    def _pull_backoff(self, run: PodRun, c: ContainerRun) -> None:
        c.pull_level += 1
        delay = backoff(c.pull_level)
        c.reason, c.message = "ImagePullBackOff", f'Back-off pulling image "{c.image}"'
        self._event(run, c, "Normal", "BackOff", c.message)
        self._event(run, c, "Warning", "Failed", "Error: ImagePullBackOff")
        self._write(run)
        self._later(run, delay, self._prepare, c)

    # -- running -------------------------------------------------------------------------

    def _create(self, run: PodRun, c: ContainerRun) -> None:
        pod = self._pod(run)
        if pod is None:
            return
        plan = self.world.plan_for(pod, c.spec, c.restarts, c.init)
        index = c.restarts
        instance = Instance(
            container_id="containerd://"
            + hashlib.sha256(
                f"{self.world.seed}/{run.namespace}/{run.name}/{c.name}/{index}".encode()
            ).hexdigest(),
            index=index,
            start=self.clock.sim(),
            started_at=self.clock.stamp(),
            plan=plan,
        )
        if not c.image_id:
            c.image_id = self.world.registry.image_id(c.image)
        c.current = instance
        c.state, c.reason, c.message, c.ready = "running", "", "", False
        self._event(run, c, "Normal", "Created", f"Created container {c.name}")
        self._event(run, c, "Normal", "Started", f"Started container {c.name}")
        probe = c.spec.get("readinessProbe")
        if c.init:
            pass
        elif probe is None:
            c.ready = True
        else:
            delay = max(plan.ready_after, float(probe.get("initialDelaySeconds", 0)))
            if plan.ready:
                self._later(run, delay, self._became_ready, c, instance)
            else:
                period = float(probe.get("periodSeconds", 10))
                self._later(run, delay, self._probe_failed, c, instance, period)
        if plan.runs_for is not None:
            self._later(run, plan.runs_for, self._exited, c, instance)
        self._write(run)

    def _became_ready(self, run: PodRun, c: ContainerRun, instance: Instance) -> None:
        if c.current is instance and c.state == "running":
            c.ready = True
            self._write(run)

    def _probe_failed(
        self, run: PodRun, c: ContainerRun, instance: Instance, period: float
    ) -> None:
        if c.current is not instance or c.state != "running" or run.terminating:
            return
        message = instance.plan.probe_message or self._probe_message(run, c)
        self._event(run, c, "Warning", "Unhealthy", f"Readiness probe failed: {message}")
        self._later(run, period, self._probe_failed, c, instance, period)

    def _probe_message(self, run: PodRun, c: ContainerRun) -> str:
        http = dig(c.spec, "readinessProbe", "httpGet")
        if http:
            port = http.get("port", 80)
            return (
                f'Get "http://{run.ip}:{port}{http.get("path", "/")}": dial tcp'
                f" {run.ip}:{port}: connect: connection refused"
            )
        return "HTTP probe failed with statuscode: 503"

    def _exited(self, run: PodRun, c: ContainerRun, instance: Instance) -> None:
        if c.current is not instance or c.state != "running":
            return
        plan = instance.plan
        instance.end = self.clock.sim()
        instance.finished_at = self.clock.stamp()
        instance.exit_code, instance.reason = plan.exit_code, plan.reason
        c.state, c.reason, c.ready = "terminated", plan.reason, False
        self._write(run)
        if c.init and plan.exit_code == 0:
            c.done = True
            self._later(run, START, self._prepare_next)
            return
        if run.restart_policy == "Never" or (
            run.restart_policy == "OnFailure" and plan.exit_code == 0
        ):
            return
        if instance.end - instance.start >= BACKOFF_RESET:
            c.crash_level = 0
        delay = backoff(c.crash_level)
        c.crash_level += 1
        if delay == 0:
            self._later(run, SHOW_EXIT, self._restart, c)
        else:
            self._later(run, SHOW_EXIT, self._crash_backoff, c, delay)

    def _crash_backoff(self, run: PodRun, c: ContainerRun, delay: float) -> None:
        c.last, c.current = c.current, None
        c.state, c.reason = "waiting", "CrashLoopBackOff"
        c.message = (
            f"back-off {int(delay // 60)}m{int(delay % 60)}s"
            if delay >= 60
            else f"back-off {int(delay)}s"
        ) + f" restarting failed container={c.name} pod={run.name}_{run.namespace}({run.uid})"
        self._event(
            run,
            c,
            "Warning",
            "BackOff",
            f"Back-off restarting failed container {c.name} in pod"
            f" {run.name}_{run.namespace}({run.uid})",
        )
        self._write(run)
        self._later(run, delay, self._restart, c)

    def _restart(self, run: PodRun, c: ContainerRun) -> None:
        if c.current is not None:
            c.last = c.current
        c.current = None
        c.restarts += 1
        self._prepare(run, c)
        self._write(run)

    def _prepare_next(self, run: PodRun) -> None:
        """Init containers run one at a time, in order; the others all at once after them."""
        pending = [c for c in run.inits if not c.done]
        if pending:
            self._prepare(run, pending[0])
        else:
            for container in run.containers:
                self._prepare(run, container)
        self._write(run)

    def kill(
        self,
        namespace: str,
        name: str,
        container: str,
        *,
        exit_code: int,
        reason: str,
        last_words: tuple[Any, ...] = (),
    ) -> bool:
        """Make a running container exit now (what an outside event does to it: a lost
        database, the OOM killer). Its log ends with `last_words`. False if not running."""
        run = self.runs.get((namespace, name))
        c = run.find(container) if run is not None else None
        if run is None or c is None or c.state != "running" or c.current is None or run.frozen:
            return False
        instance = c.current
        instance.plan = instance.plan.but(exit_code=exit_code, reason=reason, last_words=last_words)
        self._exited(run, c, instance)
        return True

    # -- termination -----------------------------------------------------------------------

    def _terminate(self, run: PodRun, pod: Obj) -> None:
        run.terminating = True
        run.epoch += 1  # nothing else happens to it now
        grace = dig(pod, "metadata", "deletionGracePeriodSeconds")
        if grace is None:
            grace = dig(pod, "spec", "terminationGracePeriodSeconds", default=30)
        stop = 0.0
        for c in run.containers:
            if c.state == "running" and c.current is not None:
                self._event(run, c, "Normal", "Killing", f"Stopping container {c.name}")
                stop = max(stop, c.current.plan.stop_seconds)
        self._later(run, min(float(grace), stop), self._stopped)

    def _stopped(self, run: PodRun) -> None:
        """The grace period is over: every container has ended and the pod goes."""
        for c in run.containers:
            if c.current is not None and c.current.end is None:
                c.current.end = self.clock.sim()
                c.current.finished_at = self.clock.stamp()
        current = self._pod(run)
        if current is not None:
            self._remove(current)

    # -- nodes -------------------------------------------------------------------------------

    def node_down(self, node: str) -> None:
        """The node's kubelet stops: its pods keep their last reported status."""
        for run in self.runs.values():
            if run.node == node:
                run.frozen = True
                run.epoch += 1

    def node_up(self, node: str) -> None:
        """The kubelet is back: it finishes deletions and restarts what it ran."""
        for key, run in list(self.runs.items()):
            if run.node != node:
                continue
            self._drop(run)
            self.enqueue(key)
        for namespace, name in list(self.index.pods_by_node.get(node, ())):
            self.enqueue((namespace, name))

    # -- status --------------------------------------------------------------------------

    def _pod(self, run: PodRun) -> Obj | None:
        pod = self.store.find(PODS, run.namespace, run.name)
        if pod is None or pod["metadata"]["uid"] != run.uid:
            return None
        return pod

    def _event(self, run: PodRun, c: ContainerRun, kind: str, reason: str, message: str) -> None:
        pod = self._pod(run)
        if pod is None:
            return
        path = f"spec.{'initContainers' if c.init else 'containers'}{{{c.name}}}"
        self.event(pod, PODS, kind, reason, message, host=run.node, field_path=path)

    def _write(self, run: PodRun) -> None:
        pod = self._pod(run)
        if pod is None or run.frozen:
            return
        status = self.status(run, pod)
        if status != pod.get("status"):
            self.world.set_status(PODS, pod, status)

    def status(self, run: PodRun, pod: Obj) -> Obj:
        before = pod.get("status") or {}
        now = self.clock.stamp()
        initialized = all(c.done for c in run.inits)
        started = [c for c in run.containers if c.current is not None or c.last is not None]
        phase = "Pending"
        if initialized and started:
            phase = "Running"
            if run.restart_policy != "Always" and all(
                c.state == "terminated" for c in run.containers
            ):
                failed = any((c.current and c.current.exit_code) for c in run.containers)
                phase = "Failed" if failed else "Succeeded"
        ready = initialized and bool(run.containers) and all(c.ready for c in run.containers)
        unready = [c.name for c in run.containers if not c.ready]
        conditions = before.get("conditions") or []
        conditions = set_condition(
            conditions, "PodReadyToStartContainers", "True" if run.sandbox else "False", now
        )
        if initialized:
            conditions = set_condition(conditions, "Initialized", "True", now)
        else:
            waiting = [c.name for c in run.inits if not c.done]
            conditions = set_condition(
                conditions,
                "Initialized",
                "False",
                now,
                reason="ContainersNotInitialized",
                message=f"containers with incomplete status: [{' '.join(waiting)}]",
            )
        for kind in ("Ready", "ContainersReady"):
            if ready:
                conditions = set_condition(conditions, kind, "True", now)
            else:
                conditions = set_condition(
                    conditions,
                    kind,
                    "False",
                    now,
                    reason="ContainersNotReady",
                    message=f"containers with unready status: [{' '.join(unready)}]",
                )
        if condition({"status": {"conditions": conditions}}, "PodScheduled") is None:
            conditions = set_condition(conditions, "PodScheduled", "True", now)
        order = [
            "PodReadyToStartContainers",
            "Initialized",
            "Ready",
            "ContainersReady",
            "PodScheduled",
        ]
        conditions.sort(key=lambda c: order.index(c["type"]) if c["type"] in order else 9)
        status: Obj = {
            "phase": phase,
            "conditions": conditions,
            "hostIP": run.host_ip,
            "hostIPs": [{"ip": run.host_ip}],
            "startTime": run.start_time,
        }
        if run.ip:
            status["podIP"] = run.ip
            status["podIPs"] = [{"ip": run.ip}]
        if run.inits:
            status["initContainerStatuses"] = [self._container_status(c) for c in run.inits]
        status["containerStatuses"] = [self._container_status(c) for c in run.containers]
        status["qosClass"] = before.get("qosClass", "BestEffort")
        for keep in ("reason", "message", "nominatedNodeName"):
            if keep in before:
                status[keep] = before[keep]
        return status

    def _container_status(self, c: ContainerRun) -> Obj:
        entry: Obj = {"name": c.name}
        if c.state == "running" and c.current is not None:
            entry["state"] = {"running": {"startedAt": c.current.started_at}}
        elif c.state == "terminated" and c.current is not None:
            entry["state"] = {"terminated": _terminated(c.current)}
        else:
            waiting: Obj = {"reason": c.reason}
            if c.message:
                waiting["message"] = c.message
            entry["state"] = {"waiting": waiting}
        entry["lastState"] = {"terminated": _terminated(c.last)} if c.last else {}
        entry["ready"] = c.ready
        entry["restartCount"] = c.restarts
        entry["image"] = c.image
        entry["imageID"] = c.image_id
        shown = c.current or c.last
        if shown is not None:
            entry["containerID"] = shown.container_id
        entry["started"] = c.state == "running"
        return entry


def _terminated(instance: Instance) -> Obj:
    return {
        "exitCode": instance.exit_code if instance.exit_code is not None else 0,
        "reason": instance.reason or "Completed",
        "startedAt": instance.started_at,
        "finishedAt": instance.finished_at,
        "containerID": instance.container_id,
    }
