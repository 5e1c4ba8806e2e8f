"""A fan-out as one Indexed Job, through the services against the real stack's Job controller: a Job whose pods a
quota refuses is still listed and deleted when leaving (ExperimentPods), and the dry run before a replacement
(PodApplier.check) neither holds the earlier run's quota against the new one nor creates anything. The fan-out
through the app: tests/e2e/test_fanout_job.py."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.support.pods import pod_quota, prep_pod
from tests.support.stack import StackEnv, kubectl, wait_for
from tests.support.state import own_state
from tui.models.deploy.pod_template import indexed_job, with_labels
from tui.services.kube.kube import KubeService
from tui.services.pods.experiment_pods import ExperimentPods

__all__ = ["own_state"]  # the fixture (autouse): state and cwd in a temporary folder


def test_a_job_with_no_pod_right_now_is_not_forgotten_when_leaving(stack: StackEnv, namespace: str) -> None:
    """A Job whose pods a quota refuses has none running, but would start them later: the leave prompt lists it and
    deleting it deletes the Job."""
    pod_quota(stack, namespace, "no-pods", 0)
    (pod,) = [m for m in yaml.safe_load_all(prep_pod()) if m]
    job = indexed_job(with_labels(pod, "prep"), 2, "prep")
    kubectl(stack, "apply", "-n", namespace, "-f", "-", input=json.dumps(job))
    pods = ExperimentPods(KubeService(stack.kubeconfig))
    wait_for(
        lambda: (
            "exceeded quota"
            in kubectl(stack, "get", "events", "-n", namespace, "--field-selector", "involvedObject.kind=Job")
        ),
        what="the Job refused its pods",
    )
    running = pods.still_running([namespace])
    assert [(p.name, p.job) for p in running] == [("job/prep", "prep")]
    assert pods.delete(running) == []
    wait_for(lambda: kubectl(stack, "get", "job", "prep", "-n", namespace, check=False) == "", what="the Job deleted")
    assert pods.still_running([namespace]) == []


def test_the_dry_run_before_a_replacement_does_not_hold_the_earlier_runs_quota_against_the_new_one(
    stack: StackEnv, namespace: str
) -> None:
    """Two pods in a namespace allowing two: the replacement's check passes (they are about to go), and creates
    nothing; a pod the API refuses is named with the API's words."""
    from tui.services.deploy.apply import ApplyFailed, PodApplier

    (pod,) = [m for m in yaml.safe_load_all(prep_pod()) if m]
    for index in range(2):
        kubectl(
            stack, "apply", "-n", namespace, "-f", "-", input=json.dumps(dict(pod, metadata={"name": f"prep-{index}"}))
        )
    pod_quota(stack, namespace, "two-pods", 2)
    applier = PodApplier(KubeService(stack.kubeconfig))
    applier.check(namespace, [dict(pod, metadata={"name": f"prep-{index}"}) for index in range(2)])
    names = kubectl(stack, "get", "pods", "-n", namespace, "-o", "jsonpath={.items[*].metadata.name}").split()
    assert sorted(names) == ["prep-0", "prep-1"]
    broken = dict(pod, spec=dict(pod["spec"], restartPolicy="Sometimes"))
    with pytest.raises(ApplyFailed, match=r"pod/prep refused: .*restartPolicy"):
        applier.check(namespace, [broken])
