"""bad-deploy (runbooks 000, 001, 004): a release whose image tag does not exist.

Story: nine minutes ago `kubectl set image` rolled wilkenweb-prod/app to
1.15.0, a tag CI never pushed. The new ReplicaSet's pod is stuck in
ImagePullBackOff; the rolling update cannot progress (maxUnavailable rounds
to 0 for 3 replicas), so the three 1.14.2 pods keep serving. Minutes later the
Deployment's progress deadline passes (ProgressDeadlineExceeded).

Fix (runbook): `kubectl rollout undo deployment app -n wilkenweb-prod`.
Not a fix: `kubectl rollout restart` (a new revision of the same bad image),
deleting the stuck pod.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.sim.objects import condition, dig
from tui.sim.resources import DEPLOYMENTS
from tui.sim.scenarios import checks
from tui.sim.scenarios.base import Scenario, Verdict
from tui.sim.scenarios.platform import APP_IMAGE, DAY, WILKENWEB, platform, wilkenweb

if TYPE_CHECKING:
    from tui.sim.world import World

BAD = f"{APP_IMAGE}:1.15.0"
DEPLOYED_AGO = 9 * 60.0


class BadDeploy(Scenario):
    name = "bad-deploy"
    description = (
        "a release with an image tag that does not exist: ImagePullBackOff, rollout stuck;"
        " fix: kubectl rollout undo deployment app -n wilkenweb-prod"
    )

    def build(self, world: World) -> None:
        world.registry.missing.add(BAD)
        platform(world)
        wilkenweb(world, tag="1.14.1")
        world.run_until_wall(world.now_epoch - DAY)
        world.set_image(WILKENWEB, "app", "app", f"{APP_IMAGE}:1.14.2")
        world.run_until_wall(world.now_epoch - DEPLOYED_AGO)
        world.set_image(WILKENWEB, "app", "app", BAD)

    def check(self, world: World) -> Verdict:
        d = world.find(DEPLOYMENTS, WILKENWEB, "app")
        containers = dig(d, "spec", "template", "spec", "containers", default=[]) if d else []
        images = [c.get("image", "") for c in containers]
        pullable = all(world.registry.exists(image) for image in images)
        if d is not None and pullable and checks.deployment_ready(world, WILKENWEB, "app"):
            return Verdict(True, f"resolved: wilkenweb-prod/app rolled out {', '.join(images)}")
        states = checks.pod_states(world, WILKENWEB, {"app": "app"})
        progressing = condition(d, "Progressing") if d else None
        stuck = (
            " (ProgressDeadlineExceeded)"
            if progressing and progressing.get("reason") == "ProgressDeadlineExceeded"
            else ""
        )
        return Verdict(
            False,
            f"rollout of wilkenweb-prod/app to {', '.join(images)} stuck{stuck}: pods"
            f" {checks.states_text(states)}; the tag does not exist in the registry",
        )
