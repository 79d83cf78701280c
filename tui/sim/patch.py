"""The three patch formats kubectl sends: JSON patch, merge patch, strategic merge.

Strategic merge is Kubernetes' own: lists of named things (containers, env,
ports, volumes...) merge item by item on a key instead of being replaced.
Only the keys kubectl's everyday commands rely on are known here; any other
list is replaced, as a merge patch would.
"""

from __future__ import annotations

import copy
from typing import Any

import jsonpatch

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"

# Field name -> the key items of that list merge on.
MERGE_KEYS: dict[str, str] = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "imagePullSecrets": "name",
    "conditions": "type",
    "ownerReferences": "uid",
    "hostAliases": "ip",
}
# Lists of scalars or objects merged by position in strategic merge are not
# used by kubectl's commands; container ports merge on containerPort, service
# ports on port: both live under "ports", told apart by their items.
PORT_KEYS = ("containerPort", "port")


class PatchError(ValueError):
    """The patch cannot be applied: answered with 422 or 400."""


def apply_patch(content_type: str, target: dict[str, Any], patch: Any) -> dict[str, Any]:
    kind = content_type.split(";")[0].strip()
    if kind == JSON_PATCH:
        if not isinstance(patch, list):
            raise PatchError("a JSON patch must be a list of operations")
        try:
            return jsonpatch.apply_patch(target, patch)
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as error:
            raise PatchError(str(error)) from None
    if not isinstance(patch, dict):
        raise PatchError("a merge patch must be an object")
    if kind == MERGE_PATCH:
        return merge_patch(target, patch)
    if kind in (STRATEGIC_MERGE_PATCH, APPLY_PATCH):
        return strategic_merge(target, patch)
    raise PatchError(f"unsupported patch type {kind!r}")


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge, null deletes, everything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def strategic_merge(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith("$"):  # $retainKeys, $setElementOrder/...: ordering hints
            continue
        if value is None:
            result.pop(key, None)
        elif isinstance(value, list) and isinstance(result.get(key), list):
            result[key] = _merge_list(key, result[key], value)
        else:
            result[key] = strategic_merge(result.get(key), value)
    return result


def _merge_key(field: str, items: list[Any]) -> str | None:
    if field in MERGE_KEYS:
        return MERGE_KEYS[field]
    if field == "ports":
        for candidate in PORT_KEYS:
            if items and all(isinstance(i, dict) and candidate in i for i in items):
                return candidate
    return None


def _merge_list(field: str, current: list[Any], patch: list[Any]) -> list[Any]:
    key = _merge_key(field, patch) or _merge_key(field, current)
    if key is None or not all(isinstance(item, dict) for item in patch):
        return copy.deepcopy([item for item in patch if item != {"$patch": "replace"}])
    merged = [copy.deepcopy(item) for item in current]
    index = {item.get(key): i for i, item in enumerate(merged) if isinstance(item, dict)}
    for item in patch:
        if item.get("$patch") == "delete":
            position = index.get(item.get(key))
            if position is not None:
                merged[position] = None
            continue
        position = index.get(item.get(key))
        if position is None:
            merged.append(copy.deepcopy(item))
            index[item.get(key)] = len(merged) - 1
        else:
            merged[position] = strategic_merge(merged[position], item)
    return [item for item in merged if item is not None]
