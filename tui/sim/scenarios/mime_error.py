"""mime-error (runbook 000, scenario B): the JS bundle fails to load (MIME type error).

Story: half an hour ago app-ingress was re-applied with
`nginx.ingress.kubernetes.io/rewrite-target: /`, meant for another ingress.
Every path, /static/js/main.8c1f2e.js included, is now rewritten to / and
answered with index.html (text/html): browsers refuse to run the bundle.
Pods are healthy; ingress-nginx's access log shows every asset with the
index page's size, and the app's client error reports say why.

Fix (runbook): remove the annotation:
`kubectl annotate ingress app-ingress -n wilkenweb-prod nginx.ingress.kubernetes.io/rewrite-target-`
Not a fix: restarting the ingress controller (the annotation is still there).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.sim.objects import annotations_of, dig
from tui.sim.resources import INGRESSES
from tui.sim.scenarios.base import Scenario, Verdict
from tui.sim.scenarios.platform import WILKENWEB, platform, wilkenweb

if TYPE_CHECKING:
    from tui.sim.world import World

Obj = dict[str, Any]
REWRITE = "nginx.ingress.kubernetes.io/rewrite-target"
BROKEN_AGO = 30 * 60.0


class MimeError(Scenario):
    name = "mime-error"
    description = (
        "JS bundle served as text/html: a rewrite-target annotation on app-ingress rewrites"
        " static paths; fix: remove nginx.ingress.kubernetes.io/rewrite-target"
    )

    def build(self, world: World) -> None:
        platform(world)
        wilkenweb(world)
        world.run_until_wall(world.now_epoch - BROKEN_AGO)

        def rewrite(ingress: Obj) -> Obj:
            ingress["metadata"].setdefault("annotations", {})[REWRITE] = "/"
            return ingress

        world.patch(INGRESSES, WILKENWEB, "app-ingress", rewrite)

    def check(self, world: World) -> Verdict:
        ingress = world.find(INGRESSES, WILKENWEB, "app-ingress")
        if ingress is None:
            return Verdict(False, "app-ingress is gone: nothing routes seanwilken.com")
        paths = {
            p.get("path")
            for r in dig(ingress, "spec", "rules", default=[])
            for p in dig(r, "http", "paths", default=[])
        }
        rewrite = annotations_of(ingress).get(REWRITE)
        if rewrite is None and "/" in paths and "/shop" in paths:
            return Verdict(True, "resolved: app-ingress serves static assets as they are")
        if rewrite is None:
            return Verdict(False, "app-ingress no longer routes / and /shop")
        return Verdict(
            False,
            f"app-ingress has {REWRITE}: {rewrite}; /static/js/*.js is answered with index.html"
            " (text/html), browsers refuse the bundle",
            frozenset({"mime_rewrite"}),
        )
