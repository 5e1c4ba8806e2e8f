"""The Push screen's "last pushed" line and suggested tag follow pushes made elsewhere: by the Deploy screen's loop
(a real build and push to the stack's registry) or by another k8sx-tui; a tag the user typed is kept."""

from __future__ import annotations

import uuid
from pathlib import Path

import docker
import pytest
from textual.widgets import Input, Static

from tests.e2e.test_deploy import follow_text, open_deploy
from tests.e2e.test_deploy_project import busybox_project
from tests.support.app import SIZE, make_app, settle
from tests.support.stack import StackEnv
from tests.support.state import own_state
from tui.app import K8sxApp
from tui.screens.images.push import PushScreen
from tui.services.images.last_pushed import LastPushed

__all__ = ["own_state"]
DIGEST = "sha256:" + "ab" * 32


@pytest.fixture(autouse=True)
def own_docker_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "docker-config"
    config.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(config))


def last_line(push: PushScreen) -> str:
    return str(push.query_one("#push-last", Static).content)


def tag_field(push: PushScreen) -> str:
    return push.query_one("#push-tag", Input).value


async def open_push(pilot: object, app: K8sxApp, destination: str) -> PushScreen:
    await pilot.press("5")  # type: ignore[attr-defined]
    await settle(pilot, lambda: isinstance(app.screen, PushScreen), what="the Push screen")  # type: ignore[arg-type]
    push = app.screen
    assert isinstance(push, PushScreen)
    push.query_one("#push-destination", Input).value = destination
    return push


async def test_a_push_by_the_deploy_loop_shows_on_the_push_screen_with_the_next_tag(
    stack: StackEnv, namespace: str, own_state: Path, engine: docker.DockerClient
) -> None:
    image = f"k8sx-e2e/followed-{uuid.uuid4().hex[:6]}"
    repository = f"{stack.registry}/{image}"
    pod = "pod:\n  template: {name: nowhere, command: 'sleep 60', nodeSelector: {type: no-such-node}}\n"
    busybox_project(own_state, stack.registry, image, pod=pod)
    LastPushed().set(f"{repository}:0.4")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        push = await open_push(pilot, app, repository)
        await settle(pilot, lambda: tag_field(push) == "0.5", what="0.4 -> 0.5 suggested")
        assert last_line(push) == f"last pushed: {repository}:0.4"

        await open_deploy(pilot, app)
        await pilot.press("g")  # the loop builds and pushes 0.5
        await settle(pilot, lambda: "✓ push" in follow_text(app), timeout=120, what="the loop's push")
        await pilot.press("5")
        await settle(pilot, lambda: app.screen is push, what="back on Push")
        assert last_line(push).startswith(f"last pushed: {repository}:0.5@sha256:"), last_line(push)
        assert tag_field(push) == "0.6"
        assert str(push.query_one("#push-note", Static).content).startswith("suggested tag 0.6: one up from")
    for built in engine.images.list(name=repository):  # this test's tags only: the image may be shared
        for tag in built.tags:
            if tag.startswith(f"{repository}:"):
                engine.images.remove(tag, force=True)  # only the tag: a stopped container may still use the image


async def test_a_push_recorded_elsewhere_shows_but_a_tag_the_user_typed_stays(stack: StackEnv, own_state: Path) -> None:
    repository = f"{stack.registry}/k8sx-e2e/typed-{uuid.uuid4().hex[:6]}"
    LastPushed().set(f"{repository}:0.4")
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        push = await open_push(pilot, app, repository)
        await settle(pilot, lambda: tag_field(push) == "0.5", what="0.4 -> 0.5 suggested")
        push.query_one("#push-tag", Input).value = "0.5-rc1"  # the user's own tag

        await pilot.press("4")
        LastPushed().set(f"{repository}:0.5@{DIGEST}")  # as another k8sx-tui records its push
        await pilot.press("5")
        await settle(pilot, lambda: app.screen is push, what="back on Push")
        assert last_line(push) == f"last pushed: {repository}:0.5@{DIGEST}"
        assert tag_field(push) == "0.5-rc1"
