"""A finished shell's output is not lost: its tab stays, readable and scrollable, saying why it ended, until `x`;
a closed tab's output is kept among the closed sessions (`o`) and can be read again. The real app, local shells."""

from __future__ import annotations

from textual.widgets import Static

from tests.support.app import SIZE, answer_dialog, make_app, settle
from tests.support.stack import StackEnv
from tests.support.state import own_state_dir
from tui.app import K8sxApp
from tui.screens.common.dialogs import ChoiceScreen, ConfirmScreen
from tui.screens.terminal.terminal import SessionTab, TerminalScreen
from tui.widgets.terminal import TerminalView

__all__ = ["own_state_dir"]  # autouse: this machine's shell choices are never read


def terminal(app: K8sxApp) -> TerminalScreen:
    stacks = app._screen_stacks.values()
    return next(screen for stack in stacks for screen in stack if isinstance(screen, TerminalScreen))


def info(app: K8sxApp) -> str:
    return str(terminal(app).query_one("#terminal-info", Static).content)


def every_line(tab: SessionTab) -> list[str]:
    return tab.emulator.history_text() + tab.emulator.display()


def tab_label(app: K8sxApp, tab: SessionTab) -> str:
    return str(terminal(app).query_one("#terminal-tabs").get_tab(tab.pane_id).label)  # type: ignore[attr-defined]


async def local_shell(pilot: object, app: K8sxApp) -> SessionTab:
    """L on the Terminal screen: a shell on this machine, at its prompt."""
    before = set(terminal(app).tabs) if app.current_mode == "terminal" else set()
    await pilot.press("L")  # type: ignore[attr-defined]
    await settle(pilot, lambda: len(set(terminal(app).tabs) - before) == 1, what="a new tab")  # type: ignore[arg-type]
    (pane_id,) = set(terminal(app).tabs) - before
    tab = terminal(app).tabs[pane_id]
    await settle(pilot, lambda: tab.started and tab.emulator.bytes_fed > 0, what="the shell's prompt")  # type: ignore[arg-type]
    return tab


async def run(pilot: object, tab: SessionTab, line: str, last: str) -> None:
    await pilot.press(*line, "enter")  # type: ignore[attr-defined]
    await settle(pilot, lambda: last in every_line(tab), what=f"the line {last!r}")  # type: ignore[arg-type]


async def test_a_finished_shell_stays_readable_and_scrollable_until_x(stack: StackEnv) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        tab = await local_shell(pilot, app)
        await run(pilot, tab, "seq 1 300; echo script-$((6*7))", "script-42")
        await pilot.press(*"exit", "enter")
        await settle(pilot, lambda: tab.end is not None, what="the shell's end")

        assert terminal(app).tabs == {tab.pane_id: tab}  # the tab stays, with what the script printed
        assert "script-42" in tab.emulator.display() and every_line(tab).count("300") == 1
        assert info(app) == "session ended: exited   (x closes the tab)"
        assert tab_label(app, tab) == "✓ local shell"
        assert not isinstance(app.focused, TerminalView)  # the keys are the app's

        view = tab.view
        assert view is not None
        await pilot.press("pageup")  # scroll back through the output of the finished shell
        top = view.render_line(1).text.strip()
        assert view.scrollback > 0 and top.isdigit() and int(top) < 300
        await pilot.press("pagedown")
        assert view.scrollback == 0

        await pilot.press("x")  # nothing runs there any more: closed without a question
        await settle(pilot, lambda: not terminal(app).tabs, what="the tab closed")
        assert not isinstance(app.screen, ConfirmScreen)


async def test_keys_typed_on_into_a_shell_that_was_cut_off_are_dropped_until_ctrl_bracket(stack: StackEnv) -> None:
    """Killed (or its connection lost) under the user's typing: what they type on is not the app's keys (1 would
    switch screens, L open a shell, x close the tab) until ctrl+] gives them back, as the info line says."""
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        tab = await local_shell(pilot, app)
        await run(pilot, tab, "echo before-$((6*7))", "before-42")
        await pilot.press(*"kill -9 $$", "enter")
        await settle(pilot, lambda: tab.end is not None, what="the shell killed")
        assert tab.end is not None and not tab.end.clean
        assert info(app).endswith("(ctrl+] gives the keys back, then x closes the tab)"), info(app)
        await pilot.press(*"ls -l1xL", "enter")
        await pilot.pause()
        assert app.current_mode == "terminal" and terminal(app).tabs == {tab.pane_id: tab}
        assert isinstance(app.focused, TerminalView)
        await pilot.press("ctrl+right_square_bracket")
        assert not isinstance(app.focused, TerminalView)  # the keys are the app's
        assert info(app).endswith("(x closes the tab)") and "ctrl+]" not in info(app)
        await pilot.press("x")
        await settle(pilot, lambda: not terminal(app).tabs, what="the tab closed")


async def test_closed_tabs_are_kept_to_be_read_again(stack: StackEnv) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        closed_binding = next(a.binding for a in app.active_bindings.values() if a.binding.id == "terminal.closed")
        assert closed_binding.key == "o" and closed_binding.show and closed_binding.description == "Closed sessions…"
        await pilot.press("o")  # none yet: said so
        await settle(pilot, lambda: bool(app._notifications), what="a notification")
        assert "none yet" in next(iter(app._notifications)).message and not isinstance(app.screen, ChoiceScreen)

        first = await local_shell(pilot, app)
        await run(pilot, first, "echo first-$((6*7))", "first-42")
        await pilot.press(*"exit", "enter")
        await settle(pilot, lambda: first.end is not None, what="the first shell's end")
        await pilot.press("x")
        await settle(pilot, lambda: not terminal(app).tabs, what="the first tab closed")

        second = await local_shell(pilot, app)
        await run(pilot, second, "echo second-$((6*7))", "second-42")
        await pilot.press("ctrl+right_square_bracket", "x")  # closed while it runs (after the question)
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the close question")
        assert await answer_dialog(pilot, app, "tab", "enter") is True
        assert not terminal(app).tabs

        await pilot.press("o")
        await settle(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the closed sessions")
        picker = app.screen
        assert isinstance(picker, ChoiceScreen)
        assert [choice.rsplit(" · ", 1)[0] for choice in picker.choices] == [
            "#2 local shell · closed while running",
            "#1 local shell · exited",
        ]  # newest first
        await pilot.press(*"#1", "enter")
        await settle(pilot, lambda: len(terminal(app).tabs) == 1, what="the first session shown again")
        again = next(iter(terminal(app).tabs.values()))
        assert "first-42" in every_line(again)
        await settle(pilot, lambda: terminal(app).active_tab is again, what="its tab active")
        assert info(app) == "session ended: exited   (x closes the tab)" and tab_label(app, again) == "✓ local shell"
        await pilot.press("enter", *"typed")  # read-only: nothing to type into
        assert not isinstance(app.focused, TerminalView) and "typed" not in "".join(every_line(again))

        await pilot.press("o")  # what is shown again is out of the list, until its tab is closed again
        await settle(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the closed sessions")
        assert [c.split(" · ")[0] for c in app.screen.choices] == ["#2 local shell"]  # type: ignore[attr-defined]
        await pilot.press("escape", "x")
        await settle(pilot, lambda: not terminal(app).tabs, what="closed again")
        assert [closed.label.split(" · ")[0] for closed in terminal(app).closed_sessions] == [
            "#3 local shell",
            "#2 local shell",
        ]
