"""Who may do what on the drill cluster: two users, and the reviews that ask.

`drill-admin` may do everything (as `system:masters`). `drill-readonly` has
what the built-in `view` role gives: get, list and watch on everything except
Secrets, reading pod logs, and asking who it is and what it may do; anything
else is 403 Forbidden with the API server's wording. Everybody may read the
discovery documents, as `system:discovery` allows.

The reviews answer `kubectl auth can-i` (SelfSubjectAccessReview, and
SelfSubjectRulesReview for `--list`) and `kubectl auth whoami`
(SelfSubjectReview) for the user asking.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tui.sim.store import BadRequest, Forbidden

Obj = dict[str, Any]

ADMIN = "admin"
READONLY = "readonly"
USERNAMES = {ADMIN: "drill-admin", READONLY: "drill-readonly"}
GROUPS = {
    ADMIN: ["system:masters", "system:authenticated"],
    READONLY: ["system:authenticated"],
}
READ_VERBS = frozenset({"get", "list", "watch"})
# Subresources the view role may read, besides the objects themselves.
READABLE_SUBRESOURCES = frozenset({"", "status", "log", "scale"})
HIDDEN = frozenset({("", "secrets")})
SELF_REVIEWS = frozenset(
    {
        ("authorization.k8s.io", "selfsubjectaccessreviews"),
        ("authorization.k8s.io", "selfsubjectrulesreviews"),
        ("authentication.k8s.io", "selfsubjectreviews"),
    }
)
PUBLIC_PATHS = ("/version", "/api", "/apis", "/openapi", "/healthz", "/livez", "/readyz")


@dataclass(frozen=True, slots=True)
class Attributes:
    """What a request does, as the authorizer sees it."""

    verb: str
    group: str
    resource: str
    subresource: str = ""
    namespace: str = ""
    name: str = ""


def allowed(user: str, attrs: Attributes) -> bool:
    if user == ADMIN:
        return True
    if (attrs.group, attrs.resource) in SELF_REVIEWS:
        return attrs.verb == "create"
    if (attrs.group, attrs.resource) in HIDDEN:
        return False
    return attrs.verb in READ_VERBS and attrs.subresource in READABLE_SUBRESOURCES


def path_allowed(user: str, path: str, verb: str) -> bool:
    """Non-resource URLs: discovery and health for everybody, reads only."""
    if user == ADMIN:
        return True
    return verb == "get" and any(path == p or path.startswith(p + "/") for p in PUBLIC_PATHS)


def forbidden(user: str, attrs: Attributes) -> Forbidden:
    """The 403 an RBAC denial answers with, worded as the API server words it."""
    resource = f"{attrs.resource}/{attrs.subresource}" if attrs.subresource else attrs.resource
    qualified = f"{attrs.resource}.{attrs.group}" if attrs.group else attrs.resource
    if attrs.name:
        qualified = f'{qualified} "{attrs.name}"'
    scope = f'in the namespace "{attrs.namespace}"' if attrs.namespace else "at the cluster scope"
    details: Obj = {"kind": attrs.resource}
    if attrs.group:
        details["group"] = attrs.group
    if attrs.name:
        details["name"] = attrs.name
    return Forbidden(
        f'{qualified} is forbidden: User "{USERNAMES[user]}" cannot {attrs.verb} resource'
        f' "{resource}" in API group "{attrs.group}" {scope}',
        details=details,
    )


def check(user: str, attrs: Attributes) -> None:
    if not allowed(user, attrs):
        raise forbidden(user, attrs)


# -- reviews --------------------------------------------------------------------------


def access_review(user: str, body: Obj) -> Obj:
    """Answer a SelfSubjectAccessReview: may the caller do this?"""
    spec = body.get("spec") or {}
    resource = spec.get("resourceAttributes")
    non_resource = spec.get("nonResourceAttributes")
    if resource:
        attrs = Attributes(
            verb=resource.get("verb", ""),
            group=resource.get("group", ""),
            resource=resource.get("resource", ""),
            subresource=resource.get("subresource", ""),
            namespace=resource.get("namespace", ""),
            name=resource.get("name", ""),
        )
        verdict = allowed(user, attrs) or (attrs.verb == "*" and user == ADMIN)
    elif non_resource:
        verdict = path_allowed(user, non_resource.get("path", ""), non_resource.get("verb", ""))
    else:
        raise BadRequest(
            "SelfSubjectAccessReview is invalid: spec.resourceAttributes: Invalid value: null:"
            " exactly one of nonResourceAttributes or resourceAttributes must be specified"
        )
    status: Obj = {"allowed": verdict}
    if verdict:
        status["reason"] = (
            'RBAC: allowed by ClusterRoleBinding "drill-admin" of ClusterRole'
            ' "cluster-admin" to User "drill-admin"'
            if user == ADMIN
            else 'RBAC: allowed by ClusterRoleBinding "drill-readonly" of ClusterRole "view"'
            ' to User "drill-readonly"'
        )
    return _review("SelfSubjectAccessReview", "authorization.k8s.io/v1", body, status)


def rules_review(user: str, body: Obj) -> Obj:
    """Answer a SelfSubjectRulesReview: everything the caller may do in a namespace."""
    if user == ADMIN:
        resource_rules = [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}]
        non_resource_rules = [{"verbs": ["*"], "nonResourceURLs": ["*"]}]
    else:
        resource_rules = [
            {"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
             "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]},
            {"verbs": ["create"], "apiGroups": ["authentication.k8s.io"],
             "resources": ["selfsubjectreviews"]},
            {"verbs": ["get", "list", "watch"], "apiGroups": ["*"],
             "resources": ["*"], "resourceNames": []},
        ]  # fmt: skip
        urls = [*PUBLIC_PATHS, *(path + "/*" for path in PUBLIC_PATHS)]
        non_resource_rules = [{"verbs": ["get"], "nonResourceURLs": urls}]
    status = {
        "resourceRules": resource_rules,
        "nonResourceRules": non_resource_rules,
        "incomplete": False,
    }
    return _review("SelfSubjectRulesReview", "authorization.k8s.io/v1", body, status)


def self_review(user: str, body: Obj) -> Obj:
    """Answer a SelfSubjectReview: who the caller is."""
    info = {"username": USERNAMES[user], "groups": GROUPS[user]}
    return _review("SelfSubjectReview", "authentication.k8s.io/v1", body, {"userInfo": info})


def _review(kind: str, api_version: str, body: Obj, status: Obj) -> Obj:
    metadata = dict(body.get("metadata") or {})
    metadata.setdefault("creationTimestamp", None)
    answer: Obj = {"kind": kind, "apiVersion": api_version, "metadata": metadata}
    if "spec" in body or kind != "SelfSubjectReview":
        answer["spec"] = body.get("spec") or {}
    answer["status"] = status
    return answer
