"""The Containers view's filter (`/`): what an operator types, as a test on a container.

web            name, image or compose project/service contains "web" (any case)
project=shop   compose project (also service=web)
unhealthy      a status word (crashloop, exited, oomkilled, running...)
!web           any of the above, negated
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tui.sources.docker.rows import ContainerRow, classify

STATUS_WORDS = frozenset({"oomkilled", "crashloop", "restarting", "unhealthy", "dead", "exited",
                          "running", "starting", "paused", "created", "problem"})  # fmt: skip


@dataclass(frozen=True)
class ContainerFilter:
    text: str
    test: Callable[[ContainerRow], bool]

    def __call__(self, row: ContainerRow) -> bool:
        return self.test(row)


def _field(key: str, value: str) -> Callable[[ContainerRow], bool] | None:
    if key == "project":
        return lambda row: row.project == value
    if key == "service":
        return lambda row: row.service == value
    if key == "image":
        return lambda row: value in row.image.lower()
    return None


def _status(word: str) -> Callable[[ContainerRow], bool]:
    if word == "problem":
        return lambda row: row.problem
    return lambda row: classify(row)[0].lower().startswith(word)


def _text(word: str) -> Callable[[ContainerRow], bool]:
    def test(row: ContainerRow) -> bool:
        return any(word in part.lower() for part in (row.name, row.image, row.group, row.id))

    return test


def parse_filter(text: str) -> ContainerFilter | None:
    """None for an empty filter (everything shown)."""
    raw = text.strip()
    if not raw:
        return None
    negate = raw.startswith("!")
    body = raw[1:].strip() if negate else raw
    word = body.lower()
    test: Callable[[ContainerRow], bool] | None = None
    if "=" in body:
        key, _, value = body.partition("=")
        test = _field(key.strip().lower(), value.strip())
    if test is None:
        test = _status(word) if word in STATUS_WORDS else _text(word)
    if negate:
        inner = test
        return ContainerFilter(raw, lambda row: not inner(row))
    return ContainerFilter(raw, test)
