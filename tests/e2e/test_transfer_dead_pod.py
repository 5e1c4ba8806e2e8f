"""`r` on a pod that has finished: its results come off its claim through a short-lived helper pod (real node,
real kubelet), with the same progress and sha256 check; a finished pod without a claim is said plainly."""

from __future__ import annotations

from pathlib import Path

from tests.support.app import SIZE, make_app, pods_info, settle
from tests.support.files import digests
from tests.support.pods import claim_of, manifest, real_node_pod
from tests.support.real_node import engine, helpers_left, kube, phase, pushed_image, storage_class
from tests.support.stack import StackEnv, apply, wait_for
from tui.services.kube.kube import KubeService

__all__ = ["engine", "kube", "pushed_image", "storage_class"]  # fixtures used here by name

WRITE_RESULTS = """\
mkdir -p /persistent/out/epochs
for i in $(seq 1 30); do echo "epoch $i" > /persistent/out/epochs/$i.txt; done
seq 1 200000 > /persistent/out/numbers.txt
"""


def finished_pods(image: str, storage_class: str) -> str:
    """A pod that wrote its results to its claim and finished, and one that finished with no claim at all."""
    done = real_node_pod("done", image, ["sh", "-c", WRITE_RESULTS], grace_s=None, claim="results")
    no_claim = real_node_pod("no-claim", image, ["sh", "-c", "echo results lost"], grace_s=None)
    return manifest(claim_of("results", storage_class), done, no_claim)


def expected(folder: Path) -> None:
    (folder / "epochs").mkdir(parents=True)
    for i in range(1, 31):
        (folder / "epochs" / f"{i}.txt").write_text(f"epoch {i}\n")
    (folder / "numbers.txt").write_text("".join(f"{i}\n" for i in range(1, 200001)))


async def test_r_on_a_finished_pod_pulls_from_its_claim_through_a_helper_pod(
    stack: StackEnv, kube: KubeService, namespace: str, tmp_path: Path, pushed_image: str, storage_class: str
) -> None:
    from textual.widgets import Input, Static

    from tui.screens.common.forms import FormScreen
    from tui.screens.transfer.copy_progress import CopyScreen

    apply(stack, namespace, finished_pods(pushed_image, storage_class))
    for name in ("done", "no-claim"):
        wait_for(lambda name=name: phase(kube, namespace, name) == "Succeeded", timeout=120, what=f"{name} Succeeded")
    expected(tmp_path / "expected")

    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "2 pods in namespace" in pods_info(app))
        for pod, local in (("done", tmp_path / "results" / "done"), ("no-claim", tmp_path / "results" / "no-claim")):
            if pod == "no-claim":
                await pilot.press("down")  # sorted by name: done, then no-claim
            await pilot.press("r")
            await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
            app.screen.query_one("#field-local", Input).value = str(local)
            await pilot.press("ctrl+s")
            await settle(pilot, lambda: isinstance(app.screen, CopyScreen) and app.screen.finished, timeout=240)
            status = str(app.screen.query_one("#copy-status", Static).content)
            note = str(app.screen.query_one("#copy-current", Static).content)
            if pod == "done":
                assert status.startswith("done: 31 files") and "every file checked (sha256)" in status, status
                assert "from claim results through helper pod k8sx-pull-results-" in note, note
            else:
                assert "no-claim has completed and mounts no PersistentVolumeClaim" in status, status
                assert "results are gone with it" in status
                assert not local.exists()
            await pilot.press("escape")
    assert digests(tmp_path / "results" / "done") == digests(tmp_path / "expected")
    wait_for(lambda: helpers_left(kube, namespace) == [], timeout=30, what="the helper pod deleted")
