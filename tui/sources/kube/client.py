"""One context's connection to a cluster: raw JSON over the kubernetes client.

The `kubernetes` package does what kubectl's config loading does (certificates,
tokens, exec plugins, token refresh); warroom uses it for that and for its HTTP
layer, but not for its typed models: turning 5,000 pods into model objects
costs far more than reading the JSON, and warroom needs dicts anyway.
All calls block: they run in worker threads.
"""

from __future__ import annotations

import json
import socket
import ssl
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

# (connect, read) seconds. Reads of a watch stream are bounded too: the
# server sends a bookmark at least every minute or so, and a silent
# connection is a dead one.
DEFAULT_TIMEOUT = (5.0, 30.0)
WATCH_READ_TIMEOUT = 90.0
POOL_SIZE = 64

Obj = dict[str, Any]


class KubeError(Exception):
    """A failed call, classified so the UI can say what is wrong and what to do."""

    def __init__(self, kind: str, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind  # unreachable, unauthorized, forbidden, notfound, gone, conflict,
        #                   invalid, server, config
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return self.message


KIND_BY_STATUS = {
    401: "unauthorized",
    403: "forbidden",
    404: "notfound",
    409: "conflict",
    410: "gone",
    422: "invalid",
    400: "invalid",
}


def _status_message(body: bytes | str | None, fallback: str) -> str:
    if not body:
        return fallback
    try:
        parsed = json.loads(body)
    except (ValueError, TypeError):
        return fallback
    if isinstance(parsed, dict) and parsed.get("message"):
        return str(parsed["message"])
    return fallback


def from_api_exception(error: Any) -> KubeError:
    status = getattr(error, "status", None) or 0
    reason = getattr(error, "reason", "") or ""
    message = _status_message(getattr(error, "body", None), f"{status} {reason}".strip())
    if status == 0:
        return KubeError("unreachable", message or "no answer")
    return KubeError(KIND_BY_STATUS.get(status, "server"), message, status=status)


def describe_transport_error(error: BaseException) -> str:
    """'connection refused', 'timed out', 'certificate verify failed'..."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError):
            return "connection refused"
        if isinstance(current, ssl.SSLCertVerificationError):
            return f"TLS: {current.verify_message or 'certificate verify failed'}"
        if isinstance(current, ssl.SSLError):
            return f"TLS: {current.reason or current}"
        if isinstance(current, socket.gaierror):
            return "host name not found"
        if isinstance(current, TimeoutError | socket.timeout):
            return "timed out"
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            current = reason
            continue
        current = current.__cause__ or current.__context__
    text = str(error)
    if "Connection refused" in text:
        return "connection refused"
    if "timed out" in text.lower():
        return "timed out"
    return text.splitlines()[0][:160] if text else type(error).__name__


class KubeClient:
    """Talks to one context. Construct in a worker thread (it loads the client)."""

    def __init__(self, config_file: str, context: str) -> None:
        from kubernetes import client, config
        from kubernetes.config.config_exception import ConfigException

        self.context = context
        try:
            configuration = client.Configuration()
            config.load_kube_config(
                config_file=config_file, context=context, client_configuration=configuration,
                persist_config=False,
            )  # fmt: skip
        except (ConfigException, OSError, ValueError, TypeError) as error:
            raise KubeError("config", f"kubeconfig context {context}: {error}") from None
        # One connection per watch (a dozen kinds), plus logs and calls: urllib3's
        # default pool of 10 would open and throw away connections all the time.
        configuration.connection_pool_maxsize = POOL_SIZE
        self._api = client.ApiClient(configuration)
        self.server = self._api.configuration.host

    def close(self) -> None:
        try:
            self._api.close()
        except Exception:  # closing a pool never matters enough to fail
            pass

    # -- requests -------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        body: Any = None,
        content_type: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> Any:
        from kubernetes.client.exceptions import ApiException

        headers = {"Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        params = [(k, v) for k, v in (query or {}).items() if v is not None]
        try:
            method_, url, headers_, body_, post = self._api.param_serialize(
                method=method,
                resource_path=path,
                query_params=params,
                header_params=headers,
                body=body,
                auth_settings=["BearerToken"],
            )
            response = self._api.call_api(
                method_, url, header_params=headers_, body=body_, post_params=post,
                _request_timeout=timeout,
            )  # fmt: skip
        except ApiException as error:
            raise from_api_exception(error) from None
        except Exception as error:  # urllib3 and ssl failures of every kind
            raise KubeError("unreachable", describe_transport_error(error)) from None
        if not 200 <= response.status < 300:
            data = response.read()
            raise KubeError(
                KIND_BY_STATUS.get(response.status, "server"),
                _status_message(data, f"{response.status} {response.reason}"),
                status=response.status,
            )
        return response

    def request(self, method: str, path: str, **kwargs: Any) -> Obj:
        response = self._send(method, path, **kwargs)
        data = response.read()
        try:
            parsed = json.loads(data) if data else {}
        except ValueError:
            raise KubeError("server", f"not JSON from {path}") from None
        return parsed if isinstance(parsed, dict) else {"value": parsed}

    def get(self, path: str, query: dict[str, Any] | None = None) -> Obj:
        return self.request("GET", path, query=query)

    def open_stream(
        self, path: str, query: dict[str, Any], *, read_timeout: float = WATCH_READ_TIMEOUT
    ) -> Any:
        """A streaming GET, connected and its status checked (KubeError as for any call):
        the urllib3 response, its body not read yet.

        The caller must release it (`release_conn()`) when done, read to the end or not.
        `shutdown()` (or `close()`) from another thread ends a read blocked on it at once:
        that is how a watch or a followed log is stopped without waiting for the server.
        """
        response = self._send("GET", path, query=query, timeout=(DEFAULT_TIMEOUT[0], read_timeout))
        return response.response

    def lines(
        self, path: str, query: dict[str, Any], *, read_timeout: float = WATCH_READ_TIMEOUT
    ) -> Iterator[bytes]:
        """Connect now (raising KubeError if that fails), then the body's lines as they
        arrive (watch streams, followed logs)."""
        return _stream_lines(self.open_stream(path, query, read_timeout=read_timeout))


def _stream_lines(raw: Any) -> Iterator[bytes]:
    pending = b""
    try:
        for chunk in raw.stream(65536, decode_content=False):
            pending += chunk
            *complete, pending = pending.split(b"\n")
            yield from (line for line in complete if line)
        if pending:
            yield pending
    except Exception as error:  # the stream broke: the caller reconnects
        raise KubeError("unreachable", describe_transport_error(error)) from None
    finally:
        raw.release_conn()


def object_path(
    group: str, version: str, plural: str, namespace: str | None = None, name: str | None = None
) -> str:
    root = f"/apis/{group}/{version}" if group else f"/api/{version}"
    path = (
        f"{root}/namespaces/{quote(namespace, safe='')}/{plural}"
        if namespace
        else f"{root}/{plural}"
    )
    return f"{path}/{quote(name, safe='')}" if name else path
