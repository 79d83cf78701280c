"""Streams of log lines that another thread can abort: an HTTP response (the API
server's log and watch endpoints), or a container engine's iterator of chunks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import suppress
from typing import Any, Protocol

from urllib3.exceptions import ReadTimeoutError

from tui.sources.kube.client import KubeClient, KubeError, describe_transport_error
from tui.sources.logs.tuning import MAX_LINE_BYTES


def _split_lines(chunks: Iterable[bytes]) -> Iterator[list[bytes]]:
    """Complete lines, a list per chunk received (the network delivers many at once)."""
    pending = b""
    for chunk in chunks:
        if b"\n" not in chunk:
            pending += chunk
            if len(pending) > MAX_LINE_BYTES:
                yield [pending]
                pending = b""
            continue
        complete = chunk.split(b"\n")
        complete[0] = pending + complete[0]
        pending = complete.pop()
        yield complete
    if pending:
        yield [pending]


class _Silent(Exception):
    """A followed stream said nothing for its read timeout: ask again, quietly."""


class _Abortable(Protocol):
    def batches(self) -> Iterator[list[bytes]]: ...

    def abort(self) -> None: ...


class _HttpLines:
    """A streaming GET whose blocking read `abort()` (from any thread) ends at once."""

    def __init__(
        self, client: KubeClient, path: str, query: dict[str, Any], read_timeout: float
    ) -> None:
        # Not KubeClient.lines: ending a blocked read needs the response itself
        # (urllib3's HTTPResponse.shutdown), which lines() keeps to itself.
        self._raw = client.open_stream(path, query, read_timeout=read_timeout)

    def abort(self) -> None:
        with suppress(Exception):  # already finished or released: nothing to end
            self._raw.shutdown()

    def batches(self) -> Iterator[list[bytes]]:
        try:
            yield from _split_lines(self._raw.stream(65536, decode_content=False))
        except ReadTimeoutError:
            raise _Silent() from None
        except Exception as error:  # urllib3 and ssl failures of every kind
            raise KubeError("unreachable", describe_transport_error(error)) from None
        finally:
            with suppress(Exception):
                self._raw.release_conn()


class _IterLines:
    """A reader's iterator of log chunks; `abort` calls its close() if it has one (docker's
    streams have one that ends a blocking read)."""

    def __init__(self, iterator: Iterator[bytes]) -> None:
        self._iterator = iterator

    def abort(self) -> None:
        close = getattr(self._iterator, "close", None)
        if close is not None:
            with suppress(Exception):  # a generator being read elsewhere refuses: fine
                close()

    def batches(self) -> Iterator[list[bytes]]:
        return _split_lines(self._iterator)
