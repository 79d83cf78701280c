"""Faults injected into the drill cluster, seen through the real `kubernetes` client,
kubectl and the admin endpoint: one kind failing while the rest works, latency,
dropped watches, expired versions, a restart mid-watch, revoked tokens."""

from __future__ import annotations

import functools
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import urllib3
import yaml
from kubernetes import client, watch
from kubernetes.client.exceptions import ApiException

from tests.sim.conftest import Drill, running_drill
from tests.sim.helpers import api_client, https_client
from tests.sim.helpers import error_of as failure

Obj = dict[str, Any]


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Drill]:
    with running_drill(tmp_path_factory.mktemp("faults") / "kubeconfig") as started:
        yield started


@pytest.fixture
def drill(shared: Drill) -> Iterator[Drill]:
    """The module's cluster, healed after each test."""
    yield shared
    shared.heal()


def admin_http(drill: Drill, token: str | None = None) -> httpx.Client:
    """Plain HTTPS with the admin's token by default, another token, or none ("")."""
    return https_client(drill, drill.cluster.users.admin_token if token is None else token)


def new_namespace(core: client.CoreV1Api) -> str:
    name = f"f-{uuid.uuid4().hex[:8]}"
    core.create_namespace({"metadata": {"name": name}})
    return name


def configmap(name: str) -> Obj:
    return {"metadata": {"name": name}, "data": {"k": "v"}}


class Follower(threading.Thread):
    """Watches config maps in a namespace like a careful controller: the client's own
    re-watch after a stream ends, and on errors a retry from the last version seen."""

    def __init__(self, api: client.ApiClient, namespace: str, since: str) -> None:
        super().__init__(daemon=True)
        self.core = client.CoreV1Api(api)
        self.namespace, self.since = namespace, since
        self.names: list[tuple[str, str]] = []
        self.versions: list[int] = []
        self.errors: list[BaseException] = []
        self.watch_calls = 0
        self.done = threading.Event()

    def run(self) -> None:
        @functools.wraps(self.core.list_namespaced_config_map)
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.watch_calls += 1
            return self.core.list_namespaced_config_map(*args, **kwargs)

        deadline = time.monotonic() + 30
        while not self.done.is_set() and time.monotonic() < deadline:
            stream = watch.Watch()
            try:
                for event in stream.stream(counted, self.namespace, resource_version=self.since,
                                           _request_timeout=(2, 10)):  # fmt: skip
                    metadata = event["raw_object"]["metadata"]
                    self.since = metadata["resourceVersion"]
                    if metadata["name"] == "end":
                        self.done.set()
                        stream.stop()
                        break
                    self.names.append((event["type"], metadata["name"]))
                    self.versions.append(int(metadata["resourceVersion"]))
            except (urllib3.exceptions.HTTPError, ApiException, OSError) as error:
                self.errors.append(error)
                time.sleep(0.2)

    def wait_for(self, count: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while len(self.names) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.names) >= count, (self.names, self.errors)


def follow_new_namespace(api: client.ApiClient) -> tuple[client.CoreV1Api, str, Follower]:
    """A fresh namespace, and a Follower already watching its config maps from now on."""
    core = client.CoreV1Api(api)
    namespace = new_namespace(core)
    since = core.list_namespaced_config_map(namespace).metadata.resource_version
    follower = Follower(api, namespace, since)
    follower.start()
    return core, namespace, follower


# -- errors and latency ---------------------------------------------------------------


def test_one_kind_answers_500_while_the_others_work(drill: Drill) -> None:
    with api_client(drill) as api:
        core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
        drill.call(drill.cluster.faults.fail, "pods", 500)
        code, body = failure(lambda: core.list_pod_for_all_namespaces())
        assert (code, body["reason"]) == (500, "InternalError")
        assert core.list_config_map_for_all_namespaces().items is not None
        assert apps.list_deployment_for_all_namespaces().items is not None
        result = drill.kubectl("get", "pods", "-A", check=False)
        assert result.returncode == 1 and "Error from server (InternalError)" in result.stderr
        assert drill.kubectl("get", "configmaps", "-A").returncode == 0
        drill.call(drill.cluster.faults.heal, "pods")
        assert core.list_pod_for_all_namespaces().items is not None


