"""One HTTP request, judged the way the runbooks judge it: `curl -f`, `curl -I`.

`http_check` asks for a URL and reports the status, the time to the response
headers, the content type and any redirect target, without following redirects
(a redirect loop or a redirect to the wrong host is itself a finding).

Pins work like `curl --resolve`: the connection goes to the pinned (or resolved)
address while the request keeps the site's name in the Host header and in the
TLS SNI, and the certificate is verified against that name, not the address.
httpx does this through the documented `sni_hostname` request extension; the
URL's host is swapped for the address, so httpx itself never resolves anything
(our resolver has a deadline, httpx's has none).

Proxies from the environment are ignored on purpose: a probe must test the path
to the ingress, and a proxy would also hide which address answered.
"""

from __future__ import annotations

import http
import ssl
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

from tui.safetext import one_line
from tui.sources.probe_dns import Pins, is_ip, resolve
from tui.sources.probe_tls import connection_problem, target_name, verifying_context

DEFAULT_MAX_BODY = 64 * 1024
# Try at most this many resolved addresses when connecting fails outright.
MAX_ADDRESSES = 3
EXCERPT_CHARS = 200

_STATIC_KINDS = {".js": "JS bundle", ".mjs": "JS bundle", ".css": "Stylesheet"}
_STATUS_HINTS = {
    404: "no such path: check the ingress path rules",
    429: "rate limited",
    500: "the application failed: check its logs",
    502: "the ingress got no valid answer from the app: pods down or crashing?",
    503: "no ready backend: no endpoints, failing readiness, or overloaded",
    504: "the backend did not answer in time",
}


@dataclass(frozen=True, slots=True)
class StatusSet:
    """Acceptable HTTP statuses as inclusive spans, e.g. 200-399 or 200, 204."""

    spans: tuple[tuple[int, int], ...]

    def __contains__(self, status: object) -> bool:
        return isinstance(status, int) and any(lo <= status <= hi for lo, hi in self.spans)

    def __str__(self) -> str:
        return ", ".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in self.spans)

    @classmethod
    def parse(cls, value: object) -> StatusSet:
        """From 200, "200", "2xx", "200-399", "200,204", range(200, 400) or a list of those."""
        if isinstance(value, StatusSet):
            return value
        spans: list[tuple[int, int]] = []
        for item in _status_items(value):
            spans.append(_status_span(item))
        if not spans:
            raise ValueError("expected status: empty")
        return cls(_merge(spans))


DEFAULT_EXPECT = StatusSet(((200, 399),))
ExpectStatus = StatusSet | range | Iterable[int | str] | str | int


def _status_items(value: object) -> list[object]:
    if isinstance(value, range):
        if value.step != 1 or not value:
            raise ValueError(f"expected status: {value!r} is not a plain range")
        return [f"{value.start}-{value.stop - 1}"]
    if isinstance(value, str):
        return [part for part in (p.strip() for p in value.split(",")) if part]
    if isinstance(value, bool):
        raise ValueError(f"expected status: {value!r} is not a status code")
    if isinstance(value, int):
        return [value]
    if isinstance(value, Iterable):
        items: list[object] = []
        for part in value:
            items.extend(_status_items(part))
        return items
    raise ValueError(f"expected status: {value!r} is not a status code, range or list")


def _status_span(item: object) -> tuple[int, int]:
    text = str(item).strip().lower()
    if len(text) == 3 and text[0].isdigit() and text[1:] == "xx":
        lo, hi = int(text[0]) * 100, int(text[0]) * 100 + 99
    elif "-" in text:
        first, _, last = text.partition("-")
        lo, hi = _status_code(first, item), _status_code(last, item)
    else:
        lo = hi = _status_code(text, item)
    if not (100 <= lo <= hi <= 599):
        raise ValueError(f"expected status: {item!r} is outside 100-599 or reversed")
    return lo, hi


def _status_code(text: str, item: object) -> int:
    text = text.strip()
    if not text.isdigit():
        raise ValueError(
            f"expected status: {item!r} is not a status, a range like 200-399, or a class like 2xx"
        )
    return int(text)


