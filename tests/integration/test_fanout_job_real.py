"""On the real node (a kubelet with containerd; run under /tmp/real-node.lock): the Indexed Job the fan-out makes
really gives each pod its own index, `{index}` in the command and in an env value expanded by Kubernetes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.pods import REAL_NODE_TOLERATION
from tests.support.real_node import engine, pushed_image
from tests.support.stack import StackEnv, kubectl, wait_for
from tui.models.deploy.pod_template import JOB_INDEX_KEY, indexed_job, with_labels
from tui.services.deploy.apply import AppliedManifests, PodApplier
from tui.services.kube.kube import KubeService

__all__ = ["engine", "pushed_image"]  # fixtures


def test_each_pod_of_the_indexed_job_runs_with_its_own_index(
    stack: StackEnv, namespace: str, pushed_image: str, tmp_path: Path
) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "prep"},
        "spec": {
            "nodeSelector": {"type": "real"},
            "tolerations": [REAL_NODE_TOLERATION],
            "terminationGracePeriodSeconds": 1,
            "containers": [
                {
                    "name": "main",
                    "image": pushed_image,
                    "command": ["sh", "-c", 'echo "shard {index} of 2, out=$OUT"'],
                    "env": [{"name": "OUT", "value": "/persistent/out/{index}"}],
                    "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                }
            ],
        },
    }
    applier = PodApplier(KubeService(stack.kubeconfig), AppliedManifests(tmp_path / "applied"))
    applier.apply(namespace, [indexed_job(with_labels(pod, "prep"), 2, "prep")])
    wait_for(
        lambda: (
            "Complete"
            in kubectl(stack, "get", "job", "prep", "-n", namespace, "-o", "jsonpath={.status.conditions[*].type}")
        ),
        timeout=180,
        what="the Job complete on the real node",
    )
    listed = kubectl(stack, "get", "pods", "-n", namespace, "-l", "batch.kubernetes.io/job-name=prep", "-o", "json")
    pods = json.loads(listed)["items"]
    by_index = {p["metadata"]["labels"][JOB_INDEX_KEY]: p["metadata"]["name"] for p in pods}
    assert sorted(by_index) == ["0", "1"]
    for index, name in by_index.items():
        said = kubectl(stack, "logs", name, "-n", namespace).strip()
        assert said == f"shard {index} of 2, out=/persistent/out/{index}", (name, said)
