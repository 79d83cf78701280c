"""What is wrong with an ingress, judged from the cluster's own objects.

The checks the runbooks make an operator type (`kubectl get ingress -o
jsonpath=…`, `kubectl get endpoints`, `kubectl describe certificate`), done on
what the watches already hold:

- a host the ingress routes that no TLS hosts list covers (apex vs www);
- a rewrite-target annotation on an ingress that also serves static paths;
- two ingresses claiming the same host and path (only one of them is used);
- a backend service that is missing, lacks the port, or has no ready endpoints;
- a cert-manager Certificate not Ready, expired or expiring within 14 days,
  an ACME challenge still pending, an ingress that lost its issuer annotation;
- no load balancer address.

`judge` is a pure function of one ingress and an `EdgeView` of its context, so
it is tested on plain dicts and on what a drill cluster serves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tui.safetext import one_line
from tui.sources.kube.ingress import (
    CLUSTER_ISSUER,
    ISSUER,
    REWRITE_TARGET,
    RUNBOOK_JS_MIME,
    RUNBOOK_NETWORK,
    RUNBOOK_SITE_DOWN,
    RUNBOOK_TLS,
    RUNBOOK_WWW,
    Finding,
    IngressPath,
    annotations_of,
    dig,
    host_matches,
    ingress_class,
    lb_addresses,
    parse_hosts,
    parse_rules,
    parse_tls,
)
from tui.sources.podstatus import parse_time

Obj = Mapping[str, Any]
# (kind plural, namespace) -> have that kind's objects in that namespace been listed?
Listed = Callable[[str, str], bool]
# The findings, and the subject prefixes that could not be judged.
Judged = tuple[list[Finding], set[str]]

EXPIRY_WARNING_DAYS = 14
# A new ingress gets its address from the controller within seconds; only an
# older one without an address is news.
ADDRESS_GRACE = timedelta(minutes=2)
STATIC_SEGMENTS = frozenset(
    {"static", "assets", "js", "css", "_next", "build", "dist", "public", "media", "fonts",
     "img", "images"}
)  # fmt: skip

# Subjects of findings that depend on one kind of object: when that kind cannot
# be read, these are "unjudged", not "fine".
SUBJECTS_BY_KIND = {
    "services": ("backend",),
    "endpoints": ("endpoints",),
    "certificates": ("certificate", "expiry", "issuer-annotation"),
    "challenges": ("challenge",),
}


def everything(_kind: str, _namespace: str) -> bool:
    return True


def _meta(obj: Obj) -> tuple[str, str]:
    """(namespace, name)."""
    metadata = dig(obj, "metadata", default={})
    return str(metadata.get("namespace") or ""), str(metadata.get("name") or "")


def _name(value: object, max_chars: int = 120) -> str:
    """Untrusted text from the cluster, made safe for one line of the pane."""
    return one_line(str(value), max_chars=max_chars)


def sibling(host: str) -> str:
    return host[4:] if host.startswith("www.") else f"www.{host}"


def _classes_meet(a: str, b: str) -> bool:
    # "" is the cluster's default class, which we do not look up: it may be either.
    return a == b or not a or not b


@dataclass(frozen=True, slots=True)
class _Claim:
    namespace: str
    name: str
    ingress_class: str
    created: datetime | None

    @property
    def label(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def age_key(self) -> tuple[str, str]:
        # Oldest first; an ingress without a creation time sorts last.
        return (self.created.isoformat() if self.created else "~", self.label)


class EdgeView:
    """One context's ingresses, services, endpoints, certificates and challenges."""

    def __init__(
        self,
        ingresses: Iterable[Obj] = (),
        services: Iterable[Obj] = (),
        endpoints: Iterable[Obj] = (),
        certificates: Iterable[Obj] = (),
        challenges: Iterable[Obj] = (),
        *,
        listed: Listed = everything,
    ) -> None:
        self.ingresses = list(ingresses)
        self.services = {_meta(s): s for s in services}
        self.endpoints = {_meta(e): e for e in endpoints}
        self.certificates = list(certificates)
        self.challenges = list(challenges)
        self.listed = listed
        # (host, path, path type) -> every ingress routing it, for precedence.
        self.claims: dict[tuple[str, str, str], list[_Claim]] = {}
        # (class, TLS host pattern) across every ingress: nginx serves a host's
        # certificate from whichever ingress lists it.
        self.tls_patterns: list[tuple[str, str]] = []
        for ingress in self.ingresses:
            namespace, name = _meta(ingress)
            cls = ingress_class(ingress)
            created = parse_time(dig(ingress, "metadata", "creationTimestamp"))
            claim = _Claim(namespace, name, cls, created)
            for path in parse_rules(ingress):
                if path.path_type != "default":
                    self.claims.setdefault(_route(path), []).append(claim)
            for tls in parse_tls(ingress):
                self.tls_patterns.extend((cls, host) for host in tls.hosts)

    @classmethod
    def of(cls, objects: Iterable[Obj], *, listed: Listed = everything) -> EdgeView:
        """From a mixed list of objects, sorted by their `kind`."""
        by_kind: dict[str, list[Obj]] = {}
        for obj in objects:
            by_kind.setdefault(str(obj.get("kind", "")), []).append(obj)
        return cls(
            by_kind.get("Ingress", ()),
            by_kind.get("Service", ()),
            by_kind.get("Endpoints", ()),
            by_kind.get("Certificate", ()),
            by_kind.get("Challenge", ()),
            listed=listed,
        )

    def tls_covers(self, cls: str, host: str) -> bool:
        return any(_classes_meet(c, cls) and host_matches(p, host) for c, p in self.tls_patterns)


