"""u on the Terminal screen copies into the pod of the active shell tab, by the same flow as u on the pod list (the
form, the plan with the final path, the copy), and shows in the footer on a pod's tab only. kwok runs the pod's
commands on this machine, in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from tests.e2e.test_copy_in_target import copied, dataset, plan_text
from tests.e2e.test_terminal import open_from_pod_list, terminal, until_prompt
from tests.support.app import SIZE, make_app, settle
from tests.support.files import digests
from tests.support.pods import kwok_shell_pod
from tests.support.stack import StackEnv
from tui.app import K8sxApp
from tui.messages import OpenLocalCommand
from tui.screens.common.forms import FormScreen
from tui.screens.terminal.terminal import TerminalScreen
from tui.screens.transfer.copy_in_plan import CopyInPlanScreen


@pytest.fixture(autouse=True)
def own_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def copy_in_shown(app: K8sxApp) -> bool:
    return any(active.binding.id == "terminal.copy-in" for active in app.screen.active_bindings.values())


async def test_u_on_a_pod_shell_tab_copies_into_that_pod(stack: StackEnv, namespace: str, tmp_path: Path) -> None:
    home = kwok_shell_pod(stack, namespace, tmp_path / "pod")
    data = dataset(tmp_path / "local" / "data")
    into = home / "data"
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, tab)
        await pilot.press("ctrl+right_square_bracket")  # the keys are the app's: u is in the footer
        await settle(pilot, lambda: copy_in_shown(app), what="u in the footer")
        active = next(a for a in app.screen.active_bindings.values() if a.binding.id == "terminal.copy-in")
        assert active.binding.key == "u" and active.binding.show

        await pilot.press("u")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the copy-in form")
        form = app.screen
        assert isinstance(form, FormScreen) and form.form_title == f"Copy into {namespace}/exp"
        form.query_one("#field-local", Input).value = str(data)
        form.query_one("#field-remote", Input).value = str(into)
        await pilot.press("ctrl+s")
        await settle(
            pilot,
            lambda: isinstance(app.screen, CopyInPlanScreen) and "asking the pod" not in plan_text(app),
            what="the plan",
        )
        assert f"to {namespace}/exp:{into}\n" in plan_text(app), plan_text(app)
        await pilot.press("enter")
        assert (await copied(pilot, app)).startswith("done: 4 files")
        assert digests(into) == digests(data)
        await settle(pilot, lambda: isinstance(app.screen, TerminalScreen), what="back on the Terminal")
        assert app.current_mode == "terminal" and terminal(app).active_tab is tab


async def test_u_is_not_offered_on_a_tab_that_is_not_a_pods(stack: StackEnv, tmp_path: Path) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        app.post_message(OpenLocalCommand(["sh", "-c", "echo local; sleep 30"], "local", str(tmp_path)))
        await settle(pilot, lambda: app.current_mode == "terminal" and bool(terminal(app).tabs), what="the tab")
        await settle(pilot, lambda: terminal(app).active_tab is not None, what="the active tab")
        await pilot.press("ctrl+right_square_bracket")
        await pilot.pause(0.2)
        assert not copy_in_shown(app)
        await pilot.press("u")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, FormScreen)
