"""Ingresses as the rows the Ingress pane shows: what routes where, with what TLS.

An `IngressRow` is what `kubectl describe ingress` tells an operator, flattened:
the class, every host and path with the service and port it goes to, the TLS
hosts and their secret, the load balancer address, and the annotations that
change routing or certificates. Its `findings` say what is wrong, each with
the runbook that fixes it (judged in ingress_findings.py).

The parsing helpers here are shared with the findings, so both read an
ingress the same way. Nothing here imports the probes: the rows are built on
every watch update, and the console must start fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from tui.sources.kube.cache import Key
from tui.sources.podstatus import parse_time

Obj = Mapping[str, Any]
Severity = Literal["warn", "error"]

# Runbook scenarios a finding points to (bundled runbooks, by file name).
RUNBOOK_SITE_DOWN = "site-down-502-503"
RUNBOOK_JS_MIME = "js-bundle-mime-error"
RUNBOOK_WWW = "www-fails-apex-works"
RUNBOOK_TLS = "tls-certificate-expired"
RUNBOOK_NETWORK = "dns-and-network"

REWRITE_TARGET = "nginx.ingress.kubernetes.io/rewrite-target"
CLUSTER_ISSUER = "cert-manager.io/cluster-issuer"
ISSUER = "cert-manager.io/issuer"
CLASS_ANNOTATION = "kubernetes.io/ingress.class"

# Annotations that change where a request goes or which certificate answers it;
# the rest (body sizes, timeouts, CORS…) rarely explain an outage.
NOTABLE_ANNOTATIONS = (
    REWRITE_TARGET,
    "nginx.ingress.kubernetes.io/use-regex",
    "nginx.ingress.kubernetes.io/app-root",
    "nginx.ingress.kubernetes.io/permanent-redirect",
    "nginx.ingress.kubernetes.io/temporal-redirect",
    "nginx.ingress.kubernetes.io/from-to-www-redirect",
    "nginx.ingress.kubernetes.io/ssl-redirect",
    "nginx.ingress.kubernetes.io/force-ssl-redirect",
    "nginx.ingress.kubernetes.io/backend-protocol",
    "nginx.ingress.kubernetes.io/canary",
    "nginx.ingress.kubernetes.io/configuration-snippet",
    "nginx.ingress.kubernetes.io/server-snippet",
    CLUSTER_ISSUER,
    ISSUER,
    "acme.cert-manager.io/http01-edit-in-place",
    CLASS_ANNOTATION,
)
MAX_ANNOTATION_CHARS = 200
# Within a severity, what to read first: what users see, then why it happens.
CODE_ORDER = (
    "tls-certificate-expired",
    "backend-no-endpoints",
    "backend-service-missing",
    "backend-port-missing",
    "tls-host-missing",
    "rewrite-target-static",
    "ingress-path-conflict",
    "certificate-not-ready",
    "issuer-annotation-missing",
    "acme-challenge-pending",
    "tls-certificate-expiring",
    "no-address",
)


@dataclass(frozen=True, slots=True)
class Finding:
    """Something wrong, in one plain line, and the runbook scenario that fixes it.

    The same shape as the host checks' findings (tui.sources.probe_hosts), so
    the pane shows both alike; defined here so that building rows never loads
    the HTTP and TLS libraries the host checks need.
    """

    code: str  # stable: "tls-host-missing", "backend-no-endpoints"…
    severity: Severity
    text: str
    runbook: str | None = None
    subject: str = ""  # what it is about, unique within the ingress: "backend:app:80"


@dataclass(frozen=True, slots=True)
class IngressPath:
    host: str  # "" routes any host
    path: str
    path_type: str
    service: str  # "" for a resource backend
    port: str  # a number or a port name, as written

    @property
    def target(self) -> str:
        return f"{self.service}:{self.port}" if self.service else "(resource backend)"


@dataclass(frozen=True, slots=True)
class IngressTls:
    hosts: tuple[str, ...]
    secret: str


@dataclass(frozen=True, slots=True)
class IngressRow:
    key: Key
    context: str
    namespace: str
    name: str
    ingress_class: str
    hosts: tuple[str, ...]
    rules: tuple[IngressPath, ...]
    tls: tuple[IngressTls, ...]
    addresses: tuple[str, ...]
    annotations: tuple[tuple[str, str], ...]  # the notable ones
    findings: tuple[Finding, ...] = ()
    created: datetime | None = None
    # Finding subjects (by prefix) that could not be judged: the objects they
    # need are not readable (forbidden, or cert-manager not installed).
    unjudged: frozenset[str] = frozenset()

    @property
    def worst(self) -> Severity | None:
        if any(f.severity == "error" for f in self.findings):
            return "error"
        return "warn" if self.findings else None

    @property
    def rank(self) -> int:
        """Order in the table: broken first, then warnings, then the rest."""
        return {"error": 0, "warn": 1}.get(self.worst or "", 2)

    @property
    def tls_hosts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(h for t in self.tls for h in t.hosts))


def dig(obj: Any, *path: str, default: Any = None) -> Any:
    """obj[path[0]][path[1]]…, or `default` where a step is missing or not a mapping."""
    for part in path:
        if not isinstance(obj, Mapping):
            return default
        obj = obj.get(part)
    return default if obj is None else obj


def annotations_of(ingress: Obj) -> Mapping[str, str]:
    found = dig(ingress, "metadata", "annotations", default={})
    return found if isinstance(found, Mapping) else {}


def ingress_class(ingress: Obj) -> str:
    """spec.ingressClassName, else the old annotation; "" for the cluster's default class."""
    return str(
        dig(ingress, "spec", "ingressClassName")
        or annotations_of(ingress).get(CLASS_ANNOTATION)
        or ""
    )


