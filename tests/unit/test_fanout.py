"""A fan-out as an Indexed Job (the manifest made from the pod) and where a fan-out stands (pure logic)."""

from __future__ import annotations

import pytest

from tui.models.deploy.fanout import FanOutMember, FanOutProgress, JobState, fanout_member, job_state, sorted_members
from tui.models.deploy.pod_template import (
    FANOUT_LABEL,
    INDEX_LABEL,
    JOB_INDEX_KEY,
    MANAGED_BY_LABEL,
    TemplateError,
    indexed_job,
    parse_manifests,
    pod_index,
    with_labels,
)

POD = """
apiVersion: v1
kind: Pod
metadata: {name: exp, labels: {team: vision}, annotations: {note: kept}}
spec:
  initContainers:
  - {name: fetch, image: busybox, command: [sh, -c, "fetch shard {index}"]}
  containers:
  - {name: main, image: "127.0.0.1:5000/team/train:0.3", args: ["--shard", "{index}"],
     env: [{name: SHARD, value: "s-{index}"}]}
  - {name: sidecar, image: busybox, env: [{name: JOB_COMPLETION_INDEX, value: "mine"}]}
"""
INDEX_ENV = {
    "name": "JOB_COMPLETION_INDEX",
    "valueFrom": {"fieldRef": {"fieldPath": f"metadata.annotations['{JOB_INDEX_KEY}']"}},
}


def test_an_indexed_job_runs_the_pod_n_times_with_the_index_expanded_by_kubernetes() -> None:
    (pod,) = parse_manifests(POD)
    job = indexed_job(with_labels(pod, "prep"), 4, "prep", parallelism=2)
    assert (job["apiVersion"], job["kind"], job["metadata"]["name"]) == ("batch/v1", "Job", "prep")
    spec = job["spec"]
    assert (spec["completionMode"], spec["completions"], spec["parallelism"]) == ("Indexed", 4, 2)
    template = spec["template"]
    labels = template["metadata"]["labels"]
    assert (labels[MANAGED_BY_LABEL], labels[FANOUT_LABEL], labels["team"]) == ("k8sx-tui", "prep", "vision")
    assert INDEX_LABEL not in labels and job["metadata"]["labels"] == labels
    assert template["metadata"]["annotations"] == {"note": "kept"}
    assert "name" not in template["metadata"]  # the Job controller names its pods
    assert template["spec"]["restartPolicy"] == "Never"  # a Job refuses the pod default, Always
    main = template["spec"]["containers"][0]
    assert main["args"] == ["--shard", "$(JOB_COMPLETION_INDEX)"]
    # Declared first, so SHARD (after it) expands too; a container that declares it itself keeps its own.
    assert main["env"] == [INDEX_ENV, {"name": "SHARD", "value": "s-$(JOB_COMPLETION_INDEX)"}]
    assert template["spec"]["containers"][1]["env"] == [{"name": "JOB_COMPLETION_INDEX", "value": "mine"}]
    fetch = template["spec"]["initContainers"][0]
    assert fetch["command"] == ["sh", "-c", "fetch shard $(JOB_COMPLETION_INDEX)"]
    assert pod["spec"]["containers"][0]["args"] == ["--shard", "{index}"]  # the input is untouched


def test_an_indexed_job_defaults_to_all_at_once_and_refuses_bad_counts() -> None:
    (pod,) = parse_manifests(POD)
    pod["spec"]["restartPolicy"] = "OnFailure"
    job = indexed_job(pod, 3, "prep")
    assert job["spec"]["parallelism"] == 3
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure"
    with pytest.raises(TemplateError, match="count: must be at least 1"):
        indexed_job(pod, 0, "prep")
    with pytest.raises(TemplateError, match=r"parallelism: must be between 1 and the count \(3\)"):
        indexed_job(pod, 3, "prep", parallelism=4)


def test_a_pods_index_comes_from_the_apps_label_or_the_job_controllers() -> None:
    assert pod_index({INDEX_LABEL: "3"}) == 3
    assert pod_index({JOB_INDEX_KEY: "7"}) == 7
    assert pod_index({}, {JOB_INDEX_KEY: "2"}) == 2
    assert pod_index({"other": "x"}) is None


