"""The drill cluster's HTTP API: the Kubernetes REST protocol on aiohttp.

Paths, verbs, Status objects, discovery (legacy and aggregated), OpenAPI for
kubectl's validation, watch streams (resuming, bookmarks, selector entry and
exit, server-side Tables), paginated lists over consistent snapshots,
server-side tables, subresources (status, scale, log, eviction), the access
reviews, and the metrics API follow the real API server closely enough for
`kubectl` (1.20 to 1.33) and the `kubernetes` Python client to work unchanged.
Faults (see faults.py) are applied here, per request.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import bisect
import json
import secrets
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import yaml
from aiohttp import web

from tui.sim import access, discovery, openapi, tables
from tui.sim.admission import Admission
from tui.sim.faults import DrillControl, Faults
from tui.sim.patch import (
    APPLY_PATCH,
    JSON_PATCH,
    MERGE_PATCH,
    STRATEGIC_MERGE_PATCH,
    PatchDecodeError,
    PatchError,
    PatchTypeError,
    apply_patch,
)
from tui.sim.resources import (
    ACCESS_REVIEWS,
    LEASES,
    NODES,
    RULES_REVIEWS,
    SELF_REVIEWS,
    ResourceType,
    lookup,
)
from tui.sim.selectors import Predicate, SelectorError, matcher
from tui.sim.store import (
    AlreadyExists,
    ApiError,
    BadRequest,
    Change,
    Conflict,
    Forbidden,
    Gone,
    Invalid,
    MethodNotAllowed,
    NotAcceptable,
    NotFound,
    ObjectStore,
    Timeout,
    Unauthorized,
    UnsupportedMediaType,
    Watcher,
    key_of,
    now_rfc3339,
)

Obj = dict[str, Any]
VERSION = discovery.VERSION
# How often an idle watch that allows bookmarks gets one (a real server: ~1 min).
BOOKMARK_SECONDS = 5.0
# How often an idle watch checks that its client is still there.
LIVENESS_SECONDS = 1.0
WATCH_TIMEOUT_SECONDS = 1800.0
VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch"}
PROTOBUF = "application/vnd.kubernetes.protobuf"
INITIAL_EVENTS_END = "k8s.io/initial-events-end"
USER = web.RequestKey("user", str)  # access.ADMIN or access.READONLY


class LogProvider(Protocol):
    """Where pod logs come from (the scenario's containers write them)."""

    def read(
        self,
        pod: Obj,
        container: str,
        *,
        previous: bool,
        tail_lines: int | None,
        since_seconds: int | None,
        since_time: str | None,
        timestamps: bool,
        limit_bytes: int | None,
    ) -> list[str]: ...

    def follow(self, pod: Obj, container: str, *, timestamps: bool) -> AsyncIterator[str]: ...


class MetricsProvider(Protocol):
    def pod_metrics(self, namespace: str | None) -> list[Obj]: ...

    def node_metrics(self) -> list[Obj]: ...


class WorkloadHooks(Protocol):
    """What the controllers do on behalf of the API (deletion semantics)."""

    def delete(self, rtype: ResourceType, obj: Obj, options: Obj) -> Obj: ...


@dataclass
class Users:
    admin_token: str
    readonly_token: str


def status(code: int, reason: str, message: str, details: Obj | None = None) -> Obj:
    body: Obj = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success" if code < 400 else "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details:
        body["details"] = details
    return body


def error_response(error: ApiError) -> web.Response:
    body = status(error.code, error.reason, error.message, error.details)
    body["metadata"] = dict(error.status_metadata)
    return web.json_response(body, status=error.code, dumps=_dumps)


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _json(body: Any, code: int = 200) -> web.Response:
    return web.json_response(body, status=code, dumps=_dumps)


def _same(given: str, token: str) -> bool:
    """Compare tokens in constant time (bytes: a header may hold any character)."""
    return secrets.compare_digest(given.encode("utf-8", "surrogateescape"), token.encode())


def _flag(value: str | None) -> bool:
    return value in ("1", "true", "True")


def _int_param(query: Any, name: str) -> int | None:
    raw = query.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"invalid value for {name}: {raw!r} is not an integer") from None


@dataclass(frozen=True, slots=True)
class Target:
    """What a request path names."""

    rtype: ResourceType
    namespace: str | None
    name: str | None
    subresource: str | None
    watch_path: bool  # the legacy /watch/ prefix


@dataclass(frozen=True, slots=True)
class Render:
    """How the client asked to see objects (the Accept header)."""

    table: str | None = None  # the Table's apiVersion, when a Table was asked for
    include_object: str = "Metadata"
    partial: bool = False  # PartialObjectMetadata(List)


def patch_or_raise(content_type: str, current: Obj, body: Any) -> Obj:
    """Apply a patch; failures answered as the API server words them."""
    try:
        return apply_patch(content_type, current, body)
    except PatchTypeError as error:
        raise UnsupportedMediaType(str(error)) from None
    except PatchDecodeError as error:
        raise BadRequest(str(error)) from None
    except PatchError as error:
        cause = {"reason": "UnexpectedServerResponse", "message": str(error)}
        raise Invalid(
            "the server rejected our request due to an error in our request",
            details={"causes": [cause]},
        ) from None


