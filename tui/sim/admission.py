"""What the API server does to an object written through the API before storing it.

- Namespace lifecycle: creating in a namespace that does not exist is 404, in
  one being deleted 403, as on a real cluster.
- Defaulting: the fields a real API server fills in (a Service's ClusterIP and
  TCP protocols, a Deployment's strategy, a pod's restartPolicy, dnsPolicy and
  imagePullPolicy, a Secret's stringData folded into data...), so `describe`
  and `-o yaml` read as they do on a real cluster.
- Validation: names, labels, required fields, selectors matching templates,
  immutable fields; failures are 422 Invalid with the API server's wording and
  a `details.causes` entry per field.

Objects the world's controllers write go to the store directly and are their
own business; pods, workloads and Services get the same defaults either way
(both use tui/sim/defaults.py).
"""

from __future__ import annotations

import base64
import binascii
import copy
import ipaddress
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tui.sim import defaults as shared_defaults
from tui.sim.resources import NAMESPACES, SERVICES, ResourceType
from tui.sim.store import BadRequest, Forbidden, Invalid, ObjectStore, not_found

Obj = dict[str, Any]

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")

SUBDOMAIN_MESSAGE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-'"
    " or '.', and must start and end with an alphanumeric character (e.g. 'example.com',"
    " regex used for validation is"
    " '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_MESSAGE = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-',"
    " and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc',"
    " regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS_1035_MESSAGE = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with"
    " an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or"
    " 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)
LABEL_VALUE_MESSAGE = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_'"
    " or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or"
    " 'my_value',  or '12345', regex used for validation is"
    " '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
NAME_PART_MESSAGE = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and"
    " end with an alphanumeric character"
)
WORKLOADS = frozenset({"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"})
SERVICE_RANGE = ipaddress.ip_network("10.96.0.0/12")
NODE_PORTS = range(30000, 32768)


@dataclass(frozen=True, slots=True)
class Cause:
    reason: str  # FieldValueRequired, FieldValueInvalid, FieldValueForbidden...
    field: str
    message: str

    @property
    def text(self) -> str:
        return f"{self.field}: {self.message}"


def required(field: str, detail: str = "") -> Cause:
    return Cause("FieldValueRequired", field, "Required value" + (f": {detail}" if detail else ""))


def invalid(field: str, value: Any, detail: str) -> Cause:
    shown = json.dumps(value) if isinstance(value, str) else _go_value(value)
    return Cause("FieldValueInvalid", field, f"Invalid value: {shown}: {detail}")


def forbidden(field: str, detail: str) -> Cause:
    return Cause("FieldValueForbidden", field, f"Forbidden: {detail}")


def duplicate(field: str, value: Any) -> Cause:
    return Cause("FieldValueDuplicate", field, f"Duplicate value: {json.dumps(value)}")


def not_supported(field: str, value: Any, choices: tuple[str, ...]) -> Cause:
    options = ", ".join(json.dumps(c) for c in choices)
    return Cause(
        "FieldValueNotSupported",
        field,
        f"Unsupported value: {json.dumps(value)}: supported values: {options}",
    )


def _go_value(value: Any) -> str:
    if isinstance(value, dict):
        inner = ", ".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in value.items())
        return f"map[string]string{{{inner}}}"
    return json.dumps(value)


def invalid_error(rtype: ResourceType, name: str, causes: list[Cause]) -> Invalid:
    qualified = f"{rtype.kind}.{rtype.group}" if rtype.group else rtype.kind
    listed = causes[0].text if len(causes) == 1 else f"[{', '.join(c.text for c in causes)}]"
    details: Obj = {
        "name": name,
        "kind": rtype.kind,
        "causes": [{"reason": c.reason, "message": c.message, "field": c.field} for c in causes],
    }
    if rtype.group:
        details["group"] = rtype.group
    return Invalid(f'{qualified} "{name}" is invalid: {listed}', details=details)


# -- defaults ---------------------------------------------------------------------------


