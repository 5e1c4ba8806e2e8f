"""The Logs screen says what a pod's log is (issue 18, a newcomer's trap): the container's main process output, not
what was run in a shell, which is in the Terminal tab. One line, whole at 120 columns, shown once a pod is followed."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from tests.support.app import make_app, settle
from tests.support.logs import Clock, cri, log_pod, logs_screen, open_from_pod_list, shown
from tests.support.stack import StackEnv


async def test_a_pods_log_says_a_shells_output_is_in_its_terminal_tab(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    pod = log_pod(stack, namespace, tmp_path)
    pod.write([cri("serving on :8080", Clock().tick())])
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")  # the Logs screen before a pod is chosen: its own words on what to do, no hint yet
        await settle(pilot, lambda: app.current_mode == "logs", what="the Logs screen")
        hint = logs_screen(app).query_one("#logs-source", Static)
        assert not hint.display
        await pilot.press("1")

        await open_from_pod_list(pilot, app, "train")
        await settle(pilot, lambda: shown(app) == ["serving on :8080"], what="the pod's log")
        hint = logs_screen(app).query_one("#logs-source", Static)
        said = str(hint.render())
        assert hint.display and hint.region.height == 1
        assert "main process" in said and "shell" in said and "Terminal" in said
        assert len(said) <= hint.content_region.width  # one line, not cut at 120 columns
