"""Runbook tests: the seed runbooks (real-world markdown) and the drill cluster fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sim.conftest import Drill, drill, running_drill, start_drill  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = ROOT.parent / "shared" / "seeds"
BUNDLED = ROOT / "runbooks"


def seed_files() -> list[Path]:
    return sorted(SEEDS_DIR.glob("*.txt")) if SEEDS_DIR.is_dir() else []


@pytest.fixture
def seeds() -> list[Path]:
    files = seed_files()
    if not files:
        pytest.skip(f"no seed runbooks in {SEEDS_DIR}")
    return files
