"""A run on the real node (a kubelet with containerd; run under `flock /tmp/real-node.lock`): once its pod has ended,
the pod's JSON gives the run its end, the container's exit code and reason, and the digest of the image it ran,
the very digest the registry holds for the reference applied."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from tests.support.pods import real_node_pod, wait_pod_phase
from tests.support.real_node import engine, pushed_image
from tests.support.stack import StackEnv, kubectl
from tests.support.state import own_state
from tui.models.images.image import ImageRef
from tui.models.runs.pod_status import run_with_pod
from tui.services.deploy.apply import AppliedManifests, PodApplier
from tui.services.kube.kube import KubeService
from tui.services.runs.recorder import RunRecorder
from tui.services.runs.store import RunStore

# Fixtures: state and cwd in a temporary folder; busybox pushed under a tag of its own (a tag pushed again since
# would run the node's cached image: the digest recorded is the one that ran, not the registry's newest).
__all__ = ["engine", "own_state", "pushed_image"]

MANIFEST_TYPES = (
    "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.index.v1+json"
)


def registry_digest(reference: str) -> str:
    ref = ImageRef.parse(reference)
    request = urllib.request.Request(
        f"http://{ref.registry}/v2/{ref.repository}/manifests/{ref.tag_or_latest}",
        method="HEAD",
        headers={"Accept": MANIFEST_TYPES},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(response.headers["Docker-Content-Digest"])


def test_an_ended_pod_gives_its_run_the_exit_code_the_end_and_the_digest_it_ran(
    stack: StackEnv, namespace: str, tmp_path: Path, pushed_image: str
) -> None:
    kube = KubeService(stack.kubeconfig)
    store = RunStore(tmp_path / "runs")
    pods = PodApplier(kube, AppliedManifests(tmp_path / "applied"), recorder=RunRecorder(store, kube))
    pods.apply(namespace, [real_node_pod("ends", pushed_image, ["sh", "-c", "echo done; exit 3"])])
    (summary,) = store.summaries()
    wait_pod_phase(stack, namespace, "ends", "Failed", timeout=120)
    pod = json.loads(kubectl(stack, "get", "pod", "ends", "-n", namespace, "-o", "json"))
    run = run_with_pod(store.get(summary.id), pod)
    (main,) = run.containers
    assert (run.phase, main.state, main.exit_code, main.reason) == ("Failed", "terminated", 3, "Error")
    assert run.digests == (registry_digest(pushed_image),)
    assert run.started is not None and run.ended is not None and run.started <= run.ended
    assert run.images == (pushed_image,)
