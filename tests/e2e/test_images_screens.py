"""The Images and Push screens of the real app, against the real dockerd and registries."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from textual.widgets import DataTable, Input, Log, Static

from tests.support.app import SIZE, answer_dialog, make_app, settle
from tests.support.images import BUSYBOX_DOCKERFILE, busybox_context
from tests.support.stack import StackEnv
from tui.app import K8sxApp
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.common.forms import FormScreen
from tui.screens.common.text_view import TextViewScreen
from tui.screens.images.build import BuildScreen
from tui.screens.images.images import ImagesScreen
from tui.screens.images.layer_progress import LayerProgressScreen
from tui.screens.images.push import PushScreen


@pytest.fixture
def repository(stack: StackEnv, engine: docker.DockerClient) -> Iterator[str]:
    """A unique repository in the open registry; its local images are removed afterwards."""
    name = f"{stack.registry}/k8sx-ui/train-{uuid.uuid4().hex[:6]}"
    yield name
    for image in engine.images.list(name=name):
        for tag in image.tags:
            engine.images.remove(tag, force=True)


def images_rows(app: K8sxApp) -> list[str]:
    table = app.screen.query_one("#images", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def context_dir(tmp_path: Path, extra: str = "") -> Path:
    folder = tmp_path / "context"
    folder.mkdir()
    shutil.copy("/bin/busybox", folder / "busybox")
    (folder / "train.py").write_text("print('training')\n")
    (folder / "Dockerfile").write_text(BUSYBOX_DOCKERFILE + extra)
    return folder


async def fill_form(app: K8sxApp, pilot: object, values: dict[str, str]) -> None:
    form = app.screen
    assert isinstance(form, FormScreen)
    for name, value in values.items():
        form.query_one(f"#field-{name}", Input).value = value


async def test_build_from_a_dockerfile_shows_steps_then_the_image_in_the_list(
    stack: StackEnv, tmp_path: Path, repository: str, isolated_docker_config: Path
) -> None:
    folder = context_dir(tmp_path, "COPY train.py /app/train.py\nARG VERSION\nRUN echo built $VERSION\n")
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await settle(pilot, lambda: isinstance(app.screen, ImagesScreen) and " image" in info(app))
        await pilot.press("b")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="build form")
        await fill_form(app, pilot, {"context": str(folder), "tag": f"{repository}:0.1", "buildargs": "VERSION=7"})
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, BuildScreen), what="build screen")
        screen = app.screen
        assert isinstance(screen, BuildScreen)
        await settle(pilot, lambda: screen.finished, timeout=60, what="the build to end")
        status = str(screen.query_one("#build-status", Static).content)
        assert status.startswith(f"built {repository}:0.1")
        log = screen.query_one("#build-log", Log).lines
        assert "Step 5/6 : ARG VERSION" in log and "built 7" in log
        assert str(screen.query_one("#build-step", Static).content) == "Step 6/6 : RUN echo built $VERSION"
        await pilot.press("escape")
        await settle(pilot, lambda: f"{repository}:0.1" in images_rows(app), what="the new image listed")


async def test_a_failing_build_names_the_step_and_keeps_the_app_usable(
    stack: StackEnv, tmp_path: Path, repository: str, isolated_docker_config: Path
) -> None:
    folder = context_dir(tmp_path, "COPY missing.txt /app/\n")
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await settle(pilot, lambda: isinstance(app.screen, ImagesScreen))
        await pilot.press("b")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        await fill_form(app, pilot, {"context": str(folder), "tag": f"{repository}:broken"})
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, BuildScreen) and app.screen.finished, timeout=60)
        status = str(app.screen.query_one("#build-status", Static).content)
        assert status.startswith("build failed at step 4/4 (COPY missing.txt /app/)")
        assert "missing.txt" in status
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ImagesScreen))
        assert f"{repository}:broken" not in images_rows(app)


def info(app: K8sxApp) -> str:
    return str(app.screen.query_one("#images-info", Static).content)


async def test_filter_inspect_and_delete_after_confirming(
    stack: StackEnv, engine: docker.DockerClient, repository: str, isolated_docker_config: Path
) -> None:
    image, _ = engine.images.build(fileobj=busybox_context('CMD ["sh"]\n'), custom_context=True, rm=True)
    image.tag(repository, "0.1")
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await settle(pilot, lambda: f"{repository}:0.1" in images_rows(app), what="the image listed")
        await pilot.press("slash", *repository.rsplit("/", 1)[1], "enter")
        await settle(pilot, lambda: images_rows(app) == [f"{repository}:0.1"], what="filtered")
        await pilot.press("i")
        await settle(pilot, lambda: isinstance(app.screen, TextViewScreen), what="inspect")
        assert isinstance(app.screen, TextViewScreen)
        assert "Cmd:         sh" in app.screen.text and "Platform:    linux/amd64" in app.screen.text
        await pilot.press("escape", "ctrl+d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        assert await answer_dialog(pilot, app, "enter") is False  # Cancel has the focus
        assert engine.images.list(name=repository)
        await pilot.press("ctrl+d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("tab", "enter")
        await settle(pilot, lambda: images_rows(app) == [], what="deleted")
        assert not engine.images.list(name=repository)


async def test_push_suggests_the_next_version_warns_before_overwriting_and_remembers(
    stack: StackEnv, engine: docker.DockerClient, repository: str, isolated_docker_config: Path, tmp_path: Path
) -> None:
    image, _ = engine.images.build(fileobj=busybox_context(), custom_context=True, rm=True)
    image.tag(f"{repository}-local", "0.1")
    source = f"{repository}-local:0.1"
    app = make_app(stack.kubeconfig, stack.docker_host)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("4")
            await settle(pilot, lambda: source in images_rows(app))
            await pilot.press("slash", *source.rsplit("/", 1)[1], "enter", "P")
            await settle(pilot, lambda: isinstance(app.screen, PushScreen), what="push screen")
            push = app.screen
            assert isinstance(push, PushScreen)
            assert push.query_one("#push-source", Input).value == source
            assert push.query_one("#push-tag", Input).value == "0.1"  # the local tag, nothing pushed yet
            push.query_one("#push-destination", Input).value = repository
            await pilot.press("ctrl+s")
            await settle(pilot, lambda: isinstance(app.screen, LayerProgressScreen) and app.screen.finished, timeout=60)
            transfer = app.screen
            assert isinstance(transfer, LayerProgressScreen) and transfer.last is not None
            assert transfer.last.layers and all(layer.done for layer in transfer.last.layers)
            assert "done · sha256:" in str(transfer.query_one("#layers-status", Static).content)
            await pilot.press("escape")
            await settle(pilot, lambda: "last pushed: " + repository + ":0.1@sha256:" in last_pushed(push))
            state = json.loads((tmp_path / "state" / "k8sx-tui" / "last-pushed.json").read_text())
            assert state["reference"].startswith(f"{repository}:0.1@sha256:")

            push.query_one("#push-destination", Input).value = repository + " "  # retype: suggestion runs again
            push.query_one("#push-destination", Input).value = repository
            await settle(pilot, lambda: push.query_one("#push-tag", Input).value == "0.2", what="0.1 -> 0.2")
            push.query_one("#push-tag", Input).value = "0.1"  # push the same tag again
            await pilot.press("ctrl+s")
            await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="overwrite warning")
            question = str(app.screen.query_one("#question", Static).content)
            assert f"{repository}:0.1 already exists in the registry" in question
            await pilot.press("escape")
    finally:
        engine.images.remove(source, force=True)


def last_pushed(screen: PushScreen) -> str:
    return str(screen.query_one("#push-last", Static).content)


async def test_interactive_build_copies_code_opens_a_shell_and_commits(
    stack: StackEnv, engine: docker.DockerClient, repository: str, isolated_docker_config: Path, tmp_path: Path
) -> None:
    """The tutorial's second way: base image, code copied in, things installed in a shell, commit to a tag."""
    base, _ = engine.images.build(fileobj=busybox_context('CMD ["sh"]\n'), custom_context=True, rm=True)
    base.tag(f"{repository}-base", "1")
    code = tmp_path / "code"
    code.mkdir()
    (code / "train.py").write_text("print('training')\n")
    app = make_app(stack.kubeconfig, stack.docker_host)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("4")
            await settle(pilot, lambda: isinstance(app.screen, ImagesScreen))
            images = app.screen
            assert isinstance(images, ImagesScreen)
            await pilot.press("I")
            await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="interactive build form")
            await fill_form(app, pilot, {"base": f"{repository}-base:1", "code": str(code), "dest": "/app"})
            await pilot.press("ctrl+s")
            await settle(pilot, lambda: app.current_mode == "terminal", timeout=30, what="the shell tab")
            assert len(images.build_containers) == 1
            container = engine.containers.get(images.build_containers[0].container_id)
            await settle(pilot, lambda: container.exec_run(["cat", "/app/train.py"]).exit_code == 0, what="code in")
            await pilot.pause(1.0)  # the shell's prompt
            await pilot.press(*"echo installed > /app/marker", "enter")
            await settle(pilot, lambda: container.exec_run(["cat", "/app/marker"]).output == b"installed\n",
                         what="a command typed in the embedded shell")  # fmt: skip

            await pilot.press("ctrl+right_square_bracket")  # the escape chord: keys back to the app
            await pilot.press("4")
            await settle(pilot, lambda: isinstance(app.screen, ImagesScreen), what="back on Images")
            await pilot.press("C")
            await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="commit form")
            await fill_form(app, pilot, {"tag": f"{repository}:0.1", "cmd": "python /app/train.py", "workdir": "/app"})
            await pilot.press("ctrl+s")
            await settle(pilot, lambda: f"{repository}:0.1" in images_rows(app), timeout=30, what="committed image")
            await settle(pilot, lambda: not images.build_containers, what="build container removed")
        committed = engine.images.get(f"{repository}:0.1")
        assert committed.attrs["Config"]["Cmd"] == ["python", "/app/train.py"]
        assert committed.attrs["Config"]["WorkingDir"] == "/app"
        output = engine.containers.run(committed.id, ["cat", "/app/train.py", "/app/marker"], remove=True)
        assert output == b"print('training')\ninstalled\n"
    finally:
        for container in engine.containers.list(all=True, filters={"name": "k8sx-build-"}):
            if container.image.id == base.id:
                container.remove(force=True)
        engine.images.remove(f"{repository}-base:1", force=True)
