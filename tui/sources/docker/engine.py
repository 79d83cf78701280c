"""Connecting to a container engine: a docker API client that answered, and what it is.

Everything that can go wrong on the way (no socket, no permission, nothing
listening, an engine too old, a TLS mismatch) becomes `EngineUnavailable`
with a sentence the operator can act on, never a traceback.
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tui.sources.docker.endpoint import Endpoint

# Plain requests (inspect, list, actions) give up after this; streams set their own.
REQUEST_TIMEOUT = 15.0
# Every stats stream holds a connection; the pool must not make them queue.
POOL_SIZE = 512
NO_ENGINE_HINT = (
    "Start docker (or `podman system service`), set DOCKER_HOST or a docker context,"
    " or pass --docker-host URL."
)


class EngineUnavailable(Exception):
    def __init__(self, reason: str, hint: str = NO_ENGINE_HINT) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


@dataclass(frozen=True, slots=True)
class EngineInfo:
    """What answered: shown in the pane's border and recorded with every action."""

    url: str
    source: str
    product: str  # "Docker Engine", "Podman Engine"
    version: str
    api_version: str
    hostname: str  # the engine host's name (docker info's Name)
    context: str | None = None

    @property
    def name(self) -> str:
        """How the record names this engine: the context, else the engine's host name."""
        return self.context or self.hostname or self.url

    @property
    def identities(self) -> tuple[str, ...]:
        """Everything a docker.production_hosts pattern may match."""
        return tuple(dict.fromkeys(n for n in (self.context, self.hostname, self.url) if n))

    def describe(self) -> str:
        return f"{self.product} {self.version} on {self.hostname or '?'} · {self.url}"


@dataclass
class Engine:
    api: Any  # docker.APIClient
    endpoint: Endpoint
    info: EngineInfo

    def close(self) -> None:
        try:
            self.api.close()
        except Exception:  # closing a broken client must not hide why it broke
            pass


def _tls_config(endpoint: Endpoint) -> Any:
    if endpoint.tls is None:
        return False
    from docker.tls import TLSConfig

    tls = endpoint.tls
    cert = (str(tls.cert), str(tls.key)) if tls.cert.exists() else None
    ca = str(tls.ca) if tls.verify and tls.ca.exists() else None
    return TLSConfig(client_cert=cert, ca_cert=ca, verify=ca if ca else tls.verify)


def api_client(endpoint: Endpoint, *, timeout: float | None = REQUEST_TIMEOUT) -> Any:
    """A docker.APIClient for `endpoint` (the API version is negotiated: a network call)."""
    import docker

    return docker.APIClient(
        base_url=endpoint.url,
        timeout=timeout,
        tls=_tls_config(endpoint),
        # ssh:// goes through the system's ssh, so ~/.ssh/config and agents apply.
        use_ssh_client=endpoint.url.startswith("ssh://"),
        max_pool_size=POOL_SIZE,
    )


def describe_error(error: BaseException, endpoint: Endpoint) -> str:
    """One sentence on why `endpoint` did not answer."""
    text = str(error)
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    codes = {getattr(e, "errno", None) for e in chain}
    path = endpoint.socket_path
    if errno.ENOENT in codes or "FileNotFoundError" in text or "No such file" in text:
        return f"no engine socket at {path or endpoint.url}"
    if errno.EACCES in codes or "Permission denied" in text:
        return (
            f"permission denied on {path or endpoint.url}: join the socket's group"
            " (usually docker) or run as a user who may use it"
        )
    if errno.ECONNREFUSED in codes or "Connection refused" in text:
        return f"nothing accepts connections at {endpoint.url} (is the engine running?)"
    first = text.splitlines()[0] if text else type(error).__name__
    return f"{endpoint.url}: {first[:300]}"


def connect(endpoint: Endpoint) -> Engine:
    """A client that answered /version and /info; EngineUnavailable otherwise."""
    path = endpoint.socket_path
    if path is not None and not path.exists():
        raise EngineUnavailable(f"no engine socket at {path} ({endpoint.source})")
    try:
        api = api_client(endpoint)
        version = api.version()
        info = api.info()
    except Exception as error:  # docker, requests, ssl and socket errors alike
        raise EngineUnavailable(describe_error(error, endpoint)) from None
    components = [str(c.get("Name", "")) for c in version.get("Components") or []]
    product = next((c for c in components if "Engine" in c), "") or (
        "Podman Engine" if "podman" in str(version.get("Platform", {})).lower() else "Engine"
    )
    return Engine(
        api,
        endpoint,
        EngineInfo(
            url=endpoint.url,
            source=endpoint.source,
            product=product,
            version=str(version.get("Version", "?")),
            api_version=str(version.get("ApiVersion", "?")),
            hostname=str(info.get("Name", "")),
            context=endpoint.context,
        ),
    )


def connect_first(endpoints: Sequence[Endpoint]) -> Engine:
    """The first endpoint that answers; EngineUnavailable listing why each did not."""
    reasons: list[str] = []
    for endpoint in endpoints:
        try:
            return connect(endpoint)
        except EngineUnavailable as error:
            reasons.append(error.reason)
    if len(reasons) == 1:
        raise EngineUnavailable(reasons[0])
    raise EngineUnavailable("no container engine found: " + "; ".join(reasons))
