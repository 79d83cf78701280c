"""The docker tests' engine: podman's Docker-compatible API service, started once per
session in a temporary directory (`tests.docker.podman`), and the containers each test
makes, removed after it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.docker.podman import SERVE, Podman, PodmanUnavailable, podman_service

__all__ = ["SERVE", "Containers", "Podman"]


@pytest.fixture(scope="session")
def podman(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Podman]:
    with ExitStack() as running:
        try:
            engine = running.enter_context(podman_service(tmp_path_factory.mktemp("podman")))
        except PodmanUnavailable as error:
            pytest.skip(f"podman cannot run here: {error}")
        yield engine


@dataclass
class Containers:
    """Containers one test creates, under names no other test uses; removed afterwards."""

    engine: Podman
    prefix: str
    ids: list[str] = field(default_factory=list)

    def name(self, suffix: str) -> str:
        return f"{self.prefix}-{suffix}"

    def run(self, suffix: str, command: list[str], **options: Any) -> str:
        container_id = self.engine.run(self.name(suffix), command, **options)
        self.ids.append(container_id)
        return container_id


@pytest.fixture
def containers(podman: Podman) -> Iterator[Containers]:
    made = Containers(podman, f"wr{uuid.uuid4().hex[:6]}")
    yield made
    for container_id in made.ids:
        try:
            podman.api.remove_container(container_id, force=True)
        except Exception:  # already gone (a test removed it): fine
            pass
