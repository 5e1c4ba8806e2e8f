"""A claim's pull through the services (ClaimList, plan_pull, pull_claim) against the real API server: through the
running pod that mounts the claim, in the container that mounts it. The claims view of the app (v on the pod
list): tests/e2e/test_claims_view.py."""

from __future__ import annotations

from pathlib import Path

from tests.support.pods import RESULTS_CLAIM, own_volume
from tests.support.stack import StackEnv, kubectl, wait_for
from tui.services.kube.kube import KubeService

__all__ = ["own_volume"]  # a fixture

SIDECAR_FIRST = (
    RESULTS_CLAIM
    + """---
apiVersion: v1
kind: Pod
metadata: {{name: exp}}
spec:
  nodeSelector: {{type: kwok}}
  containers:
  - name: proxy
    image: busybox
  - name: main
    image: busybox
    volumeMounts: [{{name: persistent, mountPath: {mount}}}]
  volumes: [{{name: persistent, persistentVolumeClaim: {{claimName: results}}}}]
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Exec
metadata: {{name: exp}}
spec:
  execs:
  - {{containers: [proxy], local: {{workDir: {workdir}, envs: [{{name: PATH, value: {proxy_tools}}}]}}}}
  - {{containers: [main], local: {{workDir: {workdir}}}}}
"""
)


def test_a_claims_pull_through_its_running_pod_execs_into_the_container_that_mounts_it(
    stack: StackEnv, namespace: str, tmp_path: Path, own_volume: tuple[str, str]
) -> None:
    """The pod's first (default) container is a sidecar without the claim, and without tar: the pull goes to the
    container that mounts the claim where the results lie."""
    import shutil

    from tests.support.files import digests
    from tui.services.transfer.claim_pull import ClaimPull
    from tui.services.transfer.claims import ClaimList, plan_pull, pull_claim

    _, storage_class = own_volume
    workdir = tmp_path / "pod"
    results = workdir / "persistent" / "out"
    results.mkdir(parents=True)
    for index in range(5):
        (results / f"shard-{index}.csv").write_text("x,y\n" * (index + 1))
    proxy_tools = tmp_path / "proxy-tools"  # sh, but no tar
    proxy_tools.mkdir()
    (proxy_tools / "sh").symlink_to(shutil.which("sh") or "/bin/sh")
    manifests = SIDECAR_FIRST.format(
        storage_class=storage_class, workdir=workdir, mount=workdir / "persistent", proxy_tools=proxy_tools
    )
    kubectl(stack, "apply", "-n", namespace, "-f", "-", input=manifests)
    wait_for(
        lambda: kubectl(stack, "get", "pod", "exp", "-n", namespace, "-o", "jsonpath={.status.phase}") == "Running",
        what="pod exp Running",
    )
    kube = KubeService(stack.kubeconfig, None, namespace)
    which_tar = ["sh", "-c", "command -v tar || echo no"]
    no_tar = kubectl(stack, "exec", "-n", namespace, "exp", "-c", "proxy", "--", *which_tar)
    assert no_tar.strip() == "no", no_tar  # the sidecar really cannot serve a pull

    claim = next(c for c in ClaimList(kube).rows(namespace) if c.name == "results")
    plan = plan_pull(claim, str(results), None, None)
    assert plan.pod == "exp", plan
    local = tmp_path / "results" / "exp"
    summary = pull_claim(ClaimPull(kube), plan, str(results), "", local)
    assert (summary.files, summary.verified) == (5, "sha256")
    assert digests(local) == digests(results)
