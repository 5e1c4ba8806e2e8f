"""`forwards:` in k8sx.yaml, in the real app: the one-key loop (g on the Deploy screen) builds, pushes and runs a
busybox httpd pod on the real node, then forwards the project's port by itself and says where; a request goes
through, and the Forwards view lists it. g again replaces the pod: the forward, tied to the experiment, follows it
on the same local port instead of a second one starting. Run under flock /tmp/real-node.lock."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.e2e.test_deploy import follow_text, open_deploy
from tests.e2e.test_deploy_project import busybox_project, own_docker_config
from tests.e2e.test_forward_view import view_rows
from tests.e2e.test_terminal import newest, terminal
from tests.support.app import SIZE, make_app, settle
from tests.support.forward import HTTP_PORT, get, httpd_command
from tests.support.stack import StackEnv
from tests.support.state import own_state
from tui.app import K8sxApp
from tui.models.forward.forward import State
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.forward.forwards import ForwardsScreen
from tui.services.forward.manager import ForwardManager

__all__ = ["own_docker_config", "own_state"]

PROJECT = f"""\
pod:
  template:
    name: web
    command: sh -c '{httpd_command()[2]}'
    nodeSelector: {{type: real}}
    tolerations: [{{key: k8sx.dev/real-node, operator: Exists, effect: NoSchedule}}]
forwards:
  - {{name: board, port: {HTTP_PORT}}}
"""


@pytest.fixture
def app(stack: StackEnv, namespace: str) -> Iterator[K8sxApp]:
    made = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    yield made
    forwards = getattr(made, "forwards", None)
    if isinstance(forwards, ForwardManager):
        forwards.stop_all()


async def run_loop(pilot: Pilot[None], app: K8sxApp, replace: bool = False) -> None:
    """g on the Deploy screen (Replace confirmed for an earlier pod), until the shell opens."""
    await open_deploy(pilot, app)
    await pilot.press("g")
    if replace:
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), timeout=30, what="the replace question")
        await pilot.press("tab", "enter")  # Replace (Cancel has the focus)
    try:
        await settle(
            pilot, lambda: app.current_mode == "terminal" or "✗" in follow_text(app), timeout=240, what="the shell"
        )
        assert app.current_mode == "terminal"
    except AssertionError:
        raise AssertionError(follow_text(app)) from None
    started = lambda: bool(terminal(app).tabs) and newest(app).started  # noqa: E731
    await settle(pilot, started, timeout=90, what="the shell started")  # (closed before, its start trips)
    terminal(app).close_tab(newest(app).pane_id)  # the shell would take the keys; the pod stays


def get_through(port: int) -> tuple[int, bytes]:
    try:
        return get(port, timeout=10)
    except OSError as exc:
        return 0, str(exc).encode()


async def test_the_loop_forwards_the_projects_ports_once_its_pod_runs_and_a_rerun_reattaches(
    stack: StackEnv, namespace: str, own_state: Path, app: K8sxApp
) -> None:
    busybox_project(own_state, stack.registry, f"k8sx-e2e/board-{uuid.uuid4().hex[:8]}", pod=PROJECT)
    async with app.run_test(size=SIZE) as pilot:
        await run_loop(pilot, app)
        statuses = app.forwards.statuses()
        assert [(s.spec.target, s.spec.remote_port) for s in statuses] == [(f"{namespace}/web", HTTP_PORT)]
        port = statuses[0].spec.local_port
        assert f"forwarding http://127.0.0.1:{port} → board" in follow_text(app), follow_text(app)
        await settle(
            pilot, lambda: get_through(port) == (200, b"hello\n"), timeout=60, what="a request through the forward"
        )
        await pilot.press("8")  # the Forwards view lists it like any other
        await settle(pilot, lambda: isinstance(app.screen, ForwardsScreen), what="the Forwards view")
        row = f"http://127.0.0.1:{port}"
        await settle(pilot, lambda: any(row in r and "active" in r for r in view_rows(app)), what="its row")

        await run_loop(pilot, app, replace=True)  # a new pod of the same experiment
        statuses = app.forwards.statuses()
        assert [(s.spec.remote_port, s.spec.local_port) for s in statuses] == [(HTTP_PORT, port)]  # not a second
        assert f"forwarding http://127.0.0.1:{port} → board" in follow_text(app)
        await settle(
            pilot,
            lambda: app.forwards.statuses()[0].state is State.ACTIVE and get_through(port) == (200, b"hello\n"),
            timeout=60,
            what="the request through the new pod",
        )
