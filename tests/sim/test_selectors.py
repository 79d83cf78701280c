"""Label and field selectors, parsed and matched as the API server does."""

from __future__ import annotations

import pytest

from tui.sim.selectors import SelectorError, field_value, matcher, parse_fields, parse_labels

LABELS = [
    {"app": "web", "tier": "front", "version": "3"},
    {"app": "web", "tier": "back"},
    {"app": "db"},
    {},
]


def picked(selector: str) -> list[int]:
    check = parse_labels(selector)
    return [index for index, labels in enumerate(LABELS) if check(labels)]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("", [0, 1, 2, 3]),
        ("app=web", [0, 1]),
        ("app==web", [0, 1]),
        ("app!=web", [2, 3]),  # != matches objects without the label
        ("app in (web, db)", [0, 1, 2]),
        ("app notin (web)", [2, 3]),  # so does notin
        ("tier", [0, 1]),
        ("!tier", [2, 3]),
        ("app=web,tier=back", [1]),
        ("app in (web),!version", [1]),
        ("version>2", [0]),
        ("version<3", []),
        (" app = web ", [0, 1]),
        ("app=", []),  # the empty value: only a label set to ""
    ],
)
def test_label_operators(selector: str, expected: list[int]) -> None:
    assert picked(selector) == expected


@pytest.mark.parametrize(
    "selector",
    [
        "a b",
        "app=web=x",
        "app in web",
        "app in (a",
        "=web",
        "app=we b",
        "a,,b",
        "bad key!=x",
        "-app=x",
        "version>x",
    ],
)
def test_bad_label_selectors_are_refused(selector: str) -> None:
    with pytest.raises(SelectorError):
        parse_labels(selector)


def test_label_keys_may_have_a_prefix() -> None:
    check = parse_labels("app.kubernetes.io/name=web")
    assert check({"app.kubernetes.io/name": "web"})
    assert not check({"name": "web"})


POD = {
    "metadata": {"name": "web-1", "namespace": "prod"},
    "spec": {"nodeName": "node-2", "restartPolicy": "Always"},
    "status": {"phase": "Running", "podIP": "10.0.0.7"},
}
EVENT = {
    "metadata": {"name": "web-1.1", "namespace": "prod"},
    "involvedObject": {"kind": "Pod", "name": "web-1", "namespace": "prod", "uid": "u-1"},
    "reason": "BackOff",
    "type": "Warning",
    "source": {"component": "kubelet", "host": "node-2"},
    "reportingController": "kubelet",
}


@pytest.mark.parametrize(
    ("selector", "kind", "obj", "expected"),
    [
        ("metadata.name=web-1", "Pod", POD, True),
        ("metadata.namespace==prod", "Pod", POD, True),
        ("metadata.namespace!=prod", "Pod", POD, False),
        ("spec.nodeName=node-2,status.phase=Running", "Pod", POD, True),
        ("spec.nodeName=node-2,status.phase!=Running", "Pod", POD, False),
        ("spec.nodeName=", "Pod", {"metadata": {"name": "p"}}, True),  # unscheduled pods
        ("spec.hostNetwork=false", "Pod", POD, True),  # unset reads as false
        ("status.podIP=10.0.0.7", "Pod", POD, True),
        ("involvedObject.kind=Pod,involvedObject.name=web-1", "Event", EVENT, True),
        ("involvedObject.uid=u-1,type=Warning,reason=BackOff", "Event", EVENT, True),
        ("source=kubelet", "Event", EVENT, True),  # source means source.component
        ("reportingComponent=kubelet", "Event", EVENT, True),
        ("metadata.name=web-1", None, POD, True),
    ],
)
def test_field_selectors(selector: str, kind: str | None, obj: dict, expected: bool) -> None:
    assert parse_fields(selector, kind)(obj) is expected


def test_field_values_may_escape_commas_and_equals() -> None:
    obj = {"metadata": {"name": "a,b=c\\d"}}
    assert parse_fields(r"metadata.name=a\,b\=c\\d", "ConfigMap")(obj)
    assert not parse_fields(r"metadata.name=a\,b", "ConfigMap")(obj)


@pytest.mark.parametrize(
    ("selector", "kind"),
    [
        ("spec.foo=x", "Pod"),
        ("status.phase=Running", "ConfigMap"),  # phase is a pod field, not a config map's
        ("involvedObject.name=x", "Pod"),
        ("metadata.labels=x", "Pod"),
        ("metadata.name", "Pod"),
        ("=x", "Pod"),
        (r"metadata.name=a\q", "Pod"),
    ],
)
def test_unsupported_or_malformed_field_selectors_are_refused(selector: str, kind: str) -> None:
    with pytest.raises(SelectorError):
        parse_fields(selector, kind)


def test_unsupported_field_message_is_the_api_servers() -> None:
    with pytest.raises(SelectorError, match=r"^field label not supported: spec\.foo$"):
        parse_fields("spec.foo=x", "Pod")


def test_matcher_combines_labels_and_fields() -> None:
    pod = {**POD, "metadata": {**POD["metadata"], "labels": {"app": "web"}}}
    assert matcher("app=web", "spec.nodeName=node-2", "Pod")(pod)
    assert not matcher("app=db", "spec.nodeName=node-2", "Pod")(pod)
    assert not matcher("app=web", "spec.nodeName=node-1", "Pod")(pod)
    assert matcher(None, None)({"metadata": {}})


def test_field_value_reads_booleans_as_the_api_does() -> None:
    assert field_value({"spec": {"unschedulable": True}}, "spec.unschedulable") == "true"
    assert field_value({"spec": {}}, "spec.unschedulable") == "false"
