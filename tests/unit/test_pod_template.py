"""Pod manifests made, checked and changed by the deploy screen (pure logic, no cluster)."""

from __future__ import annotations

import pytest
import yaml

from tui.models.deploy.pod_progress import ClaimState, Verdict, claim_state, pod_progress
from tui.models.deploy.pod_template import (
    EXPERIMENT_LABEL,
    FANOUT_LABEL,
    INDEX_LABEL,
    MANAGED_BY_LABEL,
    ManifestError,
    TemplateError,
    fan_out,
    label_value,
    parse_manifests,
    parse_tolerations,
    replace_image,
    template_from_form,
    with_labels,
)

POD = """
apiVersion: v1
kind: Pod
metadata: {name: exp}
spec:
  containers:
  - {name: main, image: "127.0.0.1:5000/team/train:0.3", args: ["--shard", "{index}"],
     env: [{name: SHARD, value: "s-{index}"}]}
  - {name: sidecar, image: "busybox"}
"""


def test_broken_yaml_says_line_and_column() -> None:
    with pytest.raises(ManifestError) as caught:
        parse_manifests("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [exp\n")
    assert caught.value.line is not None and caught.value.column is not None
    assert str(caught.value).startswith(f"invalid YAML at line {caught.value.line}, column {caught.value.column}: ")
    with pytest.raises(ManifestError, match=r"line 2, column 8: .*mapping values are not allowed"):
        parse_manifests("kind: Pod\nname: a: b\n")


def test_only_pods_and_claims_with_names_are_accepted() -> None:
    with pytest.raises(ManifestError, match="empty"):
        parse_manifests("# nothing\n")
    with pytest.raises(ManifestError, match="kind 'Deployment'"):
        parse_manifests("kind: Deployment\nmetadata: {name: x}\n")
    with pytest.raises(ManifestError, match=r"document 2 \(Pod\) has no metadata.name"):
        parse_manifests("kind: PersistentVolumeClaim\nmetadata: {name: c}\n---\nkind: Pod\nmetadata: {}\n")
    with pytest.raises(ManifestError, match="is a list, not a Kubernetes object"):
        parse_manifests("- a\n- b\n")
    assert [m["kind"] for m in parse_manifests(POD)] == ["Pod"]


def test_the_template_makes_a_claim_and_a_pod_with_gpus_mounted_at_persistent() -> None:
    values = {
        "name": "train",
        "image": "127.0.0.1:5000/team/train:0.4",
        "command": "sh -c 'python train.py --out /persistent/out'",
        "env": "EPOCHS=3 MODE='fast run'",
        "cpu": "2",
        "memory": "4Gi",
        "gpu": "1",
        "claim": "results",
        "claim_size": "10Gi",
        "storage_class": "standard",
        "mount_path": "/persistent",
        "restart_policy": "OnFailure",
        "node_selector": "type=real",
        "tolerations": "k8sx.dev/real-node:NoSchedule",
    }
    claim, pod = template_from_form(values).manifests()
    assert claim["kind"] == "PersistentVolumeClaim" and claim["metadata"]["name"] == "results"
    assert claim["spec"]["resources"]["requests"]["storage"] == "10Gi"
    assert claim["spec"]["storageClassName"] == "standard"
    spec = pod["spec"]
    (container,) = spec["containers"]
    assert container["command"] == ["sh", "-c", "python train.py --out /persistent/out"]
    assert container["env"] == [{"name": "EPOCHS", "value": "3"}, {"name": "MODE", "value": "fast run"}]
    assert container["resources"] == {
        "requests": {"cpu": "2", "memory": "4Gi"},
        "limits": {"cpu": "2", "memory": "4Gi", "nvidia.com/gpu": 1},
    }
    assert container["volumeMounts"] == [{"name": "persistent", "mountPath": "/persistent"}]
    assert spec["volumes"] == [{"name": "persistent", "persistentVolumeClaim": {"claimName": "results"}}]
    assert spec["restartPolicy"] == "OnFailure" and spec["nodeSelector"] == {"type": "real"}
    assert spec["tolerations"] == [{"key": "k8sx.dev/real-node", "operator": "Exists", "effect": "NoSchedule"}]


