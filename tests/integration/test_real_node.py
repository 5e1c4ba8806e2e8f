"""The real node of the local stack (a kubelet with containerd): the product's whole loop, driven through the app's
services against pods that really run.

build FROM scratch -> push to 127.0.0.1:5000 -> a pod with a claim on the real node -> exec writes results ->
pull them (sha256) -> the experiment ends -> its logs -> the pod is deleted -> the same results again through a
helper pod on the same claim.

Pods here carry the real node's toleration and `nodeSelector: {type: real}`; everything else stays on kwok nodes.
"""

from __future__ import annotations

import subprocess
import threading
import uuid
from pathlib import Path

import pytest
import yaml
from kubernetes import client as k8s
from kubernetes import utils as k8s_utils
from kubernetes.client.exceptions import ApiException

from tests.support.files import digests
from tests.support.pods import REAL_NODE_TOLERATION, claim_of, manifest, real_node_pod
from tests.support.real_node import engine, helpers_left, kube, phase, pod_json, pushed_image, real_node, storage_class
from tests.support.stack import STACK, StackEnv, wait_for
from tui.models.logs.lines import LogChunk, LogRange, LogTarget, StreamEnded
from tui.services.exec.stream import run
from tui.services.kube.kube import KubeService
from tui.services.logs.stream import LogStream
from tui.services.pods.actions import PodActions
from tui.services.transfer.claim_pull import (
    ROLE,
    ROLE_LABEL,
    ClaimPull,
    ClaimPullFailed,
    HelperSpec,
    claim_mounts,
    helper_manifest,
    helper_spec_from_pod,
    start_problem,
)
from tui.services.transfer.pull import PodFileTransfer, TransferFailed

__all__ = ["engine", "kube", "pushed_image", "real_node", "storage_class"]  # fixtures

# The experiment: says it started, waits until told to stop (a file on its claim), says what it left, exits 0.
# Its stdout also goes to /persistent/logs/main.log, so its log outlives the pod.
EXPERIMENT_SCRIPT = """\
mkdir -p /persistent/logs
{
  echo "training started on $(hostname)"
  while [ ! -f /persistent/stop ]; do sleep 0.2; done
  echo "training finished: $(ls /persistent/out | wc -l) entries in /persistent/out"
} 2>&1 | tee -a /persistent/logs/main.log
"""


def experiment(image: str, storage_class: str) -> str:
    """A claim on the real node's storage class and the experiment's pod mounting it at /persistent."""
    pod = real_node_pod(
        "exp", image, ["sh", "-c", EXPERIMENT_SCRIPT], grace_s=2, labels={"app": "k8sx-e2e"}, claim="results"
    )
    return manifest(claim_of("results", storage_class), pod)


# What the exec'd command leaves in /persistent/out; it prints the pod's own sha256 of every file.
WRITE_RESULTS = """
set -e
mkdir -p /persistent/out/epochs
i=1
while [ $i -le 40 ]; do
  echo "{\\"epoch\\": $i, \\"loss\\": 0.$((100 - i))}" > /persistent/out/epochs/$i.json
  i=$((i + 1))
done
head -c 3000000 /dev/urandom > /persistent/out/model.bin
cd /persistent/out && find . -type f -exec sha256sum {} +
"""


def describe(kube: KubeService, namespace: str, name: str) -> str:
    """For failure messages: what the pod's events say."""
    try:
        return PodActions(kube).describe(namespace, name)
    except ApiException as exc:
        return f"(cannot describe {name}: {exc.status})"


# ---------------------------------------------------------------- the node itself


def test_status_reports_the_real_node_and_the_node_is_ready_tainted_and_labelled(
    stack: StackEnv, real_node: str
) -> None:
    status = subprocess.run([str(STACK), "status"], capture_output=True, text=True, timeout=60)
    lines = {line.split()[0]: line for line in status.stdout.splitlines() if line and not line[0].isspace()}
    for part in ("containerd", "kubelet", "volume-recycler"):
        assert lines[part].split()[1] == "up", status.stdout

    kube = KubeService(stack.kubeconfig)
    node = k8s.CoreV1Api(kube.api_client()).read_node(real_node)
    ready = {c.type: c.status for c in node.status.conditions}
    assert ready["Ready"] == "True", node.status.conditions
    assert node.metadata.labels["type"] == "real"
    assert [(t.key, t.value, t.effect) for t in node.spec.taints] == [("k8sx.dev/real-node", "true", "NoSchedule")]
    assert node.status.node_info.kubelet_version == "v1.36.3"
    assert node.status.node_info.container_runtime_version.startswith("containerd://1.6.")


