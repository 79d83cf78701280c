from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.probes.pki import KeyPair, TestCA, self_signed
from tests.probes.servers import PrometheusStub, SilentServer, Site

WWW = "www.example.test"
APEX = "example.test"
# --resolve style: both names go to the local servers, DNS is never asked.
PINS = {WWW: "127.0.0.1", APEX: "127.0.0.1"}


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pki")


@pytest.fixture(scope="session")
def ca(pki_dir: Path) -> TestCA:
    return TestCA(pki_dir)


@pytest.fixture(scope="session")
def certificates(ca: TestCA, pki_dir: Path) -> dict[str, KeyPair]:
    now = dt.datetime.now(dt.UTC)
    return {
        "valid": ca.issue("valid", (APEX, WWW)),
        "expired": ca.issue(
            "expired",
            (APEX, WWW),
            not_before=now - dt.timedelta(days=120),
            not_after=now - dt.timedelta(days=3, hours=1),
        ),
        "expiring": ca.issue(
            "expiring", (APEX, WWW), not_after=now + dt.timedelta(days=5, hours=1)
        ),
        "no-www": ca.issue("no-www", (APEX,)),
        "wildcard": ca.issue("wildcard", ("*.example.test",)),
        "self-signed": self_signed(pki_dir, "self-signed", (APEX, WWW)),
    }


@pytest.fixture
def https_site(certificates: dict[str, KeyPair]) -> Iterator[Callable[[str], Site]]:
    """Start an HTTPS site serving one of the certificates above."""
    started: list[Site] = []

    def start(kind: str = "valid") -> Site:
        pair = certificates[kind]
        site = Site(cert_file=pair.cert_file, key_file=pair.key_file)
        started.append(site)
        return site

    yield start
    for site in started:
        site.close()


@pytest.fixture
def http_site() -> Iterator[Site]:
    site = Site()
    yield site
    site.close()


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


@pytest.fixture
def prometheus() -> Iterator[PrometheusStub]:
    stub = PrometheusStub()
    yield stub
    stub.close()