def test_a_kind_forbidden_for_some_verbs_only(drill: Drill) -> None:
    with api_client(drill) as api:
        core = client.CoreV1Api(api)
        namespace = new_namespace(core)
        core.create_namespaced_config_map(namespace, configmap("cm"))
        drill.call(drill.cluster.faults.fail, "configmaps", 403, ["list", "watch"])
        code, body = failure(lambda: core.list_namespaced_config_map(namespace))
        assert (code, body["reason"]) == (403, "Forbidden")
        assert 'cannot list resource "configmaps"' in body["message"]
        assert core.read_namespaced_config_map("cm", namespace).metadata.name == "cm"


def test_latency_makes_impatient_clients_time_out(drill: Drill) -> None:
    with api_client(drill) as api:
        api.configuration.retries = 0  # one attempt, so the timeout is the client's own
        core = client.CoreV1Api(api)
        drill.call(setattr, drill.cluster.faults, "latency", 2.0)
        with pytest.raises(urllib3.exceptions.HTTPError):
            core.list_namespace(_request_timeout=(2, 0.3))
        drill.call(setattr, drill.cluster.faults, "latency", 0.0)
        assert core.list_namespace(_request_timeout=(2, 5)).items


# -- watches ------------------------------------------------------------------------


def test_a_dropped_watch_is_resumed_without_losing_or_repeating(drill: Drill) -> None:
    with api_client(drill) as api:
        core, namespace, follower = follow_new_namespace(api)
        for name in ("a", "b"):
            core.create_namespaced_config_map(namespace, configmap(name))
        follower.wait_for(2)
        assert drill.call(drill.cluster.faults.drop_watches) >= 1
        core.patch_namespaced_config_map("a", namespace, {"data": {"k": "2"}})
        core.delete_namespaced_config_map("b", namespace)
        for name in ("c", "end"):
            core.create_namespaced_config_map(namespace, configmap(name))
        follower.join(20)
    assert follower.done.is_set() and follower.errors == []
    assert follower.names == [
        ("ADDED", "a"), ("ADDED", "b"), ("MODIFIED", "a"), ("DELETED", "b"), ("ADDED", "c"),
    ]  # fmt: skip
    assert follower.versions == sorted(set(follower.versions))
    assert follower.watch_calls >= 2  # the stream ended and the client watched again


def test_expired_versions_from_the_admin_endpoint_are_410(drill: Drill) -> None:
    with api_client(drill) as api:
        core = client.CoreV1Api(api)
        namespace = new_namespace(core)
        old = core.list_namespaced_config_map(namespace).metadata.resource_version
        core.create_namespaced_config_map(namespace, configmap("a"))
        with admin_http(drill) as http:
            assert http.post("/_sim/faults", json={"expire_versions": True}).status_code == 200
        with pytest.raises(ApiException) as caught:
            for _ in watch.Watch().stream(core.list_namespaced_config_map, namespace,
                                          resource_version=old):  # fmt: skip
                pass
        assert caught.value.status == 410
        fresh = core.list_namespaced_config_map(namespace)
        assert [c.metadata.name for c in fresh.items] == ["a"]


def test_a_restart_mid_watch_drops_connections_then_serves_the_same_state(
    start_drill: Callable[..., Drill],
) -> None:
    drill = start_drill("healthy")
    port = drill.cluster.port
    with api_client(drill) as api:
        api.configuration.retries = 0
        core, namespace, follower = follow_new_namespace(api)
        core.create_namespaced_config_map(namespace, configmap("before"))
        follower.wait_for(1)
        drill.call(drill.cluster.restart, 1.0)
        assert drill.cluster.port == port
        core.create_namespaced_config_map(namespace, configmap("after"))
        core.create_namespaced_config_map(namespace, configmap("end"))
        follower.join(20)
        names = [c.metadata.name for c in core.list_namespaced_config_map(namespace).items]
    assert follower.done.is_set()
    assert follower.errors, "the client must have seen the server go away"
    assert follower.names == [("ADDED", "before"), ("ADDED", "after")]
    assert names == ["after", "before", "end"]


def test_revoked_tokens_are_401_until_the_kubeconfig_is_reloaded(
    start_drill: Callable[..., Drill],
) -> None:
    drill = start_drill("healthy")
    with api_client(drill) as api:
        core = client.CoreV1Api(api)
        assert core.list_namespace().items
        drill.call(drill.cluster.revoke_tokens)
        code, body = failure(lambda: core.list_namespace())
        assert (code, body["reason"]) == (401, "Unauthorized")
    with api_client(drill) as renewed:  # the cluster rewrote the kubeconfig it handed out
        assert client.CoreV1Api(renewed).list_namespace().items
    assert drill.kubectl("get", "namespaces").returncode == 0


