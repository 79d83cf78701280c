"""The drill cluster against the real `kubernetes` Python client and raw HTTPS.

One cluster serves the whole module; every test works in namespaces of its
own and tolerates the world's controllers acting on what it creates.
"""

from __future__ import annotations

import functools
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from kubernetes import client, dynamic, watch
from kubernetes.client.exceptions import ApiException

from tests.sim.conftest import Drill, running_drill
from tests.sim.helpers import api_client, error_of, https_client

Obj = dict[str, Any]
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
AGGREGATED = "application/json;g=apidiscovery.k8s.io;v={};as=APIGroupDiscoveryList"
GROUP_VERSIONS = [
    "apps/v1",
    "networking.k8s.io/v1",
    "autoscaling/v2",
    "metrics.k8s.io/v1beta1",
    "cert-manager.io/v1",
    "acme.cert-manager.io/v1",
    "coordination.k8s.io/v1",
    "authorization.k8s.io/v1",
    "authentication.k8s.io/v1",
]


@pytest.fixture(scope="module")
def drill(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Drill]:
    with running_drill(tmp_path_factory.mktemp("drill") / "kubeconfig") as started:
        yield started


@pytest.fixture(scope="module")
def admin(drill: Drill) -> Iterator[client.ApiClient]:
    with api_client(drill) as api:
        yield api


@pytest.fixture(scope="module")
def readonly(drill: Drill) -> Iterator[client.ApiClient]:
    with api_client(drill, "warroom-drill-readonly") as api:
        yield api


def raw(drill: Drill, token: str | None = "admin") -> httpx.Client:
    """Plain HTTPS with a user's token ("admin", "readonly"), another token, or none."""
    users = drill.cluster.users
    tokens = {"admin": users.admin_token, "readonly": users.readonly_token}
    return https_client(drill, tokens.get(token, token) if token else "")


@pytest.fixture
def ns(admin: client.ApiClient) -> str:
    return make_namespace(admin)


def make_namespace(api: client.ApiClient) -> str:
    name = f"t-{uuid.uuid4().hex[:8]}"
    client.CoreV1Api(api).create_namespace({"metadata": {"name": name}})
    return name


def configmap(name: str, **labels: str) -> Obj:
    return {"metadata": {"name": name, "labels": labels}, "data": {"k": "v"}}


def deployment(name: str, replicas: int = 1, labels: dict[str, str] | None = None) -> Obj:
    labels = labels or {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {"name": "app", "image": "app:1", "env": [{"name": "A", "value": "1"}]},
                        {"name": "proxy", "image": "proxy:1"},
                    ]
                },
            },
        },
    }


# -- discovery ----------------------------------------------------------------------------


def test_version_and_legacy_discovery(drill: Drill, admin: client.ApiClient) -> None:
    assert client.VersionApi(admin).get_code().git_version.startswith("v1.31")
    assert client.CoreApi(admin).get_api_versions().versions == ["v1"]
    groups = client.ApisApi(admin).get_api_versions().groups
    served = {g.preferred_version.group_version for g in groups}
    assert set(GROUP_VERSIONS) <= served
    pods = next(
        r for r in client.CoreV1Api(admin).get_api_resources().resources if r.name == "pods"
    )
    assert pods.namespaced and "watch" in pods.verbs and pods.short_names == ["po"]
    with raw(drill) as http:
        for group_version in GROUP_VERSIONS:
            listing = http.get(f"/apis/{group_version}").json()
            assert listing["kind"] == "APIResourceList"
            assert listing["groupVersion"] == group_version and listing["resources"]
        group = http.get("/apis/apps").json()
        assert group["kind"] == "APIGroup" and group["preferredVersion"]["version"] == "v1"
        assert http.get("/apis/nosuch.example.com/v1").status_code == 404


def test_resource_lists_name_subresources_as_kubectl_expects(drill: Drill) -> None:
    with raw(drill) as http:
        apps = {r["name"]: r for r in http.get("/apis/apps/v1").json()["resources"]}
        core = {r["name"]: r for r in http.get("/api/v1").json()["resources"]}
    assert apps["deployments/scale"]["group"] == "autoscaling"
    assert apps["deployments/scale"]["kind"] == "Scale"
    assert core["pods/log"]["verbs"] == ["get"]
    assert core["pods/eviction"] == {
        "name": "pods/eviction",
        "singularName": "",
        "namespaced": True,
        "kind": "Eviction",
        "verbs": ["create"],
        "group": "policy",
        "version": "v1",
    }