def _route(path: IngressPath) -> tuple[str, str, str]:
    # ingress-nginx treats ImplementationSpecific like Prefix.
    kind = "Exact" if path.path_type == "Exact" else "Prefix"
    return (path.host.lower(), path.path, kind)


def judge(ingress: Obj, view: EdgeView, now: datetime) -> Judged:
    """The findings for `ingress`, and the subject prefixes that could not be judged."""
    namespace = _meta(ingress)[0]
    unjudged = {
        subject
        for kind, subjects in SUBJECTS_BY_KIND.items()
        if not view.listed(kind, namespace)
        for subject in subjects
    }
    findings = [
        *_tls_hosts(ingress, view),
        *_rewrite(ingress),
        *_conflicts(ingress, view),
        *_address(ingress, now),
    ]
    if "backend" not in unjudged:
        findings += _backends(ingress, view, check_endpoints="endpoints" not in unjudged)
    if "certificate" not in unjudged:
        findings += _certificates(ingress, view, now)
    if "challenge" not in unjudged:
        broken = any(f.severity == "error" for f in findings if f.subject.startswith(
            ("certificate", "expiry")))  # fmt: skip
        findings += _challenges(ingress, view, urgent=broken)
    return findings, unjudged


# -- TLS hosts ---------------------------------------------------------------------------


def _tls_hosts(ingress: Obj, view: EdgeView) -> list[Finding]:
    cls = ingress_class(ingress)
    own = [h for t in parse_tls(ingress) for h in t.hosts]
    found: list[Finding] = []
    for host in parse_hosts(ingress):
        if view.tls_covers(cls, host):
            continue
        pair = sibling(host)
        pair_covered = view.tls_covers(cls, pair)
        if not own and not pair_covered:
            continue  # a plain-HTTP site: nothing claims HTTPS for it
        listed = f" (TLS hosts: {_name(', '.join(own), 200)})" if own else ""
        text = (
            f"{_name(host)} is routed but in no TLS hosts{listed}: HTTPS for it gets the"
            " controller's default certificate; list it under tls hosts"
        )
        if pair_covered:
            text = (
                f"{_name(host)} is routed but missing from the TLS hosts, {_name(pair)} is"
                f" there{listed}: browsers reject {_name(host)}; the TLS hosts must list both"
            )
        runbook = RUNBOOK_WWW if pair_covered else RUNBOOK_TLS
        found.append(Finding("tls-host-missing", "error", text, runbook, f"tls-hosts:{host}"))
    return found


