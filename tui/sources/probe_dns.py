"""Name resolution for probes: what `dig`/`nslookup` answer, plus curl's `--resolve` pins.

Operators check that a site's name points at the ingress load balancer before
anything else ("both must point to the ingress LoadBalancer IP"). `resolve`
returns the A/AAAA addresses of a name, or the address an operator pinned for it
(`--resolve www.example.com:203.0.113.7`, as with curl, bypasses DNS entirely so
an ingress can be tested before or despite DNS). `compare_dns` says whether the
answer matches the addresses the ingress publishes.

`socket.getaddrinfo` has no timeout of its own and can hang for the resolver's
full retry cycle, so it runs in a daemon thread that is abandoned when the
deadline passes: a lookup never holds a probe (or the app's exit) longer than
the timeout.
"""

from __future__ import annotations

import errno
import ipaddress
import queue
import socket
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

Pins = Mapping[str, str]


class DeadlineExceeded(Exception):
    """A blocking call did not finish within its timeout (it keeps running, abandoned)."""


def call_with_deadline(fn: Callable[[], T], timeout: float, *, name: str = "probe-call") -> T:
    """Run `fn` in a daemon thread and wait at most `timeout` seconds for it.

    Exceptions raised by `fn` are re-raised here. A daemon thread is used so an
    abandoned call (a resolver stuck on an unreachable DNS server) never keeps
    the process alive at exit.
    """
    box: queue.SimpleQueue[tuple[bool, object]] = queue.SimpleQueue()

    def work() -> None:
        try:
            box.put((True, fn()))
        except BaseException as exc:
            box.put((False, exc))

    threading.Thread(target=work, name=name, daemon=True).start()
    try:
        ok, value = box.get(timeout=max(timeout, 0.0))
    except queue.Empty:
        raise DeadlineExceeded from None
    if ok:
        return value  # type: ignore[return-value]
    raise value  # type: ignore[misc]


def _normal_host(host: str) -> str:
    return host.strip().rstrip(".").lower()


def is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return False
    return True


def normal_address(value: str) -> str:
    """An IP address in canonical form (`::0001` and `::1` compare equal); else unchanged."""
    try:
        return str(ipaddress.ip_address(value.strip().strip("[]")))
    except ValueError:
        return value.strip()


def parse_pin(value: str) -> tuple[str, str]:
    """Parse one `--resolve` value: `HOST:ADDR` or curl's `HOST:PORT:ADDR`.

    Returns the pin key (`host` or `host:port`) and the address. IPv6 addresses
    may be bracketed (`www.example.com:[2001:db8::1]`). Raises ValueError with a
    message fit for the command line.
    """
    host, sep, rest = value.strip().partition(":")
    if not sep or not host or not rest:
        raise ValueError(
            f"--resolve {value!r}: expected HOST:ADDRESS, e.g. www.example.com:10.0.0.7"
        )
    key = _normal_host(host)
    address = rest
    if not is_ip(rest):
        port, sep, address = rest.partition(":")
        if not sep or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"--resolve {value!r}: {rest!r} is not an IP address")
        key = f"{key}:{int(port)}"
    if not is_ip(address):
        raise ValueError(f"--resolve {value!r}: {address!r} is not an IP address")
    return key, normal_address(address)


def parse_pins(values: Iterable[str]) -> dict[str, str]:
    """Several `--resolve` values as a pins mapping; a later pin for a name wins, like curl."""
    pins: dict[str, str] = {}
    for value in values:
        key, address = parse_pin(value)
        pins[key] = address
    return pins


def pinned_address(pins: Pins | None, host: str, port: int | None = None) -> str | None:
    """The pinned address for host (a `host:port` pin beats a plain `host` pin)."""
    if not pins:
        return None
    name = _normal_host(host)
    if port is not None and f"{name}:{port}" in pins:
        return normal_address(pins[f"{name}:{port}"])
    for key, address in pins.items():
        if _normal_host(key) == name:
            return normal_address(address)
    return None


@dataclass(frozen=True, slots=True)
class DnsResult:
    host: str
    addresses: tuple[str, ...]  # A and AAAA, in the resolver's order (the order clients try)
    error: str | None = None
    pinned: bool = False  # the address came from a --resolve pin, not from DNS

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.addresses)

    @property
    def problem(self) -> str | None:
        return None if self.ok else "dns"

    @property
    def explanation(self) -> str:
        if self.error is not None:
            return f"{self.host}: {self.error}"
        shown = ", ".join(self.addresses)
        if self.pinned:
            return f"{self.host} pinned to {shown} (DNS not consulted)"
        if is_ip(self.host):
            return f"{self.host} is an address (no DNS lookup)"
        return f"{self.host} resolves to {shown}"


