"""The drill cluster's HTTP API: the Kubernetes REST protocol on aiohttp.

Paths, verbs, status objects, discovery, watch streams, server-side tables,
subresources (status, scale, log, eviction) and the metrics API follow the
real API server closely enough for `kubectl` and the `kubernetes` client.
Faults (see faults.py) are applied here, per request.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web

from tui.sim import tables
from tui.sim.faults import Faults
from tui.sim.patch import PatchError, apply_patch
from tui.sim.resources import GROUP_ORDER, RESOURCES, ResourceType, lookup
from tui.sim.selectors import SelectorError, matcher
from tui.sim.store import (
    AlreadyExists,
    ApiError,
    BadRequest,
    Forbidden,
    Gone,
    Invalid,
    NotFound,
    ObjectStore,
    Unauthorized,
)

Obj = dict[str, Any]
VERSION = {
    "major": "1",
    "minor": "31",
    "gitVersion": "v1.31.0-warroom-drill",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2026-01-01T00:00:00Z",
    "goVersion": "go1.22.0",
    "compiler": "gc",
    "platform": "linux/amd64",
}
BOOKMARK_SECONDS = 5.0
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


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
    """What the controllers do on behalf of the API (deletion, scale)."""

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
    return web.json_response(
        status(error.code, error.reason, error.message, error.details), status=error.code
    )


@dataclass(frozen=True, slots=True)
class Target:
    """What a request path names."""

    rtype: ResourceType
    namespace: str | None
    name: str | None
    subresource: str | None
    watch_path: bool  # the legacy /watch/ prefix


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
    ) -> None:
        self.store = store
        self.users = users
        self.faults = faults
        self.logs = logs
        self.metrics = metrics
        self.hooks = hooks
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
            user = self._authenticate(request)
            request["user"] = user
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
        if token and token == self.users.admin_token:
            return "admin"
        if token and token == self.users.readonly_token:
            return "readonly"
        raise Unauthorized("Unauthorized")

    def _authorize(self, request: web.Request, target: Target, verb: str) -> None:
        if request["user"] != "readonly":
            return
        if target.rtype.plural == "secrets" and target.rtype.group == "":
            raise Forbidden(
                f'secrets is forbidden: User "drill-readonly" cannot {verb} resource "secrets"'
                f' in API group "" in the namespace "{target.namespace or ""}"',
                details={"kind": "secrets"},
            )
        if request.method in MUTATING:
            scope = f' in the namespace "{target.namespace}"' if target.namespace else ""
            group = target.rtype.group
            raise Forbidden(
                f'{target.rtype.key} is forbidden: User "drill-readonly" cannot {verb} resource'
                f' "{target.rtype.plural}" in API group "{group}"{scope}',
                details={"kind": target.rtype.plural, "group": group},
            )

    # -- routing -------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.path.rstrip("/") or "/"
        if path in ("/healthz", "/livez", "/readyz"):
            return web.Response(text="ok")
        if path == "/version":
            return web.json_response(VERSION)
        if path == "/api":
            return web.json_response(
                {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                    {"clientCIDR": "0.0.0.0/0", "serverAddress": request.host}]}
            )  # fmt: skip
        if path == "/apis":
            return web.json_response(self._group_list())
        if path == "/api/v1":
            return web.json_response(self._resource_list("", "v1"))
        parts = path.strip("/").split("/")
        if parts[0] == "apis" and len(parts) == 2:
            group = self._group(parts[1])
            if group is None:
                raise NotFound(f"the server could not find the requested resource ({path})")
            return web.json_response(group)
        if parts[0] == "apis" and len(parts) == 3:
            listing = self._resource_list(parts[1], parts[2])
            if not listing["resources"]:
                raise NotFound(f"the server could not find the requested resource ({path})")
            return web.json_response(listing)
        if parts[0] in ("openapi", "swagger.json"):
            raise NotFound("the drill cluster does not serve OpenAPI documents")
        target = self._parse(parts, path)
        return await self._serve(request, target)

    def _parse(self, parts: list[str], path: str) -> Target:
        if parts[0] == "api" and len(parts) >= 3:
            group, version, rest = "", parts[1], parts[2:]
        elif parts[0] == "apis" and len(parts) >= 4:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise NotFound(f"the server could not find the requested resource ({path})")
        watch_path = False
        if rest[0] == "watch":
            watch_path, rest = True, rest[1:]
        namespace = None
        if rest and rest[0] == "namespaces" and len(rest) >= 3 and rest[2] not in (
            "status", "finalize"
        ):  # fmt: skip
            namespace, rest = rest[1], rest[2:]
        if not rest:
            raise NotFound(f"the server could not find the requested resource ({path})")
        rtype = lookup(group, version, rest[0])
        if rtype is None:
            raise NotFound(f"the server could not find the requested resource ({path})")
        name = rest[1] if len(rest) > 1 else None
        subresource = rest[2] if len(rest) > 2 else None
        if subresource and subresource not in rtype.subresources:
            raise NotFound(f"the server could not find the requested resource ({path})")
        if rtype.namespaced is False:
            namespace = None
        return Target(rtype, namespace, name, subresource, watch_path)

    # -- discovery -----------------------------------------------------------------

    def _group(self, name: str) -> Obj | None:
        versions = sorted({r.version for r in RESOURCES if r.group == name})
        if not versions:
            return None
        entries = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
        return {
            "kind": "APIGroup",
            "apiVersion": "v1",
            "name": name,
            "versions": entries,
            "preferredVersion": entries[0],
        }

    def _group_list(self) -> Obj:
        groups = [g for g in (self._group(name) for name in GROUP_ORDER) if g]
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}

    def _resource_list(self, group: str, version: str) -> Obj:
        resources = []
        for r in RESOURCES:
            if r.group != group or r.version != version:
                continue
            resources.append(
                {
                    "name": r.plural,
                    "singularName": r.singular,
                    "namespaced": r.namespaced,
                    "kind": r.kind,
                    "verbs": list(r.verbs),
                    "shortNames": list(r.short_names),
                    "categories": list(r.categories),
                }
            )
            for sub in r.subresources:
                verbs = {"log": ["get"], "eviction": ["create"]}.get(
                    sub, ["get", "patch", "update"]
                )
                kind = {"scale": "Scale", "eviction": "Eviction"}.get(sub, r.kind)
                entry: Obj = {
                    "name": f"{r.plural}/{sub}",
                    "singularName": "",
                    "namespaced": r.namespaced,
                    "kind": kind,
                    "verbs": verbs,
                }
                if sub == "scale":
                    entry.update(group="autoscaling", version="v1")
                if sub == "eviction":
                    entry.update(group="policy", version="v1")
                resources.append(entry)
        gv = f"{group}/{version}" if group else version
        return {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": gv,
            "resources": resources,
        }

    # -- resources -----------------------------------------------------------------

    async def _serve(self, request: web.Request, target: Target) -> web.StreamResponse:
        method = request.method
        query = request.query
        is_watch = target.watch_path or query.get("watch") in ("1", "true")
        verb = {
            "GET": "watch" if is_watch else ("get" if target.name else "list"),
            "POST": "create",
            "PUT": "update",
            "PATCH": "patch",
            "DELETE": "delete" if target.name else "deletecollection",
        }.get(method, method.lower())
        self._authorize(request, target, verb)
        await self.faults.check_resource(target.rtype, verb)
        if target.rtype.group == "metrics.k8s.io":
            return self._metrics(request, target)
        if target.subresource == "log":
            return await self._log(request, target)
        if target.subresource == "scale":
            return await self._scale(request, target)
        if target.subresource == "eviction" and method == "POST":
            return self._evict(target)
        if method == "GET" and is_watch:
            return await self._watch(request, target)
        if method == "GET" and target.name:
            obj = self.store.get(target.rtype, target.namespace, target.name)
            return self._respond(request, target.rtype, obj)
        if method == "GET":
            return self._list(request, target)
        body = await self._body(request)
        if method == "POST" and not target.name:
            return self._create(request, target, body)
        if method == "PUT" and target.name:
            return self._update(request, target, body)
        if method == "PATCH" and target.name:
            return self._patch(request, target, body)
        if method == "DELETE" and target.name:
            return self._delete(request, target, body)
        if method == "DELETE":
            return self._delete_collection(request, target, body)
        raise ApiError(f"method {method} is not supported here")

    async def _body(self, request: web.Request) -> Any:
        raw = await request.read()
        if not raw:
            return None
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            pass
        try:
            import yaml

            return yaml.safe_load(raw)
        except Exception:
            raise BadRequest("the request body is neither JSON nor YAML") from None

    def _wants_table(self, request: web.Request) -> str | None:
        """The includeObject policy when the client asked for a Table, else None."""
        accept = request.headers.get("Accept", "")
        for option in accept.split(","):
            if "as=Table" in option:
                return request.query.get("includeObject", "Metadata")
        return None

    def _respond(
        self, request: web.Request, rtype: ResourceType, obj: Obj, code: int = 200
    ) -> web.Response:
        include = self._wants_table(request)
        if include is not None:
            body = tables.table(
                rtype, [obj], resource_version=obj["metadata"]["resourceVersion"],
                include_object=include,
            )  # fmt: skip
            return web.json_response(body, status=code)
        return web.json_response(obj, status=code)

    def _predicate(self, request: web.Request) -> Callable[[Obj], bool]:
        try:
            return matcher(request.query.get("labelSelector"), request.query.get("fieldSelector"))
        except SelectorError as error:
            raise BadRequest(str(error)) from None

    def _list(self, request: web.Request, target: Target) -> web.Response:
        query = request.query
        items = self.store.list(target.rtype, target.namespace, self._predicate(request))
        rv = self.store.resource_version
        start = 0
        if token := query.get("continue"):
            try:
                state = json.loads(base64.urlsafe_b64decode(token.encode()))
                list_rv, start = int(state["rv"]), int(state["start"])
            except (ValueError, KeyError, TypeError):
                raise BadRequest("invalid continue token") from None
            self.store.check_continue(list_rv)
            rv = list_rv
        limit = int(query.get("limit") or 0)
        next_token, remaining = "", None
        if limit and start + limit < len(items):
            state = {"rv": rv, "start": start + limit}
            next_token = base64.urlsafe_b64encode(json.dumps(state).encode()).decode()
            remaining = len(items) - start - limit
        page = items[start : start + limit] if limit else items[start:]
        include = self._wants_table(request)
        if include is not None:
            body = tables.table(
                target.rtype, page, resource_version=str(rv), include_object=include,
                continue_token=next_token, remaining=remaining,
            )  # fmt: skip
            return web.json_response(body)
        metadata: Obj = {"resourceVersion": str(rv)}
        if next_token:
            metadata["continue"] = next_token
            metadata["remainingItemCount"] = remaining
        return web.json_response(
            {
                "kind": f"{target.rtype.kind}List",
                "apiVersion": target.rtype.api_version,
                "metadata": metadata,
                "items": page,
            }
        )

    async def _watch(self, request: web.Request, target: Target) -> web.StreamResponse:
        query = request.query
        predicate = self._predicate(request)
        name_filter = target.name
        if name_filter:
            inner = predicate
            predicate = lambda o: o["metadata"].get("name") == name_filter and inner(o)  # noqa: E731
        since = query.get("resourceVersion")
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            watcher = self.store.watch(
                target.rtype, target.namespace, predicate, since=int(since) if since else None
            )
        except Gone as error:
            await self._send(response, "ERROR", status(410, "Expired", error.message))
            return response
        except ValueError:
            await self._send(
                response, "ERROR", status(400, "BadRequest", "invalid resourceVersion")
            )
            return response
        bookmarks = query.get("allowWatchBookmarks") in ("1", "true")
        timeout = float(query.get("timeoutSeconds") or 1800)
        deadline = time.monotonic() + timeout
        self.faults.watch_opened(watcher)
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    item = await asyncio.wait_for(
                        watcher.queue.get(), timeout=min(BOOKMARK_SECONDS, remaining)
                    )
                except TimeoutError:
                    if bookmarks:
                        bookmark = {
                            "kind": target.rtype.kind,
                            "apiVersion": target.rtype.api_version,
                            "metadata": {"resourceVersion": str(self.store.resource_version)},
                        }
                        await self._send(response, "BOOKMARK", bookmark)
                    continue
                if item is None:
                    break
                event_type, obj = item
                await self._send(response, event_type, obj)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            watcher.close()
            self.faults.watch_closed(watcher)
        return response

    async def _send(self, response: web.StreamResponse, event_type: str, obj: Obj) -> None:
        line = json.dumps({"type": event_type, "object": obj}, separators=(",", ":"))
        await response.write(line.encode() + b"\n")

    def _prepare_new(self, target: Target, body: Any) -> Obj:
        if not isinstance(body, dict):
            raise BadRequest("the request body must be an object")
        body.setdefault("metadata", {})
        if target.namespace:
            given = body["metadata"].get("namespace")
            if given and given != target.namespace:
                raise BadRequest(
                    "the namespace of the provided object does not match the namespace sent"
                    " on the request"
                )
            body["metadata"]["namespace"] = target.namespace
        kind = body.get("kind")
        if kind and kind != target.rtype.kind:
            raise BadRequest(f"the object kind {kind} does not match {target.rtype.kind}")
        return body

    def _dry_run(self, request: web.Request) -> bool:
        return request.query.get("dryRun") == "All"

    def _create(self, request: web.Request, target: Target, body: Any) -> web.Response:
        obj = self._prepare_new(target, body)
        if self._dry_run(request):
            return web.json_response(obj, status=201)
        created = self.store.create(target.rtype, obj)
        return self._respond(request, target.rtype, created, code=201)

    def _update(self, request: web.Request, target: Target, body: Any) -> web.Response:
        obj = self._prepare_new(target, body)
        if obj["metadata"].get("name") not in (None, target.name):
            raise BadRequest("the name of the object does not match the name on the URL")
        obj["metadata"]["name"] = target.name
        current = self.store.get(target.rtype, target.namespace, target.name or "")
        if target.subresource == "status":
            obj = {**current, "status": obj.get("status", {})}
            obj["metadata"] = {**current["metadata"], "resourceVersion": body["metadata"].get(
                "resourceVersion", current["metadata"]["resourceVersion"])}  # fmt: skip
        elif "status" in current:
            obj["status"] = current["status"]  # the main resource cannot change status
        updated = self.store.replace(target.rtype, obj)
        return self._respond(request, target.rtype, updated)

    def _patch(self, request: web.Request, target: Target, body: Any) -> web.Response:
        current = self.store.get(target.rtype, target.namespace, target.name or "")
        try:
            patched = apply_patch(request.content_type, current, body)
        except PatchError as error:
            raise Invalid(str(error)) from None
        if not isinstance(patched, dict):
            raise Invalid("the patch did not produce an object")
        if target.subresource == "status":
            patched = {**current, "status": patched.get("status", {})}
        elif "status" in current:
            patched["status"] = current["status"]
        patched.setdefault("metadata", {})["name"] = current["metadata"]["name"]
        if target.rtype.namespaced:
            patched["metadata"]["namespace"] = current["metadata"]["namespace"]
        if self._dry_run(request):
            return web.json_response(patched)
        updated = self.store.replace(target.rtype, patched)
        return self._respond(request, target.rtype, updated)

    def _delete(self, request: web.Request, target: Target, body: Any) -> web.Response:
        options = body if isinstance(body, dict) else {}
        if "gracePeriodSeconds" in request.query:
            options["gracePeriodSeconds"] = int(request.query["gracePeriodSeconds"])
        if "propagationPolicy" in request.query:
            options["propagationPolicy"] = request.query["propagationPolicy"]
        current = self.store.get(target.rtype, target.namespace, target.name or "")
        if self._dry_run(request):
            return web.json_response(current)
        if self.hooks is not None:
            result = self.hooks.delete(target.rtype, current, options)
        else:
            result = self.store.remove(target.rtype, target.namespace, target.name or "")
        return web.json_response(result)

    def _delete_collection(self, request: web.Request, target: Target, body: Any) -> web.Response:
        options = body if isinstance(body, dict) else {}
        items = self.store.list(target.rtype, target.namespace, self._predicate(request))
        for obj in items:
            if self.hooks is not None:
                self.hooks.delete(target.rtype, obj, options)
            else:
                self.store.remove(target.rtype, target.namespace, obj["metadata"]["name"])
        return web.json_response(
            {"kind": f"{target.rtype.kind}List", "apiVersion": target.rtype.api_version,
             "metadata": {"resourceVersion": str(self.store.resource_version)}, "items": items}
        )  # fmt: skip

    def _evict(self, target: Target) -> web.Response:
        current = self.store.get(target.rtype, target.namespace, target.name or "")
        if self.hooks is not None:
            self.hooks.delete(target.rtype, current, {})
        else:
            self.store.remove(target.rtype, target.namespace, target.name or "")
        return web.json_response(status(201, "", "eviction created"), status=201)

    # -- subresources --------------------------------------------------------------

    def _scale_object(self, target: Target, obj: Obj) -> Obj:
        selector = (obj.get("spec", {}).get("selector") or {}).get("matchLabels") or {}
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
            "spec": {"replicas": obj.get("spec", {}).get("replicas", 1)},
            "status": {
                "replicas": obj.get("status", {}).get("replicas", 0),
                "selector": ",".join(f"{k}={v}" for k, v in sorted(selector.items())),
            },
        }

    async def _scale(self, request: web.Request, target: Target) -> web.Response:
        current = self.store.get(target.rtype, target.namespace, target.name or "")
        if request.method == "GET":
            return web.json_response(self._scale_object(target, current))
        body = await self._body(request)
        if request.method == "PATCH":
            try:
                scale = apply_patch(request.content_type, self._scale_object(target, current), body)
            except PatchError as error:
                raise Invalid(str(error)) from None
        elif request.method == "PUT":
            scale = body if isinstance(body, dict) else {}
        else:
            raise ApiError(f"method {request.method} is not supported on scale")
        try:
            replicas = int(scale["spec"]["replicas"])
        except (KeyError, TypeError, ValueError):
            raise Invalid("spec.replicas must be a number") from None
        if replicas < 0:
            raise Invalid("spec.replicas must be greater than or equal to 0")
        updated = {**current, "spec": {**current.get("spec", {}), "replicas": replicas}}
        updated = self.store.replace(target.rtype, updated, check_version=False)
        return web.json_response(self._scale_object(target, updated))

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
        previous = query.get("previous") in ("1", "true")
        timestamps = query.get("timestamps") in ("1", "true")
        lines = self.logs.read(
            pod,
            container,
            previous=previous,
            tail_lines=int(query["tailLines"]) if "tailLines" in query else None,
            since_seconds=int(query["sinceSeconds"]) if "sinceSeconds" in query else None,
            since_time=query.get("sinceTime"),
            timestamps=timestamps,
            limit_bytes=int(query["limitBytes"]) if "limitBytes" in query else None,
        )
        follow = query.get("follow") in ("1", "true") and not previous
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
            raise NotFound("metrics are not available")
        if target.rtype.kind == "PodMetrics":
            items = self.metrics.pod_metrics(target.namespace)
        else:
            items = self.metrics.node_metrics()
        predicate = self._predicate(request)
        items = [i for i in items if predicate(i)]
        if target.name:
            for item in items:
                if item["metadata"]["name"] == target.name:
                    return web.json_response(item)
            raise NotFound(f'{target.rtype.key} "{target.name}" not found')
        return web.json_response(
            {
                "kind": f"{target.rtype.kind}List",
                "apiVersion": target.rtype.api_version,
                "metadata": {},
                "items": items,
            }
        )


__all__ = ["AlreadyExists", "ApiServer", "Users"]
