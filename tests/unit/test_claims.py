"""Claim rows as `kubectl get pvc` shows them, with the pods that mount them; how `r` reads a claim; and what the
app remembers of where its pods mounted their claims."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tui.services.transfer.claim_mounts import ClaimMountStore
from tui.services.transfer.claim_pull import ROLE, ROLE_LABEL
from tui.services.transfer.claims import ClaimRow, ClaimUnreadable, claim_row, plan_pull

CLAIM: dict[str, Any] = {
    "metadata": {"name": "results", "namespace": "exp", "creationTimestamp": "2026-12-01T10:00:00Z"},
    "spec": {
        "accessModes": ["ReadWriteOnce", "ReadWriteOncePod"],
        "storageClassName": "standard",
        "volumeName": "pv-1",
    },
    "status": {"phase": "Bound", "capacity": {"storage": "50Gi"}},
}


def pod(name: str, claim: str, phase: str = "Running", labels: dict[str, str] | None = None) -> dict[str, Any]:
    running = {"running": {}} if phase == "Running" else {"terminated": {"exitCode": 0}}
    return {
        "metadata": {"name": name, "namespace": "exp", "labels": labels or {}},
        "spec": {
            "nodeSelector": {"type": "real"},
            "tolerations": [{"key": "gpu", "operator": "Exists"}],
            "containers": [
                {"name": "main", "image": "train:1", "volumeMounts": [{"name": "p", "mountPath": "/persistent"}]}
            ],
            "volumes": [{"name": "p", "persistentVolumeClaim": {"claimName": claim}}],
        },
        "status": {"phase": phase, "containerStatuses": [{"state": running}]},
    }


def row(status: str = "Bound", users: tuple[Any, ...] = ()) -> ClaimRow:
    return ClaimRow("exp", "results", status, "pv-1", "50Gi", "RWO", "standard", None, users)


def test_a_row_shows_kubectls_columns_and_the_pods_using_the_claim_a_running_one_first() -> None:
    pods = [pod("a-done", "results", "Succeeded"), pod("b-live", "results"), pod("other", "scratch")]
    pods.append({**pod("0-pending", "results", "Pending"), "status": {"phase": "Pending"}})
    pods.append(pod("k8sx-pull-results-1", "results", labels={ROLE_LABEL: ROLE}))  # our helper: not a user
    found = claim_row(CLAIM, pods)
    assert (found.name, found.status, found.volume, found.capacity) == ("results", "Bound", "pv-1", "50Gi")
    assert (found.access_modes, found.storage_class, found.created is not None) == ("RWO,RWOP", "standard", True)
    assert [u.pod for u in found.users] == ["b-live", "a-done", "0-pending"]
    assert found.used_by == "b-live, a-done, 0-pending"
    assert claim_row({**CLAIM, "metadata": {**CLAIM["metadata"], "deletionTimestamp": "x"}}, []).status == (
        "Terminating"
    )
    assert claim_row(CLAIM, []).used_by == "unused"


@pytest.mark.parametrize(("status", "said"), [("Pending", "no volume is bound"), ("Lost", "pv-1 is gone"),
                                              ("Terminating", "being deleted")])  # fmt: skip
def test_a_claim_that_holds_nothing_readable_is_refused_in_words(status: str, said: str) -> None:
    with pytest.raises(ClaimUnreadable, match=said):
        plan_pull(row(status), "/persistent/out", None, None)


def test_a_claim_still_mounted_is_read_through_its_pod_at_the_path_it_sees() -> None:
    plan = plan_pull(claim_row(CLAIM, [pod("b-live", "results")]), "/persistent/out", None, None)
    assert (plan.pod, plan.remote, plan.mount_path, plan.in_claim) == (
        "b-live",
        "/persistent/out",
        "/persistent",
        False,
    )
    assert plan.source("/persistent/out/") == "exp/b-live:/persistent/out"  # what r on that pod resumes under
    assert plan_pull(claim_row(CLAIM, [pod("b", "results")]), "/elsewhere/out", None, None).remote == "/persistent"
    never_ran = {**pod("queued", "results", "Pending"), "status": {"phase": "Pending"}}
    assert plan_pull(claim_row(CLAIM, [never_ran]), "/persistent/out", None, "x:1").pod == ""  # a helper, not it


def test_a_claim_of_a_deleted_pod_uses_the_recorded_mount_else_asks_the_path_inside_it(tmp_path: Path) -> None:
    store = ClaimMountStore(tmp_path / "claims.json")
    store.remember("exp", pod("train", "results"))
    recorded = store.recall("exp", "results")
    assert recorded is not None and recorded.pod == "train"
    assert (recorded.spec.image, recorded.spec.mount_path) == ("train:1", "/persistent")
    assert (dict(recorded.spec.node_selector), recorded.spec.tolerations) == (
        {"type": "real"},
        ({"key": "gpu", "operator": "Exists"},),
    )
    plan = plan_pull(row(), "/persistent/out", recorded, "pushed:2")
    assert (plan.remote, plan.remembered, plan.spec and plan.spec.image) == ("/persistent/out", True, "train:1")
    assert plan.remote_path("/persistent/out") == "/persistent/out"
    assert plan.source("/persistent/out") == "exp/claim results:/out"

    unknown = plan_pull(row(), "/persistent/out", None, "pushed:2")
    assert (unknown.remote, unknown.in_claim, unknown.spec and unknown.spec.image) == ("/out", True, "pushed:2")
    assert unknown.remote_path("/out") == "/claim/out" and unknown.remote_path("/") == "/claim"
    assert unknown.source("/out") == "exp/claim results:/out"  # the same name as through the recorded mount
    assert unknown.spec is not None and unknown.spec.tolerations == ({"operator": "Exists"},)
    assert plan_pull(row(), "/data/out", None, None).remote == "/"


def test_the_record_survives_a_broken_file_and_keeps_other_claims(tmp_path: Path) -> None:
    path = tmp_path / "claims.json"
    path.write_text("{not json")
    store = ClaimMountStore(path)
    assert store.recall("exp", "results") is None
    store.remember("exp", pod("a", "results"))
    store.remember("exp", pod("b", "scratch"))
    assert store.recall("exp", "results") is not None and store.recall("exp", "scratch") is not None
    assert store.recall("other", "results") is None


def test_a_main_containers_mount_comes_before_an_init_containers_and_a_jobs_pod_is_its_template() -> None:
    from tui.services.deploy.apply import _pod_of
    from tui.services.transfer.claim_pull import claim_mounts

    volumes = [{"name": "v", "persistentVolumeClaim": {"claimName": "results"}}]
    spec = {
        "volumes": volumes,
        "initContainers": [{"name": "fetch", "volumeMounts": [{"name": "v", "mountPath": "/init-data"}]}],
        "containers": [{"name": "main", "volumeMounts": [{"name": "v", "mountPath": "/persistent"}]}],
    }
    assert [m.mount_path for m in claim_mounts({"spec": spec})] == ["/persistent", "/init-data"]
    job = {"kind": "Job", "metadata": {"name": "prep"}, "spec": {"template": {"spec": spec}}}
    assert _pod_of(job) == {"metadata": {"name": "prep"}, "spec": spec}
    assert _pod_of({"kind": "PersistentVolumeClaim", "metadata": {"name": "results"}}) is None


def test_a_pull_through_a_running_pod_execs_into_the_container_that_has_the_results() -> None:
    from tui.services.transfer.claim_pull import DEFAULT_CONTAINER, container_with

    mounts = [{"name": "data", "mountPath": "/persistent"}]
    spec = {
        "containers": [{"name": "proxy"}, {"name": "main", "volumeMounts": mounts}],
        "initContainers": [{"name": "fetch", "volumeMounts": [{"name": "data", "mountPath": "/persistent/in"}]}],
        "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "results"}}],
    }
    running = {"metadata": {"name": "exp"}, "spec": spec}
    assert container_with(running, "/persistent/out") == "main"
    assert container_with(running, "/persistent/in/x") == "main"  # an init container is not there to exec into
    assert container_with(running, "/tmp/out") == "proxy"  # on no claim: the first, as kubectl defaults
    annotated = {**running, "metadata": {"annotations": {DEFAULT_CONTAINER: "main"}}}
    assert container_with(annotated, "/tmp/out") == "main"
    assert container_with({"spec": {}}, "/x") is None
