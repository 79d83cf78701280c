"""Instant queries against a Prometheus-compatible endpoint on loopback."""

from __future__ import annotations

import math

import pytest

from tests.probes.servers import FIVE_XX, PrometheusStub, closed_port
from tui.sources.prometheus import DEFAULT_QUERIES, PrometheusClient, down_targets


@pytest.fixture
def client(prometheus: PrometheusStub) -> PrometheusClient:
    with PrometheusClient(prometheus.url, timeout=2) as client:
        yield client


def test_up_lists_targets_with_labels(client: PrometheusClient) -> None:
    result = client.query("up")
    assert result.ok and result.error is None and result.result_type == "vector"
    assert [(labels["instance"], value) for labels, value in result.pairs] == [
        ("10.0.0.1:8080", 1.0),
        ("10.0.0.2:8080", 0.0),
        ("10.0.0.3:8080", 1.0),
    ]
    assert result.total == 2.0
    assert [t["instance"] for t in down_targets(result)] == ["10.0.0.2:8080"]


def test_the_default_queries(client: PrometheusClient, prometheus: PrometheusStub) -> None:
    prometheus.error_rates = ["0.25"]
    results = client.poll()
    assert set(results) == set(DEFAULT_QUERIES) == {"up", "5xx rate"}
    assert results["5xx rate"].pairs == [({}, 0.25)]
    assert prometheus.queries == ["up", FIVE_XX]


def test_a_trend_from_successive_values(
    client: PrometheusClient, prometheus: PrometheusStub
) -> None:
    prometheus.error_rates = ["1.0", "1.02", "4.5", "0.5", "fail"]
    first = client.query(FIVE_XX)
    assert first.trend is None and first.arrow == ""
    steady = client.query(FIVE_XX)
    assert (steady.trend, steady.arrow) == ("steady", "→")
    rising = client.query(FIVE_XX)
    assert (rising.trend, rising.arrow) == ("rising", "↑")
    falling = client.query(FIVE_XX)
    assert (falling.trend, falling.arrow) == ("falling", "↓")
    assert falling.history == (1.0, 1.02, 4.5, 0.5)
    # An error keeps the history, but adds nothing to it.
    failed = client.query(FIVE_XX)
    assert failed.error == "HTTP 500, query failed (execution): out of memory"
    assert failed.history == (1.0, 1.02, 4.5, 0.5) and failed.total is None


def test_scalar_and_empty_results(client: PrometheusClient) -> None:
    scalar = client.query("scalar(1)")
    assert scalar.result_type == "scalar" and scalar.pairs == [({}, 1.0)]
    empty = client.query("vector(0) == 1")
    assert empty.ok and empty.samples == () and empty.total == 0.0


def test_a_rejected_query(client: PrometheusClient) -> None:
    result = client.query("sum(rate(")
    assert not result.ok and result.samples == ()
    assert result.error == (
        'query rejected (bad_data): 1:9: parse error: unexpected end of input in "sum(rate("'
    )


def test_a_server_side_error_payload(client: PrometheusClient) -> None:
    result = client.query("heavy")
    assert result.error == (
        "HTTP 503, query failed (timeout): query timed out in expression evaluation"
    )


def test_a_login_page_instead_of_json(prometheus: PrometheusStub) -> None:
    with PrometheusClient(f"{prometheus.url}/login", timeout=2) as client:
        result = client.query("up")
    assert result.error == (
        f"not a Prometheus API response from {prometheus.url}/login (HTTP 200, text/html)"
    )


def test_an_http_error_without_json(prometheus: PrometheusStub) -> None:
    with PrometheusClient(f"{prometheus.url}/broken/", timeout=2) as client:
        assert client.query("up").error == "HTTP 502 Bad Gateway"


def test_a_path_prefix_is_kept(prometheus: PrometheusStub) -> None:
    with PrometheusClient(f"{prometheus.url}/prometheus/", timeout=2) as client:
        assert client.query("up").total == 2.0


def test_a_slow_server_times_out(prometheus: PrometheusStub) -> None:
    with PrometheusClient(prometheus.url, timeout=0.5) as client:
        result = client.query("slow")
    host = prometheus.url.removeprefix("http://")
    assert result.error == (
        f"Prometheus at {host} accepted the connection but sent no response within 0.5s"
    )


def test_nothing_listening() -> None:
    port = closed_port()
    with PrometheusClient(f"http://127.0.0.1:{port}", timeout=1) as client:
        result = client.query("up")
    assert result.error == (
        f"connection refused by Prometheus at 127.0.0.1:{port}: nothing is listening on that port"
    )


def test_a_bad_base_url_is_refused_up_front() -> None:
    with pytest.raises(ValueError, match="must start with http:// or https://"):
        PrometheusClient("prometheus:9090")


async def test_apoll_runs_off_the_event_loop(
    client: PrometheusClient, prometheus: PrometheusStub
) -> None:
    prometheus.error_rates = ["NaN"]
    results = await client.apoll()
    assert results["up"].total == 2.0
    rate = results["5xx rate"]
    assert rate.ok and math.isnan(rate.pairs[0][1])
    assert rate.history == ()  # NaN makes no trend