def test_a_jobs_counts_end_and_warnings() -> None:
    job = {
        "metadata": {"name": "prep"},
        "status": {
            "active": 1,
            "succeeded": 2,
            "completedIndexes": "0,2",
            "conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "x"}],
        },
    }
    events = [
        {"type": "Warning", "reason": "FailedCreate", "message": "Error creating: quota", "lastTimestamp": "2"},
        {"type": "Normal", "reason": "SuccessfulCreate", "message": "Created pod", "lastTimestamp": "1"},
    ]
    state = job_state(job, events)
    assert state == JobState(
        "prep", 1, 0, 2, 0, "0,2", "Failed: BackoffLimitExceeded: x", ("FailedCreate: Error creating: quota",)
    )
    assert str(state) == (
        "job prep: 1 active, 2 succeeded, 0 failed (indexes 0,2 done) — Failed: BackoffLimitExceeded: x"
    )


def test_a_fan_out_settles_when_every_index_has_finished_or_its_job_has_ended() -> None:
    pod = {"metadata": {"name": "prep-1-abcde", "labels": {JOB_INDEX_KEY: "1"}}, "status": {"phase": "Running"}}
    running = fanout_member(pod, "Running")
    assert running == FanOutMember(1, "prep-1-abcde", "Running", "Running")
    done = FanOutMember(0, "prep-0-xyz12", "Completed", "Succeeded")
    members = sorted_members([running, done, FanOutMember(None, "stray", "Pending", "Pending")])
    assert [m.pod for m in members] == ["prep-0-xyz12", "prep-1-abcde", "stray"]

    assert not FanOutProgress("prep", 2, (done, running)).settled
    assert FanOutProgress("prep", 2, (done, FanOutMember(1, "prep-1", "Error", "Failed"))).settled
    job = JobState("prep", ended="Complete")
    assert not FanOutProgress("prep", 2, (done, running), job, job_expected=True).settled  # a pod still runs
    assert FanOutProgress("prep", 1, (done,), job, job_expected=True).settled
    assert FanOutProgress("prep", 1, (), None, job_expected=True).settled  # the Job was deleted, its pods too
    assert not FanOutProgress("prep", 2, (running,), None, job_expected=True).settled  # one still stopping
    # Deleted in the background: its finished pods are still listed until the garbage collector gets to them.
    owned = {"kind": "Job", "name": "prep", "uid": "u1"}
    finished = {**pod, "metadata": {**pod["metadata"], "ownerReferences": [owned]}, "status": {"phase": "Succeeded"}}
    collected = fanout_member(finished, "Completed")
    assert collected.owned_by_job
    assert not FanOutProgress("prep", 2, (collected,), None, job_expected=True).settled
    assert FanOutProgress("prep", 2, (collected,), JobState("prep", ended="Complete"), job_expected=True).settled
    assert FanOutProgress("prep", 2, (done,), None, job_expected=True).settled  # orphaned: it stays
    assert FanOutProgress("prep", 2, ()).settled  # plain pods all deleted
    assert not FanOutProgress("prep", 1, (done,), trouble="cannot read").settled
    summary = FanOutProgress("prep", 2, (done, running), JobState("prep"), job_expected=True).summary()
    assert summary == "fan-out prep (Indexed Job prep, 2 indexes): 2 pods — 1 Completed, 1 Running"


def test_pods_left_by_an_earlier_larger_run_do_not_settle_a_smaller_one() -> None:
    old = tuple(FanOutMember(index, f"sweep-{index}", "Completed", "Succeeded") for index in range(4, 8))
    new = tuple(FanOutMember(index, f"sweep-{index}", "Pending", "Pending") for index in range(4))
    assert not FanOutProgress("sweep", 4, old + new).settled
    done = tuple(FanOutMember(index, f"sweep-{index}", "Completed", "Succeeded") for index in range(4))
    assert FanOutProgress("sweep", 4, old + done).settled
