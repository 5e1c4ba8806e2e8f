"""Traps a newcomer met on the Images and Push screens (issue 18, item 1), against the real dockerd and registry:
Enter in the Build form moves on instead of building at once, the cursor lands on the image just built (so P pushes
that one), Esc out of a finished push leaves the focus on the screen (the digits switch screens), and the suggested
tag follows the Local image field."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from textual.widgets import Input, Static

from tests.e2e.test_images_screens import context_dir, fill_form, info
from tests.support.app import SIZE, make_app, settle
from tests.support.images import busybox_context
from tests.support.stack import StackEnv
from tui.app import K8sxApp
from tui.screens.common.forms import FormScreen
from tui.screens.images.build import BuildScreen
from tui.screens.images.images import ImagesScreen
from tui.screens.images.layer_progress import LayerProgressScreen
from tui.screens.images.push import PushScreen
from tui.screens.pods.pods import PodsScreen


@pytest.fixture
def repository(stack: StackEnv, engine: docker.DockerClient) -> Iterator[str]:
    """A unique repository in the open registry; its local images are removed afterwards."""
    name = f"{stack.registry}/k8sx-traps/app-{uuid.uuid4().hex[:6]}"
    yield name
    for image in engine.images.list(name=name):
        engine.images.remove(image.id, force=True)


async def open_build_form(pilot: object, app: K8sxApp) -> FormScreen:
    await pilot.press("4")  # type: ignore[attr-defined]
    await settle(pilot, lambda: isinstance(app.screen, ImagesScreen) and " image" in info(app))  # type: ignore[arg-type]
    await pilot.press("b")  # type: ignore[attr-defined]
    await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the build form")  # type: ignore[arg-type]
    form = app.screen
    assert isinstance(form, FormScreen)
    return form


async def test_enter_in_the_build_forms_first_field_goes_to_the_next_field_and_builds_nothing(
    stack: StackEnv, tmp_path: Path, isolated_docker_config: Path
) -> None:
    folder = context_dir(tmp_path, f"LABEL run={uuid.uuid4().hex}\n")
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_build_form(pilot, app)
        await fill_form(app, pilot, {"context": str(folder)})
        assert app.focused is form.query_one("#field-context", Input)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.screen is form, "Enter in the context field started the build"
        assert app.focused is form.query_one("#field-dockerfile", Input)
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ImagesScreen), what="the form cancelled")


async def test_after_a_build_the_cursor_is_on_the_built_image_so_p_pushes_it(
    stack: StackEnv, tmp_path: Path, repository: str, isolated_docker_config: Path
) -> None:
    folder = context_dir(tmp_path, f"LABEL run={uuid.uuid4().hex}\n")
    built = f"{repository}:0.1"
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_build_form(pilot, app)
        await fill_form(app, pilot, {"context": str(folder), "tag": built})
        form.query_one("#field-platform", Input).focus()
        await pilot.press("enter")  # the last text field: Enter builds
        await settle(pilot, lambda: isinstance(app.screen, BuildScreen), what="the build screen")
        building = app.screen
        assert isinstance(building, BuildScreen)
        await settle(pilot, lambda: building.finished, timeout=60, what="the build to end")
        assert building.result is not None
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ImagesScreen), what="back on Images")
        images = app.screen
        assert isinstance(images, ImagesScreen)
        await settle(pilot, lambda: images.selected_name() == built, what=f"the cursor on {built}")
        await pilot.press("P")
        await settle(pilot, lambda: isinstance(app.screen, PushScreen), what="the Push screen")
        assert app.screen.query_one("#push-source", Input).value == built


@pytest.fixture
def local_image(engine: docker.DockerClient) -> Iterator[str]:
    """An image of the test's own, removed afterwards with every tag a push gave it."""
    image, _ = engine.images.build(fileobj=busybox_context(f"LABEL run={uuid.uuid4().hex}\n"), custom_context=True)
    source = f"k8sx-traps/local-{uuid.uuid4().hex[:6]}:1"
    image.tag(*source.split(":"))
    yield source
    engine.images.remove(image.id, force=True)


