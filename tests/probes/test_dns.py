"""Name resolution, `--resolve` pins and the comparison with the load balancer's addresses."""

from __future__ import annotations

import pytest

from tests.probes.conftest import PINS, WWW
from tui.sources.probe_checks import compare_dns, dns_matches, parse_pin, parse_pins, resolve
from tui.sources.probe_dns import DeadlineExceeded, call_with_deadline, pinned_address


def test_localhost_resolves_through_the_system_resolver() -> None:
    result = resolve("localhost", timeout=5)
    assert result.ok and result.error is None and not result.pinned
    assert "127.0.0.1" in result.addresses or "::1" in result.addresses
    assert result.problem is None
    assert result.explanation.startswith("localhost resolves to ")


def test_a_pin_answers_instead_of_dns() -> None:
    result = resolve(WWW, pins=PINS)
    assert result.addresses == ("127.0.0.1",)
    assert result.pinned
    assert result.explanation == "www.example.test pinned to 127.0.0.1 (DNS not consulted)"


def test_pins_match_names_case_insensitively_and_port_pins_win() -> None:
    pins = parse_pins(["WWW.Example.Test.:10.0.0.1", "www.example.test:8443:10.0.0.2"])
    assert pinned_address(pins, "www.example.test", 443) == "10.0.0.1"
    assert pinned_address(pins, "www.example.test", 8443) == "10.0.0.2"
    assert pinned_address(pins, "example.test", 443) is None


def test_an_address_is_not_looked_up() -> None:
    result = resolve("::0001")
    assert result.addresses == ("::1",)
    assert result.explanation == "::0001 is an address (no DNS lookup)"


def test_an_unknown_name_is_an_error_in_words() -> None:
    result = resolve("no-such-host.invalid", timeout=3)
    assert not result.ok and result.addresses == ()
    assert result.problem == "dns"
    assert result.error is not None
    assert "no-such-host.invalid" in result.explanation


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("www.example.com:10.0.0.7", ("www.example.com", "10.0.0.7")),
        ("www.example.com:443:10.0.0.7", ("www.example.com:443", "10.0.0.7")),
        ("www.example.com:[2001:db8::1]", ("www.example.com", "2001:db8::1")),
        ("www.example.com:2001:db8::1", ("www.example.com", "2001:db8::1")),
        ("www.example.com:443:[2001:db8::1]", ("www.example.com:443", "2001:db8::1")),
    ],
)
def test_parse_pin_accepts_curl_forms(value: str, expected: tuple[str, str]) -> None:
    assert parse_pin(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("www.example.com", "expected HOST:ADDRESS"),
        ("www.example.com:lb.example.com", "is not an IP address"),
        (":10.0.0.1", "expected HOST:ADDRESS"),
        ("www.example.com:99999:10.0.0.1", "is not an IP address"),
    ],
)
def test_parse_pin_rejects_bad_values_clearly(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_pin(value)


def test_dns_matches_the_load_balancer_addresses() -> None:
    pinned = resolve(WWW, pins=PINS)
    assert dns_matches(pinned, ["127.0.0.1"]) is True
    assert dns_matches(pinned, ["10.0.0.1"]) is False
    assert dns_matches(pinned, []) is None


def test_expected_hostnames_are_resolved_too() -> None:
    # Cloud load balancers publish a name; "localhost" stands for one here.
    pinned = resolve(WWW, pins=PINS)
    comparison = compare_dns(pinned, ["localhost"])
    assert comparison.matches is True
    assert "127.0.0.1" in comparison.expected


def test_one_stale_record_among_several_is_a_mismatch() -> None:
    pinned = resolve(WWW, pins={WWW: "10.0.0.9"})
    comparison = compare_dns(pinned, ["127.0.0.1", "10.0.0.1"])
    assert comparison.matches is False
    assert comparison.unexpected == ("10.0.0.9",)
    assert comparison.text == (
        "www.example.test resolves to 10.0.0.9, not the load balancer (127.0.0.1, 10.0.0.1)"
    )


def test_unresolvable_expectation_cannot_be_compared() -> None:
    pinned = resolve(WWW, pins=PINS)
    comparison = compare_dns(pinned, ["lb.no-such-host.invalid"], timeout=3)
    assert comparison.matches is None
    assert "cannot resolve the expected load balancer" in comparison.text


def test_a_failed_lookup_does_not_match() -> None:
    failed = resolve("no-such-host.invalid", timeout=3)
    comparison = compare_dns(failed, ["127.0.0.1"])
    assert comparison.matches is False
    assert comparison.text.startswith("no-such-host.invalid does not resolve")


def test_a_stuck_call_is_abandoned_at_its_deadline() -> None:
    import threading

    release = threading.Event()
    with pytest.raises(DeadlineExceeded):
        call_with_deadline(lambda: release.wait(30), 0.2)
    release.set()
    assert call_with_deadline(lambda: 42, 5) == 42
    with pytest.raises(ZeroDivisionError):
        call_with_deadline(lambda: 1 / 0, 5)
