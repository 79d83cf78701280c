"""The object store on its own: versions, history, watches, snapshots, compaction."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from tui.sim.resources import CONFIGMAPS, DEPLOYMENTS, PODS, SECRETS
from tui.sim.selectors import matcher
from tui.sim.store import (
    AlreadyExists,
    Change,
    Conflict,
    Gone,
    Invalid,
    NotFound,
    ObjectStore,
    Watcher,
)

Obj = dict[str, Any]
EVERYTHING = matcher(None, None)


def cm(name: str, namespace: str = "ns", **labels: str) -> Obj:
    return {"metadata": {"name": name, "namespace": namespace, "labels": labels}, "data": {}}


def drain(watcher: Watcher) -> list[tuple[str, str, str]]:
    """(type, name, resourceVersion) of everything queued, in order."""
    seen = []
    while not watcher.queue.empty():
        change = watcher.queue.get_nowait()
        if change is None:
            seen.append(("CLOSED", "", ""))
            continue
        metadata = change.obj["metadata"]
        seen.append((change.event_type, metadata["name"], metadata["resourceVersion"]))
    return seen


def rv(obj: Obj) -> int:
    return int(obj["metadata"]["resourceVersion"])


def test_every_change_gets_the_next_version_across_kinds() -> None:
    store = ObjectStore()
    a = store.create(CONFIGMAPS, cm("a"))
    b = store.create(SECRETS, {"metadata": {"name": "b", "namespace": "ns"}})
    a2 = store.replace(CONFIGMAPS, {**a, "data": {"k": "v"}})
    gone = store.remove(SECRETS, "ns", "b")
    assert [rv(a), rv(b), rv(a2), rv(gone)] == list(range(rv(a), rv(a) + 4))
    assert store.resource_version == rv(gone)


def test_create_fills_identity_and_refuses_duplicates() -> None:
    store = ObjectStore()
    made = store.create(CONFIGMAPS, cm("a"))
    assert made["kind"] == "ConfigMap" and made["apiVersion"] == "v1"
    assert made["metadata"]["uid"] and made["metadata"]["creationTimestamp"].endswith("Z")
    with pytest.raises(AlreadyExists) as caught:
        store.create(CONFIGMAPS, cm("a"))
    assert caught.value.details == {"name": "a", "group": "", "kind": "configmaps"}
    generated = store.create(CONFIGMAPS, {"metadata": {"generateName": "web-", "namespace": "n"}})
    assert generated["metadata"]["name"].startswith("web-")
    with pytest.raises(Invalid):
        store.create(CONFIGMAPS, {"metadata": {"namespace": "n"}})


def test_replace_checks_the_version_and_keeps_server_fields() -> None:
    store = ObjectStore()
    made = store.create(
        DEPLOYMENTS, {"metadata": {"name": "d", "namespace": "n"}, "spec": {"replicas": 1}}
    )
    stale = json.loads(json.dumps(made))
    newer = store.replace(DEPLOYMENTS, {**made, "spec": {"replicas": 2}})
    assert newer["metadata"]["generation"] == 2
    assert newer["metadata"]["uid"] == made["metadata"]["uid"]
    with pytest.raises(Conflict) as caught:
        store.replace(DEPLOYMENTS, {**stale, "spec": {"replicas": 3}})
    assert "the object has been modified" in caught.value.message
    # Without a version the write is unconditional; a change of metadata only
    # does not bump the generation.
    relabelled = {**newer, "metadata": {**newer["metadata"], "labels": {"a": "b"}}}
    del relabelled["metadata"]["resourceVersion"]
    assert store.replace(DEPLOYMENTS, relabelled)["metadata"]["generation"] == 2


def test_an_update_that_changes_nothing_makes_no_version() -> None:
    store = ObjectStore()
    made = store.create(CONFIGMAPS, cm("a"))
    before = store.resource_version
    assert store.replace(CONFIGMAPS, json.loads(json.dumps(made))) is made
    assert store.resource_version == before


def test_stored_objects_are_never_changed_in_place() -> None:
    store = ObjectStore()
    given = cm("a")
    made = store.create(CONFIGMAPS, given)
    given["data"]["x"] = "changed by the caller"
    assert made["data"] == {}
    snapshot = json.dumps(made, sort_keys=True)
    store.replace(CONFIGMAPS, {**made, "data": {"k": "v"}})
    store.mark_deleting(CONFIGMAPS, "ns", "a")
    store.remove(CONFIGMAPS, "ns", "a")
    assert json.dumps(made, sort_keys=True) == snapshot


def test_watch_from_a_version_replays_what_followed_in_order() -> None:
    store = ObjectStore()
    a = store.create(CONFIGMAPS, cm("a"))
    store.create(SECRETS, {"metadata": {"name": "s", "namespace": "ns"}})
    store.replace(CONFIGMAPS, {**a, "data": {"k": "1"}})
    store.create(CONFIGMAPS, cm("b", "other"))
    store.remove(CONFIGMAPS, "ns", "a")
    everywhere = store.watch(CONFIGMAPS, None, EVERYTHING, since=rv(a))
    assert [(t, n) for t, n, _ in drain(everywhere)] == [
        ("MODIFIED", "a"),
        ("ADDED", "b"),
        ("DELETED", "a"),
    ]
    in_ns = store.watch(CONFIGMAPS, "ns", EVERYTHING, since=rv(a))
    assert [(t, n) for t, n, _ in drain(in_ns)] == [("MODIFIED", "a"), ("DELETED", "a")]


def test_watch_without_a_version_starts_with_what_exists() -> None:
    store = ObjectStore()
    store.create(CONFIGMAPS, cm("b"))
    store.create(CONFIGMAPS, cm("a"))
    watcher = store.watch(CONFIGMAPS, "ns", EVERYTHING, since=None)
    assert [(t, n) for t, n, _ in drain(watcher)] == [("ADDED", "a"), ("ADDED", "b")]
    store.create(CONFIGMAPS, cm("c"))
    assert [(t, n) for t, n, _ in drain(watcher)] == [("ADDED", "c")]


def test_a_selector_watch_sees_objects_enter_and_leave() -> None:
    store = ObjectStore()
    watcher = store.watch(CONFIGMAPS, None, matcher("app=web", None), since=None)
    made = store.create(CONFIGMAPS, cm("a", app="web"))
    moved = store.replace(
        CONFIGMAPS, {**made, "metadata": {**made["metadata"], "labels": {"app": "db"}}}
    )
    unseen = store.replace(CONFIGMAPS, {**moved, "data": {"unseen": "1"}})
    back = store.replace(
        CONFIGMAPS, {**unseen, "metadata": {**unseen["metadata"], "labels": {"app": "web"}}}
    )
    store.remove(CONFIGMAPS, "ns", "a")
    events = drain(watcher)
    assert [(t, n) for t, n, _ in events] == [
        ("ADDED", "a"),
        ("DELETED", "a"),
        ("ADDED", "a"),
        ("DELETED", "a"),
    ]
    # The DELETED for leaving the selector carries the new version.
    assert events[1][2] == moved["metadata"]["resourceVersion"]
    assert events[2][2] == back["metadata"]["resourceVersion"]


def test_history_overflow_compacts_and_old_versions_are_gone() -> None:
    store = ObjectStore(history=5)
    first = store.create(CONFIGMAPS, cm("a"))
    for index in range(10):
        store.create(CONFIGMAPS, cm(f"x{index}"))
    with pytest.raises(Gone) as caught:
        store.watch(CONFIGMAPS, None, EVERYTHING, since=rv(first))
    assert caught.value.code == 410 and caught.value.reason == "Expired"
    # The oldest version still covered by the history resumes fine.
    watcher = store.watch(CONFIGMAPS, None, EVERYTHING, since=store.compacted_version)
    assert len(drain(watcher)) == 5


def test_expire_history_makes_every_seen_version_too_old_but_a_new_list_works() -> None:
    store = ObjectStore()
    store.create(CONFIGMAPS, cm("a"))
    seen = store.resource_version
    store.expire_history()
    with pytest.raises(Gone):
        store.watch(CONFIGMAPS, None, EVERYTHING, since=seen)
    relisted = store.resource_version
    watcher = store.watch(CONFIGMAPS, None, EVERYTHING, since=relisted)
    store.create(CONFIGMAPS, cm("b"))
    assert [(t, n) for t, n, _ in drain(watcher)] == [("ADDED", "b")]


def test_list_at_an_old_version_is_the_state_then() -> None:
    store = ObjectStore()
    a = store.create(CONFIGMAPS, cm("a"))
    store.create(CONFIGMAPS, cm("b"))
    then = store.resource_version
    store.replace(CONFIGMAPS, {**a, "data": {"k": "later"}})
    store.remove(CONFIGMAPS, "ns", "b")
    store.create(CONFIGMAPS, cm("c"))
    old = store.list_at(CONFIGMAPS, "ns", None, then)
    assert [(o["metadata"]["name"], o["data"]) for o in old] == [("a", {}), ("b", {})]
    now = store.list(CONFIGMAPS, "ns")
    assert [o["metadata"]["name"] for o in now] == ["a", "c"]
    store.expire_history()
    with pytest.raises(Gone):
        store.list_at(CONFIGMAPS, "ns", None, then)


def test_lists_come_in_key_order() -> None:
    store = ObjectStore()
    for namespace, name in [("b", "x"), ("a", "z"), ("a", "y"), ("c", "a")]:
        store.create(CONFIGMAPS, cm(name, namespace))
    keys = [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in store.list(CONFIGMAPS)]
    assert keys == sorted(keys)


def test_removing_the_last_finalizer_of_a_deleted_object_removes_it() -> None:
    store = ObjectStore()
    made = store.create(
        CONFIGMAPS, {**cm("a"), "metadata": {**cm("a")["metadata"], "finalizers": ["x/y"]}}
    )
    marked = store.mark_deleting(CONFIGMAPS, "ns", "a", grace_seconds=0)
    assert marked["metadata"]["deletionTimestamp"] and store.find(CONFIGMAPS, "ns", "a")
    # A client cannot clear deletionTimestamp; dropping the finalizer lets it go.
    cleared = {**marked, "metadata": {**marked["metadata"], "finalizers": []}}
    del cleared["metadata"]["deletionTimestamp"]
    store.replace(CONFIGMAPS, cleared)
    assert store.find(CONFIGMAPS, "ns", "a") is None
    assert made["metadata"]["finalizers"] == ["x/y"]


def test_a_watcher_that_does_not_read_is_cut_off() -> None:
    store = ObjectStore()
    watcher = store.watch(CONFIGMAPS, None, EVERYTHING, since=None)
    watcher.limit = 3
    for index in range(5):
        store.create(CONFIGMAPS, cm(f"c{index}"))
    events = drain(watcher)
    assert events[-1] == ("CLOSED", "", "") and len(events) == 4


def test_a_change_is_encoded_once_for_every_watcher() -> None:
    store = ObjectStore()
    first = store.watch(PODS, None, EVERYTHING, since=None)
    second = store.watch(PODS, None, EVERYTHING, since=None)
    store.create(PODS, {"metadata": {"name": "p", "namespace": "ns"}})
    one, two = first.queue.get_nowait(), second.queue.get_nowait()
    assert isinstance(one, Change) and one is two
    assert one.line() is two.line()
    assert json.loads(one.line())["object"]["metadata"]["name"] == "p"


def test_listeners_hear_every_change_with_the_previous_object() -> None:
    store = ObjectStore()
    heard: list[Change] = []
    store.listeners.append(heard.append)
    made = store.create(CONFIGMAPS, cm("a"))
    store.replace(CONFIGMAPS, {**made, "data": {"k": "v"}})
    store.remove(CONFIGMAPS, "ns", "a")
    assert [c.event_type for c in heard] == ["ADDED", "MODIFIED", "DELETED"]
    assert heard[0].prev is None and heard[1].prev is made


def test_not_found_names_the_resource() -> None:
    store = ObjectStore()
    with pytest.raises(NotFound) as caught:
        store.get(DEPLOYMENTS, "ns", "web")
    assert caught.value.message == 'deployments.apps "web" not found'
    assert caught.value.details == {"name": "web", "group": "apps", "kind": "deployments"}


async def test_close_watches_ends_every_stream() -> None:
    store = ObjectStore()
    watchers = [store.watch(PODS, None, EVERYTHING, since=None) for _ in range(3)]
    assert store.open_watches() == 3
    assert store.close_watches() == 3
    for watcher in watchers:
        assert await asyncio.wait_for(watcher.queue.get(), 1) is None
    assert store.open_watches() == 0
