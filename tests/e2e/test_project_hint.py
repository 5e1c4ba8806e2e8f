"""Started in a folder with a project file (a copy of examples/preprocess), the first screen's first line says what
to press, and the Deploy screen has the project ready for g; without a k8sx.yaml an empty namespace gives the first
steps, and a broken one is said to have problems (the Deploy screen lists them)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import Static

from tests.support.app import SIZE, make_app, pods_info, settle
from tests.support.pods import kwok_pod
from tests.support.stack import ROOT, StackEnv, kubectl
from tui.app import K8sxApp
from tui.screens.pods.pods import FIRST_STEPS, PROJECT_HINT

HINT = "k8sx.yaml found: 6 then g builds, pushes, deploys and opens a shell; r on the pod pulls results"


@pytest.fixture(autouse=True)
def own_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the last pushed image is the test's own


def hint(app: K8sxApp) -> Static:
    return app.screen.query_one("#pods-hint", Static)


def hint_shown(app: K8sxApp) -> str:
    """The hint's text if it takes up room on the screen, else ""."""
    widget = hint(app)
    return str(widget.content) if widget.display and widget.region.height >= 1 else ""


async def test_a_project_folder_shows_what_to_press_on_the_first_screen(
    stack: StackEnv, namespace: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "preprocess"
    shutil.copytree(ROOT / "examples" / "preprocess", project)
    monkeypatch.chdir(project)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "live" in pods_info(app), what="the pod list live")
        assert app.current_mode == "pods"
        assert PROJECT_HINT == HINT
        assert hint_shown(app) == HINT
        assert hint(app).region.y < app.screen.query_one("#pods-info", Static).region.y  # the first line
        assert "-problem" not in hint(app).classes

        await pilot.press("6")  # and the Deploy screen has the project and its pod.yml, ready for g
        await settle(pilot, lambda: app.current_mode == "deploy", what="the Deploy screen")
        info = str(app.screen.query_one("#deploy-info", Static).content)
        assert "project k8sx.yaml: 127.0.0.1:5000/k8sx-examples/preprocess" in info, info
        assert f"namespace {namespace}" in info
        editor = app.screen.editor  # type: ignore[attr-defined]
        assert "claimName: preprocess-data" in editor.text and "name: preprocess" in editor.text


async def test_no_project_file_and_no_pods_gives_the_first_steps_until_a_pod_comes(
    stack: StackEnv, namespace: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "live" in pods_info(app), what="the pod list live")
        await settle(pilot, lambda: hint_shown(app) == FIRST_STEPS, what="the first steps")
        assert FIRST_STEPS.startswith("no pods here yet: 4 builds an image") and "-problem" not in hint(app).classes
        kubectl(stack, "apply", "-n", namespace, "-f", "-", input=kwok_pod("first"))
        await settle(pilot, lambda: "1 pod in namespace" in pods_info(app), what="the pod listed")
        await settle(pilot, lambda: not hint(app).display, what="the first steps gone")


async def test_a_broken_project_file_is_said_to_have_problems(
    stack: StackEnv, namespace: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "k8sx.yaml").write_text("image: train\npods: {}\n")  # an unknown key, and no registry
    monkeypatch.chdir(tmp_path)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "live" in pods_info(app), what="the pod list live")
        assert hint_shown(app) == "k8sx.yaml found, with 2 problems: 6 lists them"
        assert "-problem" in hint(app).classes
