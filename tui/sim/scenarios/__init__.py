"""The drill's scenarios, by name. `SCENARIOS` maps each name to one line saying what it is."""

from __future__ import annotations

from tui.sim.scenarios.bad_deploy import BadDeploy
from tui.sim.scenarios.base import Scenario
from tui.sim.scenarios.db_pool import DbPool
from tui.sim.scenarios.healthy import Healthy
from tui.sim.scenarios.hpa_maxed import HpaMaxed
from tui.sim.scenarios.mime_error import MimeError
from tui.sim.scenarios.node_not_ready import NodeNotReady
from tui.sim.scenarios.oom import Oom
from tui.sim.scenarios.site_down import SiteDown
from tui.sim.scenarios.tls_expired import TlsExpired
from tui.sim.scenarios.www_missing import WwwMissing

_CLASSES: dict[str, type[Scenario]] = {
    cls.name: cls
    for cls in (
        Healthy,
        SiteDown,
        Oom,
        BadDeploy,
        TlsExpired,
        WwwMissing,
        MimeError,
        DbPool,
        NodeNotReady,
        HpaMaxed,
    )
}

SCENARIOS: dict[str, str] = {name: cls.description for name, cls in _CLASSES.items()}


def create_scenario(name: str) -> Scenario:
    """A fresh scenario; ValueError naming the valid ones for an unknown name."""
    cls = _CLASSES.get(name)
    if cls is None:
        raise ValueError(f"unknown scenario {name!r}; choose one of: {', '.join(_CLASSES)}")
    return cls()