def _gai_error(exc: socket.gaierror) -> str:
    code = exc.args[0] if exc.args else None
    if code == socket.EAI_NONAME:
        return "name not found (NXDOMAIN): no such name in DNS"
    if code == socket.EAI_AGAIN:
        return "temporary DNS failure: the DNS server did not give an answer"
    if code == getattr(socket, "EAI_NODATA", object()):
        return "the name exists but has no A/AAAA records"
    return f"DNS lookup failed: {exc.strerror or exc}"


def _lookup(host: str) -> tuple[str, ...]:
    infos = socket.getaddrinfo(host, None, socket.AF_UNSPEC, socket.SOCK_STREAM)
    seen: dict[str, None] = {}
    for _family, _type, _proto, _canon, sockaddr in infos:
        seen.setdefault(normal_address(str(sockaddr[0])), None)
    return tuple(seen)


def resolve(
    host: str, *, pins: Pins | None = None, timeout: float = 5.0, port: int | None = None
) -> DnsResult:
    """A/AAAA addresses of host; a pin answers instead of DNS. Never raises."""
    name = host.strip().strip("[]")
    pinned = pinned_address(pins, name, port)
    if pinned is not None:
        return DnsResult(host=name, addresses=(pinned,), pinned=True)
    if is_ip(name):
        return DnsResult(host=name, addresses=(normal_address(name),))
    if not name:
        return DnsResult(host=name, addresses=(), error="empty host name")
    try:
        addresses = call_with_deadline(lambda: _lookup(name), timeout, name="probe-dns")
    except DeadlineExceeded:
        return DnsResult(name, (), error=f"DNS lookup timed out after {timeout:g}s")
    except socket.gaierror as exc:
        return DnsResult(name, (), error=_gai_error(exc))
    except UnicodeError:
        return DnsResult(name, (), error="not a valid host name")
    except OSError as exc:
        reason = errno.errorcode.get(exc.errno or 0, "") or str(exc)
        return DnsResult(name, (), error=f"DNS lookup failed: {reason}")
    if not addresses:
        return DnsResult(name, (), error="the name has no A/AAAA records")
    return DnsResult(name, addresses)


@dataclass(frozen=True, slots=True)
class DnsComparison:
    """Whether a name points where the ingress says it should."""

    matches: bool | None  # None: nothing expected, or the expected set could not be resolved
    expected: tuple[str, ...]  # expected addresses, hostnames already resolved
    unexpected: tuple[str, ...]  # addresses the name resolves to that are not expected
    text: str


def compare_dns(
    result: DnsResult,
    expected: Iterable[str],
    *,
    pins: Pins | None = None,
    timeout: float = 5.0,
) -> DnsComparison:
    """Compare a resolution with the load balancer's addresses or hostnames.

    Every address the name resolves to must belong to the expected set: with
    round-robin DNS, one stale record already sends a share of users elsewhere.
    Hostnames in `expected` (cloud load balancers publish names) are resolved too.
    """
    wanted = [e.strip() for e in expected if e and e.strip()]
    if not wanted:
        return DnsComparison(None, (), (), "no expected address to compare with")
    addresses: dict[str, None] = {}
    for item in wanted:
        if is_ip(item):
            addresses.setdefault(normal_address(item), None)
        else:
            for address in resolve(item, pins=pins, timeout=timeout).addresses:
                addresses.setdefault(address, None)
    expected_set = tuple(addresses)
    if not expected_set:
        return DnsComparison(
            None, (), (), f"cannot resolve the expected load balancer {', '.join(wanted)}"
        )
    if not result.ok:
        return DnsComparison(
            False, expected_set, (), f"{result.host} does not resolve: {result.error}"
        )
    unexpected = tuple(a for a in result.addresses if a not in addresses)
    if unexpected:
        text = (
            f"{result.host} resolves to {', '.join(unexpected)},"
            f" not the load balancer ({', '.join(expected_set)})"
        )
        return DnsComparison(False, expected_set, unexpected, text)
    return DnsComparison(
        True,
        expected_set,
        (),
        f"{result.host} points at the load balancer ({', '.join(expected_set)})",
    )


def dns_matches(
    result: DnsResult,
    expected: Iterable[str],
    *,
    pins: Pins | None = None,
    timeout: float = 5.0,
) -> bool | None:
    """True when the name points only at expected addresses; None when nothing is expected."""
    return compare_dns(result, expected, pins=pins, timeout=timeout).matches
