"""Faults to inject into the drill cluster, for tests and for game-day drills.

Each is something a real control plane does to its clients on a bad day: a
resource kind answering 403 or 500, slow answers, watch streams cut, resource
versions expired (410 Gone), a revoked token (401), the server going away.
Restarting the server and revoking tokens live in cluster.py; the rest are
applied per request by the API server.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from tui.sim.resources import ResourceType
from tui.sim.store import ApiError, Watcher

REASONS = {
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
}


class InjectedError(ApiError):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.reason = REASONS.get(code, "InternalError")


@dataclass
class Faults:
    # Seconds added to every request before it is served.
    latency: float = 0.0
    # Resource ("pods", "deployments.apps", or "*") -> HTTP status to answer with.
    errors: dict[str, int] = field(default_factory=dict)
    _watches: set[Watcher] = field(default_factory=set)

    def fail(self, resource: str, code: int) -> None:
        self.errors[resource] = code

    def heal(self, resource: str | None = None) -> None:
        if resource is None:
            self.errors.clear()
        else:
            self.errors.pop(resource, None)

    async def before_request(self, method: str, path: str) -> None:
        if self.latency > 0:
            await asyncio.sleep(self.latency)

    async def check_resource(self, rtype: ResourceType, verb: str) -> None:
        code = self.errors.get(rtype.key) or self.errors.get(rtype.plural) or self.errors.get("*")
        if code is None:
            return
        if code == 403:
            raise InjectedError(
                403,
                f'{rtype.key} is forbidden: User "drill-admin" cannot {verb} resource'
                f' "{rtype.plural}" in API group "{rtype.group}" (injected fault)',
            )
        raise InjectedError(code, f"injected fault: {rtype.key} answers {code}")

    def watch_opened(self, watcher: Watcher) -> None:
        self._watches.add(watcher)

    def watch_closed(self, watcher: Watcher) -> None:
        self._watches.discard(watcher)

    def drop_watches(self) -> int:
        """Cut every open watch stream; clients must notice and re-watch."""
        dropped = len(self._watches)
        for watcher in list(self._watches):
            watcher.close()
        return dropped
