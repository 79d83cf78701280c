"""Which container engine to talk to, decided the way the docker CLI decides.

The docker CLI takes, in order: `--host`, `DOCKER_HOST`, `DOCKER_CONTEXT`, the
config file's `currentContext`, then the default socket. Operators on a bastion
already have one of these set up, so warroom reads the same places and needs no
setting of its own. Where the CLI would give up on a missing default socket,
warroom also tries rootless docker's and podman's Docker-compatible sockets:
many compose hosts run podman.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SOCKET = "/var/run/docker.sock"
PODMAN_ROOT_SOCKET = "/run/podman/podman.sock"
SCHEMES = ("unix", "tcp", "ssh", "npipe", "http", "https", "fd")
_URL = re.compile(r"^(?P<scheme>[a-z]+)://(?P<rest>.+)$")


class EndpointError(Exception):
    """The configuration names an engine that cannot be used (a missing context, a bad URL)."""


@dataclass(frozen=True, slots=True)
class TlsFiles:
    """Client certificates for a TLS endpoint (docker's ca.pem, cert.pem, key.pem)."""

    directory: Path
    verify: bool

    @property
    def ca(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def cert(self) -> Path:
        return self.directory / "cert.pem"

    @property
    def key(self) -> Path:
        return self.directory / "key.pem"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where the engine listens, and why that one (shown when it cannot be reached)."""

    url: str
    source: str  # "--docker-host", "DOCKER_HOST", "context prod", "default socket"...
    context: str | None = None
    tls: TlsFiles | None = None

    @property
    def socket_path(self) -> Path | None:
        return Path(self.url.removeprefix("unix://")) if self.url.startswith("unix://") else None

    def describe(self) -> str:
        return f"{self.url} ({self.source})"


def check_url(url: str) -> str:
    """A docker host URL as the CLI takes it; ValueError saying what is wrong otherwise."""
    url = url.strip()
    match = _URL.match(url)
    if match is None or match["scheme"] not in SCHEMES:
        raise ValueError(
            f"{url!r} is not a docker host URL (unix:///var/run/docker.sock,"
            " tcp://host:2376, ssh://user@host)"
        )
    return url


def config_dir(environ: Mapping[str, str], home: Path) -> Path:
    return Path(environ["DOCKER_CONFIG"]) if environ.get("DOCKER_CONFIG") else home / ".docker"


def current_context(environ: Mapping[str, str], home: Path) -> str | None:
    """DOCKER_CONTEXT, else config.json's currentContext; None for the default context."""
    name = environ.get("DOCKER_CONTEXT")
    if not name:
        try:
            config = json.loads((config_dir(environ, home) / "config.json").read_text())
        except (OSError, ValueError):
            return None  # no config file (or a broken one): the CLI would use the default
        name = config.get("currentContext") if isinstance(config, dict) else None
    return None if not name or name == "default" else str(name)


def context_endpoint(name: str, environ: Mapping[str, str], home: Path) -> Endpoint:
    """The docker endpoint of context `name`, from contexts/meta/<sha256 of name>/meta.json."""
    digest = hashlib.sha256(name.encode()).hexdigest()
    base = config_dir(environ, home) / "contexts"
    meta_path = base / "meta" / digest / "meta.json"
    try:
        meta = json.loads(meta_path.read_text())
        docker = meta["Endpoints"]["docker"]
        url = check_url(str(docker["Host"]))
    except FileNotFoundError:
        raise EndpointError(
            f"docker context {name!r} does not exist (no {meta_path}); `docker context ls`"
            " lists them"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise EndpointError(f"docker context {name!r}: unreadable {meta_path} ({error})") from None
    tls_dir = base / "tls" / digest / "docker"
    tls = None
    if (tls_dir / "ca.pem").exists() or (tls_dir / "cert.pem").exists():
        tls = TlsFiles(tls_dir, verify=not docker.get("SkipTLSVerify", False))
    return Endpoint(url, f"context {name}", context=name, tls=tls)


def _env_tls(environ: Mapping[str, str], home: Path) -> TlsFiles | None:
    verify = environ.get("DOCKER_TLS_VERIFY", "") not in ("", "0")
    cert_path = environ.get("DOCKER_CERT_PATH")
    if not verify and not cert_path:
        return None
    return TlsFiles(Path(cert_path) if cert_path else config_dir(environ, home), verify=verify)


def socket_candidates(environ: Mapping[str, str]) -> list[Endpoint]:
    """Local sockets, in the order they are tried: docker's, rootless docker's, podman's."""
    found = [Endpoint(f"unix://{DEFAULT_SOCKET}", "default socket")]
    runtime = environ.get("XDG_RUNTIME_DIR")
    if runtime:
        found.append(Endpoint(f"unix://{runtime}/docker.sock", "rootless docker socket"))
        found.append(Endpoint(f"unix://{runtime}/podman/podman.sock", "podman socket"))
    found.append(Endpoint(f"unix://{PODMAN_ROOT_SOCKET}", "podman socket"))
    return found


def resolve(
    explicit: str | None = None,
    environ: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> list[Endpoint]:
    """The endpoints to try, best first.

    An endpoint the operator chose (flag, setting, DOCKER_HOST, a context) is the
    only one: silently talking to another engine than the one named would be
    worse than saying it is unreachable. Otherwise every local socket that
    exists, or all of them when none does (so the message can list them).
    """
    environ = os.environ if environ is None else environ
    home = Path.home() if home is None else home
    if explicit:
        try:
            return [Endpoint(check_url(explicit), "--docker-host / docker.host")]
        except ValueError as error:
            raise EndpointError(str(error)) from None
    if environ.get("DOCKER_HOST"):
        try:
            url = check_url(environ["DOCKER_HOST"])
        except ValueError as error:
            raise EndpointError(f"DOCKER_HOST: {error}") from None
        return [Endpoint(url, "DOCKER_HOST", tls=_env_tls(environ, home))]
    context = current_context(environ, home)
    if context is not None:
        return [context_endpoint(context, environ, home)]
    candidates = socket_candidates(environ)
    present = [e for e in candidates if e.socket_path is not None and e.socket_path.exists()]
    return present or candidates