def _default_pod_status(pod: Obj) -> None:
    status = pod.setdefault("status", {})
    status.setdefault("phase", "Pending")
    status.setdefault("qosClass", qos_class(pod.get("spec") or {}))


def qos_class(spec: Obj) -> str:
    """BestEffort, Burstable or Guaranteed, from the containers' requests and limits."""
    containers = spec.get("containers") or []
    resources = [c.get("resources") or {} for c in containers if isinstance(c, dict)]
    if all(not r.get("requests") and not r.get("limits") for r in resources):
        return "BestEffort"
    for r in resources:
        limits, requests = r.get("limits") or {}, r.get("requests") or {}
        if not {"cpu", "memory"} <= set(limits) or any(
            requests.get(k, limits[k]) != limits[k] for k in limits
        ):
            return "Burstable"
    return "Guaranteed"


def _default_replicaset(replicaset: Obj) -> None:
    spec = replicaset.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    if isinstance(spec.get("template"), dict):
        spec["template"] = shared_defaults.template(spec["template"])


def _default_secret(secret: Obj) -> None:
    secret.setdefault("type", "Opaque")
    string_data = secret.pop("stringData", None) or {}
    if string_data:
        data = secret.setdefault("data", {})
        for key, value in string_data.items():
            data[key] = base64.b64encode(str(value).encode()).decode()
    for key, value in (secret.get("data") or {}).items():
        try:
            base64.b64decode(str(value), validate=True)
        except (binascii.Error, ValueError):
            raise BadRequest(
                f'Secret in version "v1" cannot be handled as a Secret: illegal base64 data'
                f" in data[{key!r}]"
            ) from None


def _default_namespace(namespace: Obj) -> None:
    labels = namespace["metadata"].setdefault("labels", {})
    labels["kubernetes.io/metadata.name"] = namespace["metadata"].get("name", "")
    namespace.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
    namespace.setdefault("status", {}).setdefault("phase", "Active")


EXTRA_DEFAULTS: dict[str, Callable[[Obj], None]] = {
    "ReplicaSet": _default_replicaset,
    "Secret": _default_secret,
    "Namespace": _default_namespace,
    "HorizontalPodAutoscaler": lambda hpa: hpa.setdefault("spec", {}).setdefault("minReplicas", 1),
}


def defaults(rtype: ResourceType, obj: Obj, *, creating: bool = True) -> Obj:
    """Fill in what the API server fills in. Returns a new object.

    Pods, workloads and Services share the world's defaulting (tui/sim/defaults.py),
    so objects read the same whoever created them. A pod's admission defaults
    (service account, tolerations, Pending) apply when it is created only.
    """
    if rtype.kind == "Pod" and not creating:
        result = copy.deepcopy(obj)
    else:
        result = shared_defaults.apply_defaults(rtype, obj)
    result.setdefault("metadata", {})
    if rtype.kind == "Pod" and creating:
        _default_pod_status(result)
    extra = EXTRA_DEFAULTS.get(rtype.kind)
    if extra is not None:
        extra(result)
    return result


# -- validation -----------------------------------------------------------------------


def _name_rule(kind: str) -> tuple[re.Pattern[str], str, int]:
    if kind == "Namespace":
        return DNS_LABEL, LABEL_MESSAGE, 63
    if kind == "Service":
        return DNS_1035, DNS_1035_MESSAGE, 63
    return DNS_SUBDOMAIN, SUBDOMAIN_MESSAGE, 253


def _validate_metadata(obj: Obj) -> list[Cause]:
    metadata = obj.get("metadata") or {}
    causes = []
    name = metadata.get("name", "")
    pattern, message, longest = _name_rule(obj.get("kind", ""))
    if name and (not pattern.match(name) or len(name) > longest):
        causes.append(invalid("metadata.name", name, message))
    for key, value in (metadata.get("labels") or {}).items():
        causes += _label_causes("metadata.labels", key, value)
    for key in metadata.get("annotations") or {}:
        if not _qualified_name(key):
            causes.append(invalid("metadata.annotations", key, "name part must be valid"))
    return causes