@pytest.mark.parametrize("version", ["v2", "v2beta1"])
def test_aggregated_discovery_when_asked(drill: Drill, version: str) -> None:
    accept = AGGREGATED.format(version) + ",application/json"
    with raw(drill) as http:
        answer = http.get("/apis", headers={"Accept": accept})
        core = http.get("/api", headers={"Accept": accept}).json()
    assert answer.headers["Content-Type"] == AGGREGATED.format(version)
    body = answer.json()
    assert body["kind"] == "APIGroupDiscoveryList"
    assert body["apiVersion"] == f"apidiscovery.k8s.io/{version}"
    by_group = {item["metadata"]["name"]: item for item in body["items"]}
    for group_version in GROUP_VERSIONS:
        group, _, gv = group_version.partition("/")
        assert [v["version"] for v in by_group[group]["versions"]] == [gv]
    deployments = next(
        r for r in by_group["apps"]["versions"][0]["resources"] if r["resource"] == "deployments"
    )
    assert deployments["scope"] == "Namespaced"
    assert deployments["responseKind"] == {"group": "apps", "version": "v1", "kind": "Deployment"}
    scale = next(s for s in deployments["subresources"] if s["subresource"] == "scale")
    assert scale["responseKind"]["kind"] == "Scale"
    assert [item["metadata"]["name"] for item in core["items"]] == [""]
    pods = next(r for r in core["items"][0]["versions"][0]["resources"] if r["resource"] == "pods")
    assert pods["shortNames"] == ["po"] and pods["singularResource"] == "pod"


def test_plain_accept_gets_the_legacy_documents(drill: Drill) -> None:
    with raw(drill) as http:
        answer = http.get("/apis", headers={"Accept": "application/json"})
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json()["kind"] == "APIGroupList"


def test_openapi_documents_for_kubectl_validation(drill: Drill) -> None:
    with raw(drill) as http:
        root = http.get("/openapi/v3").json()["paths"]
        assert {"api/v1", "apis/apps/v1", "apis/cert-manager.io/v1"} <= set(root)
        document = http.get(root["apis/apps/v1"]["serverRelativeURL"]).json()
        protobuf = http.get(
            "/openapi/v2",
            headers={"Accept": "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"},
        )
        v2 = http.get("/openapi/v2", headers={"Accept": "application/json"}).json()
    patches = [item["patch"] for item in document["paths"].values() if "patch" in item]
    deployment_patch = next(
        p for p in patches if p["x-kubernetes-group-version-kind"]["kind"] == "Deployment"
    )
    assert "fieldValidation" in {p["name"] for p in deployment_patch["parameters"]}
    assert protobuf.content.startswith(b"\n\x032.0")  # field 1, "2.0"
    assert v2["swagger"] == "2.0"


def test_the_dynamic_client_finds_every_kind(admin: client.ApiClient) -> None:
    resources = dynamic.DynamicClient(admin).resources
    for api_version, kind in [
        ("cert-manager.io/v1", "Certificate"),
        ("acme.cert-manager.io/v1", "Challenge"),
        ("autoscaling/v2", "HorizontalPodAutoscaler"),
        ("networking.k8s.io/v1", "Ingress"),
        ("v1", "Pod"),
    ]:
        assert resources.get(api_version=api_version, kind=kind).kind == kind


# -- authentication and authorization -----------------------------------------------------


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_no_or_a_wrong_token_is_401(drill: Drill, token: str | None) -> None:
    with raw(drill, token) as http:
        answer = http.get("/api/v1/pods")
    assert answer.status_code == 401
    assert answer.json() | {"metadata": {}} == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "Unauthorized",
        "reason": "Unauthorized",
        "code": 401,
    }


def test_readonly_reads_but_may_not_change_anything(
    admin: client.ApiClient, readonly: client.ApiClient, ns: str
) -> None:
    client.CoreV1Api(admin).create_namespaced_config_map(ns, configmap("cm"))
    core = client.CoreV1Api(readonly)
    assert [c.metadata.name for c in core.list_namespaced_config_map(ns).items] == ["cm"]
    apps = client.AppsV1Api(readonly)
    attempts = {
        "create": lambda: core.create_namespaced_config_map(ns, configmap("other")),
        "update": lambda: core.replace_namespaced_config_map("cm", ns, configmap("cm")),
        "patch": lambda: core.patch_namespaced_config_map("cm", ns, {"data": {"x": "y"}}),
        "delete": lambda: core.delete_namespaced_config_map("cm", ns),
        "deletecollection": lambda: core.delete_collection_namespaced_config_map(ns),
    }
    for verb, attempt in attempts.items():
        code, body = error_of(attempt)
        assert (code, body["reason"]) == (403, "Forbidden")
        assert f'User "drill-readonly" cannot {verb} resource "configmaps"' in body["message"]
        assert body["details"]["kind"] == "configmaps"
    code, body = error_of(lambda: apps.create_namespaced_deployment(ns, deployment("d")))
    assert code == 403 and 'in API group "apps" in the namespace' in body["message"]


def test_readonly_may_not_read_secrets(drill: Drill, readonly: client.ApiClient, ns: str) -> None:
    core = client.CoreV1Api(readonly)
    for verb, attempt in {
        "list": lambda: core.list_namespaced_secret(ns),
        "get": lambda: core.read_namespaced_secret("any", ns),
        "list ": lambda: core.list_secret_for_all_namespaces(),
    }.items():
        code, body = error_of(attempt)
        assert code == 403, verb
        assert f'cannot {verb.strip()} resource "secrets"' in body["message"]
    with raw(drill, "readonly") as http:
        answer = http.get(f"/api/v1/namespaces/{ns}/secrets", params={"watch": "1"})
    assert answer.status_code == 403
    assert 'cannot watch resource "secrets"' in answer.json()["message"]


