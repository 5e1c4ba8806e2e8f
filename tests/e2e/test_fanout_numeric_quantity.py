"""Replacing a fan-out whose pods ask for resources written as YAML numbers (`cpu: 1`, `nvidia.com/gpu: 1`): the dry
run before the earlier run is deleted takes them as the apply does (it refused them: the client's models want
strings), so the new run replaces the old one."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

from tests.e2e.test_deploy import follow_text, open_deploy
from tests.support.app import SIZE, make_app, settle
from tests.support.pods import prep_pod
from tests.support.stack import StackEnv, kubectl
from tests.support.state import own_state
from tui.app import K8sxApp
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.common.forms import FormScreen

__all__ = ["own_state"]  # the fixture, used here too (autouse)


def uids(stack: StackEnv, namespace: str) -> list[str]:
    return kubectl(stack, "get", "pods", "-n", namespace, "-o", "jsonpath={.items[*].metadata.uid}").split()


async def fan_out(pilot: Any, app: K8sxApp) -> None:
    await pilot.press("F")
    await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the fan-out form")
    app.screen.query_one("#field-count", Input).value = "2"
    await pilot.press("ctrl+s")


async def test_a_fan_out_asking_for_a_number_of_cpus_is_replaced(stack: StackEnv, namespace: str) -> None:
    numeric = prep_pod().replace("    args: [", "    resources: {requests: {cpu: 1}, limits: {cpu: 1}}\n    args: [")
    assert "cpu: 1}" in numeric
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        screen.editor.load_text(numeric)
        await fan_out(pilot, app)
        await settle(pilot, lambda: "2 pods — 2 Running" in follow_text(app), timeout=120, what="the first run")
        first = set(uids(stack, namespace))

        await fan_out(pilot, app)
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("tab", "enter")  # Replace

        def replaced() -> bool:
            now = set(uids(stack, namespace))
            return len(now) == 2 and not now & first

        await settle(pilot, lambda: replaced() or "nothing was deleted" in follow_text(app), timeout=120, what="run 2")
        assert "nothing was deleted" not in follow_text(app), follow_text(app)  # before: cannot check … ValidationError
        await settle(pilot, lambda: "2 pods — 2 Running" in follow_text(app), timeout=120, what="the new run followed")
