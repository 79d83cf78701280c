"""Helpers the drill cluster's end-to-end tests share: waiting, kubectl tables, clients."""

from __future__ import annotations

import json
import re
import ssl
import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
import pytest
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from tests.sim.conftest import Drill

T = TypeVar("T")


def wait_for(check: Callable[[], T], what: str, timeout: float = 30.0) -> T:
    """Poll until `check()` is truthy (a wait, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    value = check()
    while not value:
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; last saw {value!r}")
        time.sleep(0.1)
        value = check()
    return value


def rows(drill: Drill, *args: str) -> list[list[str]]:
    """The cells of kubectl's table output, header left out (cells are 2+ spaces apart)."""
    lines = drill.kubectl(*args).stdout.strip().splitlines()
    return [re.split(r"\s{2,}", line.strip()) for line in lines[1:]]


def api_client(drill: Drill, context: str = "warroom-drill") -> client.ApiClient:
    """A `kubernetes` client for a context of the drill's kubeconfig."""
    return config.new_client_from_config(config_file=str(drill.kubeconfig), context=context)


def https_client(drill: Drill, token: str) -> httpx.Client:
    """Plain HTTPS to the cluster, verifying its CA, with `token` as bearer ('' for none)."""
    cluster = drill.cluster
    assert cluster.certificate is not None
    context = ssl.create_default_context(cadata=cluster.certificate.ca_pem.decode())
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=cluster.url, verify=context, headers=headers, timeout=10)


def error_of(call: Callable[[], Any]) -> tuple[int, dict[str, Any]]:
    """The HTTP status and Status body of a call that must fail."""
    with pytest.raises(ApiException) as caught:
        call()
    return caught.value.status, json.loads(caught.value.body)