def test_access_reviews_answer_for_the_caller(
    admin: client.ApiClient, readonly: client.ApiClient
) -> None:
    def may(api: client.ApiClient, verb: str, resource: str, group: str = "") -> bool:
        review = {
            "spec": {
                "resourceAttributes": {
                    "verb": verb,
                    "resource": resource,
                    "group": group,
                    "namespace": "default",
                }
            }
        }
        answer = client.AuthorizationV1Api(api).create_self_subject_access_review(review)
        return answer.status.allowed

    assert may(admin, "delete", "deployments", "apps") and may(admin, "list", "secrets")
    assert may(readonly, "list", "pods") and may(readonly, "watch", "deployments", "apps")
    assert not may(readonly, "create", "pods") and not may(readonly, "list", "secrets")
    who = client.AuthenticationV1Api(readonly).create_self_subject_review({})
    assert who.status.user_info.username == "drill-readonly"


# -- list and watch --------------------------------------------------------------------


def watch_until(
    call: Callable[..., Any], *args: Any, stop_at: str, **kwargs: Any
) -> list[tuple[str, str]]:
    """(type, name) of every event before the first one about `stop_at`."""
    seen = []
    stream = watch.Watch()
    for event in stream.stream(call, *args, _request_timeout=(5, 15), **kwargs):
        name = event["raw_object"]["metadata"]["name"]
        if name == stop_at:
            stream.stop()
            break
        seen.append((event["type"], name))
    return seen


class Collector(threading.Thread):
    """Watches in the background until it sees an object named `stop_at`."""

    def __init__(self, list_call: Callable[..., Any], since: str, keep: set[str], stop_at: str):
        super().__init__(daemon=True)
        self.list_call, self.since, self.keep, self.stop_at = list_call, since, keep, stop_at
        self.events: list[tuple[str, str, str, int]] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        stream = watch.Watch()
        try:
            for event in stream.stream(
                self.list_call, resource_version=self.since, _request_timeout=(5, 15)
            ):
                metadata = event["raw_object"]["metadata"]
                if metadata.get("namespace") not in self.keep:
                    continue
                name = metadata["name"]
                self.events.append(
                    (event["type"], metadata["namespace"], name, int(metadata["resourceVersion"]))
                )
                if name == self.stop_at:
                    stream.stop()
        except BaseException as error:  # reported by the test
            self.error = error


def test_list_then_watch_sees_every_change_in_order(admin: client.ApiClient) -> None:
    core = client.CoreV1Api(admin)
    first, second = make_namespace(admin), make_namespace(admin)
    since = core.list_config_map_for_all_namespaces().metadata.resource_version
    expected: dict[str, list[tuple[str, str, str]]] = {"cm": [], "secret": []}
    versions: dict[tuple[str, str, str], int] = {}

    def did(kind: str, event: str, namespace: str, name: str, obj: Any = None) -> None:
        expected[kind].append((event, namespace, name))
        if obj is not None and hasattr(obj, "metadata"):
            versions[(kind, namespace, name + event)] = int(obj.metadata.resource_version)

    def changes(round_: int) -> None:
        for namespace in (first, second):
            name = f"c{round_}"
            did(
                "cm",
                "ADDED",
                namespace,
                name,
                core.create_namespaced_config_map(namespace, configmap(name)),
            )
            did(
                "secret",
                "ADDED",
                namespace,
                name,
                core.create_namespaced_secret(
                    namespace, {"metadata": {"name": name}, "stringData": {"a": "b"}}
                ),
            )
            did(
                "cm",
                "MODIFIED",
                namespace,
                name,
                core.patch_namespaced_config_map(name, namespace, {"data": {"k": str(round_)}}),
            )
            did(
                "secret",
                "MODIFIED",
                namespace,
                name,
                core.patch_namespaced_secret(
                    name, namespace, {"metadata": {"labels": {"r": str(round_)}}}
                ),
            )
            core.delete_namespaced_config_map(name, namespace)
            did("cm", "DELETED", namespace, name)

    changes(0)  # before the watches start: replayed from history
    collectors = {
        "cm": Collector(core.list_config_map_for_all_namespaces, since, {first, second}, "end"),
        "secret": Collector(core.list_secret_for_all_namespaces, since, {first, second}, "end"),
    }
    for collector in collectors.values():
        collector.start()
    for round_ in (1, 2, 3):  # while they run
        changes(round_)
    did("cm", "ADDED", second, "end", core.create_namespaced_config_map(second, configmap("end")))
    did(
        "secret",
        "ADDED",
        second,
        "end",
        core.create_namespaced_secret(second, {"metadata": {"name": "end"}}),
    )
    for kind, collector in collectors.items():
        collector.join(30)
        assert collector.error is None, collector.error
        seen = collector.events
        assert [(t, n, name) for t, n, name, _ in seen] == expected[kind]
        rvs = [rv for *_, rv in seen]
        assert rvs == sorted(set(rvs)), "versions must increase, without duplicates"
        for event, namespace, name, rv in seen:
            if (kind, namespace, name + event) in versions:
                assert versions[(kind, namespace, name + event)] == rv