# -- the admin endpoint ------------------------------------------------------------------


def test_admin_endpoint_sets_and_heals_errors(drill: Drill) -> None:
    with admin_http(drill) as http, api_client(drill) as api:
        core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
        body = {"errors": {"pods": 503, "deployments.apps": {"code": 403, "verbs": ["list"]}},
                "latency": 0.01}  # fmt: skip
        answer = http.post("/_sim/faults", json=body)
        assert answer.status_code == 200
        state = answer.json()
        assert state["errors"] == {"deployments.apps": {"code": 403, "verbs": ["list"]},
                                   "pods": {"code": 503, "verbs": None}}  # fmt: skip
        assert state["latency"] == 0.01
        assert http.get("/_sim/faults").json()["errors"] == state["errors"]
        assert failure(lambda: core.list_pod_for_all_namespaces())[0] == 503
        assert failure(lambda: apps.list_deployment_for_all_namespaces())[0] == 403
        assert core.list_namespace().items
        healed = http.post("/_sim/faults", json={"errors": {"pods": None}}).json()
        assert list(healed["errors"]) == ["deployments.apps"]
        assert core.list_pod_for_all_namespaces().items is not None
        assert http.post("/_sim/faults", json={"heal": True}).json()["errors"] == {}
        assert apps.list_deployment_for_all_namespaces().items is not None


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'{"errors": {"pods": 999}}',
        b'{"errors": {"pods": "500"}}',
        b'{"errors": {"pods": {"code": 500, "verbs": ["fly"]}}}',
        b'{"latency": -1}',
        b'{"explode": true}',
    ],
)
def test_admin_endpoint_refuses_bad_input(drill: Drill, body: bytes) -> None:
    with admin_http(drill) as http:
        answer = http.post("/_sim/faults", content=body,
                           headers={"Content-Type": "application/json"})  # fmt: skip
        assert answer.status_code == 400
        assert answer.json()["reason"] == "BadRequest"
        assert http.get("/_sim/faults").json()["errors"] == {}


def test_admin_endpoint_is_for_the_admin_only(drill: Drill) -> None:
    with admin_http(drill, drill.cluster.users.readonly_token) as http:
        assert http.post("/_sim/faults", json={"heal": True}).status_code == 403
    with admin_http(drill, "") as http:
        assert http.get("/_sim/faults").status_code == 401


def test_admin_endpoint_drops_watches_and_counts_them(drill: Drill) -> None:
    with api_client(drill) as api:
        core, namespace, follower = follow_new_namespace(api)
        core.create_namespaced_config_map(namespace, configmap("a"))
        follower.wait_for(1)
        with admin_http(drill) as http:
            answer = http.post("/_sim/faults", json={"drop_watches": True}).json()
        assert answer["droppedWatches"] >= 1
        core.create_namespaced_config_map(namespace, configmap("b"))
        core.create_namespaced_config_map(namespace, configmap("end"))
        follower.join(20)
    assert follower.names == [("ADDED", "a"), ("ADDED", "b")]


def test_admin_endpoint_restarts_and_revokes(start_drill: Callable[..., Drill]) -> None:
    drill = start_drill("healthy")
    old_token = drill.cluster.users.admin_token
    with admin_http(drill) as http:
        answer = http.post("/_sim/faults", json={"revoke_tokens": True, "restart": 0.5})
    assert answer.status_code == 200
    kubeconfig = answer.json()["kubeconfig"]
    tokens = {u["name"]: u["user"]["token"] for u in kubeconfig["users"]}
    assert tokens["drill-admin"] != old_token
    assert yaml.safe_load(drill.kubeconfig.read_text())["users"] == kubeconfig["users"]
    deadline = time.monotonic() + 10
    healthy = False
    while not healthy and time.monotonic() < deadline:
        time.sleep(0.1)
        try:
            with admin_http(drill, tokens["drill-admin"]) as http:
                healthy = http.get("/_sim/faults").status_code == 200
        except httpx.TransportError:
            pass
    assert healthy
    with admin_http(drill, old_token) as http:
        assert http.get("/api/v1/namespaces").status_code == 401
