"""The Kubernetes source layer against the drill cluster: real HTTPS, real client."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kube.conftest import Drill
from tests.kube.watching import watching
from tui.sim.resources import PODS
from tui.sources.kube import actions
from tui.sources.kube.actions import ObjectRef
from tui.sources.kube.client import KubeClient, KubeError
from tui.sources.kube.kubeconfig import KubeconfigError, read_kubeconfig

PROD = "wilkenweb-prod"


def test_kubeconfig_contexts_and_errors(drill: Drill, tmp_path: Path) -> None:
    info = read_kubeconfig(drill.kubeconfig)
    assert info.contexts == ("warroom-drill", "warroom-drill-readonly")
    assert info.current == "warroom-drill"
    with pytest.raises(KubeconfigError, match="no kubeconfig found"):
        read_kubeconfig(environ={"HOME": str(tmp_path)})
    broken = tmp_path / "broken"
    broken.write_text("clusters: [unclosed")
    with pytest.raises(KubeconfigError, match="broken"):
        read_kubeconfig(broken)
    merged = read_kubeconfig(environ={"KUBECONFIG": f"{tmp_path / 'missing'}:{drill.kubeconfig}"})
    assert merged.files == (drill.kubeconfig,)


@pytest.mark.parametrize(
    ("scenario", "namespace", "wanted"),
    [
        ("site-down", PROD, {"CrashLoopBackOff"}),
        ("bad-deploy", PROD, {"ImagePullBackOff", "ErrImagePull"}),
        ("oom", None, {"OOMKilled", "CrashLoopBackOff"}),
        ("node-not-ready", None, {"Pending"}),
    ],
)
def test_each_scenario_shows_its_pod_status(
    start_drill, scenario: str, namespace: str | None, wanted: set[str]
) -> None:
    drill = start_drill(scenario)
    with watching(drill) as w:
        found = w.until(lambda: wanted & set(w.pods(namespace).values()), f"{wanted} pods")
        assert found
        problems = [r for r in w.model.pods.values() if r.problem]
        assert problems, "problem pods are flagged"
        assert all(r.rank < 8 for r in problems)


def test_node_not_ready_and_hpa_maxed_rows(start_drill) -> None:
    with watching(start_drill("node-not-ready")) as w:
        w.until(lambda: any(n.state == "NotReady" for n in w.model.nodes.values()), "NotReady")
    with watching(start_drill("hpa-maxed")) as w:
        w.until(lambda: any(h.limited for h in w.model.hpas.values()), "an HPA at its maximum")


def test_transitions_are_reported_once_and_recovery_too(start_drill) -> None:
    drill = start_drill("bad-deploy", speed=20)
    with watching(drill) as w:
        w.until(lambda: any(t.state in ("ImagePullBackOff", "ErrImagePull")
                            for t in w.transitions), "an image pull transition")  # fmt: skip
        pulled = [t for t in w.transitions if t.state in ("ImagePullBackOff", "ErrImagePull")]
        subjects = [t.subject for t in pulled]
        assert all(s.startswith("k8s:warroom-drill/wilkenweb-prod/pod/") for s in subjects)
        for _ in range(10):
            w.pump()  # more rounds: nothing new for pods that stay broken
        again = [t for t in w.transitions if t.subject in subjects and t.state == pulled[0].state]
        assert len(again) == len({t.subject for t in again})
        client = w.service.client("warroom-drill")
        revision = actions.rollout_undo(
            client, ObjectRef("warroom-drill", PROD, "Deployment", "app")
        )
        assert revision.number >= 1
        w.until(lambda: any((t.state == "ok" and t.subject.endswith("/deployment/app"))
                            or (t.state == "ok" and "/pod/" in t.subject) for t in w.transitions)
                or not [r for r in w.model.pods.values() if r.namespace == PROD and r.problem],
                "the rollout undo to heal the pods")  # fmt: skip


def test_actions_change_the_cluster(start_drill) -> None:
    drill = start_drill("healthy", speed=20)
    with watching(drill, namespaces=[PROD]) as w:
        w.until(lambda: any(r.owner_kind == "ReplicaSet" for r in w.model.pods.values()), "pods")
        client = w.service.client("warroom-drill")
        app = ObjectRef("warroom-drill", PROD, "Deployment", "app")
        before = actions.get(client, app)["spec"]["replicas"]
        actions.scale(client, app, before + 1)

        def running_app_pods() -> int:
            return sum(1 for r in w.model.pods.values()
                       if r.owner_name.startswith("app-") and r.status == "Running")  # fmt: skip

        w.until(lambda: running_app_pods() == before + 1, "one more app pod")
        actions.rollout_restart(client, app)
        history = actions.revisions(client, app)
        assert history[0].current and history[0].number == max(r.number for r in history)
        victim = next(r for r in w.model.pods.values() if r.owner_name.startswith("app-"))
        actions.delete_pod(client, ObjectRef("warroom-drill", PROD, "Pod", victim.name))
        w.until(lambda: victim.name not in w.pods(), "the deleted pod to go")
        # The newest pod: it has fresh events (Scheduled, Pulled, Started).
        pod = max((r for r in w.model.pods.values() if r.owner_name.startswith("app-")),
                  key=lambda r: r.created)  # fmt: skip
        chain = actions.owner_chain(client, actions.get(client, ObjectRef(
            "warroom-drill", PROD, "Pod", pod.name)), "warroom-drill")  # fmt: skip
        assert [ref.kind for ref in chain] == ["Pod", "ReplicaSet", "Deployment"]
        assert chain[-1].name == "app"
        events = actions.pod_events(client, actions.get(client, chain[0]))
        assert events and all(e["involvedObject"]["name"] == pod.name for e in events)


def test_readonly_user_is_refused_by_the_api(drill: Drill) -> None:
    info = read_kubeconfig(drill.kubeconfig)
    client = KubeClient(info.config_file, "warroom-drill-readonly")
    ref = ObjectRef("warroom-drill-readonly", PROD, "Deployment", "app")
    assert actions.get(client, ref)["metadata"]["name"] == "app"  # reading is allowed
    with pytest.raises(KubeError) as refused:
        actions.rollout_restart(client, ref)
    assert refused.value.kind == "forbidden"
    assert 'cannot patch resource "deployments"' in refused.value.message


def test_a_forbidden_kind_does_not_stop_the_others(drill: Drill) -> None:
    drill.call(drill.cluster.faults.fail, "events", 403)
    with watching(drill) as w:
        w.until(lambda: w.states().get("events") == "forbidden", "events forbidden")
        w.until(lambda: w.states().get("pods") == "live" and w.pods(), "pods live")
        drill.call(drill.cluster.faults.heal)
        # Forbidden retries at the slow end of the back-off: not awaited here.
        assert w.states()["pods"] == "live"


def test_api_server_restart_mid_watch_recovers_without_duplicates(drill: Drill) -> None:
    def truth() -> set[str]:
        return {p["metadata"]["name"] for p in drill.cluster.store.items(PODS)}

    with watching(drill) as w:
        w.until(lambda: w.states().get("pods") == "live" and w.pods(), "pods live")
        drill.call(drill.cluster.restart, 2.0)
        w.until(lambda: w.states().get("pods") == "live", "pods live again", timeout=60)
        # While the server was down nothing was lost; after it, the model equals the cluster.
        w.until(lambda: set(w.pods()) == drill.call(truth), "the pod set to match")
        keys = [row.key for row in w.model.pods.values()]
        assert len(keys) == len(set(keys))


def test_expired_versions_are_recovered_by_relisting(drill: Drill) -> None:
    def truth() -> set[str]:
        return {p["metadata"]["name"] for p in drill.cluster.store.items(PODS)}

    with watching(drill) as w:
        w.until(lambda: w.states().get("pods") == "live" and w.pods(), "pods live")
        drill.call(drill.cluster.expire_versions)
        drill.call(drill.cluster.faults.drop_watches)
        w.until(lambda: set(w.pods()) == drill.call(truth), "the pod set to match after 410")
