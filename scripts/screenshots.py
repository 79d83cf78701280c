"""Regenerate the SVG screenshots in screenshots/ from the real app.

    .venv/bin/python scripts/screenshots.py

Runs the real console (real host sampling, a real incident file in a
temporary directory) through a short scripted incident and saves what the
screen shows. Never edit the SVGs by hand: run this again.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textual.pilot import Pilot  # noqa: E402

from tui.app import WarRoomApp  # noqa: E402
from tui.config import load_settings  # noqa: E402
from tui.kube_session import KubeOptions  # noqa: E402
from tui.sim.cluster import ClusterThread  # noqa: E402
from tui.timeline.model import EventKind, Severity  # noqa: E402
from tui.timeline.store import TimelineStore  # noqa: E402
from widgets.host_pane import HostPane  # noqa: E402
from widgets.timeline_pane import TimelinePane  # noqa: E402

OUT = ROOT / "screenshots"
ACTOR = "alice@bastion-1"

Step = Callable[[Pilot[None]], Awaitable[None]]


async def make_incident(path: Path) -> None:
    store = await TimelineStore.create(
        path, title="Checkout returns 502", severity=Severity.P1, actor=ACTOR
    )
    for kind, text, data in (
        (EventKind.NOTE, "502s from the ingress on /api/checkout since 14:31", {}),
        (EventKind.MILESTONE, "Milestone acknowledged", {"milestone": "acknowledged"}),
        (EventKind.NOTE, "payments pods restarting: DB connection refused in logs", {}),
        (EventKind.STATUS_CHANGED, "Status: investigating → identified", {"to": "identified"}),
    ):
        await store.append(kind, text, data=data, actor=ACTOR)
    await store.close()


async def settle(pilot: Pilot[None]) -> None:
    app = pilot.app
    for _ in range(200):
        screen = app.screen
        if screen.query(TimelinePane) and screen.query_one(HostPane)._last is not None:
            break
        await pilot.pause(0.05)
    await pilot.pause(2.5)  # a second host sample, so rates and sparklines show


async def shoot(
    name: str, size: tuple[int, int], *steps: str, scenario: str | None = None,
    present: bool = False,
) -> None:  # fmt: skip
    """Run the console (on a drill cluster playing `scenario`, if given; in presentation
    mode if `present`), press `steps` ("wait" lets the live panes fill for a few seconds,
    "clear" dismisses the notices) and save the screen."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(environ={"WARROOM_INCIDENTS_DIRECTORY": tmp})
        db = Path(tmp) / "incident.db"
        await make_incident(db)
        drill = ClusterThread(scenario) if scenario else None
        kube = KubeOptions(kubeconfig=Path(tmp) / "none")
        if drill is not None:
            cluster = drill.start()
            config = cluster.write_kubeconfig(Path(tmp) / "kubeconfig")
            kube = KubeOptions(kubeconfig=config, contexts=("warroom-drill",), all_namespaces=True)
        try:
            app = WarRoomApp(settings, db, actor=ACTOR, kube_options=kube, present=present)
            async with app.run_test(size=size) as pilot:
                await settle(pilot)
                for key in steps:
                    if key == "wait":
                        await pilot.pause(4)
                        continue
                    if key == "clear":
                        app.clear_notifications()
                        await pilot.pause(0.3)
                        continue
                    await pilot.press(key)
                    await pilot.pause(0.3)
                app.save_screenshot(filename=f"{name}.svg", path=str(OUT))
        finally:
            if drill is not None:
                drill.stop()
        print(f"screenshots/{name}.svg")


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    await shoot("console-160x48", (160, 48))
    await shoot("console-80x24", (80, 24))
    await shoot("timeline-80x24", (80, 24), "6")
    await shoot("help-160x48", (160, 48), "question_mark")
    # On a drill cluster: the app pods crash-loop; their logs followed in the Logs pane.
    await shoot("drill-site-down-160x48", (160, 48), "wait", "1", "l", "wait",
                scenario="site-down")  # fmt: skip
    # The Ingress pane zoomed on the www-missing drill: the finding and its runbook.
    await shoot("ingress-www-missing-160x48", (160, 48), "wait", "2", "z",
                scenario="www-missing")  # fmt: skip
    # Presentation mode (--present): high contrast, the large banner with the drill's
    # context label; at 80x24, one pane under the banner.
    await shoot("console-present-160x48", (160, 48), "wait", "1", "l", "wait", "clear",
                scenario="site-down", present=True)  # fmt: skip
    await shoot("console-present-80x24", (80, 24), "clear", present=True)


if __name__ == "__main__":
    asyncio.run(main())
