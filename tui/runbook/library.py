"""The runbooks on offer: the bundled ones, then the team's, a file of the same name
in a later directory replacing an earlier one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tui.readfile import UnreadableFile

if TYPE_CHECKING:
    from tui.runbook.model import Runbook

SUFFIXES = (".md", ".markdown")


def _bundled_dir() -> Path:
    # Installed, the runbooks ship inside the package; from a checkout they sit at the
    # repository root.
    packaged = Path(__file__).resolve().parents[1] / "bundled_runbooks"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "runbooks"


BUNDLED_DIR = _bundled_dir()


def runbook_files(directory: Path) -> list[Path]:
    """The runbook files directly in `directory` (not in sub-directories), sorted by name."""
    return sorted(
        path
        for path in directory.iterdir()
        if path.suffix.lower() in SUFFIXES and path.is_file() and not path.name.startswith(".")
    )


def load_library(dirs: list[Path]) -> tuple[list[Runbook], list[str]]:
    """Every runbook in `dirs`, sorted by title, and one line per file that could not be read.

    A directory that does not exist is skipped quietly: the team's own directory is
    optional. One that exists but cannot be listed is reported.
    """
    chosen: dict[str, Path] = {}
    problems: list[str] = []
    for directory in dirs:
        directory = directory.expanduser()
        if not directory.exists():
            continue
        try:
            files = runbook_files(directory)
        except NotADirectoryError:
            problems.append(f"{directory}: not a directory")
            continue
        except OSError as error:
            problems.append(f"{directory}: cannot list ({error.strerror or error})")
            continue
        for path in files:
            chosen[path.name] = path
    # The markdown parser loads with the first runbook read, not with this module: the
    # command line imports the library only to name the file suffixes.
    from tui.runbook.parser import read_runbook

    runbooks: list[Runbook] = []
    for path in chosen.values():
        try:
            runbooks.append(read_runbook(path))
        except UnreadableFile as error:
            problems.append(str(error))
    runbooks.sort(key=lambda runbook: (runbook.title.lower(), runbook.name))
    return runbooks, problems