def test_watch_resumes_after_a_version(admin: client.ApiClient, ns: str) -> None:
    core = client.CoreV1Api(admin)
    made = core.create_namespaced_config_map(ns, configmap("a"))
    core.patch_namespaced_config_map("a", ns, {"data": {"k": "2"}})
    core.create_namespaced_config_map(ns, configmap("b"))
    core.delete_namespaced_config_map("a", ns)
    core.create_namespaced_config_map(ns, configmap("end"))
    events = watch_until(
        core.list_namespaced_config_map,
        ns,
        stop_at="end",
        resource_version=made.metadata.resource_version,
    )
    assert events == [("MODIFIED", "a"), ("ADDED", "b"), ("DELETED", "a")]


def test_watch_without_a_version_starts_with_the_current_state(
    admin: client.ApiClient, ns: str
) -> None:
    core = client.CoreV1Api(admin)
    for name in ("b", "zz-end", "a"):
        core.create_namespaced_config_map(ns, configmap(name))
    events = watch_until(core.list_namespaced_config_map, ns, stop_at="zz-end")
    assert events == [("ADDED", "a"), ("ADDED", "b")]  # in key order, then the rest


def test_watch_bookmarks_when_allowed(drill: Drill, admin: client.ApiClient, ns: str) -> None:
    drill.call(setattr, drill.cluster.api, "bookmark_seconds", 0.2)
    core = client.CoreV1Api(admin)
    since = core.list_namespaced_config_map(ns).metadata.resource_version
    stream = watch.Watch()
    events = stream.stream(
        core.list_namespaced_config_map,
        ns,
        resource_version=since,
        allow_watch_bookmarks=True,
        _request_timeout=(5, 10),
    )
    bookmark = next(events)
    stream.stop()
    events.close()
    assert bookmark["type"] == "BOOKMARK" and set(bookmark["raw_object"]) == {
        "kind",
        "apiVersion",
        "metadata",
    }
    version = bookmark["raw_object"]["metadata"]["resourceVersion"]
    assert int(version) >= int(since)
    assert stream.resource_version == version  # the client resumes from a bookmark
    quiet = list(
        watch.Watch().stream(
            core.list_namespaced_config_map, ns, resource_version=since, timeout_seconds=1
        )
    )
    assert quiet == []  # none unless asked for


def test_initial_events_end_with_a_bookmark(drill: Drill, admin: client.ApiClient, ns: str) -> None:
    core = client.CoreV1Api(admin)
    for name in ("a", "b"):
        core.create_namespaced_config_map(ns, configmap(name))
    with raw(drill) as http:
        answer = http.get(
            f"/api/v1/namespaces/{ns}/configmaps",
            params={
                "watch": "1",
                "sendInitialEvents": "true",
                "allowWatchBookmarks": "true",
                "resourceVersionMatch": "NotOlderThan",
                "timeoutSeconds": "1",
            },
        )
    events = [json.loads(line) for line in answer.text.splitlines()]
    assert [e["type"] for e in events[:3]] == ["ADDED", "ADDED", "BOOKMARK"]
    annotations = events[2]["object"]["metadata"]["annotations"]
    assert annotations == {"k8s.io/initial-events-end": "true"}


def test_a_watch_from_an_expired_version_is_410_and_recovers(
    drill: Drill, admin: client.ApiClient, ns: str
) -> None:
    core = client.CoreV1Api(admin)
    old = core.list_namespaced_config_map(ns).metadata.resource_version
    core.create_namespaced_config_map(ns, configmap("before"))
    drill.call(drill.cluster.expire_versions)
    with pytest.raises(ApiException) as caught:
        for _ in watch.Watch().stream(core.list_namespaced_config_map, ns, resource_version=old):
            pass
    assert caught.value.status == 410
    assert "Expired: too old resource version" in caught.value.reason
    relisted = core.list_namespaced_config_map(ns)  # the recovery: list, then watch from it
    assert [c.metadata.name for c in relisted.items] == ["before"]
    core.create_namespaced_config_map(ns, configmap("after"))
    core.create_namespaced_config_map(ns, configmap("end"))
    events = watch_until(
        core.list_namespaced_config_map,
        ns,
        stop_at="end",
        resource_version=relisted.metadata.resource_version,
    )
    assert events == [("ADDED", "after")]