def _merge(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(spans):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return tuple(merged)


@dataclass(frozen=True, slots=True)
class HttpResult:
    url: str
    method: str = "GET"
    status: int | None = None
    reason: str = ""
    latency_ms: float | None = None  # request start (DNS included) to response headers
    content_type: str | None = None
    location: str | None = None
    address: str | None = None  # the address that answered
    pinned: bool = False
    expected: str = str(DEFAULT_EXPECT)
    status_ok: bool = False
    content_type_mismatch: bool = False
    error: str | None = None  # no HTTP response at all, in words
    error_kind: str | None = None  # dns, timeout, refused, tls, connect, protocol, url
    body_excerpt: str = ""  # the start of the body, cleaned: safe to show
    # The body as received (up to max_body), only when asked for; untrusted, never shown.
    raw_body: bytes = field(default=b"", repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None and self.status_ok and not self.content_type_mismatch

    @property
    def problem(self) -> str | None:
        if self.error is not None:
            return self.error_kind or "connect"
        if not self.status_ok:
            return "status"
        if self.content_type_mismatch:
            return "content-type"
        return None

    @property
    def explanation(self) -> str:
        if self.error is not None:
            return self.error
        if self.content_type_mismatch:
            return mismatch_text(self.url)
        status = f"{self.status} {self.reason}".strip()
        if not self.status_ok:
            hint = _STATUS_HINTS.get(self.status or 0)
            text = f"{status} (expected {self.expected})"
            return f"{text}: {hint}" if hint else text
        text = f"{status} in {self.latency_ms or 0:.0f} ms"
        return f"{text}, redirects to {self.location}" if self.location else text


def static_kind(url: str | httpx.URL) -> str | None:
    """The kind of static asset the URL's path names ("JS bundle", "Stylesheet"), or None."""
    path = httpx.URL(url).path.lower() if isinstance(url, str) else url.path.lower()
    for suffix, kind in _STATIC_KINDS.items():
        if path.endswith(suffix):
            return kind
    return None


def mismatch_text(url: str) -> str:
    kind = static_kind(url) or "Static file"
    return f"{kind} served as text/html: a rewrite or SPA fallback is answering static paths"


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def describe_failure(
    exc: httpx.HTTPError, *, host: str, target: str, timeout: float
) -> tuple[str, str]:
    """(words, kind) for a request that got no response."""
    if isinstance(exc, httpx.ConnectTimeout):
        return (
            f"timed out connecting to {target} after {timeout:g}s"
            " (firewall, wrong address, or the host is down)",
            "timeout",
        )
    if isinstance(exc, httpx.ReadTimeout):
        return (
            f"{target} accepted the connection but sent no response within {timeout:g}s",
            "timeout",
        )
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out talking to {target} after {timeout:g}s", "timeout"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"{target} closed the connection without a valid HTTP response", "protocol"
    cause = _os_cause(exc)
    if cause is not None:
        kind = "connect"
        if isinstance(cause, ssl.SSLError):
            kind = "tls"
        elif isinstance(cause, ConnectionRefusedError):
            kind = "refused"
        elif isinstance(cause, TimeoutError):
            kind = "timeout"
        return connection_problem(cause, host=host, target=target, timeout=timeout), kind
    return f"request to {target} failed: {one_line(str(exc), max_chars=200)}", "connect"


def _os_cause(exc: BaseException) -> OSError | None:
    """The OSError (refused, reset, TLS...) under httpx's and httpcore's wrappers."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError):
            return current
        current = current.__cause__ or current.__context__
    return None


def _read_body(response: httpx.Response, max_body: int, deadline: float) -> bytes:
    """At most max_body bytes of body; stops at the deadline (a trickling body is no error)."""
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= max_body or time.monotonic() > deadline:
                break
    except httpx.HTTPError:
        pass  # the status is known; a broken body only shortens the excerpt
    return b"".join(chunks)[:max_body]


def _excerpt(body: bytes, response: httpx.Response) -> str:
    encoding = response.charset_encoding or "utf-8"
    try:
        text = body[: EXCERPT_CHARS * 4].decode(encoding, errors="replace")
    except LookupError:
        text = body[: EXCERPT_CHARS * 4].decode("utf-8", errors="replace")
    return one_line(" ".join(text.split()), max_chars=EXCERPT_CHARS)


def _reason(response: httpx.Response) -> str:
    reason = response.reason_phrase
    if not reason:
        try:
            reason = http.HTTPStatus(response.status_code).phrase
        except ValueError:
            reason = ""
    return one_line(reason, max_chars=80)


def http_check(
    url: str,
    *,
    method: str = "GET",
    expect_status: ExpectStatus = DEFAULT_EXPECT,
    timeout: float = 5.0,
    pins: Pins | None = None,
    ca_file: str | Path | None = None,
    verify: bool = True,
    max_body: int = DEFAULT_MAX_BODY,
    keep_body: bool = False,
    headers: Mapping[str, str] | None = None,
) -> HttpResult:
    """Request url once and judge the answer. Blocking; a network failure never raises.

    (A malformed `expect_status` does raise ValueError: that is the caller's bug.)

    The timeout bounds DNS, connecting, and each read; the body is read for at
    most another `timeout` seconds and `max_body` bytes.
    """
    expect = StatusSet.parse(expect_status)
    method = method.upper()
    base = HttpResult(url=url, method=method, expected=str(expect))
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        return replace(base, error=f"not a valid URL: {exc}", error_kind="url")
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return replace(base, error="not an http:// or https:// URL", error_kind="url")

    host = parsed.raw_host.decode("ascii")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    started = time.monotonic()
    dns = resolve(host, pins=pins, timeout=timeout, port=port)
    if not dns.ok:
        return replace(base, error=f"DNS: {dns.error}", error_kind="dns")

    request_headers = {"Host": parsed.netloc.decode("ascii"), "User-Agent": "warroom-probe"}
    request_headers.update(headers or {})
    extensions: dict[str, Any] = {}
    if parsed.scheme == "https" and not is_ip(host):
        extensions["sni_hostname"] = host
    context: ssl.SSLContext | bool = verifying_context(ca_file) if verify else False

    with httpx.Client(
        verify=context, trust_env=False, timeout=httpx.Timeout(timeout), follow_redirects=False
    ) as client:
        addresses = dns.addresses[:MAX_ADDRESSES]
        for index, address in enumerate(addresses):
            target = target_name(host, address, port)
            request = client.build_request(
                method,
                parsed.copy_with(host=address),
                headers=request_headers,
                extensions=extensions,
            )
            try:
                response = client.send(request, stream=True)
            except httpx.HTTPError as exc:
                words, kind = describe_failure(exc, host=host, target=target, timeout=timeout)
                # Like curl, try the next address only when this one refused outright.
                if kind in ("refused", "connect") and index + 1 < len(addresses):
                    continue
                return replace(
                    base, error=words, error_kind=kind, address=address, pinned=dns.pinned
                )
            try:
                latency_ms = (time.monotonic() - started) * 1000
                body = b""
                if method != "HEAD":
                    body = _read_body(response, max_body, time.monotonic() + timeout)
                return _judge(
                    base, response, body, expect, address, dns.pinned, latency_ms, keep_body
                )
            finally:
                response.close()
    return replace(base, error="no address to connect to", error_kind="connect")


def _judge(
    base: HttpResult,
    response: httpx.Response,
    body: bytes,
    expect: StatusSet,
    address: str,
    pinned: bool,
    latency_ms: float,
    keep_body: bool,
) -> HttpResult:
    status = response.status_code
    content_type = response.headers.get("content-type")
    location = response.headers.get("location")
    mismatch = (
        200 <= status < 300
        and static_kind(base.url) is not None
        and _media_type(content_type) == "text/html"
    )
    return replace(
        base,
        status=status,
        reason=_reason(response),
        latency_ms=latency_ms,
        content_type=one_line(content_type, max_chars=200) if content_type else None,
        location=one_line(location, max_chars=500) if location else None,
        address=address,
        pinned=pinned,
        status_ok=status in expect,
        content_type_mismatch=mismatch,
        body_excerpt=_excerpt(body, response),
        raw_body=body if keep_body else b"",
    )
