"""www-missing (runbook 000, scenario C): seanwilken.com works, www.seanwilken.com does not.

Story: app-ingress routes both the apex and www, but its `tls.hosts` lists
only the apex. cert-manager issued exactly what was asked: a certificate for
seanwilken.com alone, so browsers reject www (ingress-nginx logs "x509:
certificate is valid for seanwilken.com, not www.seanwilken.com").

Fix (runbook): list both hosts under TLS, e.g.
`kubectl patch ingress app-ingress -n wilkenweb-prod --type=json
 -p '[{"op":"add","path":"/spec/tls/0/hosts/-","value":"www.seanwilken.com"}]'`;
cert-manager then reissues with both names.
Not a fix: restarting the ingress controller; adding www to the Certificate
by hand (ingress-shim puts it back as the ingress says).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.sim.scenarios.base import Scenario, Verdict
from tui.sim.scenarios.platform import APEX, WILKENWEB, WWW, platform, wilkenweb
from tui.sim.scenarios.tls import SECRET, certificate_ready, pending_challenges, tls_state

if TYPE_CHECKING:
    from tui.sim.world import World


class WwwMissing(Scenario):
    name = "www-missing"
    description = (
        "www.seanwilken.com fails TLS: app-ingress's TLS hosts and certificate lack www;"
        " fix: add www.seanwilken.com to the ingress's tls hosts"
    )

    def build(self, world: World) -> None:
        platform(world)
        wilkenweb(world, tls_hosts=(APEX,))

    def check(self, world: World) -> Verdict:
        good, problems, _ = tls_state(world, WILKENWEB, "app-ingress")
        if good and certificate_ready(world, WILKENWEB, SECRET):
            return Verdict(True, f"resolved: {SECRET} covers {APEX} and {WWW}")
        pending = pending_challenges(world, WILKENWEB)
        waiting = f"; ACME challenges pending for {', '.join(pending)}" if pending else ""
        return Verdict(
            False,
            f"{WWW} fails TLS: {'; '.join(problems) or 'certificate not ready'}{waiting}",
            frozenset({"www_cert_mismatch"}),
        )