def test_an_existing_claim_is_mounted_but_not_created() -> None:
    manifests = template_from_form({"name": "a", "image": "busybox", "claim": "data", "claim_size": ""}).manifests()
    assert [m["kind"] for m in manifests] == ["Pod"]
    assert manifests[0]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] == "data"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "Exp_1", "not a valid pod name"),
        ("gpu", "two", "not a whole number"),
        ("memory", "4 GB", "not a quantity"),
        ("restart_policy", "Sometimes", "one of Never, OnFailure, Always"),
        ("env", "EPOCHS", "not KEY=value"),
        ("command", "sh -c 'unclosed", "No closing quotation"),
        ("mount_path", "persistent", "absolute path"),
        ("tolerations", "gpu:Sometimes", "the effect is"),
    ],
)
def test_a_bad_template_field_is_named(field: str, value: str, message: str) -> None:
    values = {"name": "exp", "image": "busybox", "claim": "results", field: value}
    with pytest.raises(TemplateError, match=message) as caught:
        template_from_form(values)
    assert caught.value.field == field


def test_labels_mark_the_pod_as_the_apps_own_and_keep_the_users_labels() -> None:
    (pod,) = parse_manifests("kind: Pod\nmetadata: {name: exp, labels: {team: nlp}}\nspec: {containers: []}\n")
    labelled = with_labels(pod, "my experiment #3")
    assert labelled["metadata"]["labels"] == {
        "team": "nlp",
        MANAGED_BY_LABEL: "k8sx-tui",
        EXPERIMENT_LABEL: "my-experiment-3",
    }
    assert "labels" not in pod["metadata"] or MANAGED_BY_LABEL not in pod["metadata"]["labels"]
    assert label_value("x" * 80) == "x" * 63


def test_the_last_pushed_image_replaces_the_same_repository_or_else_the_first_container() -> None:
    manifests = parse_manifests(POD)
    changed, replaced = replace_image(manifests, "127.0.0.1:5000/team/train:0.4@sha256:" + "a" * 64)
    containers = changed[0]["spec"]["containers"]
    assert containers[0]["image"].startswith("127.0.0.1:5000/team/train:0.4@sha256:")
    assert containers[1]["image"] == "busybox"
    assert replaced == ["exp/main: 127.0.0.1:5000/team/train:0.3"]
    other, replaced_other = replace_image(manifests, "REGION-docker.pkg.dev/p/r/other:1")
    assert other[0]["spec"]["containers"][0]["image"] == "REGION-docker.pkg.dev/p/r/other:1"
    assert replaced_other == ["exp/main: 127.0.0.1:5000/team/train:0.3"]
    assert manifests[0]["spec"]["containers"][0]["image"].endswith(":0.3")  # the input is untouched


def test_fan_out_substitutes_the_index_and_labels_each_pod() -> None:
    (pod,) = parse_manifests(POD)
    pods = fan_out(pod, 3, "prep")
    assert [p["metadata"]["name"] for p in pods] == ["prep-0", "prep-1", "prep-2"]
    assert pods[2]["spec"]["containers"][0]["args"] == ["--shard", "2"]
    assert pods[1]["spec"]["containers"][0]["env"] == [{"name": "SHARD", "value": "s-1"}]
    assert pods[0]["metadata"]["labels"] == {FANOUT_LABEL: "prep", INDEX_LABEL: "0"}
    with pytest.raises(TemplateError):
        fan_out(pod, 0, "prep")


def test_tolerations_with_and_without_values() -> None:
    assert parse_tolerations("gpu=true:NoSchedule, spot") == [
        {"key": "gpu", "operator": "Equal", "value": "true", "effect": "NoSchedule"},
        {"key": "spot", "operator": "Exists"},
    ]


# ---------------------------------------------------------------- where a deployed pod stands