def test_a_pod_without_the_toleration_stays_on_a_kwok_node(kube: KubeService, namespace: str) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "ordinary"},
        "spec": {"containers": [{"name": "main", "image": "busybox"}]},
    }
    k8s_utils.create_from_dict(kube.api_client(), pod, namespace=namespace)
    wait_for(lambda: bool((pod_json(kube, namespace, "ordinary") or {}).get("spec", {}).get("nodeName")), what="bound")
    assert (pod_json(kube, namespace, "ordinary") or {})["spec"]["nodeName"].startswith("kwok-node-")


# ---------------------------------------------------------------- the loop


def test_build_push_run_exec_pull_then_pull_again_from_the_claim_after_the_pod_is_gone(
    kube: KubeService, namespace: str, tmp_path: Path, pushed_image: str, real_node: str, storage_class: str
) -> None:
    # Deploy from YAML: a claim on the real node's storage class and a pod that mounts it.
    objects = list(yaml.safe_load_all(experiment(pushed_image, storage_class)))
    k8s_utils.create_from_yaml(kube.api_client(), yaml_objects=objects, namespace=namespace)
    try:
        wait_for(lambda: phase(kube, namespace, "exp") == "Running", timeout=90, what="pod exp Running")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{describe(kube, namespace, 'exp')}") from None
    running = pod_json(kube, namespace, "exp") or {}
    assert running["spec"]["nodeName"] == real_node
    assert running["status"]["podIP"].startswith("10.244.0.")  # the bridge CNI's range, not the host's address

    # A command through exec writes the results; the pod reports its own checksums.
    output, outcome = run(kube, namespace, "exp", ["sh", "-c", WRITE_RESULTS], container="main")
    assert outcome.succeeded, (outcome, output)
    in_pod = {
        path.removeprefix("./"): digest
        for digest, _, path in (line.partition("  ") for line in output.decode().splitlines())
    }
    assert len(in_pod) == 41

    # Pulled through exec while the pod runs: the same bytes.
    transfer = PodFileTransfer(kube)
    first = transfer.pull(namespace, "exp", "/persistent/out", tmp_path / "first")
    assert (first.files, first.verified, first.refused) == (41, "sha256", [])
    assert digests(tmp_path / "first") == in_pod

    # The experiment ends: the pod is dead (Succeeded), exec is refused, its log is complete.
    dead_spec = yaml.safe_load(PodActions(kube).manifest_yaml(namespace, "exp"))
    run(kube, namespace, "exp", ["touch", "/persistent/stop"], container="main")
    wait_for(lambda: phase(kube, namespace, "exp") == "Succeeded", timeout=30, what="pod exp Succeeded")
    with pytest.raises(
        TransferFailed, match=rf"the container has exited: pod {namespace}/exp has finished \(Succeeded\)"
    ):
        transfer.pull(namespace, "exp", "/persistent/out", tmp_path / "refused")

    stream = LogStream(kube, LogTarget(namespace, "exp", "main"), 0, LogRange(None, None))
    guard = threading.Timer(30, stream.stop)
    guard.start()
    try:
        events = list(stream.events())
    finally:
        guard.cancel()
    logged = [
        line.split(" ", 1)[1]
        for event in events
        if isinstance(event, LogChunk)
        for line in event.data.decode().splitlines()
    ]
    assert logged == ["training started on exp", "training finished: 2 entries in /persistent/out"], events
    assert isinstance(events[-1], StreamEnded) and events[-1].reason == "container exited (Completed, exit code 0)"

    # The pod is deleted; its claim, and the results on it, stay.
    PodActions(kube).delete(namespace, "exp")
    wait_for(lambda: phase(kube, namespace, "exp") == "Gone", timeout=60, what="pod exp deleted")

    # The same results again, through a helper pod on the same claim, placed as the dead pod was.
    spec = helper_spec_from_pod(dead_spec, "/persistent/out")
    assert (spec.claim, spec.image, spec.mount_path) == ("results", pushed_image, "/persistent")
    pulls = ClaimPull(kube)
    waits: list[str] = []
    second = pulls.pull(namespace, spec, "/persistent/out", tmp_path / "second", on_wait=waits.append)
    assert second.node == real_node
    assert (second.transfer.files, second.transfer.verified) == (41, "sha256")
    assert digests(tmp_path / "second") == digests(tmp_path / "first") == in_pod

    # The dead pod's log, read once more after the pod is gone: from the claim, the same lines.
    logs = pulls.pull(namespace, spec, "/persistent/logs", tmp_path / "logs")
    assert (tmp_path / "logs" / "main.log").read_text().splitlines() == logged
    assert logs.helper != second.helper

    wait_for(lambda: helpers_left(kube, namespace) == [], timeout=30, what="the helper pods deleted")


