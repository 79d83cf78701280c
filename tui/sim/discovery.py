"""Discovery documents: what `kubectl api-resources` and every client's REST mapper read.

Two forms, as a real API server since 1.26 serves them:

- the legacy documents: /api (APIVersions), /apis (APIGroupList),
  /api/v1 and /apis/<group>/<version> (APIResourceList), one request each;
- aggregated discovery: /api and /apis answered in one APIGroupDiscoveryList
  each when the client asks for it in Accept
  (`application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`,
  or v2beta1 for kubectl 1.26 to 1.29), with the matching Content-Type, which
  is how client-go tells the two apart. Older clients (kubectl 1.20) and the
  Python client never ask and get the legacy documents.
"""

from __future__ import annotations

from typing import Any

from tui.sim.resources import (
    GROUP_ORDER,
    SUBRESOURCE_KINDS,
    SUBRESOURCE_VERBS,
    ResourceType,
    group_versions,
    in_group_version,
)

Obj = dict[str, Any]

VERSION = {
    "major": "1",
    "minor": "31",
    "gitVersion": "v1.31.0-warroom-drill",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2026-01-01T00:00:00Z",
    "goVersion": "go1.22.5",
    "compiler": "gc",
    "platform": "linux/amd64",
}
AGGREGATED_VERSIONS = ("v2", "v2beta1")
SUBRESOURCE_DEFAULT_VERBS = ("get", "patch", "update")


def aggregated_version(accept: str) -> str | None:
    """The aggregated discovery version the client asked for first, if any."""
    for option in accept.split(","):
        params = _media_params(option)
        if (
            params.get("g") == "apidiscovery.k8s.io"
            and params.get("as") == "APIGroupDiscoveryList"
            and params.get("v") in AGGREGATED_VERSIONS
        ):
            return params["v"]
    return None


def aggregated_content_type(version: str) -> str:
    return f"application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList"


def _media_params(option: str) -> dict[str, str]:
    params = {}
    for part in option.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        params[name.strip()] = value.strip()
    return params


# -- legacy ---------------------------------------------------------------------------


def api_versions(server_address: str) -> Obj:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}
        ],
    }


def _versions_of(group: str) -> list[str]:
    return [version for name, version in group_versions() if name == group]


def api_group(name: str, *, with_kind: bool = True) -> Obj | None:
    versions = _versions_of(name)
    if not name or not versions:
        return None
    entries = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
    group: Obj = {"name": name, "versions": entries, "preferredVersion": entries[0]}
    if with_kind:
        group = {"kind": "APIGroup", "apiVersion": "v1", **group}
    return group


def api_group_list() -> Obj:
    groups = [api_group(name, with_kind=False) for name in GROUP_ORDER]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [g for g in groups if g]}


def _subresource_kind(resource: ResourceType, sub: str) -> tuple[str, str, str]:
    return SUBRESOURCE_KINDS.get(sub, (resource.group, resource.version, resource.kind))


def _legacy_entries(resource: ResourceType) -> list[Obj]:
    entries: list[Obj] = [
        {
            "name": resource.plural,
            "singularName": resource.singular,
            "namespaced": resource.namespaced,
            "kind": resource.kind,
            "verbs": list(resource.verbs),
            **({"shortNames": list(resource.short_names)} if resource.short_names else {}),
            **({"categories": list(resource.categories)} if resource.categories else {}),
        }
    ]
    for sub in resource.subresources:
        group, version, kind = _subresource_kind(resource, sub)
        entry: Obj = {
            "name": f"{resource.plural}/{sub}",
            "singularName": "",
            "namespaced": resource.namespaced,
            "kind": kind,
            "verbs": list(SUBRESOURCE_VERBS.get(sub, SUBRESOURCE_DEFAULT_VERBS)),
        }
        if sub in SUBRESOURCE_KINDS:
            entry.update(group=group, version=version)
        entries.append(entry)
    return entries


def resource_list(group: str, version: str) -> Obj | None:
    resources = in_group_version(group, version)
    if not resources:
        return None
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}" if group else version,
        "resources": [entry for r in resources for entry in _legacy_entries(r)],
    }


# -- aggregated -----------------------------------------------------------------------


def _aggregated_resource(resource: ResourceType) -> Obj:
    entry: Obj = {
        "resource": resource.plural,
        "responseKind": {
            "group": resource.group,
            "version": resource.version,
            "kind": resource.kind,
        },
        "scope": "Namespaced" if resource.namespaced else "Cluster",
        "singularResource": resource.singular,
        "verbs": list(resource.verbs),
    }
    if resource.short_names:
        entry["shortNames"] = list(resource.short_names)
    if resource.categories:
        entry["categories"] = list(resource.categories)
    subresources = []
    for sub in resource.subresources:
        group, version, kind = _subresource_kind(resource, sub)
        subresources.append(
            {
                "subresource": sub,
                "responseKind": {"group": group, "version": version, "kind": kind},
                "verbs": list(SUBRESOURCE_VERBS.get(sub, SUBRESOURCE_DEFAULT_VERBS)),
            }
        )
    if subresources:
        entry["subresources"] = subresources
    return entry


def _aggregated_group(name: str) -> Obj:
    versions = [
        {
            "version": version,
            "resources": [_aggregated_resource(r) for r in in_group_version(name, version)],
            "freshness": "Current",
        }
        for version in (_versions_of(name) if name else ["v1"])
    ]
    group: Obj = {"metadata": {"name": name, "creationTimestamp": None}, "versions": versions}
    return group


def aggregated(version: str, *, core: bool) -> Obj:
    """The APIGroupDiscoveryList for /api (`core`) or /apis."""
    names = [""] if core else list(GROUP_ORDER)
    return {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": f"apidiscovery.k8s.io/{version}",
        "metadata": {},
        "items": [_aggregated_group(name) for name in names],
    }
