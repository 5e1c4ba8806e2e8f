"""The Push screen refuses a repository or tag a stray key press damaged, says why on the screen, and pushes nothing:
the real app against the real dockerd (nothing is tagged, no progress screen opens)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from textual.widgets import Input, Static

from tests.support.app import SIZE, make_app, settle
from tests.support.images import busybox_context
from tests.support.stack import StackEnv
from tui.app import K8sxApp
from tui.screens.images.push import PushScreen


@pytest.fixture
def local_image(engine: docker.DockerClient) -> Iterator[str]:
    """An image of the test's own (a unique label), removed afterwards with any tag it was given."""
    image, _ = engine.images.build(fileobj=busybox_context(f"LABEL run={uuid.uuid4().hex}\n"), custom_context=True)
    source = f"k8sx-fields/app-{uuid.uuid4().hex[:6]}:1"
    image.tag(*source.split(":"))
    yield source
    engine.images.remove(image.id, force=True)  # with every tag a test made by mistake


def problem(app: K8sxApp) -> str:
    return str(app.screen.query_one("#push-problem", Static).content)


def tags_of(engine: docker.DockerClient, source: str) -> list[str]:
    return sorted(engine.images.get(source).tags)


async def open_push(pilot: object, app: K8sxApp, source: str) -> PushScreen:
    await pilot.press("5")  # type: ignore[attr-defined]
    await settle(pilot, lambda: isinstance(app.screen, PushScreen), what="the Push screen")  # type: ignore[arg-type]
    push = app.screen
    assert isinstance(push, PushScreen)
    push.query_one("#push-source", Input).value = source
    return push


async def refused(pilot: object, app: K8sxApp, push: PushScreen) -> str:
    """Push, and check that nothing started: the screen stays, a problem is said."""
    await pilot.press("ctrl+s")  # type: ignore[attr-defined]
    await settle(pilot, lambda: problem(app) != "", what="the refusal")  # type: ignore[arg-type]
    await pilot.pause(0.3)  # type: ignore[attr-defined]
    checks = [worker for worker in app.workers if worker.group == "push-check"]
    assert app.screen is push and not checks  # no registry check, no push under way
    return problem(app)


async def test_number_keys_typed_into_the_repository_field_are_refused_with_why(
    stack: StackEnv, engine: docker.DockerClient, local_image: str, isolated_docker_config: Path
) -> None:
    before = tags_of(engine, local_image)
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        push = await open_push(pilot, app, local_image)
        await pilot.click("#push-destination")
        await pilot.press("4", "4")  # meant as "go to Images", twice, but the field had focus
        destination = push.query_one("#push-destination", Input)
        assert destination.value == "44" and isinstance(app.screen, PushScreen)
        words = await refused(pilot, app, push)
        assert words == (
            "44 is not a repository: expected host/path/name such as 127.0.0.1:5000/team/app"
            " (number keys typed while a field has focus go into the field)"
        )
        assert destination.has_class("-invalid") and destination.has_focus
        await pilot.press("backspace", "backspace", *f"{stack.registry}/k8sx-fields/app")
        assert problem(app) == "" and not destination.has_class("-invalid")  # fixing the field clears it
    assert tags_of(engine, local_image) == before


APP = "{registry}/k8sx-fields/app"


@pytest.mark.parametrize(
    ("repository", "tag", "field", "words"),
    [
        (APP, "0.24?", "#push-tag", "0.24? is not a tag: '?' cannot be in a tag (letters, digits, _ . - only)"),
        (APP, ".1", "#push-tag", ".1 is not a tag: a tag cannot start with '.'"),
        ("trainer", "1", "#push-destination", "trainer is not a repository: expected host/path/name such as "),
        ("{registry}/Team/App", "1", "#push-destination", "{registry}/Team/App is not a repository: repository name"),
        (APP + ":0.3", "1", "#push-destination", APP + ":0.3 has a tag in it: put 0.3 in the Tag field"),
    ],
)
async def test_a_damaged_tag_or_repository_is_refused_on_the_screen_and_nothing_is_pushed(
    stack: StackEnv, engine: docker.DockerClient, local_image: str, isolated_docker_config: Path,
    repository: str, tag: str, field: str, words: str,
) -> None:  # fmt: skip
    before = tags_of(engine, local_image)
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        push = await open_push(pilot, app, local_image)
        push.query_one("#push-destination", Input).value = repository.format(registry=stack.registry)
        await pilot.pause()  # the tag suggested for the repository first, then the user's own
        push.query_one("#push-tag", Input).value = tag
        said = await refused(pilot, app, push)
        assert said.startswith(words.format(registry=stack.registry)), said
        assert push.query_one(field, Input).has_class("-invalid") and push.query_one(field, Input).has_focus
    assert tags_of(engine, local_image) == before


async def test_a_source_that_is_no_local_image_is_said_on_the_screen_before_anything_is_tagged(
    stack: StackEnv, engine: docker.DockerClient, isolated_docker_config: Path
) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    missing = f"k8sx-fields/none-{uuid.uuid4().hex[:6]}:1"
    async with app.run_test(size=SIZE) as pilot:
        push = await open_push(pilot, app, missing)
        push.query_one("#push-destination", Input).value = f"{stack.registry}/k8sx-fields/none"
        push.query_one("#push-tag", Input).value = "1"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: problem(app) != "", what="the refusal")
        assert problem(app) == f"there is no local image {missing}"
        assert app.screen is push and push.query_one("#push-source", Input).has_class("-invalid")
    assert not engine.images.list(name=f"{stack.registry}/k8sx-fields/none")