# -- rewrite-target -------------------------------------------------------------------------


def serves_static(path: str) -> bool:
    """Does this path (prefix) carry JS/CSS bundles? "/" does, as do /static, /assets…"""
    if path in ("/", "/*", "*"):
        return True
    segments = [s for s in path.lower().split("/") if s]
    return any(s in STATIC_SEGMENTS for s in segments) or path.endswith((".js", ".css"))


def _rewrite(ingress: Obj) -> list[Finding]:
    target = annotations_of(ingress).get(REWRITE_TARGET)
    if target is None:
        return []
    static = sorted({p.path for p in parse_rules(ingress) if serves_static(p.path)})
    if not static:
        return []
    paths = _name(", ".join(static), 200)
    shown = _name(target)
    if "$" not in str(target):
        text = (
            f'rewrite-target "{shown}" rewrites every request under {paths} to "{shown}":'
            " JS and CSS bundles are answered with the HTML page (MIME type error)"
        )
        return [Finding("rewrite-target-static", "error", text, RUNBOOK_JS_MIME, "rewrite")]
    text = (
        f'rewrite-target "{shown}" also applies to {paths}: check that bundles such as'
        " /static/js/*.js still reach their files"
    )
    return [Finding("rewrite-target-static", "warn", text, RUNBOOK_JS_MIME, "rewrite")]


# -- precedence ----------------------------------------------------------------------------


def _conflicts(ingress: Obj, view: EdgeView) -> list[Finding]:
    namespace, name = _meta(ingress)
    cls = ingress_class(ingress)
    found: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    for path in parse_rules(ingress):
        route = _route(path)
        if path.path_type == "default" or route in seen:
            continue
        seen.add(route)
        claims = view.claims.get(route, [])
        others = [
            c for c in claims
            if (c.namespace, c.name) != (namespace, name) and _classes_meet(c.ingress_class, cls)
        ]  # fmt: skip
        if not others:
            continue
        ours = next((c for c in claims if (c.namespace, c.name) == (namespace, name)), None)
        contenders = [*others, *([ours] if ours else [])]
        winner = min(contenders, key=lambda c: c.age_key)
        where = f"{path.host or '*'}{path.path}"
        names = ", ".join(sorted(c.label for c in others))
        verdict = (
            "this ingress's rule is used, theirs is ignored"
            if winner is ours
            else f"only {winner.label}'s rule is used, this one is ignored"
        )
        text = (
            f"{_name(where, 200)} is also routed by {_name(names, 200)}: the controller uses"
            f" one rule per host and path (ingress-nginx: the oldest ingress); {verdict}"
        )
        found.append(
            Finding("ingress-path-conflict", "error", text, RUNBOOK_WWW, f"conflict:{where}")
        )
    return found


# -- address -----------------------------------------------------------------------------


def _address(ingress: Obj, now: datetime) -> list[Finding]:
    if lb_addresses(ingress):
        return []
    created = parse_time(dig(ingress, "metadata", "creationTimestamp"))
    if created is not None and now - created < ADDRESS_GRACE:
        return []
    text = (
        "no load balancer address: the ingress controller has not admitted this ingress"
        " (check its class) or the load balancer is not ready, so DNS has nothing to point at"
    )
    return [Finding("no-address", "warn", text, RUNBOOK_NETWORK, "address")]


# -- backends ----------------------------------------------------------------------------


def _service_port(service: Obj, port: str) -> bool:
    for entry in dig(service, "spec", "ports", default=[]) or []:
        if not isinstance(entry, Mapping):
            continue
        if port.isdigit() and str(entry.get("port")) == port:
            return True
        if not port.isdigit() and entry.get("name") == port:
            return True
    return False


def endpoint_counts(endpoints: Obj | None) -> tuple[int, int]:
    """(ready, not ready) addresses of an Endpoints object."""
    ready = not_ready = 0
    for subset in dig(endpoints, "subsets", default=[]) or []:
        if isinstance(subset, Mapping):
            ready += len(subset.get("addresses") or [])
            not_ready += len(subset.get("notReadyAddresses") or [])
    return ready, not_ready


