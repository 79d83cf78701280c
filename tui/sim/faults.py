"""Faults to inject into the drill cluster, for tests and for game-day drills.

Each is something a real control plane does to its clients on a bad day: a
resource kind answering 403 or 500 while the rest works, slow answers, watch
streams cut, resource versions expired (410 Gone), a revoked token (401), the
server going away and coming back. Errors and latency are applied per request
by the API server; the rest act on the whole cluster (cluster.py).

The admin endpoint
------------------

A drill run by `warroom sim serve` in another process is faulted over HTTPS,
with the admin token of its kubeconfig (the read-only token gets 403):

    GET  /_sim/faults        the faults in force
    POST /_sim/faults        change them; answers the faults now in force

The POST body is one JSON object; every key is optional and they apply in
this order:

    {
      "heal": true,                     # first clear every injected error
      "errors": {                       # resource -> answer; "*" is every resource
        "pods": 500,                    #   every verb on pods answers 500
        "deployments.apps": {"code": 403, "verbs": ["list", "watch"]},
        "events": null                  #   null heals that one
      },
      "latency": 0.3,                   # seconds added to every API request (0: none)
      "drop_watches": true,             # cut every open watch stream now
      "expire_versions": true,          # forget watch history: resuming gets 410 Gone
      "revoke_tokens": true,            # new tokens for both users: old ones get 401
      "restart": 2.0                    # stop serving for 2 s, then serve the same
                                        # state on the same port (after answering)
    }

Resources are named as kubectl names them: the plural for the core group
(`pods`, `events`), `plural.group` otherwise (`deployments.apps`,
`certificates.cert-manager.io`); a bare plural matches in any group. Codes are
401, 403, 404, 409, 410, 429, 500, 503 or 504. Verbs are get, list, watch,
create, update, patch, delete, deletecollection.

The answer (200):

    {"kind": "DrillFaults", "latency": 0.3,
     "errors": {"pods": {"code": 500, "verbs": null}, ...},
     "openWatches": 3, "droppedWatches": 2,
     "kubeconfig": {...}}               # only after revoke_tokens: the new credentials

Tokens revoked this way are also rewritten into every kubeconfig file the
cluster wrote, so a client that reloads its kubeconfig recovers, as after a
credential rotation. Bad input answers 400 with a Status saying what is wrong.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Protocol

from tui.sim.resources import ResourceType
from tui.sim.store import ApiError, BadRequest, Watcher

Obj = dict[str, Any]

REASONS = {
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    410: "Expired",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}
VERBS = frozenset(
    {"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"}
)
ADMIN_KEYS = (
    "heal",
    "errors",
    "latency",
    "drop_watches",
    "expire_versions",
    "revoke_tokens",
    "restart",
)


class InjectedError(ApiError):
    def __init__(self, code: int, message: str, details: Obj | None = None) -> None:
        super().__init__(message, details=details)
        self.code = code
        self.reason = REASONS.get(code, "InternalError")


@dataclass(frozen=True, slots=True)
class ErrorRule:
    code: int
    verbs: frozenset[str] | None = None  # None: every verb

    def applies(self, verb: str) -> bool:
        return self.verbs is None or verb in self.verbs


class DrillControl(Protocol):
    """What the admin endpoint asks of the whole cluster (DrillCluster provides it)."""

    def expire_versions(self) -> None: ...

    def revoke_tokens(self) -> None: ...

    def schedule_restart(self, down_for: float) -> None: ...

    def kubeconfig(self) -> dict[str, Any]: ...


@dataclass
class Faults:
    # Seconds added to every request before it is served.
    latency: float = 0.0
    # Resource ("pods", "deployments.apps", or "*") -> how it fails.
    rules: dict[str, ErrorRule] = field(default_factory=dict)
    _watches: set[Watcher] = field(default_factory=set)

    @property
    def errors(self) -> dict[str, int]:
        return {name: rule.code for name, rule in self.rules.items()}

    def fail(self, resource: str, code: int, verbs: list[str] | None = None) -> None:
        """Make `resource` answer `code` (for `verbs`, or every verb)."""
        if code not in REASONS:
            raise ValueError(f"cannot inject {code}: one of {sorted(REASONS)}")
        unknown = set(verbs or ()) - VERBS
        if unknown:
            raise ValueError(f"unknown verbs {sorted(unknown)}: one of {sorted(VERBS)}")
        self.rules[resource] = ErrorRule(code, frozenset(verbs) if verbs else None)

    def heal(self, resource: str | None = None) -> None:
        if resource is None:
            self.rules.clear()
        else:
            self.rules.pop(resource, None)

    async def before_request(self, method: str, path: str) -> None:
        if self.latency > 0:
            await asyncio.sleep(self.latency)

    def _rule(self, rtype: ResourceType) -> ErrorRule | None:
        for name in (rtype.key, rtype.plural, "*"):
            if (rule := self.rules.get(name)) is not None:
                return rule
        return None

    async def check_resource(self, rtype: ResourceType, verb: str) -> None:
        rule = self._rule(rtype)
        if rule is None or not rule.applies(verb):
            return
        details = {"kind": rtype.plural, **({"group": rtype.group} if rtype.group else {})}
        if rule.code == 403:
            raise InjectedError(
                403,
                f'{rtype.key} is forbidden: User "drill-admin" cannot {verb} resource'
                f' "{rtype.plural}" in API group "{rtype.group}" (injected fault)',
                details,
            )
        if rule.code == 503:
            raise InjectedError(
                503,
                "the server is currently unable to handle the request (injected fault)",
                details,
            )
        raise InjectedError(rule.code, f"injected fault: {rtype.key} answers {rule.code}", details)

    def watch_opened(self, watcher: Watcher) -> None:
        self._watches.add(watcher)

    def watch_closed(self, watcher: Watcher) -> None:
        self._watches.discard(watcher)

    @property
    def open_watches(self) -> int:
        return len(self._watches)

    def drop_watches(self) -> int:
        """Cut every open watch stream; clients must notice and re-watch."""
        dropped = len(self._watches)
        for watcher in list(self._watches):
            watcher.close()
        self._watches.clear()
        return dropped

    def state(self) -> Obj:
        return {
            "kind": "DrillFaults",
            "latency": self.latency,
            "errors": {
                name: {"code": rule.code, "verbs": sorted(rule.verbs) if rule.verbs else None}
                for name, rule in sorted(self.rules.items())
            },
            "openWatches": self.open_watches,
        }

    # -- the admin endpoint ----------------------------------------------------------

    def apply(self, body: Any, control: DrillControl | None) -> Obj:
        """Apply a POST /_sim/faults body (see the module docstring); the new state."""
        request = _checked(body)
        if request.get("heal"):
            self.heal()
        for name, spec in (request.get("errors") or {}).items():
            if spec is None:
                self.heal(name)
            else:
                code, verbs = _rule_spec(name, spec)
                try:
                    self.fail(name, code, verbs)
                except ValueError as error:
                    raise BadRequest(f"errors.{name}: {error}") from None
        if "latency" in request:
            self.latency = float(request["latency"])
        dropped = self.drop_watches() if request.get("drop_watches") else 0
        answer = self.state()
        answer["droppedWatches"] = dropped
        if control is not None:
            if request.get("expire_versions"):
                control.expire_versions()
            if request.get("revoke_tokens"):
                control.revoke_tokens()
                answer["kubeconfig"] = control.kubeconfig()
            if request.get("restart"):
                control.schedule_restart(float(request["restart"]))
        return answer


def _checked(body: Any) -> Obj:
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object (see tui/sim/faults.py)")
    unknown = set(body) - set(ADMIN_KEYS)
    if unknown:
        raise BadRequest(f"unknown keys {sorted(unknown)}: one of {list(ADMIN_KEYS)}")
    if "errors" in body and not isinstance(body["errors"], dict):
        raise BadRequest("errors must be an object: resource -> code")
    for key in ("latency", "restart"):
        value = body.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 600
        ):
            raise BadRequest(f"{key} must be a number of seconds between 0 and 600")
    return body


def _rule_spec(name: str, spec: Any) -> tuple[int, list[str] | None]:
    if isinstance(spec, int) and not isinstance(spec, bool):
        return spec, None
    if isinstance(spec, dict) and isinstance(spec.get("code"), int):
        verbs = spec.get("verbs")
        if verbs is not None and not (
            isinstance(verbs, list) and all(isinstance(v, str) for v in verbs)
        ):
            raise BadRequest(f"errors.{name}.verbs must be a list of verbs")
        return spec["code"], verbs
    raise BadRequest(f'errors.{name} must be a code or {{"code": N, "verbs": [...]}}')