def test_a_selector_watch_sees_objects_enter_and_leave(admin: client.ApiClient, ns: str) -> None:
    core = client.CoreV1Api(admin)
    since = core.list_namespaced_config_map(ns).metadata.resource_version
    core.create_namespaced_config_map(ns, configmap("a", app="web"))
    core.patch_namespaced_config_map("a", ns, {"metadata": {"labels": {"app": "db"}}})
    core.patch_namespaced_config_map("a", ns, {"data": {"unseen": "1"}})
    core.patch_namespaced_config_map("a", ns, {"metadata": {"labels": {"app": "web"}}})
    core.create_namespaced_config_map(ns, configmap("end", app="web"))
    events = watch_until(
        core.list_namespaced_config_map,
        ns,
        label_selector="app=web",
        resource_version=since,
        stop_at="end",
    )
    assert events == [("ADDED", "a"), ("DELETED", "a"), ("ADDED", "a")]


def test_pages_read_one_snapshot_and_expired_tokens_are_410(
    drill: Drill, admin: client.ApiClient, ns: str
) -> None:
    core = client.CoreV1Api(admin)
    for index in range(25):
        core.create_namespaced_config_map(ns, configmap(f"cm-{index:02}"))
    first = core.list_namespaced_config_map(ns, limit=10)
    assert [c.metadata.name for c in first.items] == [f"cm-{i:02}" for i in range(10)]
    assert first.metadata.remaining_item_count == 15
    # Changes between pages do not show: the pages are of the first page's version.
    core.delete_namespaced_config_map("cm-15", ns)
    core.create_namespaced_config_map(ns, configmap("cm-100"))
    second = core.list_namespaced_config_map(ns, limit=10, _continue=first.metadata._continue)
    assert [c.metadata.name for c in second.items] == [f"cm-{i:02}" for i in range(10, 20)]
    assert second.metadata.resource_version == first.metadata.resource_version
    third = core.list_namespaced_config_map(ns, limit=10, _continue=second.metadata._continue)
    assert [c.metadata.name for c in third.items] == [f"cm-{i:02}" for i in range(20, 25)]
    assert not third.metadata._continue and third.metadata.remaining_item_count is None

    page = core.list_namespaced_config_map(ns, limit=10)
    drill.call(drill.cluster.expire_versions)
    code, body = error_of(
        lambda: core.list_namespaced_config_map(ns, limit=10, _continue=page.metadata._continue)
    )
    assert (code, body["reason"]) == (410, "Expired")
    assert "continue parameter is too old" in body["message"]
    # The 410 carries a token that continues on the current state.
    rest = core.list_namespaced_config_map(ns, _continue=body["metadata"]["continue"])
    names = [c.metadata.name for c in rest.items]
    assert names[0] == "cm-10" and "cm-100" in names and "cm-15" not in names


def test_a_list_at_an_exact_older_version(admin: client.ApiClient, ns: str) -> None:
    core = client.CoreV1Api(admin)
    then = core.create_namespaced_config_map(ns, configmap("a")).metadata.resource_version
    core.create_namespaced_config_map(ns, configmap("b"))
    old = core.list_namespaced_config_map(ns, resource_version=then, resource_version_match="Exact")
    assert [c.metadata.name for c in old.items] == ["a"]
    assert old.metadata.resource_version == then


def test_label_selectors(admin: client.ApiClient, ns: str) -> None:
    core = client.CoreV1Api(admin)
    for name, labels in [
        ("web-front", {"app": "web", "tier": "front"}),
        ("web-back", {"app": "web", "tier": "back"}),
        ("db", {"app": "db"}),
        ("bare", {}),
    ]:
        core.create_namespaced_config_map(ns, configmap(name, **labels))

    def names(selector: str) -> list[str]:
        items = core.list_namespaced_config_map(ns, label_selector=selector).items
        return sorted(c.metadata.name for c in items)

    assert names("app=web") == ["web-back", "web-front"]
    assert names("app!=web") == ["bare", "db"]
    assert names("app in (db,web),tier notin (front)") == ["db", "web-back"]
    assert names("app notin (web)") == ["bare", "db"]
    assert names("tier") == ["web-back", "web-front"]
    assert names("!tier") == ["bare", "db"]
    code, body = error_of(lambda: names("app in (web"))
    assert (code, body["reason"]) == (400, "BadRequest")


