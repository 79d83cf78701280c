"""The Pods view's filter (`/`): what an operator types, turned into a test on a pod.

Examples::

    web              name or namespace contains "web" (any case)
    app=web,tier=fe  label selector (`k!=v` excludes)
    crashloopbackoff a status word, any case: pods in that status
    !web             any of the above, negated
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tui.sources.kube.rows import STATUS_RANK, PodRow
from widgets.kube_cells import pod_label

# Words that mean a status rather than part of a name (besides those seen in the view).
STATUS_WORDS = frozenset(word.lower() for word in STATUS_RANK) | {"notready"}


@dataclass(frozen=True)
class PodFilter:
    text: str
    test: Callable[[PodRow], bool]
    kind: str  # "text", "labels", "status"

    def __call__(self, row: PodRow) -> bool:
        return self.test(row)


def _labels(text: str) -> Callable[[PodRow], bool] | None:
    wanted: list[tuple[str, str, bool]] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if "!=" in part:
            key, value = part.split("!=", 1)
            wanted.append((key.strip(), value.strip(), False))
        elif "=" in part:
            key, value = part.split("=", 1)
            wanted.append((key.strip(), value.strip().lstrip("="), True))
        else:
            return None  # "app=web,foo" is not a selector: treat it all as text
    if not wanted:
        return None

    def test(row: PodRow) -> bool:
        labels = dict(row.labels)
        return all((labels.get(k) == v) is equal for k, v, equal in wanted)

    return test


def _status(word: str) -> Callable[[PodRow], bool]:
    def test(row: PodRow) -> bool:
        status = row.status.lower()
        # "crashloopbackoff" also finds init containers' "Init:CrashLoopBackOff".
        return status == word or status.endswith(":" + word) or pod_label(row).lower() == word

    return test


def parse_filter(text: str, statuses: Iterable[str] = ()) -> PodFilter | None:
    """The filter for `text`, or None for no filter. `statuses`: those seen in the view."""
    text = text.strip()
    negate = text.startswith("!")
    body = text[1:].strip() if negate else text
    if not body:
        return None
    test: Callable[[PodRow], bool] | None = _labels(body) if "=" in body else None
    kind = "labels"
    if test is None:
        word = body.lower()
        if word in STATUS_WORDS or word in {s.lower() for s in statuses}:
            test, kind = _status(word), "status"
        else:

            def test(row: PodRow) -> bool:
                return word in row.name.lower() or word in row.namespace.lower()

            kind = "text"
    if negate:
        positive = test

        def test(row: PodRow) -> bool:
            return not positive(row)

    return PodFilter(text, test, kind)