def _port(backend: Obj) -> str:
    port = dig(backend, "service", "port", default={})
    if not isinstance(port, Mapping):
        return ""
    if port.get("number") is not None:
        return str(port["number"])
    return str(port.get("name") or "")


def _path(host: str, entry: Obj) -> IngressPath:
    backend = dig(entry, "backend", default={})
    return IngressPath(
        host=host,
        path=str(dig(entry, "path", default="") or "/"),
        path_type=str(dig(entry, "pathType", default="ImplementationSpecific")),
        service=str(dig(backend, "service", "name", default="")),
        port=_port(backend),
    )


def parse_rules(ingress: Obj) -> tuple[IngressPath, ...]:
    """Every host/path and its backend; the default backend shows as host "" path "*"."""
    found: list[IngressPath] = []
    for rule in dig(ingress, "spec", "rules", default=[]) or []:
        if not isinstance(rule, Mapping):
            continue
        host = str(rule.get("host") or "")
        for entry in dig(rule, "http", "paths", default=[]) or []:
            if isinstance(entry, Mapping):
                found.append(_path(host, entry))
    default = dig(ingress, "spec", "defaultBackend")
    if isinstance(default, Mapping):
        found.append(
            IngressPath("", "*", "default", str(dig(default, "service", "name", default="")),
                        _port(default))
        )  # fmt: skip
    return tuple(found)


def parse_hosts(ingress: Obj) -> tuple[str, ...]:
    rules = dig(ingress, "spec", "rules", default=[]) or []
    hosts = (str(r.get("host") or "") for r in rules if isinstance(r, Mapping))
    return tuple(dict.fromkeys(h.lower() for h in hosts if h))


def parse_tls(ingress: Obj) -> tuple[IngressTls, ...]:
    found: list[IngressTls] = []
    for entry in dig(ingress, "spec", "tls", default=[]) or []:
        if not isinstance(entry, Mapping):
            continue
        hosts = tuple(str(h).lower() for h in entry.get("hosts") or [] if h)
        found.append(IngressTls(hosts, str(entry.get("secretName") or "")))
    return tuple(found)


def lb_addresses(ingress: Obj) -> tuple[str, ...]:
    entries = dig(ingress, "status", "loadBalancer", "ingress", default=[]) or []
    found = (str(e.get("ip") or e.get("hostname") or "") for e in entries if isinstance(e, Mapping))
    return tuple(dict.fromkeys(a for a in found if a))


def notable_annotations(ingress: Obj) -> tuple[tuple[str, str], ...]:
    annotations = annotations_of(ingress)
    return tuple(
        (key, str(annotations[key])[:MAX_ANNOTATION_CHARS])
        for key in NOTABLE_ANNOTATIONS
        if key in annotations
    )


def host_matches(pattern: str, host: str) -> bool:
    """A TLS or rule host against a name: exact, or one leading wildcard label."""
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if pattern == host:
        return True
    if pattern.startswith("*."):
        head, _, rest = host.partition(".")
        return bool(head) and rest == pattern[2:]
    return False


def _finding_order(finding: Finding) -> tuple[bool, int, str]:
    rank = CODE_ORDER.index(finding.code) if finding.code in CODE_ORDER else len(CODE_ORDER)
    return (finding.severity != "error", rank, finding.subject)


def ingress_row(
    key: Key,
    ingress: Obj,
    findings: Iterable[Finding] = (),
    unjudged: Iterable[str] = (),
) -> IngressRow:
    ordered = sorted(findings, key=_finding_order)
    return IngressRow(
        key=key,
        context=key[0],
        namespace=str(dig(ingress, "metadata", "namespace", default="")),
        name=str(dig(ingress, "metadata", "name", default="")),
        ingress_class=ingress_class(ingress),
        hosts=parse_hosts(ingress),
        rules=parse_rules(ingress),
        tls=parse_tls(ingress),
        addresses=lb_addresses(ingress),
        annotations=notable_annotations(ingress),
        findings=tuple(ordered),
        created=parse_time(dig(ingress, "metadata", "creationTimestamp")),
        unjudged=frozenset(unjudged),
    )
