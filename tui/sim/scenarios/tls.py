"""What the TLS scenarios share: does app-ingress's certificate cover its hosts, now?"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.sim.objects import condition_true, dig
from tui.sim.resources import CERTIFICATES, CHALLENGES, INGRESSES

if TYPE_CHECKING:
    from tui.sim.world import World

SECRET = "seanwilken-com-tls"


def tls_state(world: World, namespace: str, ingress_name: str) -> tuple[bool, list[str], str]:
    """(good, problems, secret) for the ingress's TLS: every TLS secret holds a
    certificate valid now for every host the ingress routes."""
    ingress = world.find(INGRESSES, namespace, ingress_name)
    if ingress is None:
        return False, [f"ingress {ingress_name} is gone"], ""
    hosts = {r.get("host") for r in dig(ingress, "spec", "rules", default=[]) if r.get("host")}
    problems: list[str] = []
    now = world.clock.wall()
    covered: set[str] = set()
    secret = ""
    for tls in dig(ingress, "spec", "tls", default=[]):
        secret = tls.get("secretName", "")
        info = world.certmanager.secret_certificate(namespace, secret)
        if info is None:
            problems.append(f"secret {secret} has no certificate")
            continue
        if info.not_after <= now:
            days = int((now - info.not_after) // 86400)
            problems.append(f"certificate in {secret} expired {days} days ago")
            continue
        covered |= set(info.dns_names)
    missing = sorted(hosts - covered)
    if missing and not problems:
        problems.append(f"certificate does not cover {', '.join(missing)}")
    return not problems and not missing, problems, secret


def certificate_ready(world: World, namespace: str, name: str) -> bool:
    cert = world.find(CERTIFICATES, namespace, name)
    return bool(cert and condition_true(cert, "Ready"))


def pending_challenges(world: World, namespace: str) -> list[str]:
    return [
        dig(c, "spec", "dnsName", default="?")
        for c in world.store.list(CHALLENGES, namespace)
        if dig(c, "status", "state") != "valid"
    ]