async def test_esc_after_a_push_leaves_the_focus_on_the_screen_so_digits_switch_screens(
    stack: StackEnv, local_image: str, isolated_docker_config: Path
) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(pilot, lambda: isinstance(app.screen, PushScreen), what="the Push screen")
        push = app.screen
        assert isinstance(push, PushScreen)
        push.query_one("#push-source", Input).value = local_image
        push.query_one("#push-destination", Input).value = f"{stack.registry}/k8sx-traps/pushed-{uuid.uuid4().hex[:6]}"
        tag = push.query_one("#push-tag", Input)
        await pilot.pause()  # the tag the local image suggests is in: the user replaces it
        tag.value = ""
        tag.focus()
        await pilot.press(*"0.25", "ctrl+s")  # the push starts from the Tag field
        await settle(
            pilot,
            lambda: isinstance(app.screen, LayerProgressScreen) and app.screen.finished,
            timeout=60,
            what="the push to end",
        )
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is push, what="back on Push")
        assert not isinstance(app.focused, Input), f"the focus went back to {app.focused}"
        await pilot.press("1")
        await settle(pilot, lambda: isinstance(app.screen, PodsScreen), what="1 to switch to Pods")
        assert tag.value == "0.25", "the digit was typed into the Tag field"


async def test_the_suggested_tag_follows_the_local_image_but_a_typed_tag_stays(stack: StackEnv) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(pilot, lambda: isinstance(app.screen, PushScreen), what="the Push screen")
        push = app.screen
        assert isinstance(push, PushScreen)
        hint = str(push.query_one("#push-hint", Static).content)
        assert "1-8" not in hint and "the screen keys work" in hint  # there are more screens than 1-8
        push.prepare("k8sx-traps/first:1.3")  # P on the Images screen
        tag = push.query_one("#push-tag", Input)
        await settle(pilot, lambda: tag.value == "1.3", what="the first image's tag suggested")
        source = push.query_one("#push-source", Input)
        source.focus()
        source.value = ""
        await pilot.press(*"k8sx-traps/second:2.7", "tab")
        await settle(pilot, lambda: tag.value == "2.7", what="the tag to follow the new local image")
        assert "suggested tag 2.7: the local image's tag" in str(push.query_one("#push-note", Static).content)

        source.value = "sha256:" + "ab" * 32  # an image id: no tag to suggest, the old suggestion goes
        await settle(pilot, lambda: tag.value == "", what="the stale suggestion to go")

        tag.value = "5.0"  # the user's own tag is never replaced
        source.value = ""
        source.focus()
        await pilot.press(*"k8sx-traps/third:3.1", "tab")
        await pilot.pause(0.3)
        assert source.value == "k8sx-traps/third:3.1" and tag.value == "5.0"


async def test_after_a_commit_the_cursor_is_on_the_committed_image(
    stack: StackEnv, engine: docker.DockerClient, repository: str, isolated_docker_config: Path
) -> None:
    base, _ = engine.images.build(fileobj=busybox_context(f"LABEL run={uuid.uuid4().hex}\n"), custom_context=True)
    base.tag(f"{repository}-base", "1")
    committed = f"{repository}:0.2"
    app = make_app(stack.kubeconfig, stack.docker_host)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("4")
            await settle(pilot, lambda: isinstance(app.screen, ImagesScreen), what="the Images screen")
            images = app.screen
            assert isinstance(images, ImagesScreen)
            await pilot.press("I")
            await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the interactive build form")
            await fill_form(app, pilot, {"base": f"{repository}-base:1", "code": ""})
            await pilot.press("ctrl+s")
            await settle(pilot, lambda: app.current_mode == "terminal", timeout=30, what="the shell tab")
            await pilot.pause(1.0)  # the shell's prompt: the terminal holds the keys by then
            await pilot.press("ctrl+right_square_bracket")  # the escape chord: keys back to the app
            await pilot.press("4")
            await settle(pilot, lambda: isinstance(app.screen, ImagesScreen), what="back on Images")
            await pilot.press("C")
            await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the commit form")
            await fill_form(app, pilot, {"tag": committed})
            await pilot.press("ctrl+s")
            await settle(pilot, lambda: images.selected_name() == committed, what=f"the cursor on {committed}")
    finally:
        for container in engine.containers.list(all=True, filters={"name": "k8sx-build-"}):
            if container.image.id == base.id:
                container.remove(force=True)
        engine.images.remove(f"{repository}-base:1", force=True)
