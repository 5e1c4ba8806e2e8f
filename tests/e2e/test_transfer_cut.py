"""The file that breaks `kubectl cp` (kubernetes#60140, kubectl#1425), with the app's pull key: a relay in front of
the real API server resets every connection once 40% of the large file passed through it, as a flaky load balancer
does; r, the pull fails saying what was kept, r again offers Resume, until the result is byte-identical. Real kwok
pods (their exec runs on this machine), real bytes; not timed (bench/transfer_cut.py measures). The services alone:
tests/integration/test_transfer_cut_service.py."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static

from tests.support.app import SIZE, make_app, pods_info, settle
from tests.support.files import ATTEMPTS, CUT_AFTER, digests, pod_with_results
from tests.support.net import TcpProxy
from tests.support.stack import StackEnv, kubeconfig_with_server
from tui.screens.common.dialogs import ChoiceScreen
from tui.screens.common.forms import FormScreen
from tui.screens.transfer.copy_progress import CopyScreen
from tui.services.kube.kube import KubeService


async def test_the_apps_pull_key_through_the_cutting_relay_ends_byte_identical_after_resumes(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    """A person's way: `r`, the pull fails saying what was kept, `r` again offers Resume, until it is done."""
    results = pod_with_results(stack, namespace, tmp_path)
    local = tmp_path / "results" / "exp"
    proxy = TcpProxy(KubeService(stack.kubeconfig).api_client().configuration.host, cut_after=CUT_AFTER)
    app = make_app(kubeconfig_with_server(stack, tmp_path, proxy.server), stack.docker_host, namespace=namespace)
    said: list[str] = []
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, lambda: "1 pod in namespace" in pods_info(app), timeout=60)
            for _ in range(ATTEMPTS):
                await pilot.press("r")
                await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
                app.screen.query_one("#field-remote", Input).value = str(results)
                app.screen.query_one("#field-local", Input).value = str(local)
                await pilot.press("ctrl+s")
                await settle(pilot, lambda: isinstance(app.screen, (ChoiceScreen, CopyScreen)), what="pull started")
                if isinstance(app.screen, ChoiceScreen):
                    assert "A cut pull of" in str(app.screen.query_one("Label").content)
                    await pilot.press("enter")  # Resume is highlighted
                await settle(pilot, lambda: isinstance(app.screen, CopyScreen) and app.screen.finished, timeout=180)
                said.append(str(app.screen.query_one("#copy-status", Static).content))
                if said[-1].startswith("done"):
                    break
                assert not local.exists(), said[-1]
                await pilot.press("escape")
                await settle(pilot, lambda: not isinstance(app.screen, CopyScreen), what="back to the pod list")
    finally:
        proxy.close()
    assert said and said[-1].startswith("done: 41 files"), said
    assert "resumed: " in said[-1] and "(sha256)" in said[-1], said[-1]
    failed = said[:-1]
    assert len(failed) >= 2 and all(s.startswith("failed: ") and "pull again to resume" in s for s in failed), said
    assert digests(local) == digests(results)
