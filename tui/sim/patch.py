"""The patch formats kubectl sends: JSON patch, merge patch, strategic merge (and
server-side apply, approximated as a strategic merge).

Strategic merge is Kubernetes' own: lists of named things (containers, env,
ports, volumes...) merge item by item on a key instead of being replaced, and
the patch may carry directives (`$patch: delete|replace|merge`,
`$deleteFromPrimitiveList/<list>`, `$retainKeys`, `$setElementOrder/<list>`).
Only the list keys kubectl's everyday commands rely on are known here; any
other list is replaced, as a merge patch would.

Nothing here changes its inputs: the result is a new object.
"""

from __future__ import annotations

import copy
from typing import Any

import jsonpatch

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH)

# Field name -> the key items of that list merge on (patchMergeKey in the API types).
MERGE_KEYS: dict[str, str] = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "imagePullSecrets": "name",
    "conditions": "type",
    "ownerReferences": "uid",
    "hostAliases": "ip",
    "addresses": "type",
    "resourceClaims": "name",
}
# Container ports merge on containerPort, Service ports on port: both live
# under "ports", told apart by their items.
PORT_KEYS = ("containerPort", "port")
# Lists of scalars that merge as sets instead of being replaced.
MERGED_SCALAR_LISTS = frozenset({"finalizers"})

DELETE_FROM = "$deleteFromPrimitiveList/"
ELEMENT_ORDER = "$setElementOrder/"


class PatchError(ValueError):
    """The patch cannot be applied: answered with 422 Unprocessable Entity."""


class PatchDecodeError(PatchError):
    """The patch is not even of the right shape (a JSON patch that is not a list, a
    merge patch that is not an object): answered with 400 Bad Request."""


class PatchTypeError(PatchError):
    """The Content-Type is not a patch type: answered with 415."""


def apply_patch(content_type: str, target: dict[str, Any], patch: Any) -> dict[str, Any]:
    kind = content_type.split(";")[0].strip()
    if kind == JSON_PATCH:
        return json_patch(target, patch)
    if kind not in PATCH_TYPES:
        raise PatchTypeError(f"the body of the request was in an unknown format - accepted"
                             f" media types include: {', '.join(PATCH_TYPES)}")  # fmt: skip
    if not isinstance(patch, dict):
        raise PatchDecodeError("a merge patch must be a JSON object")
    if kind == MERGE_PATCH:
        return merge_patch(target, patch)
    return strategic_merge(target, patch)


def json_patch(target: dict[str, Any], patch: Any) -> dict[str, Any]:
    """RFC 6902 operations, applied to a copy."""
    if not isinstance(patch, list):
        raise PatchDecodeError(
            "json: cannot unmarshal object into Go value of type jsonpatch.Patch"
        )
    try:
        result = jsonpatch.apply_patch(target, patch)
    except jsonpatch.JsonPatchTestFailed:
        failed = next((op.get("path") for op in patch if isinstance(op, dict)
                       and op.get("op") == "test"), "")  # fmt: skip
        raise PatchError(f"testing value {failed} failed: test failed") from None
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as error:
        raise PatchError(str(error)) from None
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise PatchError(f"invalid JSON patch: {error}") from None
    if not isinstance(result, dict):
        raise PatchError("the JSON patch did not produce an object")
    return result


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
    directive = patch.get("$patch")
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if not k.startswith("$")}
    if directive == "delete":
        return None
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith(DELETE_FROM):
            _delete_from_list(result, key[len(DELETE_FROM) :], value)
        elif key.startswith("$"):  # $setElementOrder/..., $patch: merge: ordering and no-ops
            continue
        elif value is None:
            result.pop(key, None)
        elif isinstance(value, list) and isinstance(result.get(key), list):
            result[key] = _merge_list(key, result[key], value)
        elif isinstance(value, list):
            result[key] = _strip_directives(value)
        else:
            merged = strategic_merge(result.get(key), value)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
    retain = patch.get("$retainKeys")
    if isinstance(retain, list):
        result = {k: v for k, v in result.items() if k in retain}
    return result


def _delete_from_list(result: dict[str, Any], field: str, values: Any) -> None:
    if isinstance(result.get(field), list) and isinstance(values, list):
        result[field] = [item for item in result[field] if item not in values]


def _strip_directives(items: list[Any]) -> list[Any]:
    """A list set where there was none: directive items mean nothing there."""
    kept = []
    for item in items:
        if isinstance(item, dict):
            if item.get("$patch") in ("delete", "replace"):
                continue
            item = {k: v for k, v in item.items() if not k.startswith("$")}
        kept.append(copy.deepcopy(item))
    return kept


def _merge_key(field: str, items: list[Any]) -> str | None:
    if field in MERGE_KEYS:
        return MERGE_KEYS[field]
    if field == "ports":
        for candidate in PORT_KEYS:
            if items and all(isinstance(i, dict) and candidate in i for i in items):
                return candidate
    return None


def _merge_list(field: str, current: list[Any], patch: list[Any]) -> list[Any]:
    if {"$patch": "replace"} in patch:
        return _strip_directives(patch)
    if field in MERGED_SCALAR_LISTS:
        return [*current, *(item for item in patch if item not in current)]
    key = _merge_key(field, patch) or _merge_key(field, current)
    if key is None or not all(isinstance(item, dict) for item in patch):
        return _strip_directives(patch)
    merged: list[Any] = [copy.deepcopy(item) for item in current]
    index = {item.get(key): i for i, item in enumerate(merged) if isinstance(item, dict)}
    for item in patch:
        position = index.get(item.get(key))
        if item.get("$patch") == "delete":
            if position is not None:
                merged[position] = None
            continue
        if position is None:
            merged.append(_strip_directives([item])[0])
            index[item.get(key)] = len(merged) - 1
        else:
            merged[position] = strategic_merge(merged[position], item)
    return [item for item in merged if item is not None]
