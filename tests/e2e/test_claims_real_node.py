"""`r` in the claims view for a pod that is already deleted (real node, real kubelet, local volumes): the app
deployed it, so it knows where the pod had its claim; the helper pod reads it there, the results arrive
byte-identical; without that record the path inside the claim is asked for; an image that cannot start is said.
Run under `flock /tmp/real-node.lock` (the node has 4 local volumes, shared by every helper's tests)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.e2e.test_claims_view import cells, claims_info
from tests.e2e.test_transfer_dead_pod import expected, finished_pods
from tests.support.app import SIZE, settle
from tests.support.files import digests
from tests.support.real_node import engine, helpers_left, kube, phase, pushed_image, storage_class
from tests.support.stack import StackEnv, wait_for
from tui.app import K8sxApp
from tui.backends import Backends
from tui.services.deploy.apply import PodApplier
from tui.services.docker.engine import DockerService
from tui.services.kube.kube import KubeService
from tui.services.pods.actions import PodActions
from tui.settings import Settings

__all__ = ["engine", "kube", "pushed_image", "storage_class"]  # fixtures used here by name


async def test_r_on_the_claim_of_a_deleted_pod_pulls_its_results_through_a_helper_pod(
    stack: StackEnv,
    kube: KubeService,
    namespace: str,
    tmp_path: Path,
    pushed_image: str,
    storage_class: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from textual.widgets import Input, Label, Static

    from tui.screens.common.dialogs import ConfirmScreen
    from tui.screens.common.forms import FormScreen
    from tui.screens.transfer.claims import ClaimsScreen
    from tui.screens.transfer.copy_progress import CopyScreen

    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))  # the app's records (claims.json) are the test's own
    # The dead-pod test's claim and pod "done" (it writes 31 files under /persistent/out and ends).
    manifests = list(yaml.safe_load_all(finished_pods(pushed_image, storage_class)))[:2]
    PodApplier(kube).apply(namespace, manifests)  # as the Deploy screen applies: the claim's mount is recorded
    wait_for(lambda: phase(kube, namespace, "done") == "Succeeded", timeout=120, what="done Succeeded")
    PodActions(kube).delete(namespace, "done")
    wait_for(lambda: phase(kube, namespace, "done") == "Gone", timeout=60, what="done deleted")
    expected(tmp_path / "expected")

    experiment = tmp_path / "experiment"
    experiment.mkdir()
    (experiment / "k8sx.yaml").write_text("image: t\nregistry: 127.0.0.1:5000\npaths: {results: /persistent/out}\n")
    monkeypatch.chdir(experiment)
    backends = Backends(KubeService(stack.kubeconfig, None, namespace), DockerService(stack.docker_host))
    app = K8sxApp(backends, settings=Settings(results_path="/elsewhere"))  # the project's path must win

    async def pull(local: Path, remote: str | None = None, image: str | None = None) -> str:
        """r on the claim, the form filled in, Pull; returns the form's default path."""
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
        default = app.screen.query_one("#field-remote", Input).value
        if remote is not None:
            app.screen.query_one("#field-remote", Input).value = remote
        if image is not None:
            app.screen.query_one("#field-image", Input).value = image
        app.screen.query_one("#field-local", Input).value = str(local)
        await pilot.press("ctrl+s")
        return default

    async def outcome() -> tuple[str, str]:
        await settle(pilot, lambda: isinstance(app.screen, CopyScreen) and app.screen.finished, timeout=240)
        status = str(app.screen.query_one("#copy-status", Static).content)
        note = str(app.screen.query_one("#copy-current", Static).content)
        await pilot.press("escape")
        return status, note

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        await settle(pilot, lambda: isinstance(app.screen, ClaimsScreen) and "results" in cells(app), what="claims")
        row = cells(app)["results"]
        assert row[1] == "Bound" and row[7] == "unused", row
        assert "1 claim in namespace" in claims_info(app)

        # Recorded at deploy: the claim was at /persistent in pod done, so the project's results path is it.
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
        labels = " ".join(str(label.content) for label in app.screen.query(Label))
        assert "as pod done had them (the results path from k8sx.yaml)" in labels, labels
        assert "where pod done had it (/persistent)" in labels, labels
        assert app.screen.query_one("#field-image", Input).value == pushed_image
        await pilot.press("escape")
        first = tmp_path / "results" / "first"
        assert await pull(first) == "/persistent/out"
        status, note = await outcome()
        assert status.startswith("done: 31 files") and "every file checked (sha256)" in status, status
        assert "from claim results through helper pod k8sx-pull-results-" in note, note
        assert digests(first) == digests(tmp_path / "expected")

        # Not deployed by this app (no record): the path inside the claim, and an image to name.
        (state / "k8sx-tui" / "claims.json").unlink()
        second = tmp_path / "results" / "second"
        assert await pull(second, image=pushed_image) == "/out"
        status, _ = await outcome()
        assert status.startswith("done: 31 files"), status
        assert digests(second) == digests(tmp_path / "expected")

        # Into a folder that exists: only after a confirm.
        (second / "epochs" / "1.txt").write_text("changed here")
        await pull(second, image=pushed_image)
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the replace question")
        assert "Replace it with claim results's /out?" in str(app.screen.query_one("#question", Label).content)
        await pilot.press("tab", "enter")  # Replace
        status, _ = await outcome()
        assert status.startswith("done: 31 files"), status
        assert digests(second) == digests(tmp_path / "expected")

        # A helper that cannot start says why, and leaves nothing.
        never = tmp_path / "results" / "never"
        await pull(never, image=f"{stack.registry}/k8sx-e2e/no-such-image:claims")
        status, _ = await outcome()
        assert "could not start:" in status and "not found" in status, status
        assert not never.exists()
    wait_for(lambda: helpers_left(kube, namespace) == [], timeout=30, what="the helper pods deleted")
