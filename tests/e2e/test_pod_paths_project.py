"""The project file's `paths:` are where `r` and `u` start on the pod list (the settings are the fallback), and a
broken project file is said while the settings apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.app import SIZE, pods_info, settle
from tests.support.pods import pod_with_root
from tests.support.stack import StackEnv
from tui.app import K8sxApp
from tui.backends import Backends
from tui.services.docker.engine import DockerService
from tui.services.kube.kube import KubeService
from tui.settings import Settings

PROJECT = """
image: team/train
registry: 127.0.0.1:5000
paths: {{data: {data}, results: {results}}}
"""


def app_for(stack: StackEnv, namespace: str, settings: Settings) -> K8sxApp:
    return K8sxApp(
        Backends(KubeService(stack.kubeconfig, None, namespace), DockerService(stack.docker_host)), settings=settings
    )


async def test_r_and_u_start_at_the_project_files_paths_and_a_pull_with_them_works(
    stack: StackEnv, namespace: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.widgets import Input, Label, Static

    from tui.screens.common.forms import FormScreen
    from tui.screens.transfer.copy_progress import CopyScreen

    root = tmp_path / "pod"
    (root / "project-out").mkdir(parents=True)
    (root / "project-out" / "metrics.json").write_text('{"loss": 0.25}\n')
    (root / "settings-out").mkdir()
    pod_with_root(stack, namespace, root)
    experiment = tmp_path / "experiment"
    experiment.mkdir()
    (experiment / "k8sx.yaml").write_text(PROJECT.format(data=root / "project-data", results=root / "project-out"))
    monkeypatch.chdir(experiment)  # the app is started in the experiment's folder
    settings = Settings(results_path=str(root / "settings-out"), data_path=str(root / "settings-data"))
    local = tmp_path / "results" / "exp"

    app = app_for(stack, namespace, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "1 pod in namespace" in pods_info(app))
        await pilot.press("u")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the copy-in form")
        assert app.screen.query_one("#field-remote", Input).value == str(root / "project-data")
        await pilot.press("escape")
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
        assert app.screen.query_one("#field-remote", Input).value == str(root / "project-out")
        labels = " ".join(str(label.content) for label in app.screen.query(Label))
        assert "from k8sx.yaml" in labels, labels
        app.screen.query_one("#field-local", Input).value = str(local)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, CopyScreen) and app.screen.finished, timeout=60)
        status = str(app.screen.query_one("#copy-status", Static).content)
        assert status.startswith("done: 1 file,"), status
    assert (local / "metrics.json").read_text() == '{"loss": 0.25}\n'


async def test_a_broken_project_file_is_said_and_the_settings_paths_apply(
    stack: StackEnv, namespace: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.widgets import Input

    from tui.screens.common.forms import FormScreen

    root = tmp_path / "pod"
    root.mkdir()
    pod_with_root(stack, namespace, root)
    experiment = tmp_path / "experiment"
    experiment.mkdir()
    (experiment / "k8sx.yaml").write_text("image: team/train\nregistry: 127.0.0.1:5000\npaths: {results: [a, b]}\n")
    monkeypatch.chdir(experiment)
    app = app_for(stack, namespace, Settings(results_path="/settings/out"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "1 pod in namespace" in pods_info(app))
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
        assert app.screen.query_one("#field-remote", Input).value == "/settings/out"
        said = [n.message for n in app._notifications]
        assert any(
            "k8sx.yaml is not used for the pod paths (the settings apply)" in m
            and "k8sx.yaml line 3: 'paths.results' must be a text value, not a list" in m
            for m in said
        ), said
