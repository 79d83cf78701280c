"""tls-expired (runbook 000, scenario D): the site's certificate expired.

Story: app-ingress was re-applied from an overlay that dropped
`cert-manager.io/cluster-issuer: letsencrypt-prod`. The Certificate still
exists, but cert-manager no longer manages the ingress, so the HTTP-01
solver path it edits into the ingress is never there: the ACME challenges
stay pending ("wrong status code '404', expected '200'"), renewal never
happened and the certificate in seanwilken-com-tls expired three days ago.

Fix (runbook): put the annotation back:
`kubectl annotate ingress app-ingress -n wilkenweb-prod \
    cert-manager.io/cluster-issuer=letsencrypt-prod`
Not a fix: restarting the ingress controller, deleting the challenges (they
come back pending), deleting the Certificate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.sim.objects import owner_reference
from tui.sim.resources import INGRESSES
from tui.sim.scenarios.base import Scenario, Verdict
from tui.sim.scenarios.platform import APEX, DAY, WILKENWEB, WWW, platform, wilkenweb
from tui.sim.scenarios.tls import SECRET, certificate_ready, pending_challenges, tls_state

if TYPE_CHECKING:
    from tui.sim.world import World


class TlsExpired(Scenario):
    name = "tls-expired"
    description = (
        "seanwilken.com's certificate expired; ACME challenges pending because app-ingress lost"
        " its cert-manager.io/cluster-issuer annotation; fix: annotate it back"
    )

    def build(self, world: World) -> None:
        platform(world)
        now = world.now_epoch
        wilkenweb(
            world,
            annotations={"cert-manager.io/cluster-issuer": None},
            certificate=(now - 93 * DAY, now - 3 * DAY),
        )
        ingress = world.find(INGRESSES, WILKENWEB, "app-ingress")
        assert ingress is not None
        # The Certificate ingress-shim made back when the annotation was there.
        world.apply(
            {
                "apiVersion": "cert-manager.io/v1",
                "kind": "Certificate",
                "metadata": {
                    "name": SECRET,
                    "namespace": WILKENWEB,
                    "ownerReferences": [owner_reference(ingress, INGRESSES)],
                },
                "spec": {
                    "dnsNames": [APEX, WWW],
                    "secretName": SECRET,
                    "issuerRef": {
                        "name": "letsencrypt-prod",
                        "kind": "ClusterIssuer",
                        "group": "cert-manager.io",
                    },
                    "usages": ["digital signature", "key encipherment"],
                },
            },
            age=180 * DAY,
        )

    def check(self, world: World) -> Verdict:
        good, problems, _ = tls_state(world, WILKENWEB, "app-ingress")
        if good and certificate_ready(world, WILKENWEB, SECRET):
            return Verdict(True, f"resolved: {SECRET} holds a valid certificate for {APEX}, {WWW}")
        pending = pending_challenges(world, WILKENWEB)
        flags = {"tls_expired"} | ({"acme_pending"} if pending else set())
        waiting = f"; ACME challenges pending for {', '.join(pending)}" if pending else ""
        note = "" if _annotated(world) else " (app-ingress has no cert-manager.io/cluster-issuer)"
        return Verdict(
            False,
            f"TLS broken on app-ingress: {'; '.join(problems) or 'certificate not ready'}"
            f"{waiting}{note}",
            frozenset(flags),
        )


def _annotated(world: World) -> bool:
    ingress = world.find(INGRESSES, WILKENWEB, "app-ingress")
    annotations = (ingress or {}).get("metadata", {}).get("annotations") or {}
    return bool(annotations.get("cert-manager.io/cluster-issuer"))
