"""g again with nothing changed builds the very image pushed last: the loop does not push it again under a new tag
(no new tag, locally or in the registry), says so, and deploys the last push; a changed build is tagged one up and
pushed; and a registry that no longer has the last push's tag gets the image pushed again."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from docker.errors import ImageNotFound
from textual.pilot import Pilot

from tests.e2e.test_deploy import follow_text, open_deploy
from tests.e2e.test_deploy_project import busybox_project, own_docker_config
from tests.support.app import SIZE, make_app, settle
from tests.support.stack import StackEnv, kubectl
from tests.support.state import own_state
from tui.app import K8sxApp
from tui.models.images.image import ImageRef
from tui.screens.common.dialogs import ConfirmScreen
from tui.services.images.last_pushed import LastPushed
from tui.services.images.registry_auth import registry_has_tag

__all__ = ["own_docker_config", "own_state"]

POD = "pod:\n  template: {name: same, command: 'sleep 60', nodeSelector: {type: no-such-node}}\n"


async def run_loop(pilot: Pilot[None], app: K8sxApp, replace: bool) -> str:
    """g, the earlier pod replaced; stopped (Esc) once deployed: the pod is never scheduled. The panel's text."""
    await pilot.press("g")
    if replace:
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the replace question")
        await pilot.press("tab", "enter")  # Replace (Cancel has the focus)
    try:
        await settle(pilot, lambda: "✓ deploy" in follow_text(app), timeout=180, what="the loop's deploy")
    except AssertionError:
        raise AssertionError(follow_text(app)) from None
    text = follow_text(app)
    await pilot.press("escape")  # stop waiting for Running
    await settle(pilot, lambda: "✗ running" in follow_text(app), what="the loop stopped")
    return text


def pod_image(stack: StackEnv, namespace: str) -> str:
    pod = json.loads(kubectl(stack, "get", "pod", "same", "-n", namespace, "-o", "json"))
    return str(pod["spec"]["containers"][0]["image"])


def has_local_tag(engine: docker.DockerClient, reference: str) -> bool:
    try:
        engine.images.get(reference)
    except ImageNotFound:
        return False
    return True


@pytest.fixture
def repository(stack: StackEnv, engine: docker.DockerClient) -> Iterator[str]:
    """A repository of the test's own in the stack's registry; its local tags are removed afterwards."""
    name = f"{stack.registry}/k8sx-e2e/loop-{uuid.uuid4().hex[:8]}"
    yield name
    for built in engine.images.list(name=name):  # this test's tags only
        for tag in built.tags:
            if tag.startswith(f"{name}:"):
                engine.images.remove(tag, force=True)


async def test_an_unchanged_build_is_not_pushed_again_and_a_changed_one_is(
    stack: StackEnv, namespace: str, own_state: Path, engine: docker.DockerClient, repository: str
) -> None:
    unique = f'RUN ["/bin/sh", "-c", "echo {uuid.uuid4().hex} > /built"]\n'  # an image no other test made
    busybox_project(own_state, stack.registry, repository.split("/", 1)[1], unique, POD)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_deploy(pilot, app)
        text = await run_loop(pilot, app, replace=False)
        first = LastPushed().get() or ""
        assert first.startswith(f"{repository}:0.1@sha256:"), text
        assert f"✓ push     {first}" in text

        text = await run_loop(pilot, app, replace=True)  # nothing changed
        assert "✓ push     image unchanged since 0.1 — not pushed again" in text, text
        assert "the image pushed as 0.1" in text
        assert LastPushed().get() == first
        assert pod_image(stack, namespace) == first  # the last push deployed
        assert not has_local_tag(engine, f"{repository}:0.2")  # no tag bump, locally or in the registry
        assert registry_has_tag(ImageRef.parse(f"{repository}:0.2"), None) is False

        dockerfile = own_state / "image" / "Dockerfile"
        dockerfile.write_text(dockerfile.read_text() + 'RUN ["/bin/sh", "-c", "echo changed >> /built"]\n')
        text = await run_loop(pilot, app, replace=True)
        second = LastPushed().get() or ""
        assert second.startswith(f"{repository}:0.2@sha256:") and f"✓ push     {second}" in text, text
        assert ImageRef.parse(second).digest != ImageRef.parse(first).digest
        assert pod_image(stack, namespace) == second and has_local_tag(engine, f"{repository}:0.2")

        # The registry lost the last push's tag (wiped, say): the same image is pushed again, one up.
        LastPushed().set(f"{repository}:0.9@{ImageRef.parse(second).digest}")
        text = await run_loop(pilot, app, replace=True)
        third = LastPushed().get() or ""
        assert third == f"{repository}:0.10@{ImageRef.parse(second).digest}" and f"✓ push     {third}" in text, text
        assert pod_image(stack, namespace) == third
