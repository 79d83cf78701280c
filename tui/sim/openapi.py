"""Minimal OpenAPI documents, so kubectl's validation works without `--validate=false`.

kubectl 1.25+ (`create -f`, `apply -f`) first asks /openapi/v3 whether the
PATCH operation of each kind takes the `fieldValidation` query parameter. If
it does, kubectl leaves validation to the server (sends `fieldValidation=Strict`)
and validates nothing itself. So /openapi/v3 lists one document per group
version, and each document describes, for every kind, its PATCH operation with
that parameter and the `x-kubernetes-group-version-kind` extension; nothing
more. PATCH operations carry no request body, so kubectl's apply does not try
to compute strategic merge patches from them and uses its compiled-in types.

Older kubectl (1.20) validates on the client with /openapi/v2, fetched as
protobuf: it gets a valid document that defines no kinds, and a kind it finds
no schema for is not validated, as for any kind a real server does not
describe. Asked for JSON, /openapi/v2 answers the same document as JSON.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Any

from tui.sim.discovery import VERSION
from tui.sim.resources import ResourceType, group_versions, in_group_version

Obj = dict[str, Any]
PROTOBUF_V2 = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
TITLE = "Kubernetes"
PATCH_PARAMETERS = ("dryRun", "fieldManager", "fieldValidation", "force")


def gv_path(group: str, version: str) -> str:
    """'api/v1', 'apis/apps/v1': how /openapi/v3 names a group version."""
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _operation_path(resource: ResourceType) -> str:
    root = f"/{gv_path(resource.group, resource.version)}"
    scope = "/namespaces/{namespace}" if resource.namespaced else ""
    return f"{root}{scope}/{resource.plural}/{{name}}"


def _patch_operation(resource: ResourceType) -> Obj:
    return {
        "description": f"partially update the specified {resource.kind}",
        "operationId": f"patch{resource.kind}",
        "parameters": [
            {"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": True}}
            for name in PATCH_PARAMETERS
        ],
        "responses": {"200": {"description": "OK"}},
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": {
            "group": resource.group,
            "version": resource.version,
            "kind": resource.kind,
        },
    }


def _patchable(resource: ResourceType) -> bool:
    return "patch" in resource.verbs and not resource.virtual


@cache
def v3_document(group: str, version: str) -> bytes | None:
    resources = in_group_version(group, version)
    if not resources:
        return None
    paths = {_operation_path(r): {"patch": _patch_operation(r)} for r in resources if _patchable(r)}
    document = {
        "openapi": "3.0.0",
        "info": {"title": TITLE, "version": VERSION["gitVersion"]},
        "paths": paths,
        "components": {"schemas": {}},
    }
    return json.dumps(document, separators=(",", ":")).encode()


@cache
def v3_root() -> bytes:
    paths = {}
    for group, version in group_versions():
        document = v3_document(group, version)
        if document is None:
            continue
        digest = hashlib.sha512(document).hexdigest().upper()
        url = f"/openapi/v3/{gv_path(group, version)}?hash={digest}"
        paths[gv_path(group, version)] = {"serverRelativeURL": url}
    return json.dumps({"paths": paths}, separators=(",", ":")).encode()


def v2_json() -> bytes:
    document = {
        "swagger": "2.0",
        "info": {"title": TITLE, "version": VERSION["gitVersion"]},
        "paths": {},
        "definitions": {},
    }
    return json.dumps(document, separators=(",", ":")).encode()


def _varint(number: int) -> bytes:
    out = bytearray()
    while True:
        byte = number & 0x7F
        number >>= 7
        if number:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """One length-delimited protobuf field (wire type 2)."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


@cache
def v2_protobuf() -> bytes:
    """gnostic's openapi_v2.Document: swagger = "2.0" (field 1), info (field 2) with
    title (1) and version (2). Encoded by hand: three fields need no protobuf library."""
    info = _field(1, TITLE.encode()) + _field(2, VERSION["gitVersion"].encode())
    return _field(1, b"2.0") + _field(2, info)
