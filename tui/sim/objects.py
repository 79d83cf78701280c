"""Small helpers over Kubernetes objects as plain dicts: quantities, conditions,
owner references, label selectors, template hashes, timestamps.

Objects returned by the store are the store's own: never mutate them in place.
Everything here either reads or returns new values.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tui.sim.resources import ResourceType
from tui.sim.selectors import parse_labels

Obj = dict[str, Any]

# -- reading -------------------------------------------------------------------------


def dig(obj: Any, *path: str | int, default: Any = None) -> Any:
    """obj[path0][path1]...; `default` when any step is missing. (Hot: kept cheap.)"""
    node = obj
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return default
        if node is None:
            return default
    return node


def name_of(obj: Obj) -> str:
    return obj["metadata"]["name"]


def ns_of(obj: Obj) -> str:
    return obj["metadata"].get("namespace", "")


def uid_of(obj: Obj) -> str:
    return obj["metadata"].get("uid", "")


def labels_of(obj: Obj) -> dict[str, str]:
    return dig(obj, "metadata", "labels", default={})


def annotations_of(obj: Obj) -> dict[str, str]:
    return dig(obj, "metadata", "annotations", default={})


def replicas_of(obj: Obj) -> int:
    """A workload's spec.replicas; the API defaults a missing one to 1."""
    return int(dig(obj, "spec", "replicas", default=1))


def is_deleting(obj: Obj) -> bool:
    return bool(dig(obj, "metadata", "deletionTimestamp"))


# -- time ----------------------------------------------------------------------------