def test_field_selectors(admin: client.ApiClient, ns: str) -> None:
    core = client.CoreV1Api(admin)
    other = make_namespace(admin)
    for namespace in (ns, other):
        core.create_namespaced_config_map(namespace, configmap("same"))
    in_ns = core.list_config_map_for_all_namespaces(field_selector=f"metadata.namespace={ns}")
    assert [(c.metadata.namespace, c.metadata.name) for c in in_ns.items] == [(ns, "same")]
    named = core.list_config_map_for_all_namespaces(field_selector="metadata.name=same")
    assert sorted(c.metadata.namespace for c in named.items) == sorted([ns, other])

    for name, node in [("p1", "node-a"), ("p2", "node-b"), ("p3", "node-a")]:
        pod = {
            "metadata": {"name": name},
            "spec": {"nodeName": node, "containers": [{"name": "c", "image": "busybox:1"}]},
        }
        last = core.create_namespaced_pod(ns, pod).metadata.resource_version
    on_a = core.list_namespaced_pod(ns, field_selector="spec.nodeName=node-a")
    assert sorted(p.metadata.name for p in on_a.items) == ["p1", "p3"]
    # At the version the pods were created they were all Pending, whatever happened next.
    exact = {"resource_version": last, "resource_version_match": "Exact"}
    pending = core.list_namespaced_pod(ns, field_selector="status.phase=Pending", **exact)
    assert sorted(p.metadata.name for p in pending.items) == ["p1", "p2", "p3"]
    assert core.list_namespaced_pod(ns, field_selector="status.phase=Running", **exact).items == []

    for name, kind, reason, kind_of in [
        ("e1", "Warning", "BackOff", "Pod"),
        ("e2", "Normal", "Pulled", "Pod"),
        ("e3", "Warning", "FailedMount", "Deployment"),
    ]:
        core.create_namespaced_event(
            ns,
            {
                "metadata": {"name": name},
                "type": kind,
                "reason": reason,
                "message": "m",
                "involvedObject": {"kind": kind_of, "name": "p1", "namespace": ns},
                "source": {"component": "kubelet"},
            },
        )

    def events(selector: str) -> list[str]:
        items = core.list_namespaced_event(ns, field_selector=selector).items
        return sorted(e.metadata.name for e in items)

    assert events("involvedObject.kind=Pod,involvedObject.name=p1") == ["e1", "e2"]
    assert events("type=Warning") == ["e1", "e3"]
    assert events("type!=Warning,reason=Pulled") == ["e2"]
    assert events("source=kubelet") == ["e1", "e2", "e3"]
    code, body = error_of(lambda: core.list_namespaced_pod(ns, field_selector="spec.foo=bar"))
    assert (code, body["message"]) == (400, "field label not supported: spec.foo")


# -- writes and their Status objects -------------------------------------------------------


def test_create_conflicts_and_not_found_are_status_objects(
    admin: client.ApiClient, ns: str
) -> None:
    core = client.CoreV1Api(admin)
    made = core.create_namespaced_config_map(ns, configmap("cm"))
    code, body = error_of(lambda: core.create_namespaced_config_map(ns, configmap("cm")))
    assert (code, body["reason"], body["message"]) == (
        409,
        "AlreadyExists",
        'configmaps "cm" already exists',
    )
    assert body["details"] == {"name": "cm", "group": "", "kind": "configmaps"}
    code, body = error_of(lambda: core.read_namespaced_config_map("nope", ns))
    assert (code, body["reason"], body["status"]) == (404, "NotFound", "Failure")
    assert body["details"]["name"] == "nope" and body["details"]["kind"] == "configmaps"
    code, body = error_of(lambda: core.create_namespaced_config_map("no-such-ns", configmap("x")))
    assert (code, body["message"]) == (404, 'namespaces "no-such-ns" not found')

    current = core.replace_namespaced_config_map(
        "cm",
        ns,
        {
            "metadata": {"name": "cm", "resourceVersion": made.metadata.resource_version},
            "data": {"k": "2"},
        },
    )
    assert int(current.metadata.resource_version) > int(made.metadata.resource_version)
    stale = {
        "metadata": {"name": "cm", "resourceVersion": made.metadata.resource_version},
        "data": {"k": "3"},
    }
    code, body = error_of(lambda: core.replace_namespaced_config_map("cm", ns, stale))
    assert (code, body["reason"]) == (409, "Conflict")
    assert "the object has been modified" in body["message"]
    assert body["details"]["name"] == "cm"


def test_invalid_objects_are_422_with_causes(admin: client.ApiClient, ns: str) -> None:
    apps = client.AppsV1Api(admin)
    bad = deployment("web", labels={"app": "other"})
    bad["spec"]["replicas"] = -1
    code, body = error_of(lambda: apps.create_namespaced_deployment(ns, bad))
    assert (code, body["reason"]) == (422, "Invalid")
    assert body["message"].startswith('Deployment.apps "web" is invalid: [')
    fields = {c["field"]: c["reason"] for c in body["details"]["causes"]}
    assert fields == {
        "spec.replicas": "FieldValueInvalid",
        "spec.template.metadata.labels": "FieldValueInvalid",
    }
    assert body["details"]["kind"] == "Deployment" and body["details"]["group"] == "apps"
    core = client.CoreV1Api(admin)
    code, body = error_of(lambda: core.create_namespaced_config_map(ns, configmap("Bad_Name")))
    assert code == 422 and body["details"]["causes"][0]["field"] == "metadata.name"
    code, body = error_of(
        lambda: core.create_namespaced_pod(
            ns, {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}}
        )
    )
    assert code == 422 and "spec.containers[0].image: Required value" in body["message"]


