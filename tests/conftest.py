from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.helpers.fixed import FixedClock
from tui.config import Settings, load_settings
from tui.timeline.model import Severity
from tui.timeline.store import TimelineStore

T = TypeVar("T")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Defaults only: no user config file, no WARROOM_* variables, a private data dir."""
    config = tmp_path / "config.toml"
    config.write_text("")
    return load_settings(
        config, environ={"WARROOM_INCIDENTS_DIRECTORY": str(tmp_path / "incidents")}
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Environment for a child `warroom`: a private home, data and config directories."""
    return {
        "HOME": str(tmp_path / "home"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "USER": "carol",
        "PATH": "/usr/bin:/bin",
    }


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def make_incident(tmp_path: Path) -> Callable[..., Path]:
    """Create a real incident file and return its path."""

    def make(
        name: str = "incident.db",
        *,
        title: str = "Checkout returns 502",
        severity: Severity = Severity.P1,
        actor: str = "alice@bastion-1",
        clock: Callable[..., object] | None = None,
    ) -> Path:
        path = tmp_path / name

        async def create() -> None:
            kwargs = {"clock": clock} if clock else {}
            store = await TimelineStore.create(
                path, title=title, severity=severity, actor=actor, **kwargs
            )
            await store.close()

        run_coroutine(create())
        return path

    return make


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, even inside an async test."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def wait_for(predicate: Callable[[], bool], pilot: object, within: float = 10.0) -> None:
    """Let the app run until `predicate()` holds; fail the test if it never does."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached within timeout")
        await pilot.pause(0.05)  # type: ignore[attr-defined]
