"""What an operator may do to containers: restart, stop, start, kill, and restart a
compose service (every container compose made for it, like `docker-compose restart web`).

Plain calls that raise `ActionError` with the engine's own words; the app asks
for confirmation first and records the outcome, whatever it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tui.sources.docker.rows import PROJECT_LABEL, SERVICE_LABEL

RESTART = "restart"
STOP = "stop"
START = "start"
KILL = "kill"
SERVICE_RESTART = "service-restart"
ACTIONS = (RESTART, STOP, START, KILL, SERVICE_RESTART)
TITLES = {
    RESTART: "Restart container",
    STOP: "Stop container",
    START: "Start container",
    KILL: "Kill container",
    SERVICE_RESTART: "Restart compose service",
}
# What `docker stop` and `docker restart` give a container before SIGKILL.
STOP_TIMEOUT = 10


class ActionError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Target:
    """What an action is about: one container, or a compose service's containers."""

    engine: str
    kind: str  # "container" or "compose service"
    name: str  # the container's name, or the service's
    project: str = ""
    service: str = ""
    container_ids: tuple[str, ...] = ()
    container_names: tuple[str, ...] = ()

    def describe(self) -> str:
        where = f" in project {self.project}" if self.project else ""
        return f"{self.kind} {self.name}{where} ({self.engine})"


def consequence(action: str, target: Target) -> str:
    """What will happen, in the words the confirmation shows and the record keeps."""
    name = target.name
    if action == RESTART:
        return (f"container {name} is stopped (SIGTERM, SIGKILL after {STOP_TIMEOUT} s)"
                " and started again")  # fmt: skip
    if action == STOP:
        return (f"container {name} is stopped (SIGTERM, SIGKILL after {STOP_TIMEOUT} s);"
                " it stays down until started")  # fmt: skip
    if action == START:
        return f"container {name} is started"
    if action == KILL:
        return f"container {name} gets SIGKILL at once: no clean shutdown"
    count = len(target.container_ids)
    return (f"the {count} container{'s' if count != 1 else ''} of compose service"
            f" {target.service} (project {target.project}) are restarted one after another:"
            f" {', '.join(target.container_names)}")  # fmt: skip


def service_containers(api: Any, project: str, service: str) -> list[dict[str, Any]]:
    """Every container (running or not) compose created for `service` of `project`."""
    filters = {"label": [f"{PROJECT_LABEL}={project}", f"{SERVICE_LABEL}={service}"]}
    return list(api.containers(all=True, filters=filters))


def _call(function: Callable[[], Any]) -> None:
    try:
        function()
    except Exception as error:  # docker's APIError, and transport errors alike
        explanation = getattr(error, "explanation", None)
        raise ActionError(str(explanation or error).splitlines()[0][:300]) from None


def perform(api: Any, action: str, target: Target) -> None:
    """Do `action` to every container of `target`, in order; stop at the first failure."""
    for container_id in target.container_ids:
        if action in (RESTART, SERVICE_RESTART):
            _call(lambda cid=container_id: api.restart(cid, timeout=STOP_TIMEOUT))
        elif action == STOP:
            _call(lambda cid=container_id: api.stop(cid, timeout=STOP_TIMEOUT))
        elif action == START:
            _call(lambda cid=container_id: api.start(cid))
        elif action == KILL:
            _call(lambda cid=container_id: api.kill(cid))
        else:
            raise ActionError(f"unknown action {action}")