def test_a_helper_that_cannot_start_says_why_and_is_deleted(
    kube: KubeService, namespace: str, tmp_path: Path, stack: StackEnv, storage_class: str
) -> None:
    k8s_utils.create_from_dict(kube.api_client(), claim_of("results", storage_class), namespace=namespace)
    spec = HelperSpec(
        claim="results",
        image=f"{stack.registry}/k8sx-e2e/no-such-image:{uuid.uuid4().hex[:8]}",
        node_selector={"type": "real"},
        tolerations=(REAL_NODE_TOLERATION,),
    )
    with pytest.raises(ClaimPullFailed, match=r"could not start: (ErrImagePull|ImagePullBackOff): .*not found"):
        ClaimPull(kube).pull(namespace, spec, "/persistent/out", tmp_path / "never", timeout=60)
    assert not (tmp_path / "never").exists()
    wait_for(lambda: helpers_left(kube, namespace) == [], timeout=30, what="the failed helper deleted")

    with pytest.raises(ClaimPullFailed, match="claim missing not found in namespace"):
        ClaimPull(kube).pull(namespace, HelperSpec("missing", "busybox"), "/persistent/x", tmp_path / "never")
    with pytest.raises(ClaimPullFailed, match="/etc is not on claim results"):
        ClaimPull(kube).pull(namespace, spec, "/etc", tmp_path / "never")


# ---------------------------------------------------------------- the helper's manifest (no cluster needed)


def test_the_helper_copies_the_dead_pods_placement_and_mounts_its_claim_read_only() -> None:
    pod = {
        "metadata": {"name": "exp"},
        "spec": {
            "nodeSelector": {"type": "real"},
            "tolerations": [REAL_NODE_TOLERATION],
            "imagePullSecrets": [{"name": "gar"}],
            "initContainers": [
                {"name": "fetch", "image": "fetcher:1", "volumeMounts": [{"name": "data", "mountPath": "/data"}]}
            ],
            "containers": [
                {
                    "name": "main",
                    "image": "trainer:2",
                    "volumeMounts": [
                        {"name": "cache", "mountPath": "/cache"},
                        {"name": "persistent", "mountPath": "/persistent"},
                        {"name": "runs", "mountPath": "/persistent/runs"},
                    ],
                }
            ],
            "volumes": [
                {"name": "data", "persistentVolumeClaim": {"claimName": "dataset"}},
                {"name": "cache", "emptyDir": {}},
                {"name": "persistent", "persistentVolumeClaim": {"claimName": "results"}},
                {"name": "runs", "persistentVolumeClaim": {"claimName": "runs"}},
            ],
        },
    }
    assert [(m.claim, m.container, m.mount_path) for m in claim_mounts(pod)] == [  # main containers first
        ("results", "main", "/persistent"),
        ("runs", "main", "/persistent/runs"),
        ("dataset", "fetch", "/data"),
    ]
    spec = helper_spec_from_pod(pod, "/persistent/runs/7/metrics.json")
    assert (spec.claim, spec.image, spec.mount_path) == ("runs", "trainer:2", "/persistent/runs")
    assert helper_spec_from_pod(pod, "/persistent/out").claim == "results"
    assert helper_spec_from_pod(pod).claim == "results"  # no path: the main container's first claim
    with pytest.raises(ClaimPullFailed, match="/cache/x is on no claim of pod exp"):
        helper_spec_from_pod(pod, "/cache/x")

    manifest = helper_manifest(spec, "k8sx-pull-runs-abcde")
    body = manifest["spec"]
    assert body["nodeSelector"] == {"type": "real"}
    assert body["tolerations"] == [REAL_NODE_TOLERATION]
    assert body["imagePullSecrets"] == [{"name": "gar"}]
    assert body["restartPolicy"] == "Never" and body["activeDeadlineSeconds"] == 3600
    assert body["volumes"] == [{"name": "results", "persistentVolumeClaim": {"claimName": "runs", "readOnly": True}}]
    (container,) = body["containers"]
    assert container["image"] == "trainer:2"
    assert container["volumeMounts"] == [{"name": "results", "mountPath": "/persistent/runs", "readOnly": True}]
    assert manifest["metadata"]["labels"][ROLE_LABEL] == ROLE


def test_a_helper_waits_while_unscheduled_but_not_after_a_hopeless_pull() -> None:
    assert start_problem({"status": {"phase": "Running"}}) == (None, True)
    unscheduled = {
        "status": {
            "phase": "Pending",
            "conditions": [
                {"type": "PodScheduled", "status": "False", "message": "0/3 nodes are available: 3 node(s) had taints"}
            ],
        }
    }
    assert start_problem(unscheduled) == ("not scheduled: 0/3 nodes are available: 3 node(s) had taints", True)
    pulling = {
        "status": {
            "phase": "Pending",
            "containerStatuses": [
                {"state": {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling"}}}
            ],
        }
    }
    assert start_problem(pulling) == ("ImagePullBackOff: Back-off pulling", False)
    creating = {
        "status": {"phase": "Pending", "containerStatuses": [{"state": {"waiting": {"reason": "ContainerCreating"}}}]}
    }
    assert start_problem(creating) == ("Pending ContainerCreating", True)
