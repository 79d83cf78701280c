"""The three patch formats kubectl sends, applied as the API server applies them."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tui.sim.patch import (
    APPLY_PATCH,
    JSON_PATCH,
    MERGE_PATCH,
    STRATEGIC_MERGE_PATCH,
    PatchError,
    PatchTypeError,
    apply_patch,
    strategic_merge,
)

Obj = dict[str, Any]

DEPLOYMENT: Obj = {
    "metadata": {"name": "web", "labels": {"app": "web", "tier": "front"}, "finalizers": ["a/b"]},
    "spec": {
        "replicas": 2,
        "template": {
            "spec": {
                "containers": [
                    {
                        "name": "app",
                        "image": "app:1",
                        "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                        "ports": [{"containerPort": 80, "protocol": "TCP"}],
                        "args": ["--x", "--y"],
                    },
                    {"name": "sidecar", "image": "proxy:1"},
                ],
                "volumes": [{"name": "data", "emptyDir": {}}],
            }
        },
    },
}


def containers(obj: Obj) -> list[Obj]:
    return obj["spec"]["template"]["spec"]["containers"]


def test_strategic_merge_merges_containers_by_name() -> None:
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "app:2"}]}}}}
    result = apply_patch(STRATEGIC_MERGE_PATCH, DEPLOYMENT, patch)
    assert [(c["name"], c["image"]) for c in containers(result)] == [
        ("app", "app:2"),
        ("sidecar", "proxy:1"),
    ]
    assert containers(result)[0]["env"] == containers(DEPLOYMENT)[0]["env"]


def test_merge_patch_replaces_lists_whole() -> None:
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "app:2"}]}}}}
    result = apply_patch(MERGE_PATCH, DEPLOYMENT, patch)
    assert containers(result) == [{"name": "app", "image": "app:2"}]


def test_null_deletes_a_key_in_both_merges() -> None:
    patch = {"metadata": {"labels": {"tier": None}}}
    for kind in (MERGE_PATCH, STRATEGIC_MERGE_PATCH):
        assert apply_patch(kind, DEPLOYMENT, patch)["metadata"]["labels"] == {"app": "web"}


def test_strategic_merge_env_by_name_and_delete_directive() -> None:
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "app",
                            "env": [
                                {"name": "B", "value": "20"},
                                {"name": "C", "value": "3"},
                                {"name": "A", "$patch": "delete"},
                            ],
                        }
                    ]
                }
            }
        }
    }
    env = containers(apply_patch(STRATEGIC_MERGE_PATCH, DEPLOYMENT, patch))[0]["env"]
    assert env == [{"name": "B", "value": "20"}, {"name": "C", "value": "3"}]


def test_strategic_merge_replace_directive_and_plain_lists() -> None:
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {"name": "only", "image": "x:1"},
                        {"$patch": "replace"},
                    ]
                }
            }
        }
    }
    result = apply_patch(STRATEGIC_MERGE_PATCH, DEPLOYMENT, patch)
    assert containers(result) == [{"name": "only", "image": "x:1"}]
    # Lists without a merge key (args) are replaced.
    args = {"spec": {"template": {"spec": {"containers": [{"name": "app", "args": ["--z"]}]}}}}
    assert containers(apply_patch(STRATEGIC_MERGE_PATCH, DEPLOYMENT, args))[0]["args"] == ["--z"]


def test_strategic_merge_ports_merge_on_their_key() -> None:
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {"name": "app", "ports": [{"containerPort": 443, "protocol": "TCP"}]},
                    ]
                }
            }
        }
    }
    ports = containers(apply_patch(STRATEGIC_MERGE_PATCH, DEPLOYMENT, patch))[0]["ports"]
    assert [p["containerPort"] for p in ports] == [80, 443]
    service = {"spec": {"ports": [{"port": 80, "targetPort": 8080}]}}
    patched = strategic_merge(service, {"spec": {"ports": [{"port": 80, "targetPort": 9090}]}})
    assert patched["spec"]["ports"] == [{"port": 80, "targetPort": 9090}]


def test_strategic_merge_finalizers_merge_as_a_set_and_primitive_deletes() -> None:
    added = apply_patch(STRATEGIC_MERGE_PATCH, DEPLOYMENT, {"metadata": {"finalizers": ["c/d"]}})
    assert added["metadata"]["finalizers"] == ["a/b", "c/d"]
    removed = apply_patch(
        STRATEGIC_MERGE_PATCH, added, {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a/b"]}}
    )
    assert removed["metadata"]["finalizers"] == ["c/d"]


def test_strategic_merge_retain_keys_and_map_directives() -> None:
    strategy = {"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}}
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
    assert apply_patch(STRATEGIC_MERGE_PATCH, strategy, patch)["spec"]["strategy"] == {
        "type": "Recreate"
    }
    replaced = apply_patch(
        STRATEGIC_MERGE_PATCH, DEPLOYMENT, {"metadata": {"labels": {"$patch": "replace", "x": "y"}}}
    )
    assert replaced["metadata"]["labels"] == {"x": "y"}
    gone = apply_patch(
        STRATEGIC_MERGE_PATCH, DEPLOYMENT, {"metadata": {"labels": {"$patch": "delete"}}}
    )
    assert "labels" not in gone["metadata"]


def test_set_element_order_hints_are_ignored() -> None:
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "sidecar"}, {"name": "app"}],
                    "containers": [{"name": "app", "image": "app:3"}],
                }
            }
        }
    }
    result = apply_patch(STRATEGIC_MERGE_PATCH, DEPLOYMENT, patch)
    assert "$setElementOrder/containers" not in result["spec"]["template"]["spec"]
    assert containers(result)[0]["image"] == "app:3"


def test_json_patch_operations() -> None:
    ops = [
        {"op": "replace", "path": "/spec/replicas", "value": 5},
        {"op": "add", "path": "/metadata/labels/new", "value": "yes"},
        {"op": "remove", "path": "/spec/template/spec/containers/1"},
        {"op": "test", "path": "/metadata/name", "value": "web"},
    ]
    result = apply_patch(JSON_PATCH, DEPLOYMENT, ops)
    assert result["spec"]["replicas"] == 5
    assert result["metadata"]["labels"]["new"] == "yes"
    assert [c["name"] for c in containers(result)] == ["app"]


@pytest.mark.parametrize(
    "ops",
    [
        [{"op": "test", "path": "/metadata/name", "value": "other"}],
        [{"op": "remove", "path": "/no/such/path"}],
        [{"op": "frobnicate", "path": "/spec"}],
        [{"path": "/spec"}],
        {"op": "replace"},  # not a list
    ],
)
def test_bad_json_patches_are_refused(ops: Any) -> None:
    with pytest.raises(PatchError):
        apply_patch(JSON_PATCH, DEPLOYMENT, ops)


def test_merge_patches_must_be_objects_and_types_known() -> None:
    with pytest.raises(PatchError):
        apply_patch(MERGE_PATCH, DEPLOYMENT, ["not", "an", "object"])
    with pytest.raises(PatchTypeError):
        apply_patch("application/json", DEPLOYMENT, {})


def test_apply_patch_content_type_is_a_strategic_merge() -> None:
    result = apply_patch(APPLY_PATCH, DEPLOYMENT, {"spec": {"replicas": 7}})
    assert result["spec"]["replicas"] == 7 and len(containers(result)) == 2


def test_content_type_parameters_are_ignored() -> None:
    result = apply_patch(MERGE_PATCH + "; charset=utf-8", DEPLOYMENT, {"spec": {"replicas": 1}})
    assert result["spec"]["replicas"] == 1


def test_no_patch_changes_its_inputs() -> None:
    before = copy.deepcopy(DEPLOYMENT)
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "z"}]}}}}
    saved_patch = json.dumps(patch)
    for kind in (STRATEGIC_MERGE_PATCH, MERGE_PATCH):
        result = apply_patch(kind, DEPLOYMENT, patch)
        containers(result)[0]["image"] = "mutated"
    apply_patch(JSON_PATCH, DEPLOYMENT, [{"op": "replace", "path": "/spec/replicas", "value": 9}])
    assert before == DEPLOYMENT
    assert json.dumps(patch) == saved_patch
