"""The starter k8sx.yaml's pod keeps running for g's shell: its template has a keep-alive command (an image's own CMD,
python3 of python:slim, exits at once), the editor is left after Write so the g said next is the app's key, and a
.dockerignore keeps data/ and results/ out of the builds (an existing one is left alone). A pod whose command ended
before the shell makes the loop's ✗ line say what to do; the Replace question fits an unchanged image too.
The loops run on the real node: run under flock /tmp/real-node.lock."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

from textual.pilot import Pilot

from tests.e2e.test_deploy import follow_text, open_deploy
from tests.e2e.test_deploy_first_contact import own_docker_config, question
from tests.e2e.test_deploy_project import busybox_project
from tests.e2e.test_terminal import newest, terminal
from tests.support.app import SIZE, answer_dialog, make_app, settle
from tests.support.images import BUSYBOX_DOCKERFILE
from tests.support.stack import StackEnv, kubectl
from tests.support.state import own_state
from tui.app import K8sxApp
from tui.screens.common.dialogs import ConfirmScreen
from tui.services.images.last_pushed import LastPushed

__all__ = ["own_docker_config", "own_state"]  # fixtures (autouse)

ENDS_AT_ONCE = 'CMD ["true"]\n'  # as python:slim's python3 without a terminal


def project_folder(folder: Path) -> None:
    """A project with its Dockerfile in the folder itself (the build context is the folder) and data beside it."""
    shutil.copy("/bin/busybox", folder / "busybox")
    (folder / "Dockerfile").write_text(BUSYBOX_DOCKERFILE + ENDS_AT_ONCE)
    (folder / "data").mkdir()
    (folder / "data" / "big.bin").write_bytes(b"0" * 1024)


async def test_the_starters_pod_keeps_running_for_the_shell_and_g_after_write_runs_the_loop(
    stack: StackEnv, namespace: str, own_state: Path
) -> None:
    project_folder(own_state)
    LastPushed().set(f"{stack.registry}/k8sx-e2e/keep-{uuid.uuid4().hex[:8]}:0.1")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        await pilot.press("g")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the offer of a starter")
        await answer_dialog(pilot, app, "tab", "enter")  # Write

        text = (own_state / "k8sx.yaml").read_text()
        assert """command: [sh, -c, "trap 'exit 0' TERM; sleep infinity & wait"]""" in text, text
        assert "# keeps the pod running for g's shell" in text
        assert (own_state / ".dockerignore").read_text().splitlines()[1:] == ["data/", "results/"]
        assert "and .dockerignore (data/ and results/ stay out" in follow_text(app)
        assert app.focused is not screen.editor, "the editor kept the focus: g would be typed into the YAML"

        await pilot.press("g")  # as the message says: no Esc first
        try:
            await settle(
                pilot, lambda: app.current_mode == "terminal" or "✗" in follow_text(app), timeout=240, what="the shell"
            )
            assert app.current_mode == "terminal"
        except AssertionError:
            raise AssertionError(follow_text(app)) from None
        assert screen.editor.text == text  # nothing typed into it
        started = lambda: bool(terminal(app).tabs) and newest(app).started  # noqa: E731
        await settle(pilot, started, timeout=90, what="the shell started")
        terminal(app).close_tab(newest(app).pane_id)  # ends the shell's exec, not the pod
    pod = json.loads(kubectl(stack, "get", "pod", "exp", "-n", namespace, "-o", "json"))
    assert pod["status"]["phase"] == "Running"


async def test_the_starter_leaves_an_existing_dockerignore_alone(
    stack: StackEnv, namespace: str, own_state: Path
) -> None:
    project_folder(own_state)
    (own_state / ".dockerignore").write_text("mine\n")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_deploy(pilot, app)
        await pilot.press("g")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the offer of a starter")
        await answer_dialog(pilot, app, "tab", "enter")  # Write
        assert (own_state / "k8sx.yaml").is_file()
        assert f"wrote {own_state / 'k8sx.yaml'}: each key" in follow_text(app)
    assert (own_state / ".dockerignore").read_text() == "mine\n"


ENDING_POD = """\
pod:
  template:
    name: ends
    command: 'true'
    nodeSelector: {type: real}
    tolerations: [{key: k8sx.dev/real-node, operator: Exists, effect: NoSchedule}]
"""


async def until_the_loop_stops(pilot: Pilot[object], app: K8sxApp) -> None:
    """The loop's ✗; `true` can be seen Running for a moment (then the loop opens a shell): closed, g again."""
    for _ in range(4):
        ended = lambda: app.current_mode == "terminal" or "✗" in follow_text(app)  # noqa: E731
        await settle(pilot, ended, timeout=240, what="the loop stopping")
        if app.current_mode != "terminal":
            return
        # The shell ended under its focused tab, which holds the keys: ctrl+] gives them back, as a user does.
        await pilot.press("ctrl+right_square_bracket")
        for tab in list(terminal(app).tabs):
            terminal(app).close_tab(tab)
        await pilot.pause()
        await pilot.press("6")
        await settle(pilot, lambda: app.current_mode == "deploy", what="the Deploy screen")
        await pilot.press("g")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), timeout=60, what="the Replace question")
        await answer_dialog(pilot, app, "tab", "enter")  # Replace
    raise AssertionError(f"the pod was seen Running every time: {follow_text(app)}")


async def test_a_pod_that_ended_before_the_shell_says_to_give_it_a_command_that_keeps_running(
    stack: StackEnv, namespace: str, own_state: Path
) -> None:
    busybox_project(own_state, stack.registry, f"k8sx-e2e/ends-{uuid.uuid4().hex[:8]}", pod=ENDING_POD)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_deploy(pilot, app)
        await pilot.press("g")
        await until_the_loop_stops(pilot, app)
        text = " ".join(follow_text(app).split())  # the long line wraps in the panel
        assert "pod ends: Completed" in text, text
        assert "the pod's command ended before a shell could open: give it a command that keeps running" in text
        assert """e.g. command: [sh, -c, "trap 'exit 0' TERM; sleep infinity & wait"] in k8sx.yaml""" in text, text

        await pilot.press("g")  # again, with the same image: the pod is there
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), timeout=60, what="the Replace question")
        asked = question(app)
        assert "starts it again with the image pushed\n(the last push when the build is unchanged)" in asked, asked
        assert "new image" not in asked
        await answer_dialog(pilot, app, "enter")  # Cancel
