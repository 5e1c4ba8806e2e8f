"""Pulling results out of a pod with the app's keys, through the real API server (kwok runs the pod's tar on this
machine, so bytes really move through exec): r on the pod list, and the settings' paths where r and u start. The
services alone (checksums, refusals, atomic results, clear failures): tests/integration/test_transfer_service.py."""

from __future__ import annotations

from pathlib import Path

from tests.support.files import digests
from tests.support.pods import pod_with_root
from tests.support.stack import StackEnv
from tui.services.kube.kube import KubeService


async def test_one_key_on_the_pod_list_pulls_the_results(stack: StackEnv, namespace: str, tmp_path: Path) -> None:
    from textual.widgets import Input, Static

    from tests.support.app import SIZE, make_app, settle
    from tui.screens.common.dialogs import ConfirmScreen
    from tui.screens.common.forms import FormScreen
    from tui.screens.transfer.copy_progress import CopyScreen

    root = tmp_path / "pod"
    (root / "out").mkdir(parents=True)
    for index in range(20):
        (root / "out" / f"shard-{index}.csv").write_text("x,y\n" * (index + 1))
    pod_with_root(stack, namespace, root)
    local = tmp_path / "results" / "exp"
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "1 pod in namespace" in str(app.screen.query_one("#pods-info", Static).content))
        for attempt in range(2):
            await pilot.press("r")
            await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
            form = app.screen
            assert form.query_one("#field-remote", Input).value == "/persistent/out"
            form.query_one("#field-remote", Input).value = str(root / "out")
            form.query_one("#field-local", Input).value = str(local)
            await pilot.press("ctrl+s")
            if attempt == 1:  # the folder is there now: asked before it is replaced
                await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="replace question")
                await pilot.press("tab", "enter")
            await settle(pilot, lambda: isinstance(app.screen, CopyScreen) and app.screen.finished, timeout=60)
            status = str(app.screen.query_one("#copy-status", Static).content)
            assert status.startswith("done: 20 files") and "every file checked (sha256)" in status, status
            await pilot.press("escape")
    assert digests(local) == digests(root / "out")


async def test_the_results_and_data_paths_of_the_settings_are_where_r_and_u_start(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    from textual.widgets import Input, Static

    from tests.support.app import SIZE, settle
    from tui.app import K8sxApp
    from tui.backends import Backends
    from tui.screens.common.forms import FormScreen
    from tui.screens.transfer.copy_progress import CopyScreen
    from tui.services.docker.engine import DockerService
    from tui.settings import Settings

    root = tmp_path / "pod"
    (root / "out").mkdir(parents=True)
    (root / "out" / "metrics.json").write_text('{"loss": 0.1}\n')
    pod_with_root(stack, namespace, root)
    local = tmp_path / "results" / "exp"
    settings = Settings(results_path=str(root / "out"), data_path=str(root / "data"))
    app = K8sxApp(
        Backends(KubeService(stack.kubeconfig, None, namespace), DockerService(stack.docker_host)), settings=settings
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "1 pod in namespace" in str(app.screen.query_one("#pods-info", Static).content))
        await pilot.press("u")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the copy-in form")
        assert app.screen.query_one("#field-remote", Input).value == str(root / "data")
        await pilot.press("escape")
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
        assert app.screen.query_one("#field-remote", Input).value == str(root / "out")
        app.screen.query_one("#field-local", Input).value = str(local)
        await pilot.press("ctrl+s")  # the settings' folder as it is
        await settle(pilot, lambda: isinstance(app.screen, CopyScreen) and app.screen.finished, timeout=60)
    assert (local / "metrics.json").read_text() == '{"loss": 0.1}\n'