def _backends(ingress: Obj, view: EdgeView, *, check_endpoints: bool) -> list[Finding]:
    namespace, _ = _meta(ingress)
    routes: dict[tuple[str, str], list[str]] = {}
    for path in parse_rules(ingress):
        if path.service:
            routes.setdefault((path.service, path.port), []).append(
                f"{path.host or '*'}{'' if path.path == '*' else path.path}"
            )
    found: list[Finding] = []
    judged_services: set[str] = set()
    for (service_name, port), where in routes.items():
        service = view.services.get((namespace, service_name))
        svc, routed = _name(service_name), _routes_text(where)
        if service is None:
            text = f"backend service {svc} does not exist in {_name(namespace)}: {routed} get 503"
            found.append(Finding("backend-service-missing", "error", text, RUNBOOK_SITE_DOWN,
                                 f"backend:{service_name}"))  # fmt: skip
            continue
        if port and not _service_port(service, port):
            text = f"service {svc} has no port {_name(port)}: {routed} get 503"
            found.append(Finding("backend-port-missing", "error", text, RUNBOOK_SITE_DOWN,
                                 f"backend:{service_name}:{port}"))  # fmt: skip
        if check_endpoints and service_name not in judged_services:
            judged_services.add(service_name)
            found += _endpoints(namespace, service_name, service, view, routed)
    return found


def _routes_text(where: list[str]) -> str:
    shown = _name(", ".join(where[:3]), 200)
    return f"requests to {shown}" + (f" (+{len(where) - 3} more)" if len(where) > 3 else "")


def _endpoints(
    namespace: str, service_name: str, service: Obj, view: EdgeView, routed: str
) -> list[Finding]:
    if dig(service, "spec", "type") == "ExternalName":
        return []  # no endpoints by design: DNS points elsewhere
    ready, not_ready = endpoint_counts(view.endpoints.get((namespace, service_name)))
    if ready:
        return []
    why = (
        f"{not_ready} not ready: pods failing readiness or crashing"
        if not_ready
        else "no pod matches its selector"
    )
    text = f"service {_name(service_name)} has no ready endpoints ({why}): {routed} get 502/503"
    return [Finding("backend-no-endpoints", "error", text, RUNBOOK_SITE_DOWN,
                    f"endpoints:{service_name}")]  # fmt: skip


# -- certificates and challenges ---------------------------------------------------------


def _condition(obj: Obj, kind: str) -> Mapping[str, Any] | None:
    for entry in dig(obj, "status", "conditions", default=[]) or []:
        if isinstance(entry, Mapping) and entry.get("type") == kind:
            return entry
    return None


def _owned_by(obj: Obj, ingress: Obj) -> bool:
    uid = dig(ingress, "metadata", "uid")
    owners = dig(obj, "metadata", "ownerReferences", default=[]) or []
    return bool(uid) and any(isinstance(o, Mapping) and o.get("uid") == uid for o in owners)


def _certificates(ingress: Obj, view: EdgeView, now: datetime) -> list[Finding]:
    namespace, _ = _meta(ingress)
    secrets = {t.secret for t in parse_tls(ingress) if t.secret}
    mine = [
        c for c in view.certificates
        if _meta(c)[0] == namespace and dig(c, "spec", "secretName") in secrets
    ]  # fmt: skip
    found: list[Finding] = []
    annotated = any(k in annotations_of(ingress) for k in (CLUSTER_ISSUER, ISSUER))
    for cert in mine:
        _, name = _meta(cert)
        expiry = _expiry(cert, now)
        if expiry is not None:
            found.append(expiry)
        ready = _condition(cert, "Ready")
        expired = expiry is not None and expiry.code == "tls-certificate-expired"
        if ready is None:
            text = f"certificate {_name(name)} has not been issued yet (no Ready condition)"
            found.append(Finding("certificate-not-ready", "warn", text, RUNBOOK_TLS,
                                 f"certificate:{name}"))  # fmt: skip
        elif ready.get("status") != "True" and not (expired and ready.get("reason") == "Expired"):
            reason = _name(ready.get("reason") or "NotReady", 60)
            message = _name(ready.get("message") or "", 300)
            text = f"certificate {_name(name)} is not Ready ({reason})" + (
                f": {message}" if message else ""
            )
            found.append(Finding("certificate-not-ready", "error", text, RUNBOOK_TLS,
                                 f"certificate:{name}"))  # fmt: skip
        if _owned_by(cert, ingress) and not annotated:
            broken = expired or (ready is not None and ready.get("status") != "True")
            text = (
                f"certificate {_name(name)} was made for this ingress by cert-manager, but the"
                f" ingress has no {CLUSTER_ISSUER} annotation any more: cert-manager no longer"
                " manages it, so HTTP-01 challenges and renewals fail"
            )
            found.append(Finding("issuer-annotation-missing", "error" if broken else "warn",
                                 text, RUNBOOK_TLS, f"issuer-annotation:{name}"))  # fmt: skip
    return found


