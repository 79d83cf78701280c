"""The Containers pane while the container engine goes away and comes back: podman's
API service (this module's own, so the docker tests' engine is never touched) stopped,
containers changed behind its back with the CLI, then the service started again on the
same socket. The pane says what is wrong, keys still work, and it recovers by itself
with exactly the engine's containers."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import replace

from tests.conftest import wait_for
from tests.docker.conftest import SERVE, Containers, Podman
from tests.docker.podman import IMAGE
from tests.docker.test_console_docker import pane, show_containers, shown
from tests.faults.conftest import add_note, notes
from tui.app import WarRoomApp
from tui.config import Settings


def stop_service(engine: Podman) -> None:
    engine.process.terminate()
    engine.process.wait(timeout=30)


def start_service(engine: Podman) -> None:
    """The same command on the same socket, as a restarted engine daemon."""
    log = (engine.root / "service.log").open("ab")
    engine.process = subprocess.Popen(
        ["podman", "system", "service", "--time=0", engine.url], cwd=engine.root,
        env=engine.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    log.close()


def engine_names(engine: Podman, prefix: str) -> set[str]:
    out = engine.cli("ps", "-a", "--format", "{{.Names}}")
    return {name for name in out.split() if name.startswith(prefix)}


async def test_engine_stopped_and_restarted(
    settings: Settings, console: Callable[..., WarRoomApp], podman: Podman,
    containers: Containers,
) -> None:  # fmt: skip
    app = console(tuned={"docker": replace(settings.docker, host=podman.url)})
    doomed, born = containers.name("doomed"), containers.name("born")
    containers.run("doomed", SERVE)
    containers.run("steady", SERVE)
    async with app.run_test(size=(160, 48)) as pilot:
        await show_containers(pilot, app, doomed, containers.name("steady"))
        assert pane(app).status_text.startswith("live")
        stop_service(podman)
        try:
            await wait_for(lambda: "reconnecting" in pane(app).status_text, pilot, within=30)
            # Behind the stopped service's back: one container goes, one comes.
            podman.cli("rm", "--force", "--time", "0", doomed)
            podman.cli("run", "-d", "--name", born, "--network", "none", IMAGE, *SERVE)
            await add_note(pilot, app, "container engine down")
        finally:
            start_service(podman)
        await wait_for(lambda: pane(app).status_text.startswith("live"), pilot, within=60)
        expected = engine_names(podman, containers.prefix)
        await wait_for(
            lambda: {n for n in shown(app) if n.startswith(containers.prefix)} == expected,
            pilot, within=30,
        )  # fmt: skip
        assert born in expected and doomed not in expected
        assert sorted(shown(app)) == sorted(set(shown(app)))  # each once
        assert "container engine down" in notes(app.db_path)
    podman.cli("rm", "--force", "--time", "0", born, check=False)
