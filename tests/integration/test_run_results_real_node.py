"""A pull of a run's results off its claim is recorded on the run (real node, real kubelet, a local volume): `r`
on the finished pod (through a helper pod), then `r` on the claim once the pod is deleted (through a helper placed
as the app's last pod on it was, claims.json): two results on the same run, each file's sha256 as arrived.
Run under `flock /tmp/real-node.lock` (the node has 4 local volumes, shared by every helper's tests)."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.e2e.test_transfer_dead_pod import expected, finished_pods
from tests.support.files import digests
from tests.support.real_node import engine, helpers_left, kube, phase, pushed_image, storage_class
from tests.support.stack import StackEnv, wait_for
from tui.services.deploy.apply import AppliedManifests, PodApplier
from tui.services.kube.kube import KubeService
from tui.services.pods.actions import PodActions
from tui.services.runs.recorder import RunRecorder
from tui.services.runs.result_recorder import ResultRecorder
from tui.services.runs.results import results_state
from tui.services.runs.store import RunStore
from tui.services.transfer.claim_mounts import ClaimMountStore
from tui.services.transfer.claim_pull import ClaimPull
from tui.services.transfer.claims import ClaimList, plan_pull, pull_claim

__all__ = ["engine", "kube", "pushed_image", "storage_class"]  # fixtures used here by name


def test_pulls_of_a_finished_pod_and_of_its_claim_after_it_is_gone_are_recorded_on_its_run(
    stack: StackEnv, kube: KubeService, namespace: str, tmp_path: Path, pushed_image: str, storage_class: str
) -> None:
    kube.api_client()  # loaded, as the app's is when it applies (the run records its context)
    store, mounts = RunStore(tmp_path / "runs"), ClaimMountStore(tmp_path / "claims.json")
    applier = PodApplier(kube, AppliedManifests(tmp_path / "applied"), mounts, RunRecorder(store, kube))
    applier.apply(namespace, list(yaml.safe_load_all(finished_pods(pushed_image, storage_class)))[:2])  # claim, done
    (summary,) = store.summaries()
    wait_for(lambda: phase(kube, namespace, "done") == "Succeeded", timeout=120, what="done Succeeded")
    expected(tmp_path / "expected")
    pulls = ClaimPull(kube, results=ResultRecorder(store))

    finished = tmp_path / "results" / "finished"
    pulls.pull_results(namespace, "done", "/persistent/out", finished)  # through a helper on its claim

    PodActions(kube).delete(namespace, "done")
    wait_for(lambda: phase(kube, namespace, "done") == "Gone", timeout=60, what="done deleted")
    claim = next(row for row in ClaimList(kube).rows(namespace) if row.name == "results")
    plan = plan_pull(claim, "/persistent/out", mounts.recall(namespace, "results"), None)
    assert plan.recorded_pod == "done" and plan.spec is not None
    gone = tmp_path / "results" / "gone"
    pull_claim(pulls, plan, "/persistent/out", plan.spec.image, gone)

    first, second = store.results(summary.id)
    assert (first.local_path, second.local_path) == (str(finished), str(gone))
    assert first.sha256 == digests(finished) == digests(tmp_path / "expected") == second.sha256 == digests(gone)
    assert (first.files, second.files) == (31, 31)
    assert results_state(second).check == "match"
    assert helpers_left(kube, namespace) == []