def _expiry(cert: Obj, now: datetime) -> Finding | None:
    not_after = parse_time(dig(cert, "status", "notAfter"))
    if not_after is None:
        return None
    _, name = _meta(cert)
    names = _name(", ".join(str(n) for n in dig(cert, "spec", "dnsNames", default=[]) or []), 200)
    left = not_after - now
    day = f"{not_after:%Y-%m-%d %H:%M} UTC"
    if left <= timedelta(0):
        days = int(-left.total_seconds() // 86400)
        ago = f"{days} days ago" if days != 1 else "1 day ago"
        text = (
            f"certificate {_name(name)} ({names}) expired {ago if days else 'today'}, on {day}:"
            " browsers refuse the site"
        )
        return Finding("tls-certificate-expired", "error", text, RUNBOOK_TLS, f"expiry:{name}")
    if left < timedelta(days=EXPIRY_WARNING_DAYS):
        days = int(left.total_seconds() // 86400)
        text = (
            f"certificate {_name(name)} ({names}) expires in {days} days, on {day}:"
            " cert-manager should have renewed it by now"
        )
        return Finding("tls-certificate-expiring", "warn", text, RUNBOOK_TLS, f"expiry:{name}")
    return None


def _challenges(ingress: Obj, view: EdgeView, *, urgent: bool) -> list[Finding]:
    namespace, _ = _meta(ingress)
    # A challenge proves a name for a certificate: it concerns the ingress whose
    # TLS hosts ask for that name, not every ingress routing it.
    hosts = [h for t in parse_tls(ingress) for h in t.hosts]
    newest: dict[str, Obj] = {}
    for challenge in view.challenges:
        dns_name = str(dig(challenge, "spec", "dnsName", default="")).lower()
        related = any(host_matches(dns_name, h) or host_matches(h, dns_name) for h in hosts)
        if _meta(challenge)[0] != namespace or not related:
            continue
        stamp = str(dig(challenge, "metadata", "creationTimestamp", default=""))
        held = newest.get(dns_name)
        if held is None or stamp >= str(dig(held, "metadata", "creationTimestamp", default="")):
            newest[dns_name] = challenge
    found: list[Finding] = []
    for dns_name, challenge in sorted(newest.items()):
        state = str(dig(challenge, "status", "state", default="") or "pending")
        if state == "valid":
            continue
        reason = _name(dig(challenge, "status", "reason", default=""), 300)
        text = f"ACME challenge for {_name(dns_name)} is {_name(state, 20)}" + (
            f": {reason}" if reason else ""
        )
        severity = "error" if urgent or state in ("invalid", "errored") else "warn"
        found.append(Finding("acme-challenge-pending", severity, text, RUNBOOK_TLS,
                             f"challenge:{dns_name}"))  # fmt: skip
    return found


def judge_all(view: EdgeView, now: datetime) -> dict[tuple[str, str], Judged]:
    """Every ingress of the view: (namespace, name) -> (findings, unjudged)."""
    return {_meta(ingress): judge(ingress, view, now) for ingress in view.ingresses}
