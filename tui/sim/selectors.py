"""Label and field selectors, as the API server parses them.

Labels: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`,
comma-joined; keys and values are checked as label syntax. `!=` and `notin`
match objects without the label, as on a real cluster.

Fields: `path=value`, `path==value`, `path!=value`, comma-joined, with `\\,`,
`\\=` and `\\\\` escapes, over the fields each kind supports on a real API server
(`metadata.name` and `metadata.namespace` everywhere; `spec.nodeName`,
`status.phase`... for pods; `involvedObject.*`, `reason`, `type`... for events).
Any other field is refused (400), as kubectl users will meet on a real cluster.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Predicate = Callable[[dict[str, Any]], bool]
Labels = Mapping[str, str]


class SelectorError(ValueError):
    """The selector cannot be parsed: answered with 400 Bad Request."""


_NAME = r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
_KEY = re.compile(rf"^([a-z0-9]([-a-z0-9.]{{0,251}}[a-z0-9])?/)?{_NAME}$")
_VALUE = re.compile(rf"^({_NAME})?$")
_SET = re.compile(r"^(?P<key>[^\s!=<>(),]+)\s+(?P<op>in|notin)\s*\((?P<values>[^()]*)\)$")
_COMPARE = re.compile(r"^(?P<key>[^\s!=<>(),]+)\s*(?P<op>==|=|!=|>|<)\s*(?P<value>[^\s(),]*)$")
_EXISTS = re.compile(r"^(?P<neg>!?)\s*(?P<key>[^\s!=<>(),]+)$")


def _split_terms(selector: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    terms, depth, current = [], 0, []
    for char in selector:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            terms.append("".join(current))
            current = []
        else:
            current.append(char)
    terms.append("".join(current))
    return [t.strip() for t in terms]


def _key(term: str, key: str) -> str:
    if not _KEY.match(key):
        raise SelectorError(f"unable to parse requirement: invalid label key {key!r} in {term!r}")
    return key


def _value(term: str, value: str) -> str:
    if not _VALUE.match(value):
        raise SelectorError(
            f"unable to parse requirement: invalid label value {value!r} in {term!r}"
        )
    return value


def _label_term(term: str) -> Callable[[Labels], bool]:
    if match := _SET.match(term):
        key = _key(term, match["key"])
        wanted = frozenset(_value(term, v.strip()) for v in match["values"].split(","))
        if match["op"] == "in":
            return lambda labels: labels.get(key) in wanted
        return lambda labels: labels.get(key) not in wanted
    if match := _COMPARE.match(term):
        key, op, value = _key(term, match["key"]), match["op"], match["value"]
        if op in (">", "<"):
            return _numeric(term, key, op, value)
        _value(term, value)
        if op == "!=":
            return lambda labels: labels.get(key) != value
        return lambda labels: labels.get(key) == value
    if match := _EXISTS.match(term):
        key = _key(term, match["key"])
        if match["neg"]:
            return lambda labels: key not in labels
        return lambda labels: key in labels
    raise SelectorError(f"unable to parse requirement: {term!r}")


def _numeric(term: str, key: str, op: str, value: str) -> Callable[[Labels], bool]:
    try:
        bound = int(value)
    except ValueError:
        raise SelectorError(
            f"unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an"
            f" integer in {term!r}"
        ) from None

    def check(labels: Labels) -> bool:
        try:
            number = int(labels[key])
        except (KeyError, ValueError):
            return False
        return number > bound if op == ">" else number < bound

    return check


def parse_labels(selector: str | None) -> Callable[[Labels], bool]:
    """A matcher over a label dict; an empty selector matches everything."""
    if not selector or not selector.strip():
        return lambda _labels: True
    checks = []
    for term in _split_terms(selector):
        if not term:
            raise SelectorError(f"unable to parse requirement: empty term in {selector!r}")
        checks.append(_label_term(term))
    if len(checks) == 1:
        return checks[0]
    return lambda labels: all(check(labels) for check in checks)


# -- fields --------------------------------------------------------------------------

COMMON_FIELDS = frozenset({"metadata.name", "metadata.namespace"})
# Kind -> the fields a real API server accepts in a field selector for it.
FIELDS: dict[str, frozenset[str]] = {
    "Pod": frozenset({
        "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
        "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName",
    }),
    "Event": frozenset({
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
        "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
        "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type",
    }),
    "Node": frozenset({"spec.unschedulable"}),
    "Namespace": frozenset({"status.phase"}),
    "Secret": frozenset({"type"}),
    "ReplicaSet": frozenset({"status.replicas"}),
    "Service": frozenset({"spec.clusterIP", "spec.type"}),
}  # fmt: skip
# Selector field -> where its value lives, where the two differ.
FIELD_PATHS: dict[str, str] = {
    "source": "source.component",
    "reportingComponent": "reportingController",
}
# Fields whose unset value reads as something else (a pod's hostNetwork is "false").
FIELD_DEFAULTS: dict[str, str] = {"spec.hostNetwork": "false", "spec.unschedulable": "false"}


def field_value(obj: Mapping[str, Any], path: str) -> str:
    node: Any = obj
    for part in FIELD_PATHS.get(path, path).split("."):
        if not isinstance(node, Mapping):
            node = None
            break
        node = node.get(part)
    if node is None:
        return FIELD_DEFAULTS.get(path, "")
    if isinstance(node, bool):
        return "true" if node else "false"
    return str(node)


def _split_escaped(text: str, separator: str) -> list[str]:
    """Split on `separator` where it is not escaped with a backslash."""
    parts, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped:
        raise SelectorError(f"invalid field selector: trailing backslash in {text!r}")
    parts.append("".join(current))
    return parts


def _unescape(value: str) -> str:
    out, escaped = [], False
    for char in value:
        if escaped:
            if char not in "\\,=":
                raise SelectorError(f"invalid field selector: invalid escape sequence in {value!r}")
            out.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            out.append(char)
    return "".join(out)


def _field_term(term: str) -> tuple[str, str, str]:
    """(field, operator, value) of one `field<op>value` term."""
    for op in ("!=", "==", "="):
        position = _unescaped_find(term, op)
        if position >= 0:
            field = term[:position].strip()
            if not field:
                raise SelectorError(f"invalid field selector: field name missing in {term!r}")
            return field, op, _unescape(term[position + len(op) :].strip())
    raise SelectorError(f"invalid field selector: {term!r} is not field=value")


def _unescaped_find(text: str, op: str) -> int:
    index = 0
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text.startswith(op, index):
            return index
        index += 1
    return -1


def parse_fields(selector: str | None, kind: str | None = None) -> Predicate:
    """A matcher over objects. With `kind`, fields that kind does not support are
    refused, as the API server does."""
    if not selector or not selector.strip():
        return lambda _obj: True
    supported = COMMON_FIELDS | FIELDS.get(kind or "", frozenset())
    checks: list[Predicate] = []
    for term in _split_escaped(selector, ","):
        term = term.strip()
        if not term:
            raise SelectorError(f"invalid field selector: empty term in {selector!r}")
        path, op, value = _field_term(term)
        if kind is not None and path not in supported:
            raise SelectorError(f"field label not supported: {path}")
        if op == "!=":
            checks.append(lambda obj, p=path, v=value: field_value(obj, p) != v)
        else:
            checks.append(lambda obj, p=path, v=value: field_value(obj, p) == v)
    if len(checks) == 1:
        return checks[0]
    return lambda obj: all(check(obj) for check in checks)


def matcher(
    label_selector: str | None, field_selector: str | None, kind: str | None = None
) -> Predicate:
    labels = parse_labels(label_selector)
    if not field_selector:
        return lambda obj: labels((obj.get("metadata") or {}).get("labels") or {})
    fields = parse_fields(field_selector, kind)
    return lambda obj: labels((obj.get("metadata") or {}).get("labels") or {}) and fields(obj)