def _qualified_name(key: str) -> bool:
    prefix, _, name = key.rpartition("/")
    if prefix and (not DNS_SUBDOMAIN.match(prefix) or len(prefix) > 253):
        return False
    return bool(LABEL_NAME.match(name)) and len(name) <= 63


def _label_causes(field: str, key: Any, value: Any) -> list[Cause]:
    if not isinstance(key, str) or not _qualified_name(key):
        return [invalid(field, key, NAME_PART_MESSAGE)]
    if not isinstance(value, str) or not LABEL_VALUE.match(value) or len(value) > 63:
        return [invalid(field, value, LABEL_VALUE_MESSAGE)]
    return []


def _validate_containers(spec: Obj, field: str) -> list[Cause]:
    containers = spec.get("containers")
    if not containers:
        return [required(f"{field}.containers")]
    causes, seen = [], set()
    for index, container in enumerate(containers):
        where = f"{field}.containers[{index}]"
        if not isinstance(container, dict):
            causes.append(invalid(where, container, "must be an object"))
            continue
        name = container.get("name")
        if not name:
            causes.append(required(f"{where}.name"))
        elif not DNS_LABEL.match(name) or len(name) > 63:
            causes.append(invalid(f"{where}.name", name, LABEL_MESSAGE))
        elif name in seen:
            causes.append(duplicate(f"{where}.name", name))
        seen.add(name)
        if not container.get("image"):
            causes.append(required(f"{where}.image"))
        for number, port in enumerate(container.get("ports") or []):
            value = port.get("containerPort") if isinstance(port, dict) else None
            if not isinstance(value, int) or not 0 < value < 65536:
                causes.append(invalid(f"{where}.ports[{number}].containerPort", value,
                                      "must be between 1 and 65535, inclusive"))  # fmt: skip
    return causes


def _validate_workload(obj: Obj) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes = []
    replicas = spec.get("replicas", 1)
    if not isinstance(replicas, int) or replicas < 0:
        causes.append(invalid("spec.replicas", replicas, "must be greater than or equal to 0"))
    selector = spec.get("selector")
    if not selector or not (selector.get("matchLabels") or selector.get("matchExpressions")):
        causes.append(required("spec.selector"))
    template = spec.get("template") or {}
    labels = (template.get("metadata") or {}).get("labels") or {}
    if selector and not _selector_matches(selector, labels):
        causes.append(invalid("spec.template.metadata.labels", labels,
                              "`selector` does not match template `labels`"))  # fmt: skip
    causes += _validate_containers(template.get("spec") or {}, "spec.template.spec")
    return causes


def _selector_matches(selector: Obj, labels: dict[str, str]) -> bool:
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, op = expression.get("key"), expression.get("operator")
        values = expression.get("values") or []
        if (op == "In" and labels.get(key) not in values) or (
            op == "NotIn" and labels.get(key) in values
        ):
            return False
        if (op == "Exists" and key not in labels) or (op == "DoesNotExist" and key in labels):
            return False
    return True


SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")


def _validate_service(service: Obj) -> list[Cause]:
    spec = service.get("spec") or {}
    kind = spec.get("type", "ClusterIP")
    if kind not in SERVICE_TYPES:
        return [not_supported("spec.type", kind, SERVICE_TYPES)]
    ports = spec.get("ports") or []
    if not ports and kind != "ExternalName" and spec.get("clusterIP") != "None":
        return [required("spec.ports")]
    causes = []
    for index, port in enumerate(ports):
        value = port.get("port") if isinstance(port, dict) else None
        if not isinstance(value, int) or not 0 < value < 65536:
            causes.append(invalid(f"spec.ports[{index}].port", value,
                                  "must be between 1 and 65535, inclusive"))  # fmt: skip
    if len(ports) > 1:
        for index, port in enumerate(ports):
            if isinstance(port, dict) and not port.get("name"):
                causes.append(required(f"spec.ports[{index}].name"))
    return causes


PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")