def test_bad_requests_are_400(drill: Drill, ns: str) -> None:
    with raw(drill) as http:
        path = f"/api/v1/namespaces/{ns}/configmaps"
        wrong_kind = http.post(
            path, json={"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}}
        )
        other_ns = http.post(path, json={"metadata": {"name": "x", "namespace": "elsewhere"}})
        garbage = http.post(
            path, content=b"{not json", headers={"Content-Type": "application/json"}
        )
        bad_limit = http.get(path, params={"limit": "many"})
    for answer in (wrong_kind, other_ns, garbage, bad_limit):
        assert answer.status_code == 400
        assert answer.json()["reason"] == "BadRequest"
    assert "does not match" in wrong_kind.json()["message"]


def test_the_three_patch_types(admin: client.ApiClient, ns: str) -> None:
    apps = client.AppsV1Api(admin)
    apps.create_namespaced_deployment(ns, deployment("web"))
    env = {
        "spec": {
            "template": {
                "spec": {"containers": [{"name": "app", "env": [{"name": "B", "value": "2"}]}]}
            }
        }
    }
    patched = apps.patch_namespaced_deployment("web", ns, env)  # strategic merge by default
    containers = patched.spec.template.spec.containers
    assert [c.name for c in containers] == ["app", "proxy"]
    assert [(e.name, e.value) for e in containers[0].env] == [("A", "1"), ("B", "2")]
    only = {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "app:2"}]}}}}
    merged = apps.patch_namespaced_deployment(
        "web", ns, only, _content_type="application/merge-patch+json"
    )
    assert [(c.name, c.env) for c in merged.spec.template.spec.containers] == [("app", None)]
    jsonpatched = apps.patch_namespaced_deployment(
        "web", ns, [{"op": "replace", "path": "/spec/replicas", "value": 4}]
    )
    assert jsonpatched.spec.replicas == 4
    assert jsonpatched.metadata.generation > patched.metadata.generation
    failing = [{"op": "test", "path": "/spec/replicas", "value": 99}]
    code, body = error_of(lambda: apps.patch_namespaced_deployment("web", ns, failing))
    assert (code, body["reason"]) == (422, "Invalid")
    code, body = error_of(
        lambda: apps.patch_namespaced_deployment(
            "web", ns, {"spec": {"selector": {"matchLabels": {"app": "x"}}}}
        )
    )
    assert code == 422 and "field is immutable" in body["message"]


def test_custom_resources_take_merge_patches_but_not_strategic(
    drill: Drill, admin: client.ApiClient, ns: str
) -> None:
    custom = client.CustomObjectsApi(admin)
    certificate = {
        "apiVersion": "cert-manager.io/v1",
        "kind": "Certificate",
        "metadata": {"name": "tls"},
        "spec": {
            "secretName": "tls",
            "dnsNames": ["a.example.com"],
            "issuerRef": {"name": "letsencrypt", "kind": "ClusterIssuer"},
        },
    }
    custom.create_namespaced_custom_object("cert-manager.io", "v1", ns, "certificates", certificate)
    patched = custom.patch_namespaced_custom_object(
        "cert-manager.io",
        "v1",
        ns,
        "certificates",
        "tls",
        {"spec": {"dnsNames": ["b.example.com"]}},
    )
    assert patched["spec"]["dnsNames"] == ["b.example.com"]
    with raw(drill) as http:
        answer = http.patch(
            f"/apis/cert-manager.io/v1/namespaces/{ns}/certificates/tls",
            content=b'{"spec":{"secretName":"x"}}',
            headers={"Content-Type": "application/strategic-merge-patch+json"},
        )
    assert answer.status_code == 415 and answer.json()["reason"] == "UnsupportedMediaType"


def test_delete_answers_a_status_or_the_object(admin: client.ApiClient, ns: str) -> None:
    core = client.CoreV1Api(admin)
    made = core.create_namespaced_config_map(ns, configmap("cm"))
    gone = core.delete_namespaced_config_map("cm", ns)  # the client hands back the dict
    assert (gone["kind"], gone["status"]) == ("Status", "Success")
    assert gone["details"] == {"name": "cm", "kind": "configmaps", "uid": made.metadata.uid}
    code, body = error_of(lambda: core.delete_namespaced_config_map("cm", ns))
    assert (code, body["reason"]) == (404, "NotFound")
    pod = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "x:1"}]}}
    core.create_namespaced_pod(ns, pod)
    answer = core.delete_namespaced_pod("p", ns, grace_period_seconds=0)
    assert isinstance(answer, client.V1Pod) and answer.metadata.name == "p"
    made = core.create_namespaced_config_map(ns, configmap("guarded"))
    preconditions = {"preconditions": {"uid": "not-the-uid"}}
    code, body = error_of(
        lambda: core.delete_namespaced_config_map("guarded", ns, body=preconditions)
    )
    assert (code, body["reason"]) == (409, "Conflict") and "Precondition failed" in body["message"]


