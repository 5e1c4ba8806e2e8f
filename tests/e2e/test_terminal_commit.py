"""The interactive build committed from where the user is: `C` (and the command palette) on the build container's
Terminal tab, and the tab saying the container was committed rather than "killed by signal 9" - also when the
commit is made on the Images screen. The real app against the stack's dockerd."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from textual.command import CommandPalette
from textual.widgets import Input, Label, Static

from tests.support.app import SIZE, make_app, settle
from tests.support.images import busybox_context
from tests.support.stack import StackEnv
from tui.app import K8sxApp
from tui.screens.common.forms import FormScreen
from tui.screens.images.images import ImagesScreen
from tui.screens.terminal.terminal import SessionTab, TerminalScreen
from tui.services.images.images import ImageService
from tui.widgets.terminal import TerminalView


@pytest.fixture
def repository(stack: StackEnv, engine: docker.DockerClient) -> Iterator[str]:
    """A unique repository; its local images are removed afterwards."""
    name = f"{stack.registry}/k8sx-ui/commit-{uuid.uuid4().hex[:6]}"
    yield name
    for image in engine.images.list():
        for tag in image.tags:
            if tag.startswith(name):
                engine.images.remove(tag, force=True)


@pytest.fixture
def base(engine: docker.DockerClient, repository: str) -> Iterator[str]:
    """A base image of its own (its label makes its id unique: other tests clean up build containers by image id);
    build containers left from it are removed afterwards."""
    image, _ = engine.images.build(
        fileobj=busybox_context(f'CMD ["sh"]\nLABEL k8sx-test="{repository}"\n'), custom_context=True, rm=True
    )
    image.tag(f"{repository}-base", "1")
    yield f"{repository}-base:1"
    for container in engine.containers.list(all=True, filters={"ancestor": image.id}):
        container.remove(force=True)


def terminal(app: K8sxApp) -> TerminalScreen:
    stacks = app._screen_stacks.values()
    return next(screen for stack in stacks for screen in stack if isinstance(screen, TerminalScreen))


def info(app: K8sxApp) -> str:
    return str(terminal(app).query_one("#terminal-info", Static).content)


def shown(tab: SessionTab) -> str:
    return "\n" + "\n".join(tab.emulator.history_text() + tab.emulator.display()) + "\n"


def commit_binding_shown(app: K8sxApp) -> bool:
    return any(active.binding.id == "terminal.commit" for active in app.screen.active_bindings.values())


async def start_interactive_build(pilot: object, app: K8sxApp, base: str, code: Path) -> SessionTab:
    """I on the Images screen: the base, the code copied to /app, then the shell tab, at its prompt."""
    await pilot.press("4")  # type: ignore[attr-defined]
    await settle(pilot, lambda: isinstance(app.screen, ImagesScreen), what="Images")  # type: ignore[arg-type]
    await pilot.press("I")  # type: ignore[attr-defined]
    await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the interactive build form")  # type: ignore[arg-type]
    form = app.screen
    for name, value in {"base": base, "code": str(code), "dest": "/app"}.items():
        form.query_one(f"#field-{name}", Input).value = value
    await pilot.press("ctrl+s")  # type: ignore[attr-defined]
    await settle(
        pilot,  # type: ignore[arg-type]
        lambda: app.current_mode == "terminal" and bool(terminal(app).tabs) and terminal(app).active_tab is not None,
        timeout=30,
        what="the shell tab",
    )
    tab = terminal(app).active_tab
    assert tab is not None
    await settle(pilot, lambda: tab.started and "/ #" in shown(tab), what="the shell's prompt")  # type: ignore[arg-type]
    return tab


async def test_c_on_the_build_containers_tab_commits_it_and_the_tab_says_so(
    stack: StackEnv,
    engine: docker.DockerClient,
    repository: str,
    base: str,
    tmp_path: Path,
    isolated_docker_config: Path,
) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "train.py").write_text("print('training')\n")
    # The last push was 0.1 of this repository: the commit form suggests 0.2.
    state = tmp_path / "state" / "k8sx-tui"
    state.mkdir(parents=True)
    (state / "last-pushed.json").write_text(json.dumps({"reference": f"{repository}:0.1@sha256:{'a' * 64}"}))
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        tab = await start_interactive_build(pilot, app, base, code)
        container_id = tab.session.container_id  # type: ignore[attr-defined]
        await pilot.press(*"echo installed > /app/marker; echo marker-written", "enter")
        await settle(pilot, lambda: "\nmarker-written\n" in shown(tab), what="a command typed in the shell")
        assert info(app).startswith("docker k8sx-build-")  # named as the Images screen names it
        assert "ctrl+] gives the keys back to the app, then C commits this container to an image" in info(app)

        await pilot.press("ctrl+right_square_bracket")  # the keys are the app's: C is in the footer and the palette
        assert not isinstance(app.focused, TerminalView)
        await settle(pilot, lambda: commit_binding_shown(app), what="C in the footer")
        active = next(a for a in app.screen.active_bindings.values() if a.binding.id == "terminal.commit")
        assert (
            active.binding.key == "C" and active.binding.show and active.binding.description == "Commit this container"
        )
        await pilot.press("ctrl+p")
        await settle(pilot, lambda: isinstance(app.screen, CommandPalette), what="the command palette")
        await pilot.press(*"Commit this container")
        await pilot.pause(0.5)  # the palette's search
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the commit form, from the palette")
        form = app.screen
        assert isinstance(form, FormScreen) and form.form_title.startswith("Commit k8sx-build-")
        assert form.query_one("#field-tag", Input).value == f"{repository}:0.2"
        await pilot.press("escape")  # cancelled: nothing happens
        await settle(pilot, lambda: isinstance(app.screen, TerminalScreen), what="back on the tab")
        assert engine.containers.get(container_id).status == "running"

        await pilot.press("C")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the commit form")
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-tag", Input).value = "Not A Tag"
        await pilot.press("ctrl+s")  # bad input: said in the form, which stays
        problem = str(form.query_one("#form-problem", Label).content)
        assert problem.startswith("Commit as: ") and isinstance(app.screen, FormScreen)
        form.query_one("#field-tag", Input).value = f"{repository}:0.2"
        form.query_one("#field-cmd", Input).value = "python /app/train.py"
        form.query_one("#field-workdir", Input).value = "/app"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: tab.end is not None, timeout=30, what="the shell's end")

        committed_line = f"container committed as {repository}:0.2 and removed"
        assert tab.end is not None and tab.end.reason == committed_line
        assert info(app) == f"session ended: {committed_line}   (x closes the tab)"
        assert tab.pane_id in terminal(app).tabs and "\nmarker-written\n" in shown(tab)  # still readable
        assert not commit_binding_shown(app)  # nothing left to commit
        with pytest.raises(docker.errors.NotFound):
            engine.containers.get(container_id)

        await pilot.press("4")  # the Images screen no longer offers to commit the container that is gone
        images = app.screen
        assert isinstance(images, ImagesScreen)
        images.action_refresh()
        await settle(pilot, lambda: not images.build_containers, what="the Images screen forgetting the container")
        assert "k8sx-build-" not in str(images.query_one("#images-info", Static).content)
    committed = engine.images.get(f"{repository}:0.2")
    assert committed.attrs["Config"]["Cmd"] == ["python", "/app/train.py"]
    assert committed.attrs["Config"]["WorkingDir"] == "/app"
    output = engine.containers.run(committed.id, ["cat", "/app/train.py", "/app/marker"], remove=True)
    assert output == b"print('training')\ninstalled\n"


async def test_a_build_tab_says_committed_when_the_images_screen_commits_its_container(
    stack: StackEnv,
    engine: docker.DockerClient,
    repository: str,
    base: str,
    tmp_path: Path,
    isolated_docker_config: Path,
) -> None:
    code = tmp_path / "code"
    code.mkdir()
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        tab = await start_interactive_build(pilot, app, base, code)
        await pilot.press("ctrl+right_square_bracket", "4")
        await settle(pilot, lambda: isinstance(app.screen, ImagesScreen), what="back on Images")
        await pilot.press("C")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the Images screen's commit form")
        app.screen.query_one("#field-tag", Input).value = f"{repository}:from-images"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: tab.end is not None, timeout=30, what="the shell's end")
        await pilot.press("3")
        committed_line = f"container committed as {repository}:from-images and removed"
        assert tab.end is not None and tab.end.reason == committed_line
        assert info(app) == f"session ended: {committed_line}   (x closes the tab)"
        assert "killed by signal" not in info(app)


async def test_a_removed_build_container_without_a_commit_says_removed(
    stack: StackEnv, engine: docker.DockerClient, base: str, isolated_docker_config: Path
) -> None:
    images = ImageService(engine)
    container = images.start_build_container(base)
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        terminal(app).open_container_shell(container.container_id)
        await settle(pilot, lambda: bool(terminal(app).tabs), what="the tab")
        tab = next(iter(terminal(app).tabs.values()))
        await settle(pilot, lambda: tab.started and "/ #" in shown(tab), what="the shell's prompt")
        images.remove_container(container.container_id)  # from under the shell the user is in
        await settle(pilot, lambda: tab.end is not None, timeout=30, what="the shell's end")
        assert info(app) == "session ended: container removed   (ctrl+] gives the keys back, then x closes the tab)"


async def test_c_on_a_tab_that_is_no_build_container_is_not_offered(
    stack: StackEnv, engine: docker.DockerClient, base: str, isolated_docker_config: Path
) -> None:
    """A shell in any other container (or pod, or this machine) has no C: not in the footer, the key does nothing."""
    created = engine.api.create_container(
        base, entrypoint=["sh", "-c", "sleep 3600"], name=f"other-{uuid.uuid4().hex[:6]}"
    )
    engine.api.start(created["Id"])
    try:
        app = make_app(stack.kubeconfig, stack.docker_host)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("3")
            terminal(app).open_container_shell(created["Id"])
            await settle(pilot, lambda: bool(terminal(app).tabs), what="the tab")
            tab = next(iter(terminal(app).tabs.values()))
            await settle(pilot, lambda: tab.started and "/ #" in shown(tab), what="the shell's prompt")
            await pilot.press("ctrl+right_square_bracket")
            assert not commit_binding_shown(app)
            assert "C commits" not in info(app)
            await pilot.press("C")
            await pilot.pause(0.2)
            assert not isinstance(app.screen, FormScreen)
            assert engine.containers.get(created["Id"]).status == "running"
    finally:
        engine.api.remove_container(created["Id"], force=True)
