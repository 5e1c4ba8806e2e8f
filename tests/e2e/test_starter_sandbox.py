"""On the app's local sandbox stack (context k8sx-local), the starter k8sx.yaml that g writes asks for the stack's
real node (its only node that runs containers: kwok's run none) and says so in a comment, so the first loop's pod
really runs there. Run under flock /tmp/real-node.lock."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from tests.e2e.test_deploy import follow_text, open_deploy
from tests.e2e.test_deploy_first_contact import own_docker_config, question
from tests.e2e.test_deploy_project import busybox_project
from tests.e2e.test_terminal import newest, terminal
from tests.support.app import SIZE, answer_dialog, make_app, settle
from tests.support.stack import StackEnv, kubectl, read_stack_env
from tests.support.state import own_state
from tui.screens.common.dialogs import ConfirmScreen
from tui.services.images.last_pushed import LastPushed
from tui.services.project.project_file import load_project

__all__ = ["own_docker_config", "own_state"]  # fixtures (autouse)


async def test_the_starter_on_the_sandbox_stack_runs_its_pod_on_the_real_node(
    stack: StackEnv, namespace: str, own_state: Path
) -> None:
    image = f"k8sx-e2e/sandbox-{uuid.uuid4().hex[:8]}"
    busybox_project(own_state, stack.registry, image, 'CMD ["sleep", "3600"]\n')
    (own_state / "k8sx.yaml").unlink()  # the folder has the Dockerfile (image/), no project file
    LastPushed().set(f"{stack.registry}/{image}:0.1")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        await pilot.press("g")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the offer of a starter")
        assert "node: the local sandbox stack's real node (type=real)" in question(app), question(app)
        await answer_dialog(pilot, app, "tab", "enter")  # Write

        written = own_state / "k8sx.yaml"
        text = written.read_text()
        assert "# the local sandbox stack (context k8sx-local) runs containers only on its real node," in text
        assert load_project(written).template["node_selector"] == "type=real"
        assert screen.editor.text == text

        await pilot.press("escape", "g")  # the loop, from the starter
        try:
            await settle(
                pilot, lambda: app.current_mode == "terminal" or "✗" in follow_text(app), timeout=240, what="the shell"
            )
            assert app.current_mode == "terminal"
        except AssertionError:
            raise AssertionError(follow_text(app)) from None
        started = lambda: bool(terminal(app).tabs) and newest(app).started  # noqa: E731
        await settle(pilot, started, timeout=90, what="the shell started")
        terminal(app).close_tab(newest(app).pane_id)  # ends the shell's exec, not the pod
    pod = json.loads(kubectl(stack, "get", "pod", "exp", "-n", namespace, "-o", "json"))
    assert pod["spec"]["nodeName"] == read_stack_env()["K8SX_REAL_NODE"]
    assert pod["status"]["phase"] == "Running"