def not_found_path(path: str) -> NotFound:
    return NotFound(f"the server could not find the requested resource ({path})")


class ApiServer:
    def __init__(
        self,
        store: ObjectStore,
        users: Users,
        faults: Faults,
        *,
        logs: LogProvider | None = None,
        metrics: MetricsProvider | None = None,
        hooks: WorkloadHooks | None = None,
        control: DrillControl | None = None,
    ) -> None:
        self.store = store
        self.users = users
        self.faults = faults
        self.logs = logs
        self.metrics = metrics
        self.hooks = hooks
        self.control = control
        self.admission = Admission(store)
        self.bookmark_seconds = BOOKMARK_SECONDS
        self.requests = 0
        self.app = web.Application(middlewares=[self._middleware], client_max_size=16 * 1024**2)
        self.app.router.add_route("*", "/{tail:.*}", self._dispatch)

    # -- auth, faults, errors -------------------------------------------------------

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        self.requests += 1
        try:
            request[USER] = self._authenticate(request)
            if not request.path.startswith("/_sim/"):
                await self.faults.before_request(request.method, request.path)
            return await handler(request)
        except ApiError as error:
            return error_response(error)
        except web.HTTPException:
            raise
        except (ConnectionResetError, asyncio.CancelledError):
            raise
        except Exception as error:  # a bug here must answer 500, not drop the connection
            return error_response(ApiError(f"internal error: {type(error).__name__}: {error}"))

    def _authenticate(self, request: web.Request) -> str:
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        if token and _same(token, self.users.admin_token):
            return access.ADMIN
        if token and _same(token, self.users.readonly_token):
            return access.READONLY
        raise Unauthorized("Unauthorized")

    def _authorize(self, request: web.Request, target: Target, verb: str) -> None:
        attrs = access.Attributes(
            verb=verb,
            group=target.rtype.group,
            resource=target.rtype.plural,
            subresource=target.subresource or "",
            namespace=target.namespace or "",
            name=target.name or "",
        )
        access.check(request[USER], attrs)

    # -- routing -------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.path.rstrip("/") or "/"
        if path.startswith("/_sim/"):
            return await self._admin(request, path)
        if path in ("/healthz", "/livez", "/readyz"):
            return web.Response(text="ok")
        document = self._document(request, path)
        if document is not None:
            if request.method != "GET":
                raise MethodNotAllowed(f"{request.method} is not allowed on {path}")
            return document
        target = self._parse(path.strip("/").split("/"), path)
        return await self._serve(request, target)

    def _document(self, request: web.Request, path: str) -> web.StreamResponse | None:
        """Discovery and OpenAPI documents, or None when `path` names resources."""
        parts = path.strip("/").split("/")
        if path == "/version":
            return _json(VERSION)
        if path in ("/api", "/apis"):
            return self._discovery_root(request, core=path == "/api")
        if path == "/api/v1":
            return _json(discovery.resource_list("", "v1"))
        if parts[0] == "apis" and len(parts) == 2:
            group = discovery.api_group(parts[1])
            if group is None:
                raise not_found_path(path)
            return _json(group)
        if parts[0] == "apis" and len(parts) == 3:
            listing = discovery.resource_list(parts[1], parts[2])
            if listing is None:
                raise not_found_path(path)
            return _json(listing)
        if parts[0] == "openapi" or path.startswith("/swagger"):
            return self._openapi(request, path, parts)
        return None

    def _discovery_root(self, request: web.Request, *, core: bool) -> web.Response:
        version = discovery.aggregated_version(request.headers.get("Accept", ""))
        if version is not None:
            body = _dumps(discovery.aggregated(version, core=core)).encode()
            # The exact media type: client-go reads the version from its parameters.
            headers = {"Content-Type": discovery.aggregated_content_type(version)}
            return web.Response(body=body, headers=headers)
        if core:
            return _json(discovery.api_versions(request.host))
        return _json(discovery.api_group_list())

    def _openapi(self, request: web.Request, path: str, parts: list[str]) -> web.Response:
        if path == "/openapi/v2":
            if "protobuf" in request.headers.get("Accept", ""):
                # Not the requested media type: its "@" is no valid Content-Type for Go's
                # parser, and client-go reads the body raw anyway.
                return web.Response(
                    body=openapi.v2_protobuf(), content_type="application/octet-stream"
                )
            return web.Response(body=openapi.v2_json(), content_type="application/json")
        if path == "/openapi/v3":
            return web.Response(body=openapi.v3_root(), content_type="application/json")
        if parts[:2] == ["openapi", "v3"]:
            rest = parts[2:]
            gv = ("", rest[1]) if rest[:1] == ["api"] and len(rest) == 2 else None
            if rest[:1] == ["apis"] and len(rest) == 3:
                gv = (rest[1], rest[2])
            document = openapi.v3_document(*gv) if gv else None
            if document is not None:
                return web.Response(body=document, content_type="application/json")
        raise not_found_path(path)

    def _parse(self, parts: list[str], path: str) -> Target:
        if parts[0] == "api" and len(parts) >= 3:
            group, version, rest = "", parts[1], parts[2:]
        elif parts[0] == "apis" and len(parts) >= 4:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise not_found_path(path)
        watch_path = False
        if rest[0] == "watch":
            watch_path, rest = True, rest[1:]
        namespace = None
        if len(rest) >= 3 and rest[0] == "namespaces" and rest[2] != "status":
            namespace, rest = rest[1], rest[2:]
        if not rest or len(rest) > 3:
            raise not_found_path(path)
        rtype = lookup(group, version, rest[0])
        if rtype is None or (namespace is not None and not rtype.namespaced):
            raise not_found_path(path)
        name = rest[1] if len(rest) > 1 else None
        subresource = rest[2] if len(rest) > 2 else None
        if subresource and subresource not in rtype.subresources:
            raise not_found_path(path)
        if name and rtype.namespaced and namespace is None:
            raise not_found_path(path)  # a namespaced object is only named in its namespace
        return Target(rtype, namespace, name, subresource, watch_path)

    # -- resources -----------------------------------------------------------------

    def _verb(self, request: web.Request, target: Target) -> str:
        if request.method == "GET":
            if target.watch_path or _flag(request.query.get("watch")):
                return "watch"
            return "get" if target.name else "list"
        if request.method == "DELETE":
            return "delete" if target.name else "deletecollection"
        if request.method not in VERBS:
            raise MethodNotAllowed(
                f"the server does not allow this method on the requested resource"
                f" ({request.method})"
            )
        return VERBS[request.method]

    async def _serve(self, request: web.Request, target: Target) -> web.StreamResponse:
        verb = self._verb(request, target)
        self._check_verb(target, verb)
        self._authorize(request, target, verb)
        await self.faults.check_resource(target.rtype, verb)
        rtype = target.rtype
        if rtype.group == "metrics.k8s.io":
            return self._metrics(request, target)
        if rtype.virtual:
            return await self._review(request, target)
        if target.subresource == "log":
            return await self._log(request, target)
        if target.subresource == "scale":
            return await self._scale(request, target, verb)
        if target.subresource == "eviction":
            return await self._evict(request, target)
        if verb == "watch":
            return await self._watch(request, target)
        if verb == "get":
            return self._get(request, target)
        if verb == "list":
            return self._list(request, target)
        if verb == "deletecollection":
            return self._delete_collection(request, target)
        body = await self._body(request, verb)
        if verb == "create":
            return self._create(request, target, body)
        if verb == "update":
            return self._update(request, target, body)
        if verb == "patch":
            return self._patch(request, target, body)
        return self._delete(request, target, body)

    def _check_verb(self, target: Target, verb: str) -> None:
        if target.subresource:
            allowed = {"log": ("get",), "eviction": ("create",)}.get(
                target.subresource, ("get", "update", "patch")
            )
        else:
            allowed = target.rtype.verbs
        named_only = verb in ("get", "update", "patch", "delete")
        if (
            verb not in allowed
            or (named_only and not target.name)
            or (
                verb in ("create", "list", "deletecollection")
                and target.name
                and not target.subresource
            )
        ):
            raise MethodNotAllowed(
                "the server does not allow this method on the requested resource",
                details={
                    "kind": target.rtype.plural,
                    **({"name": target.name} if target.name else {}),
                },
            )

    async def _body(self, request: web.Request, verb: str) -> Any:
        raw = await request.read()
        if not raw:
            return None
        content_type = request.content_type
        if content_type.startswith(PROTOBUF):
            raise UnsupportedMediaType(
                f"the body of the request was in an unknown format - accepted media types"
                f" include: application/json, application/yaml ({content_type})"
            )
        try:
            return json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            pass
        try:
            return yaml.safe_load(raw)
        except yaml.YAMLError:
            raise BadRequest(
                f"the body of the request could not be decoded as JSON or YAML ({verb})"
            ) from None

    def _render(self, request: web.Request) -> Render:
        """Table, PartialObjectMetadata or plain JSON, as the Accept header asks."""
        accept = request.headers.get("Accept", "")
        for option in accept.split(","):
            params = {}
            for part in option.split(";")[1:]:
                name, _, value = part.strip().partition("=")
                params[name] = value
            if params.get("g") != "meta.k8s.io":
                continue
            if params.get("as") == "Table" and params.get("v") in ("v1", "v1beta1"):
                include = request.query.get("includeObject") or "Metadata"
                return Render(table=f"meta.k8s.io/{params['v']}", include_object=include)
            if params.get("as", "").startswith("PartialObjectMetadata"):
                return Render(partial=True)
        if accept and all(
            option.split(";")[0].strip().startswith(PROTOBUF) for option in accept.split(",")
        ):
            raise NotAcceptable("only application/json is served here (no protobuf)")
        return Render()

    def _one(
        self, request: web.Request, rtype: ResourceType, obj: Obj, code: int = 200
    ) -> web.Response:
        render = self._render(request)
        if render.table:
            body = tables.table(
                rtype, [obj], resource_version=obj["metadata"].get("resourceVersion", ""),
                include_object=render.include_object,
            )  # fmt: skip
            body["apiVersion"] = render.table
            return _json(body, code)
        if render.partial:
            return _json(tables.partial_metadata(obj), code)
        return _json(obj, code)

    def _predicate(self, request: web.Request, target: Target) -> Predicate:
        try:
            predicate = matcher(
                request.query.get("labelSelector"),
                request.query.get("fieldSelector"),
                None if target.rtype.custom else target.rtype.kind,
            )
        except SelectorError as error:
            raise BadRequest(str(error)) from None
        if target.name:  # a watch on one object (the legacy /watch/.../name path)
            name, inner = target.name, predicate
            return lambda obj: obj["metadata"].get("name") == name and inner(obj)
        return predicate

    # -- get and list --------------------------------------------------------------

    def _get(self, request: web.Request, target: Target) -> web.Response:
        obj = self.store.find(target.rtype, target.namespace, target.name or "")
        if obj is None:
            obj = self._synthetic(target)
        return self._one(request, target.rtype, obj)

    def _synthetic(self, target: Target) -> Obj:
        """A node's heartbeat Lease, as its kubelet would keep it, when none is stored
        (`kubectl describe node` reads it)."""
        node = self.store.find(NODES, None, target.name or "")
        if target.rtype is not LEASES or target.namespace != "kube-node-lease" or node is None:
            return self.store.get(target.rtype, target.namespace, target.name or "")
        renewed = next(
            (c.get("lastHeartbeatTime") for c in node.get("status", {}).get("conditions", [])
             if c.get("type") == "Ready" and c.get("lastHeartbeatTime")),
            now_rfc3339(),
        )  # fmt: skip
        return {
            "kind": "Lease",
            "apiVersion": "coordination.k8s.io/v1",
            "metadata": {
                "name": node["metadata"]["name"],
                "namespace": "kube-node-lease",
                "uid": node["metadata"].get("uid", ""),
                "resourceVersion": node["metadata"]["resourceVersion"],
                "creationTimestamp": node["metadata"].get("creationTimestamp"),
                "ownerReferences": [{"apiVersion": "v1", "kind": "Node",
                                     "name": node["metadata"]["name"],
                                     "uid": node["metadata"].get("uid", "")}],
            },
            "spec": {
                "holderIdentity": node["metadata"]["name"],
                "leaseDurationSeconds": 40,
                "renewTime": renewed.replace("Z", ".000000Z") if renewed.endswith("Z") else renewed,
            },
        }  # fmt: skip

    def _list_version(self, request: web.Request) -> int | None:
        """The version to list at: None for "now" (the usual case)."""
        rv = _int_param(request.query, "resourceVersion")
        match = request.query.get("resourceVersionMatch", "")
        if match and match not in ("Exact", "NotOlderThan"):
            raise BadRequest(f"resourceVersionMatch: unsupported value {match!r}")
        if match and not rv and rv != 0:
            raise BadRequest("resourceVersionMatch is forbidden unless resourceVersion is provided")
        if not rv:
            return None
        if rv > self.store.resource_version:
            current = self.store.resource_version
            raise Timeout(
                f"Too large resource version: {rv}, current: {current}",
                details={
                    "causes": [
                        {
                            "reason": "ResourceVersionTooLarge",
                            "message": "Too large resource version",
                        }
                    ],
                    "retryAfterSeconds": 1,
                },
            )
        return rv if match == "Exact" else None

    def _list(self, request: web.Request, target: Target) -> web.Response:
        query = request.query
        predicate = self._predicate(request, target)
        limit = _int_param(query, "limit") or 0
        if token := query.get("continue"):
            rv, after = self._decode_continue(token)
        else:
            rv, after = self._list_version(request), None
        if rv is None:
            items, rv = self.store.list(target.rtype, target.namespace, predicate), None
        else:
            try:
                items = self.store.list_at(target.rtype, target.namespace, predicate, rv)
            except Gone:
                if token:
                    raise self._expired_continue(after) from None
                raise
        list_rv = rv if rv is not None else self.store.resource_version
        start = 0
        if after is not None:
            keys = [key_of(target.rtype, obj) for obj in items]
            start = bisect.bisect_right(keys, after)
        page = items[start : start + limit] if limit else items[start:]
        next_token, remaining = "", None
        if limit and start + limit < len(items):
            next_token = self._encode_continue(list_rv, key_of(target.rtype, page[-1]))
            remaining = len(items) - start - limit
        return self._list_response(request, target, page, list_rv, next_token, remaining)

    def _list_response(
        self,
        request: web.Request,
        target: Target,
        page: list[Obj],
        rv: int,
        next_token: str,
        remaining: int | None,
    ) -> web.Response:
        render = self._render(request)
        if render.table:
            body = tables.table(
                target.rtype, page, resource_version=str(rv), include_object=render.include_object,
                continue_token=next_token, remaining=remaining,
            )  # fmt: skip
            body["apiVersion"] = render.table
            return _json(body)
        metadata: Obj = {"resourceVersion": str(rv)}
        if next_token:
            metadata["continue"] = next_token
            metadata["remainingItemCount"] = remaining
        if render.partial:
            items = [tables.partial_metadata(obj) for obj in page]
            return _json({"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1",
                          "metadata": metadata, "items": items})  # fmt: skip
        return _json(
            {
                "kind": f"{target.rtype.kind}List",
                "apiVersion": target.rtype.api_version,
                "metadata": metadata,
                "items": page,
            }
        )

    @staticmethod
    def _encode_continue(rv: int, after: tuple[str, str]) -> str:
        """As the API server's: the list's version and the key to continue after."""
        state = {"v": "meta.k8s.io/v1", "rv": rv, "start": f"{after[0]}/{after[1]}\x00"}
        return base64.urlsafe_b64encode(_dumps(state).encode()).decode().rstrip("=")

    def _decode_continue(self, token: str) -> tuple[int | None, tuple[str, str]]:
        try:
            padded = token + "=" * (-len(token) % 4)
            state = json.loads(base64.urlsafe_b64decode(padded.encode()))
            rv, start = int(state["rv"]), str(state["start"]).rstrip("\x00")
            namespace, _, name = start.partition("/")
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise BadRequest("continue key is not valid: incorrect encoded start resourceVersion"
                             " (version meta.k8s.io/v1)") from None  # fmt: skip
        # rv -1: "continue from here on the current state" (the token a 410 hands out).
        return (None if rv == -1 else rv), (namespace, name)

    def _expired_continue(self, after: tuple[str, str] | None) -> Gone:
        error = Gone(
            "The provided continue parameter is too old to display a consistent list result."
            " You can start a new list without the continue parameter, or use the continue"
            " token in this response to retrieve the remainder of the results. Continuing with"
            " the provided token results in an inconsistent list - objects that were created,"
            " modified, or deleted between the time the first chunk was returned and now may"
            " show up in the list."
        )
        if after is not None:
            error.status_metadata = {"continue": self._encode_continue(-1, after)}
        return error

    # -- watch ---------------------------------------------------------------------

    async def _watch(self, request: web.Request, target: Target) -> web.StreamResponse:
        query = request.query
        predicate = self._predicate(request, target)
        since = _int_param(query, "resourceVersion")
        initial = _flag(query.get("sendInitialEvents"))
        bookmarks = _flag(query.get("allowWatchBookmarks"))
        if initial and not bookmarks:
            raise Invalid(
                "sendInitialEvents is forbidden for watch unless allowWatchBookmarks=true"
            )
        render = self._render(request)
        timeout = float(_int_param(query, "timeoutSeconds") or WATCH_TIMEOUT_SECONDS)
        try:
            watcher = self.store.watch(
                target.rtype, target.namespace, predicate, since=None if initial else since
            )
        except Gone as error:
            watcher = None
            expired = status(410, "Expired", error.message)
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        if watcher is None:
            await response.write(_dumps({"type": "ERROR", "object": expired}).encode() + b"\n")
            return response
        stream = WatchStream(self, request, response, target, watcher, render, bookmarks)
        if initial:
            stream.initial_left = watcher.queue.qsize()
            stream.initial_rv = self.store.resource_version
        self.faults.watch_opened(watcher)
        try:
            await stream.run(time.monotonic() + timeout)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            watcher.close()
            self.faults.watch_closed(watcher)
        return response

    # -- writes --------------------------------------------------------------------

    def _prepare_new(self, target: Target, body: Any) -> Obj:
        if not isinstance(body, dict):
            raise BadRequest("the body of the request must be a JSON object")
        metadata = body.setdefault("metadata", {})
        if not isinstance(metadata, dict):
            raise BadRequest("metadata must be an object")
        if target.rtype.namespaced and target.namespace:
            given = metadata.get("namespace")
            if given and given != target.namespace:
                raise BadRequest(
                    "the namespace of the provided object does not match the namespace sent"
                    " on the request"
                )
            metadata["namespace"] = target.namespace
        api_version, kind = body.get("apiVersion"), body.get("kind")
        if api_version and api_version != target.rtype.api_version:
            raise BadRequest(
                f"the API version in the data ({api_version}) does not match the expected API"
                f" version ({target.rtype.api_version})"
            )
        if kind and kind != target.rtype.kind:
            raise BadRequest(
                f"the kind in the data ({kind}) does not match the expected kind"
                f" ({target.rtype.kind})"
            )
        body["apiVersion"], body["kind"] = target.rtype.api_version, target.rtype.kind
        return body

    def _dry_run(self, request: web.Request) -> bool:
        dry = request.query.getall("dryRun", [])
        if any(value != "All" for value in dry):
            raise BadRequest(f'dryRun: Unsupported value: {dry[0]!r}: supported values: "All"')
        return bool(dry)

    def _create(self, request: web.Request, target: Target, body: Any) -> web.Response:
        obj = self._prepare_new(target, body)
        obj = self.admission.admit_create(target.rtype, obj)
        if self._dry_run(request):
            self._check_absent(target.rtype, obj)
            return self._one(request, target.rtype, obj, code=201)
        created = self.store.create(target.rtype, obj, owned=True)
        return self._one(request, target.rtype, created, code=201)

    def _check_absent(self, rtype: ResourceType, obj: Obj) -> None:
        name = obj["metadata"].get("name", "")
        if name and self.store.find(rtype, obj["metadata"].get("namespace"), name) is not None:
            raise AlreadyExists(
                f'{rtype.key} "{name}" already exists',
                details={"name": name, "group": rtype.group, "kind": rtype.plural},
            )

    def _update(self, request: web.Request, target: Target, body: Any) -> web.Response:
        obj = self._prepare_new(target, body)
        if obj["metadata"].get("name") not in (None, target.name):
            raise BadRequest(
                f"the name of the object ({obj['metadata']['name']}) does not match the name on"
                f" the URL ({target.name})"
            )
        obj["metadata"]["name"] = target.name
        current = self.store.get(target.rtype, target.namespace, target.name or "")
        return self._store_update(request, target, obj, current)

    def _store_update(
        self, request: web.Request, target: Target, obj: Obj, current: Obj
    ) -> web.Response:
        """Split status from the rest as the status subresource does, admit, store."""
        if target.subresource == "status":
            rv = obj["metadata"].get("resourceVersion")
            obj = {**current, "status": obj.get("status", {})}
            obj["metadata"] = {**current["metadata"]}
            if rv:
                obj["metadata"]["resourceVersion"] = rv
        else:
            if "status" in target.rtype.subresources:
                if "status" in current:
                    obj["status"] = current["status"]
                else:
                    obj.pop("status", None)
            obj = self.admission.admit_update(target.rtype, obj, current)
        if self._dry_run(request):
            return self._one(request, target.rtype, obj)
        updated = self.store.replace(target.rtype, obj, owned=True)
        return self._one(request, target.rtype, updated)

    def _patch(self, request: web.Request, target: Target, body: Any) -> web.Response:
        current = self.store.find(target.rtype, target.namespace, target.name or "")
        content_type = request.content_type
        if current is None and content_type == APPLY_PATCH and not target.subresource:
            # Server-side apply creates what does not exist yet.
            obj = self._prepare_new(target, body)
            obj["metadata"].setdefault("name", target.name)
            return self._create(request, target, obj)
        if current is None:
            current = self.store.get(target.rtype, target.namespace, target.name or "")
        if body is None:
            raise BadRequest("the body of the request was empty: a patch is required")
        if target.rtype.custom and content_type == STRATEGIC_MERGE_PATCH:
            # Custom resources have no patch strategies: their server refuses this type.
            raise UnsupportedMediaType(
                "the body of the request was in an unknown format - accepted media types"
                f" include: {JSON_PATCH}, {MERGE_PATCH}, {APPLY_PATCH}"
            )
        patched = patch_or_raise(content_type, current, body)
        metadata = patched.setdefault("metadata", {})
        if not isinstance(metadata, dict):
            raise Invalid("metadata must be an object")
        metadata["name"] = current["metadata"]["name"]
        if target.rtype.namespaced:
            metadata["namespace"] = current["metadata"]["namespace"]
        patched["apiVersion"], patched["kind"] = target.rtype.api_version, target.rtype.kind
        return self._store_update(request, target, patched, current)

    def _delete_options(self, request: web.Request, body: Any) -> Obj:
        options = dict(body) if isinstance(body, dict) else {}
        grace = _int_param(request.query, "gracePeriodSeconds")
        if grace is not None:
            options["gracePeriodSeconds"] = grace
        for name in ("propagationPolicy", "orphanDependents"):
            if name in request.query:
                options[name] = request.query[name]
        policy = options.get("propagationPolicy")
        if policy not in (None, "Orphan", "Background", "Foreground"):
            raise BadRequest(f"propagationPolicy: Unsupported value: {policy!r}")
        return options

    def _check_preconditions(self, rtype: ResourceType, obj: Obj, options: Obj) -> None:
        preconditions = options.get("preconditions") or {}
        for field, label in (("uid", "UID"), ("resourceVersion", "ResourceVersion")):
            wanted, actual = preconditions.get(field), obj["metadata"].get(field)
            if wanted and wanted != actual:
                raise Conflict(
                    f"Operation cannot be fulfilled on {rtype.key} \"{obj['metadata']['name']}\":"
                    f" Precondition failed: {label} in precondition: {wanted}, {label} in object"
                    f" meta: {actual}",
                    details={"name": obj["metadata"]["name"], "group": rtype.group,
                             "kind": rtype.plural},
                )  # fmt: skip

    def _remove(self, rtype: ResourceType, obj: Obj, options: Obj) -> Obj:
        if self.hooks is not None:
            return self.hooks.delete(rtype, obj, options)
        return self.store.remove(rtype, obj["metadata"].get("namespace"), obj["metadata"]["name"])

    def _delete(self, request: web.Request, target: Target, body: Any) -> web.Response:
        rtype = target.rtype
        options = self._delete_options(request, body)
        current = self.store.get(rtype, target.namespace, target.name or "")
        self._check_preconditions(rtype, current, options)
        if self._dry_run(request):
            return self._deleted(rtype, current, gone=True)
        result = self._remove(rtype, current, options)
        still_there = self.store.find(rtype, target.namespace, target.name or "")
        # 202 only when the client asked for cascading deletion the old way, as the
        # API server does for compatibility; a lingering object is otherwise a 200.
        accepted = still_there is not None and options.get("orphanDependents") in (False, "false")
        return self._deleted(
            rtype, still_there or result, gone=still_there is None, code=202 if accepted else 200
        )

    def _deleted(
        self, rtype: ResourceType, obj: Obj, *, gone: bool, code: int = 200
    ) -> web.Response:
        """A Status (or the object, for Pods and Services) when the object is gone; the
        object, with its deletionTimestamp, when it lingers (graceful deletion,
        finalizers)."""
        if not gone:
            return _json(obj, code)
        if rtype.delete_returns_object:
            return _json(obj)
        metadata = obj["metadata"]
        details = {"name": metadata["name"], "kind": rtype.plural, "uid": metadata.get("uid", "")}
        if rtype.group:
            details["group"] = rtype.group
        body = status(200, "", "", details)
        del body["message"], body["reason"], body["code"]
        return _json(body)

    def _delete_collection(self, request: web.Request, target: Target) -> web.Response:
        options = self._delete_options(request, None)
        items = self.store.list(target.rtype, target.namespace, self._predicate(request, target))
        if not self._dry_run(request):
            for obj in items:
                self._remove(target.rtype, obj, options)
        return _json(
            {"kind": f"{target.rtype.kind}List", "apiVersion": target.rtype.api_version,
             "metadata": {"resourceVersion": str(self.store.resource_version)}, "items": items}
        )  # fmt: skip

    # -- subresources --------------------------------------------------------------

    async def _evict(self, request: web.Request, target: Target) -> web.Response:
        body = await self._body(request, "create")
        pod = self.store.get(target.rtype, target.namespace, target.name or "")
        options = (body or {}).get("deleteOptions") or {} if isinstance(body, dict) else {}
        self._check_preconditions(target.rtype, pod, options)
        if not self._dry_run(request):
            self._remove(target.rtype, pod, options)
        answer = status(201, "", "")
        answer["status"] = "Success"
        del answer["message"], answer["reason"]
        return _json(answer, 201)

    def _scale_object(self, obj: Obj) -> Obj:
        selector = tables.label_selector_text((obj.get("spec") or {}).get("selector"))
        return {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {
                "name": obj["metadata"]["name"],
                "namespace": obj["metadata"].get("namespace"),
                "uid": obj["metadata"]["uid"],
                "resourceVersion": obj["metadata"]["resourceVersion"],
                "creationTimestamp": obj["metadata"].get("creationTimestamp"),
            },
            "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 1)},
            "status": {
                "replicas": (obj.get("status") or {}).get("replicas", 0),
                "selector": "" if selector == "<none>" else selector,
            },
        }

    async def _scale(self, request: web.Request, target: Target, verb: str) -> web.Response:
        current = self.store.get(target.rtype, target.namespace, target.name or "")
        if verb == "get":
            return _json(self._scale_object(current))
        body = await self._body(request, verb)
        if verb == "patch":
            scale = patch_or_raise(request.content_type, self._scale_object(current), body)
        else:
            scale = body if isinstance(body, dict) else {}
        replicas = (scale.get("spec") or {}).get("replicas")
        if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 0:
            qualified = f'Scale.autoscaling "{target.name}" is invalid'
            raise Invalid(
                f"{qualified}: spec.replicas: Invalid value: {json.dumps(replicas)}: must be"
                " greater than or equal to 0",
                details={"name": target.name, "group": "autoscaling", "kind": "Scale"},
            )
        rv = (scale.get("metadata") or {}).get("resourceVersion")
        updated = {**current, "spec": {**(current.get("spec") or {}), "replicas": replicas}}
        updated["metadata"] = {**current["metadata"]}
        if verb == "update" and rv:
            updated["metadata"]["resourceVersion"] = rv  # a stale Scale is a conflict
        if self._dry_run(request):
            return _json(self._scale_object(updated))
        stored = self.store.replace(target.rtype, updated, owned=True)
        return _json(self._scale_object(stored))

    async def _log(self, request: web.Request, target: Target) -> web.StreamResponse:
        pod = self.store.get(target.rtype, target.namespace, target.name or "")
        query = request.query
        containers = [c["name"] for c in pod.get("spec", {}).get("containers", [])]
        container = query.get("container") or (containers[0] if len(containers) == 1 else "")
        if not container:
            raise BadRequest(
                f"a container name must be specified for pod {target.name}, choose one of:"
                f" [{' '.join(containers)}]"
            )
        if container not in containers:
            raise BadRequest(f"container {container} is not valid for pod {target.name}")
        if self.logs is None:
            return web.Response(text="", content_type="text/plain")
        previous = _flag(query.get("previous"))
        timestamps = _flag(query.get("timestamps"))
        lines = self.logs.read(
            pod,
            container,
            previous=previous,
            tail_lines=_int_param(query, "tailLines"),
            since_seconds=_int_param(query, "sinceSeconds"),
            since_time=query.get("sinceTime"),
            timestamps=timestamps,
            limit_bytes=_int_param(query, "limitBytes"),
        )
        follow = _flag(query.get("follow")) and not previous
        if not follow:
            return web.Response(
                text="".join(f"{line}\n" for line in lines), content_type="text/plain"
            )
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            if lines:
                await response.write("".join(f"{line}\n" for line in lines).encode())
            async for line in self.logs.follow(pod, container, timestamps=timestamps):
                await response.write(f"{line}\n".encode())
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        return response

    def _metrics(self, request: web.Request, target: Target) -> web.Response:
        if self.metrics is None:
            raise ApiError("the server is currently unable to handle the request")
        if target.rtype.kind == "PodMetrics":
            items = self.metrics.pod_metrics(target.namespace)
        else:
            items = self.metrics.node_metrics()
        predicate = self._predicate(request, target)
        items = [i for i in items if predicate(i)]
        if target.name:
            for item in items:
                if item["metadata"]["name"] == target.name:
                    return _json(item)
            raise NotFound(
                f'{target.rtype.key} "{target.name}" not found',
                details={"name": target.name, "group": "metrics.k8s.io",
                         "kind": target.rtype.plural},
            )  # fmt: skip
        return _json(
            {
                "kind": f"{target.rtype.kind}List",
                "apiVersion": target.rtype.api_version,
                "metadata": {},
                "items": items,
            }
        )

    async def _review(self, request: web.Request, target: Target) -> web.Response:
        body = await self._body(request, "create")
        body = self._prepare_new(target, body)
        user = request[USER]
        if target.rtype is ACCESS_REVIEWS:
            answer = access.access_review(user, body)
        elif target.rtype is RULES_REVIEWS:
            answer = access.rules_review(user, body)
        elif target.rtype is SELF_REVIEWS:
            answer = access.self_review(user, body)
        else:  # pragma: no cover - every virtual kind is answered above
            raise not_found_path(request.path)
        return _json(answer, 201)

    # -- the fault admin endpoint ---------------------------------------------------

    async def _admin(self, request: web.Request, path: str) -> web.Response:
        if path != "/_sim/faults":
            raise not_found_path(path)
        if request[USER] != access.ADMIN:
            raise Forbidden(
                'User "drill-readonly" cannot change faults', details={"kind": "faults"}
            )
        if request.method == "GET":
            return _json(self.faults.state())
        if request.method != "POST":
            raise MethodNotAllowed(f"{request.method} is not allowed on {path}")
        raw = await request.read()
        try:
            body = json.loads(raw or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise BadRequest("the body must be a JSON object (see tui/sim/faults.py)") from None
        return _json(self.faults.apply(body, self.control))


class WatchStream:
    """One watch response: sends queued changes in order, bookmarks when idle, and
    ends on timeout, when the watch is closed (a fault, a restart) or when the
    client goes away."""

    def __init__(
        self,
        server: ApiServer,
        request: web.Request,
        response: web.StreamResponse,
        target: Target,
        watcher: Watcher,
        render: Render,
        bookmarks: bool,
    ) -> None:
        self.server = server
        self.request = request
        self.response = response
        self.target = target
        self.watcher = watcher
        self.render = render
        self.bookmarks = bookmarks
        self.headers_sent = False
        # With sendInitialEvents: how many initial ADDED events are still to go
        # before the bookmark that ends them (-1: not asked for).
        self.initial_left = -1
        self.initial_rv = 0

    async def run(self, deadline: float) -> None:
        if self.initial_left == 0:
            await self.response.write(self._bookmark(initial_end=True))
            self.initial_left = -1
        next_bookmark = time.monotonic() + self.server.bookmark_seconds
        queue = self.watcher.queue
        while (remaining := deadline - time.monotonic()) > 0:
            wait = min(remaining, LIVENESS_SECONDS, max(0.0, next_bookmark - time.monotonic()))
            try:
                first = await asyncio.wait_for(queue.get(), timeout=wait)
            except TimeoutError:
                if self._client_gone():
                    return
                if self.bookmarks and time.monotonic() >= next_bookmark:
                    await self.response.write(self._bookmark())
                    next_bookmark = time.monotonic() + self.server.bookmark_seconds
                elif not self.bookmarks:
                    next_bookmark = time.monotonic() + LIVENESS_SECONDS
                continue
            batch, ended = [first], first is None
            while not ended and not queue.empty():  # send what piled up in one write
                item = queue.get_nowait()
                batch.append(item)
                ended = item is None
            chunk = b"".join(self._encode(c) for c in batch if c is not None)
            if chunk:
                await self.response.write(chunk)
            if ended:
                return

    def _client_gone(self) -> bool:
        transport = self.request.transport
        return transport is None or transport.is_closing()

    def _encode(self, change: Change) -> bytes:
        line = (
            change.line()
            if not (self.render.table or self.render.partial)
            else self._render(change)
        )
        if self.initial_left > 0:
            self.initial_left -= 1
            if self.initial_left == 0:
                self.initial_left = -1
                return line + self._bookmark(initial_end=True)
        return line

    def _render(self, change: Change) -> bytes:
        if self.render.partial:
            obj = tables.partial_metadata(change.obj)
        else:
            obj = tables.table(
                self.target.rtype, [change.obj],
                resource_version=change.obj["metadata"].get("resourceVersion", ""),
                include_object=self.render.include_object, headers=not self.headers_sent,
            )  # fmt: skip
            obj["apiVersion"] = self.render.table
            self.headers_sent = True
        return _dumps({"type": change.event_type, "object": obj}).encode() + b"\n"

    def _bookmark(self, *, initial_end: bool = False) -> bytes:
        rtype = self.target.rtype
        # Every matching change up to the bookmark's version has been sent: the initial
        # events end at the version they were read at; an idle watch is up to date.
        rv = self.initial_rv if initial_end else self.server.store.resource_version
        metadata: Obj = {"resourceVersion": str(rv)}
        if initial_end:
            metadata["annotations"] = {INITIAL_EVENTS_END: "true"}
        obj = {"kind": rtype.kind, "apiVersion": rtype.api_version, "metadata": metadata}
        return _dumps({"type": "BOOKMARK", "object": obj}).encode() + b"\n"


__all__ = ["AlreadyExists", "ApiServer", "Users"]
