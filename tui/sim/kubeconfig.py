"""The kubeconfig a drill cluster hands out: its CA, two users, two contexts.

`warroom-drill` is an administrator; `warroom-drill-readonly` may read
everything but Secrets and may change nothing, for testing how warroom
behaves with least-privilege credentials.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import yaml

CONTEXT = "warroom-drill"
READONLY_CONTEXT = "warroom-drill-readonly"


def kubeconfig(server: str, ca_pem: bytes, admin_token: str, readonly_token: str) -> dict:
    ca = base64.b64encode(ca_pem).decode()
    cluster = {
        "name": "warroom-drill",
        "cluster": {"server": server, "certificate-authority-data": ca},
    }
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [cluster],
        "users": [
            {"name": "drill-admin", "user": {"token": admin_token}},
            {"name": "drill-readonly", "user": {"token": readonly_token}},
        ],
        "contexts": [
            {"name": CONTEXT, "context": {"cluster": "warroom-drill", "user": "drill-admin"}},
            {
                "name": READONLY_CONTEXT,
                "context": {"cluster": "warroom-drill", "user": "drill-readonly"},
            },
        ],
        "current-context": CONTEXT,
        "preferences": {},
    }


def write_kubeconfig(path: Path, config: dict) -> None:
    """Write privately (it holds tokens): 0600, replaced atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    fd = os.open(temporary, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w") as handle:
        yaml.safe_dump(config, handle, sort_keys=False)
    temporary.replace(path)
