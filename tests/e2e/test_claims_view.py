"""The claims view (`v` on the pod list): the namespace's PersistentVolumeClaims with their volume, size, modes,
class and the pods that mount them; `r` refuses a claim that holds nothing yet; no claims and no cluster are said."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import SIZE, StackEnv, kubeconfig_with_server, kubectl, make_app, pods_info, settle, wait_for
from tui.app import K8sxApp
from tui.backends import Backends
from tui.services.docker.engine import DockerService
from tui.services.kube.kube import KubeService
from tui.settings import Settings

pytestmark = pytest.mark.e2e

RESULTS_CLAIM = """
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: results}}
spec:
  storageClassName: {storage_class}
  accessModes: [ReadWriteOnce]
  resources: {{requests: {{storage: 1Gi}}}}
"""
CLAIMS = (
    RESULTS_CLAIM
    + """---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: waiting}}
spec:
  storageClassName: no-such-class
  accessModes: [ReadWriteMany]
  resources: {{requests: {{storage: 2Gi}}}}
---
apiVersion: v1
kind: Pod
metadata: {{name: exp}}
spec:
  nodeSelector: {{type: kwok}}
  containers:
  - name: main
    image: busybox
    volumeMounts: [{{name: persistent, mountPath: {mount}}}]
  volumes: [{{name: persistent, persistentVolumeClaim: {{claimName: results}}}}]
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Exec
metadata: {{name: exp}}
spec:
  execs: [{{local: {{workDir: {workdir}}}}}]
"""
)


@pytest.fixture
def own_volume(stack: StackEnv, namespace: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A volume of the test's own, bound in advance to `namespace`/results (the stack's shared volumes stay free);
    returns (volume name, storage class)."""
    name, storage_class = f"k8sx-claims-{namespace}", f"claims-{namespace}"
    volume = {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": name},
        "spec": {
            "capacity": {"storage": "1Gi"},
            "accessModes": ["ReadWriteOnce"],
            "storageClassName": storage_class,
            "persistentVolumeReclaimPolicy": "Retain",
            "hostPath": {"path": str(tmp_path / "volume")},
            "claimRef": {"namespace": namespace, "name": "results"},
        },
    }
    kubectl(stack, "apply", "-f", "-", input=json.dumps(volume))
    yield name, storage_class
    kubectl(stack, "delete", "pv", name, "--wait=false", check=False)


def cells(app: K8sxApp) -> dict[str, list[str]]:
    from textual.widgets import DataTable

    table: DataTable[Any] = app.screen.query_one("#claims", DataTable)
    return {str(row[0]): [str(cell) for cell in row] for row in (table.get_row_at(i) for i in range(table.row_count))}


def claims_info(app: K8sxApp) -> str:
    from textual.widgets import Static

    return str(app.screen.query_one("#claims-info", Static).content)


def said(app: K8sxApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def test_the_claims_view_lists_each_claim_with_its_volume_and_the_pod_that_mounts_it(
    stack: StackEnv, namespace: str, tmp_path: Path, own_volume: tuple[str, str]
) -> None:
    from textual.widgets import Input, Label, Static

    from tui.screens.common.forms import FormScreen
    from tui.screens.transfer.claims import ClaimsScreen
    from tui.screens.transfer.copy_progress import CopyScreen

    volume, storage_class = own_volume
    workdir = tmp_path / "pod"
    workdir.mkdir()
    # kwok runs the pod's commands on this machine: the claim is "mounted" at a folder of the test's own.
    mount = workdir / "persistent"
    (mount / "out" / "epochs").mkdir(parents=True)
    (mount / "out" / "metrics.json").write_text('{"loss": 0.5}\n')
    (mount / "out" / "epochs" / "1.txt").write_text("epoch 1\n")
    manifest = CLAIMS.format(storage_class=storage_class, workdir=workdir, mount=mount)
    kubectl(stack, "apply", "-n", namespace, "-f", "-", input=manifest)
    wait_for(
        lambda: kubectl(stack, "get", "pvc", "results", "-n", namespace, "-o", "jsonpath={.status.phase}") == "Bound",
        what="claim results Bound",
    )

    backends = Backends(KubeService(stack.kubeconfig, None, namespace), DockerService(stack.docker_host))
    app = K8sxApp(backends, settings=Settings(results_path=str(mount / "out")))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "1 pod in namespace" in pods_info(app))
        assert "v" in app.screen.active_bindings and app.screen.active_bindings["v"].binding.show
        await pilot.press("v")
        await settle(pilot, lambda: isinstance(app.screen, ClaimsScreen) and len(cells(app)) == 2, what="2 claims")
        rows = cells(app)
        assert rows["results"][:6] == ["results", "Bound", volume, "1Gi", "RWO", storage_class], rows
        assert rows["results"][7] == "exp", rows
        assert rows["waiting"][:6] == ["waiting", "Pending", "", "", "RWX", "no-such-class"], rows
        assert rows["waiting"][7] == "unused", rows
        assert "2 claims in namespace" in claims_info(app)

        # A claim no volume is bound to holds nothing: said, no form.
        await pilot.press("down")
        await pilot.press("r")
        await settle(pilot, lambda: any("claim waiting is Pending" in m for m in said(app)), what="Pending said")
        assert isinstance(app.screen, ClaimsScreen)

        # A claim a pod still mounts is read through that pod, at the path it sees.
        await pilot.press("up")
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
        assert app.screen.query_one("#field-remote", Input).value == str(mount / "out")
        assert not app.screen.query("#field-image")  # the pod's own image serves
        labels = " ".join(str(label.content) for label in app.screen.query(Label))
        assert f"Pod exp mounts the claim at {mount}: the copy goes through it" in labels, labels
        local = tmp_path / "results" / "results"
        app.screen.query_one("#field-local", Input).value = str(local)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, CopyScreen) and app.screen.finished, timeout=60)
        status = str(app.screen.query_one("#copy-status", Static).content)
        assert status.startswith("done: 2 files") and "every file checked (sha256)" in status, status
        await pilot.press("escape")
        assert (local / "metrics.json").read_text() == '{"loss": 0.5}\n'
        assert (local / "epochs" / "1.txt").read_text() == "epoch 1\n"

        # A path that is not on the claim is refused before anything starts.
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
        app.screen.query_one("#field-remote", Input).value = "/etc"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: any(f"/etc is not on claim results, which is mounted at {mount}" in m
                                        for m in said(app)), what="the refusal")  # fmt: skip
        await pilot.press("escape")
        await settle(pilot, lambda: "1 pod in namespace" in pods_info(app), what="back on the pod list")