def _validate_ingress(ingress: Obj) -> list[Cause]:
    causes = []
    for r, rule in enumerate((ingress.get("spec") or {}).get("rules") or []):
        for p, path in enumerate(((rule or {}).get("http") or {}).get("paths") or []):
            where = f"spec.rules[{r}].http.paths[{p}]"
            path_type = path.get("pathType")
            if path_type is None:
                causes.append(required(f"{where}.pathType", "pathType must be specified"))
            elif path_type not in PATH_TYPES:
                causes.append(not_supported(f"{where}.pathType", path_type, PATH_TYPES))
            if not path.get("backend"):
                causes.append(required(f"{where}.backend"))
    return causes


def _validate_config_keys(obj: Obj) -> list[Cause]:
    causes = []
    for field in ("data", "binaryData"):
        for key in obj.get(field) or {}:
            if not CONFIG_KEY.match(key) or len(key) > 253:
                causes.append(invalid(f"{field}[{key}]", key, "a valid config key must consist"
                                      " of alphanumeric characters, '-', '_' or '.'"))  # fmt: skip
    return causes


def _validate_hpa(hpa: Obj) -> list[Cause]:
    spec = hpa.get("spec") or {}
    causes = []
    target = spec.get("scaleTargetRef") or {}
    if not target.get("kind"):
        causes.append(required("spec.scaleTargetRef.kind"))
    if not target.get("name"):
        causes.append(required("spec.scaleTargetRef.name"))
    top, bottom = spec.get("maxReplicas"), spec.get("minReplicas", 1)
    if not isinstance(top, int) or top < 1:
        causes.append(invalid("spec.maxReplicas", top, "must be greater than or equal to 1"))
    elif isinstance(bottom, int) and bottom > top:
        causes.append(invalid("spec.minReplicas", bottom,
                              "must be less than or equal to maxReplicas"))  # fmt: skip
    return causes


VALIDATORS: dict[str, Callable[[Obj], list[Cause]]] = {
    "Pod": lambda pod: _validate_containers(pod.get("spec") or {}, "spec"),
    "Service": _validate_service,
    "Ingress": _validate_ingress,
    "ConfigMap": _validate_config_keys,
    "Secret": _validate_config_keys,
    "HorizontalPodAutoscaler": _validate_hpa,
    **{kind: _validate_workload for kind in WORKLOADS},
}


def validate(obj: Obj) -> list[Cause]:
    causes = _validate_metadata(obj)
    check = VALIDATORS.get(obj.get("kind", ""))
    return causes + (check(obj) if check else [])


# -- updates ----------------------------------------------------------------------------

POD_MUTABLE = "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"  # noqa: E501


def _pod_spec_shape(spec: Obj) -> Obj:
    """A pod spec with the fields an update may change taken out."""
    shape = {k: v for k, v in spec.items() if k not in (
        "activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds")}  # fmt: skip
    for field in ("containers", "initContainers"):
        if field in shape:
            shape[field] = [{k: v for k, v in c.items() if k != "image"} for c in shape[field]]
    return shape


def validate_update(obj: Obj, old: Obj) -> list[Cause]:
    kind = obj.get("kind")
    spec, old_spec = obj.get("spec") or {}, old.get("spec") or {}
    if kind == "Pod" and _pod_spec_shape(spec) != _pod_spec_shape(old_spec):
        return [forbidden("spec", POD_MUTABLE)]
    if kind in WORKLOADS and spec.get("selector") != old_spec.get("selector"):
        return [invalid("spec.selector", spec.get("selector"), "field is immutable")]
    if kind == "Service" and old_spec.get("clusterIP") not in (None, spec.get("clusterIP")):
        return [invalid("spec.clusterIP", spec.get("clusterIP"), "field is immutable")]
    return []


