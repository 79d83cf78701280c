"""Instant queries against a Prometheus server: the numbers behind the Grafana panels.

During an incident the two questions asked of Prometheus first are "which
targets are down?" (`up`) and "how many requests fail?" (the 5xx rate).
`PrometheusClient.query` runs one instant query through `/api/v1/query` and
returns a `QueryResult`: the samples as (labels, value) pairs, or an error in
words. It never raises: an unreachable server, an HTTP error, a rejected query
or a proxy's HTML page all come back as `error`, so a pane can say what is wrong
and keep polling.

Each query keeps a short history of its total (the sum of its samples), so the
pane can show where a number is heading (↑ ↓ →). `query` blocks (run it in a
thread); `apoll` does that for the default queries.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tui.safetext import one_line
from tui.sources.probe_checks import in_thread
from tui.sources.probe_http import describe_failure
from tui.sources.probe_tls import verifying_context

DEFAULT_QUERIES: Mapping[str, str] = {
    "up": "up",
    "5xx rate": 'sum(rate(http_requests_total{code=~"5.."}[5m]))',
}
HISTORY = 30
# Changes smaller than this share of the value read as steady, not as a trend.
STEADY_TOLERANCE = 0.05

ARROWS = {"rising": "↑", "falling": "↓", "steady": "→"}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class Sample:
    labels: Mapping[str, str]  # as the server sent them: untrusted text
    value: float  # may be NaN or ±Inf, as Prometheus allows


@dataclass(frozen=True, slots=True)
class QueryResult:
    query: str
    samples: tuple[Sample, ...] = ()
    error: str | None = None  # one plain line when the query gave no numbers
    result_type: str | None = None  # vector, scalar, matrix
    warnings: tuple[str, ...] = ()
    history: tuple[float, ...] = ()  # totals of recent successful queries, oldest first
    checked_at: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def pairs(self) -> list[tuple[Mapping[str, str], float]]:
        return [(s.labels, s.value) for s in self.samples]

    @property
    def total(self) -> float | None:
        """The sum of the samples (for `up`: how many targets are up); None on error."""
        if self.error is not None:
            return None
        return math.fsum(s.value for s in self.samples)

    @property
    def trend(self) -> str | None:
        """rising, falling or steady, from the last two totals; None without two."""
        return trend(self.history)

    @property
    def arrow(self) -> str:
        return ARROWS.get(self.trend or "", "")


def trend(history: tuple[float, ...] | list[float]) -> str | None:
    if len(history) < 2:
        return None
    before, last = history[-2], history[-1]
    if abs(last - before) <= STEADY_TOLERANCE * max(abs(before), abs(last)) or last == before:
        return "steady"
    return "rising" if last > before else "falling"


def down_targets(result: QueryResult) -> list[Mapping[str, str]]:
    """The targets an `up` query reports as down (value 0)."""
    return [s.labels for s in result.samples if s.value == 0]


class PrometheusClient:
    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 5.0,
        queries: Mapping[str, str] = DEFAULT_QUERIES,
        headers: Mapping[str, str] | None = None,
        ca_file: str | Path | None = None,
        verify: bool = True,
        history: int = HISTORY,
    ) -> None:
        url = httpx.URL(base_url.strip())
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"Prometheus URL {base_url!r} must start with http:// or https://")
        # A path prefix is kept (Prometheus behind /prometheus/ on a shared ingress).
        self.base_url = str(url).rstrip("/")
        self.timeout = timeout
        self.queries = dict(queries)
        self._histories: dict[str, deque[float]] = {}
        self._history = history
        self._host = url.host
        self._target = url.netloc.decode("ascii")
        context = verifying_context(ca_file) if verify else False
        # Headers may carry a bearer token: they are sent, never shown or logged.
        self._client = httpx.Client(
            verify=context,
            trust_env=False,
            timeout=httpx.Timeout(timeout),
            headers=dict(headers or {}),
            follow_redirects=False,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PrometheusClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def query(self, expr: str) -> QueryResult:
        """Run one instant query. Blocking; never raises."""
        try:
            samples, result_type, warnings = self._fetch(expr)
        except _QueryError as exc:
            return QueryResult(expr, error=str(exc), history=self._totals(expr), checked_at=_now())
        except Exception as exc:  # this client promises callers it never raises
            error = f"unexpected error: {type(exc).__name__}: {one_line(str(exc), max_chars=200)}"
            return QueryResult(expr, error=error, history=self._totals(expr), checked_at=_now())
        total = math.fsum(s.value for s in samples)
        if math.isfinite(total):
            self._histories.setdefault(expr, deque(maxlen=self._history)).append(total)
        return QueryResult(
            expr,
            samples=samples,
            result_type=result_type,
            warnings=warnings,
            history=self._totals(expr),
            checked_at=_now(),
        )

    def poll(self) -> dict[str, QueryResult]:
        """Every configured query, by its label. Blocking; never raises."""
        return {label: self.query(expr) for label, expr in self.queries.items()}

    async def apoll(self) -> dict[str, QueryResult]:
        """`poll` in a daemon thread, for a worker on the event loop."""
        return await in_thread(self.poll)

    def _totals(self, expr: str) -> tuple[float, ...]:
        return tuple(self._histories.get(expr, ()))

    def _fetch(self, expr: str) -> tuple[tuple[Sample, ...], str, tuple[str, ...]]:
        url = f"{self.base_url}/api/v1/query"
        try:
            response = self._client.get(url, params={"query": expr})
        except httpx.HTTPError as exc:
            words, _kind = describe_failure(
                exc, host=self._host, target=f"Prometheus at {self._target}", timeout=self.timeout
            )
            raise _QueryError(words) from None
        payload = _json(response)
        if payload is None:
            if response.status_code >= 400:
                raise _QueryError(_http_error(response))
            kind = response.headers.get("content-type", "no content type")
            raise _QueryError(
                f"not a Prometheus API response from {self.base_url}"
                f" (HTTP {response.status_code}, {one_line(kind, max_chars=80)})"
            )
        if payload.get("status") != "success":
            raise _QueryError(_api_error(payload, response))
        warnings = tuple(one_line(str(w), max_chars=200) for w in payload.get("warnings") or ())
        data = payload.get("data")
        if not isinstance(data, dict):
            raise _QueryError("unexpected response: no data in a successful answer")
        return _samples(data), str(data.get("resultType")), warnings


class _QueryError(Exception):
    pass


def _json(response: httpx.Response) -> dict[str, Any] | None:
    try:
        payload = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None
    return payload if isinstance(payload, dict) else None


def _http_error(response: httpx.Response) -> str:
    reason = one_line(response.reason_phrase or "", max_chars=80)
    text = f"HTTP {response.status_code} {reason}".strip()
    if response.status_code in (401, 403):
        return f"{text}: Prometheus refused the credentials (check the token or auth proxy)"
    return text


def _api_error(payload: Mapping[str, Any], response: httpx.Response) -> str:
    kind = one_line(str(payload.get("errorType") or "error"), max_chars=40)
    message = one_line(str(payload.get("error") or "no error message"), max_chars=300)
    if response.status_code in (400, 422):
        return f"query rejected ({kind}): {message}"
    if response.status_code >= 400:
        return f"HTTP {response.status_code}, query failed ({kind}): {message}"
    return f"query failed ({kind}): {message}"


def _number(pair: object) -> float:
    if not isinstance(pair, list | tuple) or len(pair) != 2:
        raise _QueryError(f"unexpected response: sample {pair!r} is not [time, value]")
    try:
        return float(pair[1])  # values are strings: "1", "0.25", "NaN", "+Inf"
    except (TypeError, ValueError):
        raise _QueryError(f"unexpected response: {pair[1]!r} is not a number") from None


def _labels(item: Mapping[str, Any]) -> dict[str, str]:
    metric = item.get("metric") or {}
    if not isinstance(metric, dict):
        raise _QueryError("unexpected response: metric labels are not a mapping")
    return {str(k): str(v) for k, v in metric.items()}


def _samples(data: Mapping[str, Any]) -> tuple[Sample, ...]:
    kind, result = data.get("resultType"), data.get("result")
    if kind == "scalar":
        return (Sample({}, _number(result)),)
    if kind == "string":
        raise _QueryError("the query returned a string, not numbers")
    if kind not in ("vector", "matrix") or not isinstance(result, list):
        raise _QueryError(f"unexpected response: result type {kind!r}")
    samples: list[Sample] = []
    for item in result:
        if not isinstance(item, dict):
            raise _QueryError("unexpected response: a result is not an object")
        if kind == "vector":
            value = _number(item.get("value"))
        else:  # a range selector in an instant query: its latest point
            points = item.get("values") or []
            if not points:
                continue
            value = _number(points[-1])
        samples.append(Sample(_labels(item), value))
    return tuple(samples)
