"""Pulling again after a cut pull, with the app's keys: it offers to resume and says what it kept (real kwok pods,
real bytes, through the real API server). How the services resume: tests/integration/test_transfer_resume_service.py."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.support.files import BIG, cut_after, digests, results_in
from tests.support.pods import pod_with_root
from tests.support.stack import StackEnv
from tui.services.kube.kube import KubeService
from tui.services.transfer.pull import PodFileTransfer, TransferFailed


@pytest.mark.usefixtures("every_progress_reported")
async def test_pulling_again_after_a_cut_offers_to_resume_and_says_what_it_kept(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    from textual.widgets import Input, Static

    from tests.support.app import SIZE, make_app, pods_info, settle
    from tui.screens.common.dialogs import ChoiceScreen
    from tui.screens.common.forms import FormScreen
    from tui.screens.transfer.copy_progress import CopyScreen

    results = results_in(tmp_path / "pod")
    pod_with_root(stack, namespace, tmp_path / "pod")
    local = tmp_path / "results" / "exp"
    cancel = threading.Event()
    with pytest.raises(TransferFailed, match="pull again to resume"):
        PodFileTransfer(KubeService(stack.kubeconfig)).pull(
            namespace, "exp", str(results), local, progress=cut_after(BIG // 2, cancel), cancel=cancel
        )
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "1 pod in namespace" in pods_info(app))
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
        app.screen.query_one("#field-remote", Input).value = str(results)
        app.screen.query_one("#field-local", Input).value = str(local)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the resume question")
        assert "A cut pull of" in str(app.screen.query_one("Label").content)
        await pilot.press("enter")  # Resume is highlighted
        await settle(pilot, lambda: isinstance(app.screen, CopyScreen) and app.screen.finished, timeout=90)
        status = str(app.screen.query_one("#copy-status", Static).content)
        assert status.startswith("done: 41 files") and "resumed: " in status and "(sha256)" in status, status
    assert digests(local) == digests(results)
