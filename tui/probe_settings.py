"""The `[probes]` settings: health URLs, name pins, host checks and Prometheus.

    [probes]
    endpoints = [
        "https://shop.example.com/health",
        { name = "api", url = "https://api.example.com/healthz", timeout = "3s", interval = 30 },
    ]
    resolve = ["shop.example.com:203.0.113.7"]      # like curl --resolve: DNS not asked
    prometheus_url = "http://prometheus.monitoring:9090"
    [probes.prometheus_queries]
    up = "up"
    "5xx rate" = 'sum(rate(http_requests_total{code=~"5.."}[5m]))'

Values arrive from the config file (lists and tables) or the environment (one
string). Endpoints are checked with the probes' own rules, so a bad one is
refused at start with its reason; that check loads the HTTP libraries, so it
only happens when endpoints are configured.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

EndpointValue = str | Mapping[str, Any]


def convert_endpoints(value: object) -> tuple[EndpointValue, ...]:
    """URLs, or tables (name, url, method, expect_status, timeout, interval, down_after)."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ValueError("expected a list of URLs or tables")
    endpoints: list[EndpointValue] = []
    for item in items:
        if isinstance(item, str):
            if item.strip():
                endpoints.append(item.strip())
        elif isinstance(item, Mapping):
            endpoints.append(dict(item))
        else:
            raise ValueError(f"{item!r} is neither a URL nor a table")
    if endpoints:
        from tui.sources.probes import parse_probes  # only when there is something to check

        parse_probes(endpoints)
    return tuple(endpoints)


def convert_queries(value: object) -> tuple[tuple[str, str], ...]:
    """A table label = "query", a list of queries (each its own label), or in the
    environment "label=query;label=query"."""
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(";") if p.strip()]
        value = dict(_labelled(p) for p in parts)
    if isinstance(value, list | tuple):
        value = {str(q): q for q in value}
    if not isinstance(value, Mapping):
        raise ValueError('expected a table such as { up = "up" }')
    queries: list[tuple[str, str]] = []
    for label, query in value.items():
        if not isinstance(query, str) or not query.strip():
            raise ValueError(f"query {label!r} must be non-empty text")
        queries.append((str(label).strip() or query.strip(), query.strip()))
    return tuple(queries)


def _labelled(part: str) -> tuple[str, str]:
    label, sep, query = part.partition("=")
    # "up" alone, or a query with "=" inside its selector: the whole text is the query.
    if not sep or "{" in label or "(" in label:
        return part, part
    return label.strip(), query.strip()


@dataclass(frozen=True, slots=True)
class ProbeSettings:
    """The Ingress pane's live checks."""

    # Health URLs to watch, like `curl -f` on an interval (15 s unless set).
    endpoints: tuple[EndpointValue, ...] = ()
    # "HOST:ADDR" (curl's --resolve): the host is reached at ADDR, DNS is not asked.
    resolve: tuple[str, ...] = ()
    # Each ingress host's DNS, certificate and front page, this often.
    host_check_seconds: float = 60.0
    # False: no host checks at all (only URL probes and the cluster's objects).
    host_checks: bool = True
    # Per request: DNS lookups, TLS handshakes, HTTP requests, Prometheus queries.
    timeout: float = 5.0
    # URL probes checked at once; the rest wait for a free slot.
    max_concurrency: int = 10
    prometheus_url: str = ""
    # label -> PromQL; empty: `up` and the 5xx rate.
    prometheus_queries: tuple[tuple[str, str], ...] = ()

    CONVERTERS: ClassVar[dict[str, Callable[[Any], Any]]] = {
        "endpoints": convert_endpoints,
        "prometheus_queries": convert_queries,
    }


def validate_probes(probes: ProbeSettings) -> None:
    """Raise ValueError naming the setting when a value cannot be used."""
    from tui.sources.probe_dns import parse_pins

    try:
        parse_pins(probes.resolve)
    except ValueError as error:
        raise ValueError(f"probes.resolve: {error}") from None
    if not 10 <= probes.host_check_seconds <= 86400:
        raise ValueError("probes.host_check_seconds must be between 10 and 86400")
    if not (math.isfinite(probes.timeout) and 0.5 <= probes.timeout <= 120):
        raise ValueError("probes.timeout must be between 0.5 and 120 seconds")
    if not 1 <= probes.max_concurrency <= 100:
        raise ValueError("probes.max_concurrency must be between 1 and 100")
    if probes.prometheus_url:
        parts = urlsplit(probes.prometheus_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"probes.prometheus_url {probes.prometheus_url!r} must be an http:// or"
                " https:// URL"
            )