def test_an_object_with_a_finalizer_waits_for_it(admin: client.ApiClient, ns: str) -> None:
    core = client.CoreV1Api(admin)
    held = configmap("held")
    held["metadata"]["finalizers"] = ["example.com/hold"]
    core.create_namespaced_config_map(ns, held)
    answer = core.delete_namespaced_config_map("held", ns)
    assert answer["metadata"]["deletionTimestamp"]  # the object, still there
    lingering = core.read_namespaced_config_map("held", ns)
    assert lingering.metadata.deletion_timestamp is not None
    core.patch_namespaced_config_map("held", ns, {"metadata": {"finalizers": None}},
                                     _content_type="application/merge-patch+json")  # fmt: skip
    code, _ = error_of(lambda: core.read_namespaced_config_map("held", ns))
    assert code == 404


def test_status_is_written_through_its_subresource_only(admin: client.ApiClient, ns: str) -> None:
    core = client.CoreV1Api(admin)
    service = {
        "metadata": {"name": "lb"},
        "spec": {"type": "ClusterIP", "ports": [{"port": 80}], "selector": {"app": "x"}},
        "status": {"loadBalancer": {"ingress": [{"ip": "9.9.9.9"}]}},
    }
    made = core.create_namespaced_service(ns, service)
    assert made.status.load_balancer.ingress is None  # status is reset on create
    assert made.spec.cluster_ip.startswith("10.") and made.spec.ports[0].protocol == "TCP"
    status = {"status": {"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}]}}}
    updated = core.patch_namespaced_service_status("lb", ns, status)
    assert updated.status.load_balancer.ingress[0].ip == "1.2.3.4"
    main = {
        "metadata": {"name": "lb", "labels": {"x": "y"}},
        "spec": made.to_dict()["spec"],
        "status": {"loadBalancer": {}},
    }
    main["spec"] = {"type": "ClusterIP", "ports": [{"port": 80}], "selector": {"app": "x"}}
    replaced = core.replace_namespaced_service("lb", ns, main)
    assert replaced.metadata.labels == {"x": "y"}
    assert replaced.status.load_balancer.ingress[0].ip == "1.2.3.4"
    assert replaced.spec.cluster_ip == made.spec.cluster_ip  # kept when left out


def test_scale_subresource(admin: client.ApiClient, ns: str) -> None:
    apps = client.AppsV1Api(admin)
    apps.create_namespaced_deployment(ns, deployment("web", replicas=2))
    scale = apps.read_namespaced_deployment_scale("web", ns)
    assert (scale.spec.replicas, scale.status.selector) == (2, "app=web")
    assert (
        apps.patch_namespaced_deployment_scale("web", ns, {"spec": {"replicas": 5}}).spec.replicas
        == 5
    )
    assert apps.read_namespaced_deployment("web", ns).spec.replicas == 5
    stale = {
        "metadata": {"name": "web", "resourceVersion": scale.metadata.resource_version},
        "spec": {"replicas": 1},
    }
    code, _ = error_of(lambda: apps.replace_namespaced_deployment_scale("web", ns, stale))
    assert code == 409
    code, body = error_of(
        lambda: apps.patch_namespaced_deployment_scale("web", ns, {"spec": {"replicas": -1}})
    )
    assert code == 422 and "spec.replicas" in body["message"]


def test_server_side_tables(drill: Drill, admin: client.ApiClient, ns: str) -> None:
    client.CoreV1Api(admin).create_namespaced_pod(
        ns, {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "x:1"}]}}
    )
    with raw(drill) as http:
        table = http.get(f"/api/v1/namespaces/{ns}/pods", headers={"Accept": TABLE}).json()
        one = http.get(
            f"/api/v1/namespaces/{ns}/pods/p",
            headers={"Accept": TABLE},
            params={"includeObject": "Object"},
        ).json()
    assert table["kind"] == "Table" and table["apiVersion"] == "meta.k8s.io/v1"
    columns = [(c["name"], c["priority"]) for c in table["columnDefinitions"]]
    assert columns[:5] == [("Name", 0), ("Ready", 0), ("Status", 0), ("Restarts", 0), ("Age", 0)]
    assert ("Node", 1) in columns
    assert table["rows"][0]["cells"][:2] == ["p", "0/1"]
    assert table["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
    assert one["rows"][0]["object"]["spec"]["containers"][0]["image"] == "x:1"


def test_watch_with_a_counted_list_call(admin: client.ApiClient, ns: str) -> None:
    """The client's watch keeps the return type of a wrapped list call (used by the fault
    tests to count re-watches)."""
    core = client.CoreV1Api(admin)
    calls: list[int] = []

    @functools.wraps(core.list_namespaced_config_map)
    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return core.list_namespaced_config_map(*args, **kwargs)

    core.create_namespaced_config_map(ns, configmap("a"))
    events = watch.Watch().stream(counted, ns, _request_timeout=(5, 10))
    first = next(events)
    events.close()
    assert calls == [1] and isinstance(first["object"], client.V1ConfigMap)


def test_module_cluster_kubeconfig_is_private(drill: Drill) -> None:
    assert Path(drill.kubeconfig).stat().st_mode & 0o777 == 0o600