def _pod(phase: str, **status: object) -> dict[str, object]:
    return {"spec": {"nodeName": status.pop("node", "")}, "status": {"phase": phase, **status}}


def test_unscheduled_pods_say_the_schedulers_reason() -> None:
    message = "0/3 nodes are available: 3 Insufficient nvidia.com/gpu."
    condition = {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message}
    pod = _pod("Pending", conditions=[condition])
    progress = pod_progress("exp", pod, "Pending", [])
    assert progress.verdict is Verdict.STUCK
    assert progress.reason == "not scheduled: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu."
    # The event can be read before the condition is written: the same words, from it.
    event = {"type": "Warning", "reason": "FailedScheduling", "message": message, "lastTimestamp": "1"}
    early = pod_progress("exp", _pod("Pending"), "Pending", [event])
    assert (early.verdict, early.reason) == (Verdict.STUCK, progress.reason)
    assert pod_progress("exp", _pod("Pending"), "Pending", []).reason == "waiting to be scheduled"


def test_a_missing_image_says_the_pull_error_from_the_events() -> None:
    waiting = {"waiting": {"reason": "ImagePullBackOff", "message": 'Back-off pulling image "x"'}}
    pod = _pod("Pending", node="n", containerStatuses=[{"name": "main", "state": waiting}])
    events = [
        {"type": "Warning", "reason": "Failed", "message": "Error: ImagePullBackOff",
         "lastTimestamp": "2026-01-01T00:00:02Z"},
        {"type": "Warning", "reason": "Failed", "message": "Failed to pull image: not found",
         "lastTimestamp": "2026-01-01T00:00:01Z"},
        {"type": "Normal", "reason": "Pulling", "message": "Pulling image", "lastTimestamp": "2026-01-01T00:00:00Z"},
    ]  # fmt: skip
    progress = pod_progress("exp", pod, "ImagePullBackOff", events)
    assert (progress.verdict, progress.reason) == (Verdict.STUCK, "ImagePullBackOff: Failed to pull image: not found")
    assert progress.events == ("Failed: Failed to pull image: not found", "Failed: Error: ImagePullBackOff")


def test_crash_loop_running_succeeded_and_failed() -> None:
    crash = {"name": "main", "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 10s"}},
             "lastState": {"terminated": {"exitCode": 2, "reason": "Error"}}}  # fmt: skip
    stuck = pod_progress("exp", _pod("Running", containerStatuses=[crash]), "CrashLoopBackOff", [])
    assert stuck.reason == "CrashLoopBackOff: back-off 10s; last exit code 2 (Error)"
    ready = {"ready": True, "state": {"running": {}}}
    running = pod_progress("exp", _pod("Running", containerStatuses=[ready]), "", [])
    assert running.verdict is Verdict.RUNNING and running.verdict.settled
    done = {"name": "main", "state": {"terminated": {"exitCode": 3, "reason": "Error", "message": "oops"}}}
    failed = pod_progress("exp", _pod("Failed", containerStatuses=[done]), "Error", [])
    assert failed.reason == "container main failed (Error, exit code 3): oops"
    assert pod_progress("exp", None, "", []).verdict is Verdict.GONE


def test_claim_states() -> None:
    bound = {"spec": {"volumeName": "pv-3", "storageClassName": "standard"},
             "status": {"phase": "Bound", "capacity": {"storage": "1Gi"}}}  # fmt: skip
    assert str(claim_state("results", bound, [])) == "claim results: Bound (volume pv-3, 1Gi, standard)"
    pending = claim_state("results", {"status": {"phase": "Pending"}}, [{"message": "waiting for first consumer"}])
    assert pending == ClaimState("results", "Pending", "waiting for first consumer")
    assert claim_state("x", None, []).phase == "Missing"


def test_template_yaml_round_trips() -> None:
    manifests = template_from_form({"name": "exp", "image": "busybox"}).manifests()
    assert parse_manifests(yaml.safe_dump_all(manifests)) == manifests
