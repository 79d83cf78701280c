"""Reading a file the user named, with failures worded for the user."""

from __future__ import annotations

from pathlib import Path


class UnreadableFile(Exception):
    """The file cannot be read; the message names it and says why in plain words."""

    def __init__(self, path: Path, reason: str, *, missing: bool = False) -> None:
        super().__init__(f"{path}: {reason}")
        self.missing = missing


def read_bytes(path: Path, *, what: str, limit: int | None = None) -> bytes:
    """The file's bytes (at most `limit`); `what` names the kind of file in messages."""
    try:
        with path.open("rb") as handle:
            return handle.read() if limit is None else handle.read(limit)
    except FileNotFoundError:
        raise UnreadableFile(path, f"no such {what}", missing=True) from None
    except IsADirectoryError:
        raise UnreadableFile(path, f"is a directory, not a {what}") from None
    except PermissionError:
        raise UnreadableFile(path, "permission denied") from None
    except OSError as error:
        raise UnreadableFile(path, f"cannot read ({error.strerror or error})") from None
