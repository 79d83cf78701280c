"""Host checks an operator otherwise types by hand, in one place.

    dig / nslookup            -> resolve, compare_dns, dns_matches   (probe_dns.py)
    openssl s_client | x509   -> tls_check                           (probe_tls.py)
    curl -f / curl -I         -> http_check                          (probe_http.py)

Each check is a blocking function returning a frozen dataclass with `ok`,
`problem` (a short code, None when fine) and `explanation` (one plain line, no
markup, untrusted parts cleaned). None of them raises for a network failure.

`in_thread` runs such a blocking check from asyncio without blocking the event
loop. It uses a daemon thread rather than the loop's default executor: a check
stuck in the system resolver must not delay the app's exit, and the default
executor's threads are joined at interpreter shutdown.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from tui.sources.probe_dns import (
    DnsComparison,
    DnsResult,
    Pins,
    compare_dns,
    dns_matches,
    parse_pin,
    parse_pins,
    resolve,
)
from tui.sources.probe_http import (
    DEFAULT_EXPECT,
    HttpResult,
    StatusSet,
    http_check,
    mismatch_text,
    static_kind,
)
from tui.sources.probe_tls import EXPIRY_WARNING_DAYS, TlsResult, name_matches, tls_check

__all__ = [
    "DEFAULT_EXPECT",
    "EXPIRY_WARNING_DAYS",
    "DnsComparison",
    "DnsResult",
    "HttpResult",
    "Pins",
    "StatusSet",
    "TlsResult",
    "compare_dns",
    "dns_matches",
    "http_check",
    "in_thread",
    "mismatch_text",
    "name_matches",
    "parse_pin",
    "parse_pins",
    "resolve",
    "static_kind",
    "tls_check",
]

T = TypeVar("T")


async def in_thread(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Await a blocking call made in a fresh daemon thread.

    Cancelling the awaiting task abandons the call (it finishes on its own,
    bounded by its timeout) and its result is dropped.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(ok: bool, value: Any) -> None:
        if future.done():  # cancelled meanwhile
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def work() -> None:
        try:
            outcome: tuple[bool, Any] = (True, fn(*args, **kwargs))
        except BaseException as exc:
            outcome = (False, exc)
        try:
            loop.call_soon_threadsafe(settle, *outcome)
        except RuntimeError:
            pass  # the loop is closed: nobody is waiting any more

    threading.Thread(
        target=work, name=f"probe-{getattr(fn, '__name__', 'call')}", daemon=True
    ).start()
    return await future
