"""The claims view (`v` on the pod list): the namespace's PersistentVolumeClaims with their volume, size, modes,
class and the pods that mount them; `r` refuses a claim that holds nothing yet; no claims and no cluster are said."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.app import SIZE, make_app, pods_info, settle
from tests.support.pods import RESULTS_CLAIM, own_volume
from tests.support.stack import StackEnv, kubeconfig_with_server, kubectl, wait_for
from tui.app import K8sxApp
from tui.backends import Backends
from tui.services.docker.engine import DockerService
from tui.services.kube.kube import KubeService
from tui.settings import Settings

__all__ = ["own_volume"]  # a fixture

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


@pytest.mark.usefixtures("every_progress_reported")
async def test_r_on_a_claim_offers_to_resume_the_cut_pull_of_the_same_path(
    stack: StackEnv, namespace: str, tmp_path: Path, own_volume: tuple[str, str]
) -> None:
    import threading

    from textual.widgets import Input, Static

    from tests.support.files import BIG, cut_after, digests, results_in
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
