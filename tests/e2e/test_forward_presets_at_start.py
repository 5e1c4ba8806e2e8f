"""`forwards:` in k8sx.yaml when the project's pod runs already (an earlier session's g): the app started in the
project's folder forwards them without a key pressed, and the Deploy screen does when it reads the project file (P).
A kwok pod stands in for the project's pod: what is checked is that the forward is started and listed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input
from textual.worker import WorkerState

from tests.e2e.test_deploy import open_deploy, tiny_pod
from tests.e2e.test_forward_view import view_rows
from tests.support.app import SIZE, make_app, settle
from tests.support.stack import StackEnv, kubectl
from tests.support.state import own_state
from tui.app import K8sxApp
from tui.models.deploy.pod_template import EXPERIMENT_LABEL, MANAGED_SELECTOR
from tui.screens.common.forms import FormScreen
from tui.screens.forward.forwards import ForwardsScreen
from tui.services.forward.manager import ForwardManager

__all__ = ["own_state"]  # the fixture (autouse): state and cwd in a temporary folder

PORT = 8080
PROJECT = f"""\
image: k8sx-e2e/web
registry: 127.0.0.1:5000
pod:
  template: {{name: web, command: 'sleep 3600'}}
forwards:
  - {{name: board, port: {PORT}}}
"""


@pytest.fixture
def app(stack: StackEnv, namespace: str) -> Iterator[K8sxApp]:
    made = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    yield made
    forwards = getattr(made, "_forwards", None)
    if isinstance(forwards, ForwardManager):
        forwards.stop_all()


def project_pod(stack: StackEnv, namespace: str) -> None:
    """Pod web as the loop labels it (a kwok node runs it), Running."""
    kubectl(stack, "apply", "-n", namespace, "-f", "-", input=tiny_pod("web"))
    kubectl(stack, "label", "pod", "web", "-n", namespace, MANAGED_SELECTOR, f"{EXPERIMENT_LABEL}=web")
    kubectl(stack, "wait", "-n", namespace, "--for=jsonpath={.status.phase}=Running", "pod/web", "--timeout=60s")


def forwarded(app: K8sxApp) -> list[tuple[str, int]]:
    manager = getattr(app, "_forwards", None)
    return [(s.spec.target, s.spec.remote_port) for s in manager.statuses()] if manager is not None else []


async def test_the_app_started_in_the_project_folder_forwards_its_running_pod_without_a_key(
    stack: StackEnv, namespace: str, own_state: Path, app: K8sxApp
) -> None:
    (own_state / "k8sx.yaml").write_text(PROJECT)
    project_pod(stack, namespace)
    async with app.run_test(size=SIZE) as pilot:
        target = f"{namespace}/web"
        await settle(pilot, lambda: forwarded(app) == [(target, PORT)], timeout=30, what="the preset started")
        await pilot.press("8")
        await settle(pilot, lambda: isinstance(app.screen, ForwardsScreen), what="the Forwards view")
        row = f"{target} (web) | {PORT} | active"  # tied to the experiment, on its pod
        await settle(pilot, lambda: any(row in listed for listed in view_rows(app)), what=f"its row: {row}")

        await open_deploy(pilot, app)  # the Deploy screen reads the project too: no second forward
        await settle(pilot, lambda: not running_lookups(app), what="the Deploy screen's look done")
        assert forwarded(app) == [(target, PORT)]


def running_lookups(app: K8sxApp) -> bool:
    return any(w.group == "project-forwards" and w.state not in (WorkerState.SUCCESS, WorkerState.ERROR,
               WorkerState.CANCELLED) for w in app.workers)  # fmt: skip


async def test_p_on_the_deploy_screen_forwards_the_projects_running_pod(
    stack: StackEnv, namespace: str, own_state: Path, app: K8sxApp
) -> None:
    path = own_state / "sub" / "k8sx.yaml"
    path.parent.mkdir()
    path.write_text(PROJECT)
    async with app.run_test(size=SIZE) as pilot:
        await open_deploy(pilot, app)

        async def open_project() -> None:
            await pilot.press("P")
            await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the project form")
            app.screen.query_one("#field-path", Input).value = str(path)
            await pilot.press("ctrl+s")
            await settle(pilot, lambda: not isinstance(app.screen, FormScreen), what="the project read")
            await settle(pilot, lambda: not running_lookups(app), what="the look for its pod done")

        await open_project()
        assert forwarded(app) == []  # no pod yet: nothing forwarded
        project_pod(stack, namespace)
        await open_project()
        assert forwarded(app) == [(f"{namespace}/web", PORT)]
