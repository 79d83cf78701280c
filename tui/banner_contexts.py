"""What the banner names as the console's targets: the watched contexts and the engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.docker_flow import matches
from widgets.context_labels import ContextLabel

if TYPE_CHECKING:
    from tui.app import WarRoomApp


def banner_contexts(app: WarRoomApp) -> tuple[ContextLabel, ...]:
    """Each Kubernetes context being watched (or asked for, before the kubeconfig is read),
    then the container engine once one answers; production by the configured patterns."""
    kube = app.kube
    contexts = kube.contexts or kube.options.contexts
    # KubeFlow.is_production's rule, without loading the Kubernetes actions for the banner.
    production = app.settings.kube.production_contexts
    labels = [ContextLabel("kube", name, matches((name,), production)) for name in contexts]
    engine = app.docker_flow.engine
    if engine is not None:
        info = engine.info
        labels.append(ContextLabel("docker", info.name, app.docker_flow.is_production(info)))
    return tuple(labels)