def rfc3339(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc3339_nano(epoch: float) -> str:
    """2026-11-22T14:35:02.123456789Z, as the kubelet stamps log lines."""
    whole = math.floor(epoch)
    nanos = round((epoch - whole) * 1e9)
    if nanos >= 1_000_000_000:
        whole, nanos = whole + 1, nanos - 1_000_000_000
    return datetime.fromtimestamp(whole, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos:09d}Z"


def parse_time(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


# -- quantities ----------------------------------------------------------------------

_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$")
_SUFFIX = {
    "": 1,
    "n": 1e-9,
    "u": 1e-6,
    "m": 1e-3,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "E": 1e18,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "Ei": 2**60,
}


class QuantityError(ValueError):
    pass


def parse_quantity(value: Any) -> float:
    """'250m' -> 0.25, '512Mi' -> 536870912, 2 -> 2.0."""
    if isinstance(value, bool):
        raise QuantityError(f"invalid quantity {value!r}")
    if isinstance(value, int | float):
        return float(value)
    match = _QUANTITY.match(str(value).strip())
    if not match or match.group(2) not in _SUFFIX:
        raise QuantityError(f"invalid quantity {value!r}")
    return float(match.group(1)) * _SUFFIX[match.group(2)]


def cpu_millis(value: Any) -> int:
    try:
        return math.ceil(parse_quantity(value) * 1000 - 1e-9)
    except QuantityError:
        return 0


def memory_bytes(value: Any) -> int:
    try:
        return math.ceil(parse_quantity(value) - 1e-9)
    except QuantityError:
        return 0


def format_cpu(millis: float) -> str:
    millis = round(millis)
    return f"{millis // 1000}" if millis % 1000 == 0 and millis else f"{millis}m"


def format_memory(size: float) -> str:
    size = round(size)
    for suffix, scale in (("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale}{suffix}"
    return str(size)


def canonical_quantity(value: Any) -> Any:
    """One spelling per amount, so '1000m' and '1' (or '1Gi' and '1024Mi') compare equal."""
    try:
        return repr(parse_quantity(value))
    except QuantityError:
        return value


def container_resources(container: Obj) -> tuple[int, int, int, int]:
    """(cpu request m, memory request bytes, cpu limit m, memory limit bytes); a missing
    request defaults to the limit, as the API server does."""
    limits = dig(container, "resources", "limits", default={})
    requests = dig(container, "resources", "requests", default={})
    cpu_limit = cpu_millis(limits["cpu"]) if "cpu" in limits else 0
    mem_limit = memory_bytes(limits["memory"]) if "memory" in limits else 0
    cpu_request = cpu_millis(requests["cpu"]) if "cpu" in requests else cpu_limit
    mem_request = memory_bytes(requests["memory"]) if "memory" in requests else mem_limit
    return cpu_request, mem_request, cpu_limit, mem_limit


def pod_requests(pod: Obj) -> tuple[int, int]:
    """What the scheduler reserves: the sum over containers, or the largest init
    container if that is more."""
    spec = pod.get("spec") or {}
    cpu = mem = 0
    for container in spec.get("containers") or []:
        c, m, _, _ = container_resources(container)
        cpu, mem = cpu + c, mem + m
    for container in spec.get("initContainers") or []:
        c, m, _, _ = container_resources(container)
        cpu, mem = max(cpu, c), max(mem, m)
    return cpu, mem


# -- conditions ----------------------------------------------------------------------


def condition(obj: Obj, kind: str) -> Obj | None:
    status = obj.get("status")
    for entry in (status.get("conditions") or ()) if status else ():
        if entry.get("type") == kind:
            return entry
    return None


def condition_true(obj: Obj, kind: str) -> bool:
    found = condition(obj, kind)
    return bool(found and found.get("status") == "True")


def set_condition(
    conditions: list[Obj] | None,
    kind: str,
    status: str,
    now: str,
    *,
    reason: str | None = None,
    message: str | None = None,
    update_time: bool = False,
    probe_time: bool = False,
) -> list[Obj]:
    """A new list with `kind` set. lastTransitionTime moves only when the status
    changes (as every controller does); lastUpdateTime (deployments) on request."""
    result = [dict(c) for c in conditions or []]
    for entry in result:
        if entry.get("type") == kind:
            if entry.get("status") != status:
                entry["lastTransitionTime"] = now
            entry["status"] = status
            _reason(entry, reason, message)
            if update_time:
                entry["lastUpdateTime"] = now
            if probe_time:
                entry["lastProbeTime"] = now
            return result
    entry = {"type": kind, "status": status}
    if probe_time:
        entry["lastProbeTime"] = now
    if update_time:
        entry["lastUpdateTime"] = now
    entry["lastTransitionTime"] = now
    _reason(entry, reason, message)
    result.append(entry)
    return result


def _reason(entry: Obj, reason: str | None, message: str | None) -> None:
    for key, value in (("reason", reason), ("message", message)):
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value


# -- owners --------------------------------------------------------------------------


def owner_reference(owner: Obj, rtype: ResourceType, *, controller: bool = True) -> Obj:
    return {
        "apiVersion": rtype.api_version,
        "kind": rtype.kind,
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": controller,
        "blockOwnerDeletion": True,
    }


def controller_of(obj: Obj) -> Obj | None:
    for ref in dig(obj, "metadata", "ownerReferences", default=[]):
        if ref.get("controller"):
            return ref
    return None


def controlled_by(obj: Obj, owner: Obj) -> bool:
    ref = controller_of(obj)
    return bool(ref and ref.get("uid") == owner["metadata"].get("uid"))


# -- selectors -----------------------------------------------------------------------


def selector_matches(selector: Obj | None, labels: Mapping[str, str]) -> bool:
    """A LabelSelector (matchLabels and matchExpressions). An empty selector matches
    nothing here, as controllers treat it."""
    if not selector:
        return False
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not match_labels and not expressions:
        return False
    for key, value in match_labels.items():
        if labels.get(key) != value:
            return False
    for expression in expressions:
        key, op = expression.get("key", ""), expression.get("operator", "")
        values = set(expression.get("values") or [])
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def map_selector_matches(selector: Mapping[str, str] | None, labels: Mapping[str, str]) -> bool:
    """A Service's plain map selector."""
    if not selector:
        return False
    return all(labels.get(k) == v for k, v in selector.items())


def selector_string(selector: Obj | None) -> str:
    parts = [f"{k}={v}" for k, v in sorted(((selector or {}).get("matchLabels") or {}).items())]
    return ",".join(parts)


def label_query(query: str) -> Any:
    return parse_labels(query)


# -- hashing -------------------------------------------------------------------------

_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"


def safe_encode(text: str) -> str:
    """apimachinery's rand.SafeEncodeString: no vowels, no look-alikes."""
    return "".join(_ALPHANUMS[b % len(_ALPHANUMS)] for b in text.encode())


def fnv32a(data: bytes) -> int:
    value = 0x811C9DC5
    for byte in data:
        value ^= byte
        value = (value * 0x01000193) & 0xFFFFFFFF
    return value


def canonical(value: Any, *, under_resources: bool = False) -> Any:
    """A form where what the API server would default or drop does not matter:
    null, empty maps and lists, "" and false are dropped, quantities normalised.
    kubectl sends templates back through Go structs (rollout undo), which adds
    `creationTimestamp: null` and `resources: {}`; the controller must still see
    the same template."""
    if isinstance(value, Mapping):
        result = {}
        for key, item in value.items():
            in_resources = key in ("limits", "requests") and under_resources
            inner = (
                {k: canonical_quantity(v) for k, v in item.items()}
                if in_resources and isinstance(item, Mapping)
                else canonical(item, under_resources=key == "resources")
            )
            if inner in (None, {}, [], "", False):
                continue
            result[key] = inner
        return result
    if isinstance(value, list):
        return [canonical(item) for item in value]
    return value


def template_hash(template: Obj, collisions: int = 0) -> str:
    """pod-template-hash / controller-revision-hash of a pod template."""
    stripped = strip_hash_label(template)
    data = json.dumps(canonical(stripped), sort_keys=True, separators=(",", ":"))
    if collisions:
        data += f"#{collisions}"
    return safe_encode(str(fnv32a(data.encode())))


HASH_LABEL = "pod-template-hash"  # ReplicaSets' pods
REVISION_LABEL = "controller-revision-hash"  # StatefulSets' and DaemonSets' pods


def strip_hash_label(template: Obj) -> Obj:
    labels = dig(template, "metadata", "labels", default={})
    if HASH_LABEL not in labels:
        return template
    metadata = {
        **template["metadata"],
        "labels": {k: v for k, v in labels.items() if k != HASH_LABEL},
    }
    return {**template, "metadata": metadata}


def same_template(a: Obj, b: Obj) -> bool:
    return canonical(strip_hash_label(a)) == canonical(strip_hash_label(b))


# -- int-or-percent ------------------------------------------------------------------


def scaled_value(value: Any, total: int, *, round_up: bool) -> int:
    """intstr.GetScaledValueFromIntOrPercent."""
    if value is None:
        value = "25%"
    if isinstance(value, int):
        return value
    text = str(value)
    if text.endswith("%"):
        try:
            fraction = float(text[:-1]) / 100 * total
        except ValueError:
            return 0
        return math.ceil(fraction - 1e-9) if round_up else math.floor(fraction + 1e-9)
    try:
        return int(text)
    except ValueError:
        return 0
