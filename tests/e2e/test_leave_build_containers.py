"""Leaving the app (ctrl+q) lists the interactive-build containers still running beside the app's pods, with the
same Keep / Delete choice: Delete stops and removes them, Keep leaves them running. With no engine to ask, the app
still quits, or says beside the pods that nothing is known about containers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import docker
import pytest

from tests.e2e.test_deploy import tiny_pod
from tests.e2e.test_images_faults import open_form
from tests.support.app import SIZE, make_app, settle
from tests.support.images import busybox_context
from tests.support.stack import StackEnv, kubectl
from tests.support.state import own_state
from tui.app import K8sxApp
from tui.models.deploy.pod_template import MANAGED_SELECTOR
from tui.screens.common.leave import LeaveScreen
from tui.services.images.images import ImageService
from tui.widgets.terminal import TerminalView

__all__ = ["own_state"]  # the fixture, used here too (autouse)

BASE = "k8sx-test/busybox:leave"


@pytest.fixture
def base(engine: docker.DockerClient) -> Iterator[str]:
    """A base image of this module's own (its own id too: `ancestor` filters by id, and busybox images of other
    tests share one), its containers removed afterwards whatever happens."""
    context = busybox_context('LABEL k8sx.test="leave"\n')
    engine.images.build(fileobj=context, custom_context=True, tag=BASE, rm=True)
    yield BASE
    for container in engine.containers.list(all=True, filters={"ancestor": BASE}):
        with suppress(docker.errors.APIError):  # one being removed already
            container.remove(force=True)


def builds_of(engine: docker.DockerClient, image: str) -> list[str]:
    """The names of the running interactive-build containers from image."""
    running = engine.containers.list(filters={"name": "k8sx-build-", "ancestor": image, "status": "running"})
    return sorted(c.name for c in running)


def app_pod(stack: StackEnv, namespace: str, name: str) -> None:
    """A pod labelled as the app labels those it applies (a kwok node runs it)."""
    kubectl(stack, "apply", "-n", namespace, "-f", "-", input=tiny_pod(name))
    kubectl(stack, "label", "pod", name, "-n", namespace, MANAGED_SELECTOR)


def question(app: K8sxApp) -> str:
    return str(app.screen.query_one("#leave-question").content)  # type: ignore[attr-defined]


async def test_a_build_container_started_in_the_app_is_listed_on_leaving_and_delete_removes_it(
    stack: StackEnv, engine: docker.DockerClient, base: str
) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app, "I", {"base": base, "code": "", "shell": "/bin/sh"})
        await settle(pilot, lambda: len(builds_of(engine, base)) == 1, timeout=60, what="the build container")
        await settle(
            pilot, lambda: isinstance(app.focused, TerminalView), timeout=30, what="its shell, taking the keys"
        )
        (name,) = builds_of(engine, base)
        await pilot.press("ctrl+right_square_bracket")  # out of the shell (it takes ctrl+q)
        await settle(pilot, lambda: not isinstance(app.focused, TerminalView), what="the keys back")
        await pilot.press("4")
        await settle(pilot, lambda: app.current_mode == "images", what="the Images screen")
        await pilot.press("ctrl+q")
        await settle(pilot, lambda: isinstance(app.screen, LeaveScreen), what="the leave question")
        said = question(app)
        assert re.match(
            r"\d+ interactive-build containers? still running \(Delete removes what was not committed\):\n", said
        )
        assert f"\n  {name} (from {base})" in said, said  # others' may be listed too: the engine is shared
        await settle(pilot, lambda: getattr(app.focused, "id", None) == "cancel", what="the focus on Cancel")
        await pilot.press("enter")  # Cancel has the focus: stay, nothing removed
        await settle(pilot, lambda: not isinstance(app.screen, LeaveScreen), what="the question gone")
        assert app.is_running and builds_of(engine, base) == [name]

        await pilot.press("ctrl+q")
        await settle(pilot, lambda: isinstance(app.screen, LeaveScreen), what="the leave question again")
        await pilot.click("#delete")  # Delete them, quit
        await settle(pilot, lambda: not app.is_running, timeout=30, what="the app gone")
    assert builds_of(engine, base) == []
    assert engine.containers.list(all=True, filters={"name": name}) == []  # removed, not only stopped


async def test_keep_leaves_a_build_container_running_and_the_next_session_lists_it_beside_the_pods(
    stack: StackEnv, engine: docker.DockerClient, namespace: str, base: str
) -> None:
    box = ImageService(engine).start_build_container(base)  # as the app starts one (I on the Images screen)
    app_pod(stack, namespace, "train")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await settle(pilot, lambda: isinstance(app.screen, LeaveScreen), what="the leave question")
        said = question(app)
        assert said.startswith(f"1 pod started from k8sx-tui still running:\n  {namespace}/train\n"), said
        assert "still running (Delete removes what was not committed):\n" in said
        assert f"\n  {box.name} (from {base})" in said, said
        await pilot.click("#keep")  # Keep them running, quit
        await settle(pilot, lambda: not app.is_running, what="the app gone")
    assert builds_of(engine, base) == [box.name]


async def test_with_the_engine_gone_the_app_still_quits_or_says_containers_are_not_known(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    gone = f"unix://{tmp_path}/no-docker.sock"
    app = make_app(stack.kubeconfig, gone, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await settle(pilot, lambda: not app.is_running, what="the app gone")

    app_pod(stack, namespace, "train")
    app = make_app(stack.kubeconfig, gone, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await settle(pilot, lambda: isinstance(app.screen, LeaveScreen), what="the leave question")
        said = question(app)
        assert said.startswith(f"1 pod started from k8sx-tui still running:\n  {namespace}/train\n"), said
        assert said.endswith(
            f"\nInteractive-build containers: not known (the Docker engine does not answer: cannot connect to the "
            f"Docker engine at {gone}: no such socket (is dockerd running?))"
        ), said
        await pilot.click("#keep")  # Keep them running, quit
        await settle(pilot, lambda: not app.is_running, what="the app gone")
