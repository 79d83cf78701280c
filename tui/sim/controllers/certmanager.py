"""cert-manager: ingress-shim, Certificates, ACME HTTP-01 Challenges, ClusterIssuers.

- ingress-shim: an Ingress annotated `cert-manager.io/cluster-issuer` gets one
  Certificate per TLS secret, with the TLS hosts as dnsNames, kept in step
  with the Ingress.
- Certificates: the secret's real certificate is read; missing, expired, due
  for renewal or issued for other names means issuing: an ACME order with one
  Challenge per name. Ready says whether the secret is good now.
- Challenges: HTTP-01 with the solver edited into the domain's Ingress
  (`acme.cert-manager.io/http01-edit-in-place`), which only works on an Ingress
  cert-manager manages, i.e. that carries the issuer annotation. Without it
  the self-check keeps getting 404 and the challenge stays pending.
- When every challenge of an order is valid, a fresh certificate (90 days)
  goes into the secret and the challenges are cleaned up.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tui.sim import certs
from tui.sim.controllers.base import Obj, WorldController
from tui.sim.objects import (
    controlled_by,
    dig,
    is_deleting,
    owner_reference,
    rfc3339,
    set_condition,
)
from tui.sim.resources import (
    CERTIFICATES,
    CHALLENGES,
    CLUSTERISSUERS,
    INGRESSES,
    SECRETS,
)
from tui.sim.store import Change, NotFound

if TYPE_CHECKING:
    from tui.sim.world import World

CLUSTER_ISSUER = "cert-manager.io/cluster-issuer"
ISSUER = "cert-manager.io/issuer"
ACME = "https://acme-v02.api.letsencrypt.org/acme"
DURATION = 90 * 86400.0
SELF_CHECK = 10.0  # sim seconds before the first HTTP-01 self-check retry
SELF_CHECK_MAX = 300.0  # retries back off up to this
PROPAGATION = 4.0  # sim seconds for a reachable challenge to be validated
PENDING_REASON = (
    "Waiting for HTTP-01 challenge propagation: wrong status code '404', expected '200'"
)


def certificate_issuer(ingress: Obj) -> tuple[str, str] | None:
    annotations = dig(ingress, "metadata", "annotations", default={})
    if annotations.get(CLUSTER_ISSUER):
        return ("ClusterIssuer", annotations[CLUSTER_ISSUER])
    if annotations.get(ISSUER):
        return ("Issuer", annotations[ISSUER])
    return None


def human_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%a, %d %b %Y %H:%M:%S UTC")


class CertManager(WorldController):
    name = "cert-manager"
    component = "cert-manager-certificates-issuing"

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self._authority: certs.Authority | None = None
        self._orders: dict[tuple[str, str], tuple[tuple[str, ...], list[str]]] = {}
        self._parsed: dict[tuple[str, str, str], certs.CertInfo | None] = {}
        self._checks: dict[tuple[str, str], Any] = {}  # challenge -> validation timer
        self._self_checks: dict[tuple[str, str], Any] = {}  # challenge -> next self-check
        self._attempts: dict[tuple[str, str], int] = {}  # challenge -> failed self-checks
        self._renewals: dict[tuple[str, str], Any] = {}  # certificate -> renewal timer

    @property
    def authority(self) -> certs.Authority:
        if self._authority is None:
            self._authority = certs.Authority()
        return self._authority

    # -- routing -------------------------------------------------------------------------

    def observe(self, change: Change) -> None:
        metadata = change.obj["metadata"]
        namespace, name = metadata.get("namespace", ""), metadata["name"]
        if change.rtype is INGRESSES:
            self.enqueue(("ingress", namespace, name))
            for challenge in self.store.items(CHALLENGES, namespace):
                self.enqueue(("challenge", namespace, challenge["metadata"]["name"]))
        elif change.rtype is CERTIFICATES:
            self.enqueue(("certificate", namespace, name))
        elif change.rtype is SECRETS:
            for cert in self.store.items(CERTIFICATES, namespace):
                if dig(cert, "spec", "secretName") == name:
                    self.enqueue(("certificate", namespace, cert["metadata"]["name"]))
        elif change.rtype is CHALLENGES:
            if change.event_type == "DELETED":
                self.enqueue(("challenge-gone", namespace, name))
            else:
                self.enqueue(("challenge", namespace, name))
        elif change.rtype is CLUSTERISSUERS and change.event_type == "ADDED":
            self.enqueue(("issuer", "", name))

    def sync(self, key: tuple[str, str, str]) -> None:
        what, namespace, name = key
        if what == "ingress":
            self._shim(namespace, name)
        elif what == "certificate":
            self._certificate(namespace, name)
        elif what == "challenge":
            self._challenge(namespace, name)
        elif what == "challenge-gone":
            self._challenge_gone(namespace, name)
        elif what == "issuer":
            self._issuer(name)

    # -- issuers -------------------------------------------------------------------------

    def _issuer(self, name: str) -> None:
        issuer = self.store.find(CLUSTERISSUERS, None, name)
        if issuer is None or dig(issuer, "status", "conditions"):
            return
        now = self.clock.stamp()
        email = dig(issuer, "spec", "acme", "email", default="")
        self.world.set_status(
            CLUSTERISSUERS,
            issuer,
            {
                "acme": {
                    "uri": "https://acme-v02.api.letsencrypt.org/acme/acct/1880265437",
                    "lastRegisteredEmail": email,
                },
                "conditions": set_condition(
                    [],
                    "Ready",
                    "True",
                    now,
                    reason="ACMEAccountRegistered",
                    message="The ACME account was registered with the ACME server",
                    update_time=False,
                ),
            },
        )

    # -- ingress-shim ------------------------------------------------------------------

    def _shim(self, namespace: str, name: str) -> None:
        ingress = self.store.find(INGRESSES, namespace, name)
        if ingress is None or is_deleting(ingress):
            return
        issuer = certificate_issuer(ingress)
        if issuer is None:
            return
        kind, issuer_name = issuer
        for tls in dig(ingress, "spec", "tls", default=[]):
            secret = tls.get("secretName")
            hosts = list(tls.get("hosts") or [])
            if not secret or not hosts:
                continue
            spec = {
                "dnsNames": hosts,
                "secretName": secret,
                "issuerRef": {"name": issuer_name, "kind": kind, "group": "cert-manager.io"},
                "usages": ["digital signature", "key encipherment"],
            }
            current = self.store.find(CERTIFICATES, namespace, secret)
            if current is None:
                self.world.create(
                    CERTIFICATES,
                    {
                        "metadata": {
                            "name": secret,
                            "namespace": namespace,
                            "ownerReferences": [owner_reference(ingress, INGRESSES)],
                        },
                        "spec": spec,
                    },
                )
                self.event(
                    ingress,
                    INGRESSES,
                    "Normal",
                    "CreateCertificate",
                    f'Successfully created Certificate "{secret}"',
                    component="cert-manager-ingress-shim",
                )
            elif controlled_by(current, ingress) and current.get("spec") != spec:
                self.world.update(CERTIFICATES, {**current, "spec": spec})
                self.event(
                    ingress,
                    INGRESSES,
                    "Normal",
                    "UpdateCertificate",
                    f'Successfully updated Certificate "{secret}"',
                    component="cert-manager-ingress-shim",
                )

    # -- certificates ------------------------------------------------------------------

    def secret_certificate(self, namespace: str, secret_name: str) -> certs.CertInfo | None:
        secret = self.store.find(SECRETS, namespace, secret_name)
        if secret is None:
            return None
        key = (namespace, secret_name, secret["metadata"].get("resourceVersion", ""))
        if key not in self._parsed:
            self._parsed = {k: v for k, v in self._parsed.items() if k[:2] != key[:2]}
            self._parsed[key] = certs.read((secret.get("data") or {}).get("tls.crt"))
        return self._parsed[key]

    def _certificate(self, namespace: str, name: str) -> None:
        cert = self.store.find(CERTIFICATES, namespace, name)
        key = (namespace, name)
        if cert is None or is_deleting(cert):
            self._cancel_order(key)
            return
        spec = cert.get("spec") or {}
        names = tuple(spec.get("dnsNames") or [])
        info = self.secret_certificate(namespace, spec.get("secretName", ""))
        now = self.clock.wall()
        problem = self._problem(info, names, now)
        stamp = self.clock.stamp()
        status = dict(cert.get("status") or {})
        conditions = status.get("conditions") or []
        if problem is None:
            conditions = set_condition(
                conditions,
                "Ready",
                "True",
                stamp,
                reason="Ready",
                message="Certificate is up to date and has not expired",
            )
            conditions = [c for c in conditions if c.get("type") != "Issuing"]
            self._cancel_order(key)
        else:
            reason, message = problem
            ready_reason, ready_message = reason, message
            if reason == "Renewing":
                ready_reason, ready_message = (
                    "Ready",
                    "Certificate is up to date and has not expired",
                )
            conditions = set_condition(
                conditions,
                "Ready",
                "True" if reason == "Renewing" else "False",
                stamp,
                reason=ready_reason,
                message=ready_message,
            )
            if self._order(cert, names, reason, message):
                conditions = set_condition(
                    conditions, "Issuing", "True", stamp, reason=reason, message=message
                )
        if info is not None:
            renewal = info.not_after - (info.not_after - info.not_before) / 3
            status.update(
                notBefore=rfc3339(info.not_before),
                notAfter=rfc3339(info.not_after),
                renewalTime=rfc3339(renewal),
            )
            if problem is None and key not in self._renewals:
                # Look again when renewal falls due.
                self._renewals[key] = self.engine.call_later(
                    max(1.0, renewal - now), self._renew, namespace, name
                )
        status["conditions"] = sorted(conditions, key=lambda c: c["type"] != "Ready")
        if cert["metadata"].get("generation"):
            for entry in status["conditions"]:
                entry["observedGeneration"] = cert["metadata"]["generation"]
        if status != cert.get("status"):
            self.world.set_status(CERTIFICATES, cert, status)

    def _renew(self, namespace: str, name: str) -> None:
        self._renewals.pop((namespace, name), None)
        self.enqueue(("certificate", namespace, name))

    def _problem(
        self, info: certs.CertInfo | None, names: tuple[str, ...], now: float
    ) -> tuple[str, str] | None:
        if info is None:
            return ("DoesNotExist", "Issuing certificate as Secret does not exist")
        if set(info.dns_names) != set(names):
            return (
                "RequestChanged",
                "Fields on existing CertificateRequest resource not up to date: [spec.dnsNames]",
            )
        if now >= info.not_after:
            return ("Expired", f"Certificate expired on {human_time(info.not_after)}")
        renewal = info.not_after - (info.not_after - info.not_before) / 3
        if now >= renewal:
            return (
                "Renewing",
                f"Renewing certificate as renewal was scheduled at {human_time(renewal)}",
            )
        return None

    def _order(self, cert: Obj, names: tuple[str, ...], reason: str, message: str) -> bool:
        """Make sure an ACME order (its challenges) is under way for `names`."""
        namespace, name = cert["metadata"]["namespace"], cert["metadata"]["name"]
        key = (namespace, name)
        issuer_ref = dig(cert, "spec", "issuerRef", default={})
        if issuer_ref.get("kind", "Issuer") == "ClusterIssuer":
            issuer = self.store.find(CLUSTERISSUERS, None, issuer_ref.get("name", ""))
        else:
            issuer = None  # namespaced Issuers are not served by the drill cluster
        if issuer is None:
            return False
        current = self._orders.get(key)
        if current is not None and current[0] == names:
            return True
        self._cancel_order(key)
        revision = int(dig(cert, "status", "revision", default=0)) + 1
        self.event(cert, CERTIFICATES, "Normal", "Issuing", message)
        suffix = self.world.suffix()
        self.event(
            cert,
            CERTIFICATES,
            "Normal",
            "Generated",
            f'Stored new private key in temporary Secret resource "{name}-{suffix}"',
            component="cert-manager-certificates-key-manager",
        )
        self.event(
            cert,
            CERTIFICATES,
            "Normal",
            "Requested",
            f'Created new CertificateRequest resource "{name}-{revision}"',
            component="cert-manager-certificates-request-manager",
        )
        challenges = []
        for index, dns_name in enumerate(names):
            # Each new order has new challenge names, as a new ACME order would.
            digest = hashlib.sha256(f"{name}/{revision}/{dns_name}/{suffix}".encode()).hexdigest()
            challenge_name = (
                f"{name}-{revision}-{int(digest[:8], 16) % 10**10}-{int(digest[8:16], 16) % 10**10}"
            )
            token = hashlib.sha256(f"token/{digest}".encode()).hexdigest()[:43]
            self.world.create(
                CHALLENGES,
                {
                    "metadata": {"name": challenge_name, "namespace": namespace},
                    "spec": {
                        "authorizationURL": f"{ACME}/authz-v3/{4000000000 + index}",
                        "dnsName": dns_name,
                        "issuerRef": {
                            "group": "cert-manager.io",
                            "kind": issuer_ref.get("kind"),
                            "name": issuer_ref.get("name"),
                        },
                        "key": f"{token}.{digest[:43]}",
                        "solver": {"http01": {"ingress": {"ingressClassName": "nginx"}}},
                        "token": token,
                        "type": "HTTP-01",
                        "url": f"{ACME}/chall-v3/{4000000000 + index}/Xk{digest[:4]}",
                        "wildcard": False,
                    },
                },
            )
            challenges.append(challenge_name)
        self._orders[key] = (names, challenges)
        return True

    def _cancel_order(self, key: tuple[str, str]) -> None:
        order = self._orders.pop(key, None)
        if order is None:
            return
        for challenge in order[1]:
            try:
                self.store.remove(CHALLENGES, key[0], challenge)
            except NotFound:
                pass

    # -- challenges --------------------------------------------------------------------

    def _challenge(self, namespace: str, name: str) -> None:
        challenge = self.store.find(CHALLENGES, namespace, name)
        if challenge is None or is_deleting(challenge):
            return
        state = dig(challenge, "status", "state")
        if state == "valid":
            self._maybe_issue(namespace, name)
            return
        if not state:
            self.event(
                challenge,
                CHALLENGES,
                "Normal",
                "Started",
                "Challenge scheduled for processing",
                component="cert-manager-challenges",
            )
        reachable = self._reachable(challenge)
        key = (namespace, name)
        if reachable:
            if key not in self._checks:
                self._checks[key] = self.engine.call_later(
                    PROPAGATION, self._validate, namespace, name
                )
            status = {
                "processing": True,
                "presented": True,
                "state": "pending",
                "reason": "Waiting for HTTP-01 challenge propagation: did not get expected"
                " response when querying endpoint, expected"
                f' "{dig(challenge, "spec", "key")}" but got: (empty)',
            }
        else:
            status = {
                "processing": True,
                "presented": True,
                "state": "pending",
                "reason": PENDING_REASON,
            }
            timer = self._checks.pop(key, None)
            if timer is not None:
                timer.cancel()
            if key not in self._self_checks:
                attempts = self._attempts.get(key, 0)
                self._attempts[key] = attempts + 1
                delay = min(SELF_CHECK * 2**attempts, SELF_CHECK_MAX)
                self._self_checks[key] = self.engine.call_later(
                    delay, self._self_check, namespace, name
                )
        if not state:
            self.event(
                challenge,
                CHALLENGES,
                "Normal",
                "Presented",
                "Presented challenge using HTTP-01 challenge mechanism",
                component="cert-manager-challenges",
            )
        if status != challenge.get("status"):
            self.world.set_status(CHALLENGES, challenge, status)

    def _self_check(self, namespace: str, name: str) -> None:
        self._self_checks.pop((namespace, name), None)
        self.enqueue(("challenge", namespace, name))

    def _challenge_gone(self, namespace: str, name: str) -> None:
        """A challenge deleted by hand: its order starts over with fresh ones."""
        self._attempts.pop((namespace, name), None)
        for key, (_, challenges) in list(self._orders.items()):
            if key[0] == namespace and name in challenges:
                self._cancel_order(key)
                self.enqueue(("certificate", *key))

    def _reachable(self, challenge: Obj) -> bool:
        """Does an Ingress cert-manager manages (issuer annotation) serve this name?"""
        dns_name = dig(challenge, "spec", "dnsName")
        issuer = dig(challenge, "spec", "issuerRef", default={})
        for ingress in self.store.items(INGRESSES, challenge["metadata"]["namespace"]):
            hosts = {r.get("host") for r in dig(ingress, "spec", "rules", default=[])}
            if dns_name not in hosts:
                continue
            if certificate_issuer(ingress) == (issuer.get("kind"), issuer.get("name")):
                return True
        return False

    def _validate(self, namespace: str, name: str) -> None:
        self._checks.pop((namespace, name), None)
        challenge = self.store.find(CHALLENGES, namespace, name)
        if challenge is None or not self._reachable(challenge):
            self.enqueue(("challenge", namespace, name))
            return
        self.world.set_status(
            CHALLENGES,
            challenge,
            {
                "processing": False,
                "presented": False,
                "state": "valid",
                "reason": "Successfully authorized domain",
            },
        )
        self.event(
            challenge,
            CHALLENGES,
            "Normal",
            "DomainVerified",
            f'Domain "{dig(challenge, "spec", "dnsName")}" verified with "HTTP-01" validation',
            component="cert-manager-challenges",
        )

    def _maybe_issue(self, namespace: str, challenge_name: str) -> None:
        for key, (names, challenges) in list(self._orders.items()):
            if key[0] != namespace or challenge_name not in challenges:
                continue
            found = [self.store.find(CHALLENGES, namespace, c) for c in challenges]
            if all(c is not None and dig(c, "status", "state") == "valid" for c in found):
                self._issue(key, names)
            return

    def _issue(self, key: tuple[str, str], names: tuple[str, ...]) -> None:
        cert = self.store.find(CERTIFICATES, *key)
        self._cancel_order(key)
        if cert is None:
            return
        now = self.clock.wall()
        issued = self.authority.issue(list(names), now - 60, now - 60 + DURATION)
        spec = cert.get("spec") or {}
        secret_name = spec.get("secretName", key[1])
        issuer_ref = spec.get("issuerRef") or {}
        annotations = {
            "cert-manager.io/alt-names": ",".join(names),
            "cert-manager.io/certificate-name": key[1],
            "cert-manager.io/common-name": names[0],
            "cert-manager.io/ip-sans": "",
            "cert-manager.io/issuer-group": issuer_ref.get("group", "cert-manager.io"),
            "cert-manager.io/issuer-kind": issuer_ref.get("kind", ""),
            "cert-manager.io/issuer-name": issuer_ref.get("name", ""),
            "cert-manager.io/uri-sans": "",
        }
        data = certs.secret_data(issued)
        secret = self.store.find(SECRETS, key[0], secret_name)
        if secret is None:
            self.world.create(
                SECRETS,
                {
                    "metadata": {
                        "name": secret_name,
                        "namespace": key[0],
                        "annotations": annotations,
                        "labels": {"controller.cert-manager.io/fao": "true"},
                    },
                    "type": "kubernetes.io/tls",
                    "data": data,
                },
            )
        else:
            metadata = {
                **secret["metadata"],
                "annotations": {**(secret["metadata"].get("annotations") or {}), **annotations},
            }
            self.world.update(SECRETS, {**secret, "metadata": metadata, "data": data})
        revision = int(dig(cert, "status", "revision", default=0)) + 1
        cert = self.store.find(CERTIFICATES, *key) or cert
        self.world.set_status(
            CERTIFICATES, cert, {**(cert.get("status") or {}), "revision": revision}
        )
        self.event(
            cert, CERTIFICATES, "Normal", "Issuing", "The certificate has been successfully issued"
        )
        self.enqueue(("certificate", *key))