async def test_no_claims_and_no_cluster_are_said_in_the_claims_view(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    from tui.screens.transfer.claims import ClaimsScreen

    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "0 pods in namespace" in pods_info(app))
        await pilot.press("v")
        await settle(pilot, lambda: isinstance(app.screen, ClaimsScreen) and "no Persistent" in claims_info(app))
        assert f"no PersistentVolumeClaims in namespace {namespace}" in claims_info(app)
        await pilot.press("r")
        await settle(pilot, lambda: "no claim selected" in said(app), what="no claim said")

    dead = kubeconfig_with_server(stack, tmp_path, "https://127.0.0.1:1")
    app = make_app(dead, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        await settle(pilot, lambda: isinstance(app.screen, ClaimsScreen) and "cannot list" in claims_info(app))
        assert "cannot list claims:" in claims_info(app) and "127.0.0.1:1" in claims_info(app), claims_info(app)
        await pilot.press("r")
        await settle(pilot, lambda: "the claims are not listed yet" in said(app), what="not listed said")


async def test_r_on_a_claim_offers_to_resume_the_cut_pull_of_the_same_path(
    stack: StackEnv, namespace: str, tmp_path: Path, own_volume: tuple[str, str]
) -> None:
    import threading

    from textual.widgets import Input, Static

    from tests.e2e.test_transfer import digests
    from tests.e2e.test_transfer_resume import BIG, cut_after, results_in
    from tui.screens.common.dialogs import ChoiceScreen
    from tui.screens.common.forms import FormScreen
    from tui.screens.transfer.claims import ClaimsScreen
    from tui.screens.transfer.copy_progress import CopyScreen
    from tui.services.transfer.pull import PodFileTransfer, TransferFailed

    _, storage_class = own_volume
    workdir = tmp_path / "pod"
    results = results_in(workdir)  # workdir/persistent/out: small files and a large one
    mount = workdir / "persistent"
    kubectl(stack, "apply", "-n", namespace, "-f", "-",
            input=CLAIMS.format(storage_class=storage_class, workdir=workdir, mount=mount))  # fmt: skip
    wait_for(
        lambda: kubectl(stack, "get", "pod", "exp", "-n", namespace, "-o", "jsonpath={.status.phase}") == "Running",
        what="pod exp Running",
    )
    local = tmp_path / "results" / "results"
    cancel = threading.Event()
    with pytest.raises(TransferFailed, match="cancelled"):  # a pull of the same path, cut half way
        PodFileTransfer(KubeService(stack.kubeconfig, None, namespace)).pull(
            namespace, "exp", str(results), local, progress=cut_after(BIG // 2, cancel), cancel=cancel
        )

    backends = Backends(KubeService(stack.kubeconfig, None, namespace), DockerService(stack.docker_host))
    app = K8sxApp(backends, settings=Settings(results_path=str(results)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        await settle(pilot, lambda: isinstance(app.screen, ClaimsScreen) and "results" in cells(app), what="claims")
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
        app.screen.query_one("#field-local", Input).value = str(local)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the resume question")
        await pilot.press("enter")  # Resume is highlighted
        await settle(pilot, lambda: isinstance(app.screen, CopyScreen) and app.screen.finished, timeout=120)
        status = str(app.screen.query_one("#copy-status", Static).content)
        assert status.startswith("done: 41 files") and "resumed:" in status, status
    assert digests(local) == digests(results)


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

    from tests.e2e.test_transfer import digests
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