class Admission:
    """Admission for one store: allocates Service IPs and node ports without clashes."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self._next_ip = int(SERVICE_RANGE.network_address) + 10
        self._next_port = NODE_PORTS.start

    def check_namespace(self, rtype: ResourceType, obj: Obj) -> None:
        if not rtype.namespaced:
            return
        name = obj["metadata"].get("namespace") or "default"
        namespace = self.store.find(NAMESPACES, None, name)
        if namespace is None:
            raise not_found(NAMESPACES, name)
        if namespace["metadata"].get("deletionTimestamp"):
            raise Forbidden(
                f'{rtype.key} "{obj["metadata"].get("name", "")}" is forbidden: unable to'
                f" create new content in namespace {name} because it is being terminated",
                details={"name": obj["metadata"].get("name", ""), "kind": rtype.plural},
            )

    def admit_create(self, rtype: ResourceType, obj: Obj) -> Obj:
        if rtype.virtual:
            return obj
        self.check_namespace(rtype, obj)
        if "status" in rtype.subresources and rtype.kind != "Node":
            # Status is written through the status subresource; on create it is
            # reset, as the API server's PrepareForCreate does (nodes keep theirs).
            obj["status"] = {"loadBalancer": {}} if rtype is SERVICES else {}
        obj = defaults(rtype, obj, creating=True)
        causes = validate(obj)
        if causes:
            raise invalid_error(rtype, obj["metadata"].get("name", ""), causes)
        if rtype is SERVICES:
            self._allocate(obj)
        return obj

    def admit_update(self, rtype: ResourceType, obj: Obj, old: Obj) -> Obj:
        if rtype is SERVICES:
            self._keep_allocated(obj, old)
        obj = defaults(rtype, obj, creating=False)
        causes = validate(obj) + validate_update(obj, old)
        if causes:
            raise invalid_error(rtype, obj["metadata"].get("name", ""), causes)
        if rtype is SERVICES:
            self._allocate(obj)
        return obj

    # -- Service allocations --------------------------------------------------------

    def _used(self) -> tuple[set[str], set[int]]:
        ips, ports = set(), set()
        for service in self.store.items(SERVICES):
            spec = service.get("spec") or {}
            ips.add(spec.get("clusterIP", ""))
            ports.update(p.get("nodePort") for p in spec.get("ports") or [] if p.get("nodePort"))
        return ips, ports

    def _allocate(self, service: Obj) -> None:
        spec = service["spec"]
        if spec.get("type") == "ExternalName":
            return
        ips, ports = self._used()
        if not spec.get("clusterIP"):
            spec["clusterIP"] = self._free_ip(ips)
        spec.setdefault("clusterIPs", [spec["clusterIP"]])
        if spec.get("type") in ("NodePort", "LoadBalancer"):
            for port in spec.get("ports") or []:
                if not port.get("nodePort"):
                    port["nodePort"] = self._free_port(ports)
                    ports.add(port["nodePort"])

    def _free_ip(self, used: set[str]) -> str:
        while True:
            address = str(ipaddress.ip_address(self._next_ip))
            self._next_ip += 1
            if self._next_ip >= int(SERVICE_RANGE.broadcast_address):
                self._next_ip = int(SERVICE_RANGE.network_address) + 10
            if address not in used:
                return address

    def _free_port(self, used: set[int]) -> int:
        for _ in NODE_PORTS:
            port = self._next_port
            self._next_port = port + 1 if port + 1 < NODE_PORTS.stop else NODE_PORTS.start
            if port not in used:
                return port
        raise Invalid("spec.ports: Internal error: range is full")

    @staticmethod
    def _keep_allocated(service: Obj, old: Obj) -> None:
        """An update that leaves out the ClusterIP or node ports keeps the old ones."""
        spec, old_spec = service.setdefault("spec", {}), old.get("spec") or {}
        for field in ("clusterIP", "clusterIPs"):
            if field not in spec and field in old_spec:
                spec[field] = old_spec[field]
        old_ports = {
            (p.get("port"), p.get("protocol", "TCP")): p for p in old_spec.get("ports", [])
        }
        for port in spec.get("ports") or []:
            previous = old_ports.get((port.get("port"), port.get("protocol", "TCP")))
            if previous and previous.get("nodePort") and not port.get("nodePort"):
                port["nodePort"] = previous["nodePort"]
