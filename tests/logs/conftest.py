"""The drill cluster fixtures, for the log sources' tests."""

from tests.sim.conftest import Drill, drill, running_drill, start_drill  # noqa: F401
