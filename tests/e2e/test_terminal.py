"""The Terminal screen against real exec sessions: kwok pods through the real API server, a real Docker container,
a local pty. Screens are checked cell by cell.

kwok runs exec'd commands on THIS machine: every pod here has an Exec object whose working directory and HOME are
a temporary folder, and only harmless commands are typed (echo, printf, seq, sleep, less, vim on a scratch file).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path

import docker
import pytest
from textual import events
from textual.widgets import Static

from tests.support.app import SIZE, answer_dialog, make_app, settle
from tests.support.images import busybox_image, real_node_image, real_node_shell_less_image, shell_less_image
from tests.support.net import TcpProxy
from tests.support.pods import kwok_shell_pod, pod_phase, start_real_node_pod
from tests.support.stack import StackEnv, kubeconfig_with_server, kubectl, wait_for
from tests.support.state import own_state_dir
from tui.app import K8sxApp
from tui.backends import Backends
from tui.messages import OpenLocalCommand
from tui.screens.common.dialogs import ChoiceScreen, ConfirmScreen
from tui.screens.pods.pods import PodsScreen
from tui.screens.terminal.terminal import SessionTab, TerminalScreen
from tui.services.docker.engine import DockerService
from tui.services.exec.stream import ExecFailed, open_exec
from tui.services.images.images import ImageService
from tui.services.kube.kube import KubeService
from tui.services.terminal.kube_exec import KubeExecSession
from tui.services.terminal.local_pty import LocalPtySession
from tui.services.terminal.shell_choices import ShellChoices
from tui.settings import Settings
from tui.widgets.terminal import TerminalView

__all__ = ["own_state_dir", "real_node_image", "real_node_shell_less_image"]  # fixtures (own_state_dir: autouse)

PROMPT = "k8sx$"


# ---------------------------------------------------------------- helpers


def terminal(app: K8sxApp) -> TerminalScreen:
    """The Terminal screen, also while another screen is shown (it lives in its mode's stack)."""
    stacks = app._screen_stacks.values()
    return next(screen for stack in stacks for screen in stack if isinstance(screen, TerminalScreen))


def shown(tab: SessionTab) -> str:
    """The screen as text, each row between newlines (so "\\nX\\n" means a row reading X)."""
    return "\n" + "\n".join(tab.emulator.display()) + "\n"


def info(app: K8sxApp) -> str:
    return str(terminal(app).query_one("#terminal-info", Static).content)


def newest(app: K8sxApp) -> SessionTab:
    return list(terminal(app).tabs.values())[-1]


async def open_from_pod_list(pilot: object, app: K8sxApp, key: str = "s") -> SessionTab:
    """Select the (only) pod on the pod list and press s (shell) or a (attach)."""
    pods = app.screen
    assert isinstance(pods, PodsScreen)
    await settle(pilot, lambda: len(pods.table.view) == 1, what="the pod on the pod list")  # type: ignore[arg-type]
    before = (
        len(terminal(app).tabs)
        if any(isinstance(s, TerminalScreen) for s in app._screen_stacks.get("terminal", []))
        else 0
    )
    await pilot.press(key)  # type: ignore[attr-defined]
    await settle(
        pilot,  # type: ignore[arg-type]
        lambda: app.current_mode == "terminal" and len(terminal(app).tabs) > before and newest(app).started,
        what="a started session",
    )
    return newest(app)


async def type_line(pilot: object, line: str) -> None:
    await pilot.press(*line, "enter")  # type: ignore[attr-defined]


async def until_shown(pilot: object, tab: SessionTab, text: str, timeout: float = 15) -> None:
    await settle(pilot, lambda: text in shown(tab), timeout=timeout, what=f"{text!r} on the screen")  # type: ignore[arg-type]


async def until_line(pilot: object, tab: SessionTab, line: str, timeout: float = 15) -> None:
    """Until one row of the screen reads exactly `line`."""
    await settle(pilot, lambda: line in tab.emulator.display(), timeout=timeout, what=f"the line {line!r}")  # type: ignore[arg-type]


async def until_prompt(pilot: object, tab: SessionTab, prompt: str = PROMPT) -> None:
    def at_prompt() -> bool:
        lines = [line for line in tab.emulator.display() if line]
        return bool(lines) and lines[-1].endswith(prompt)

    await settle(pilot, at_prompt, what=f"the prompt {prompt!r}")  # type: ignore[arg-type]


def pid_in(path: Path) -> int:
    text = path.read_text().strip() if path.exists() else ""
    return int(text) if text.isdigit() else 0


def process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    status = Path(f"/proc/{pid}/status")
    return not status.exists() or "State:\tZ" in status.read_text()


# ---------------------------------------------------------------- a shell in a pod


async def test_s_on_a_pod_opens_a_new_shell_where_typed_commands_run(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    home = kwok_shell_pod(stack, namespace, tmp_path)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, tab)
        assert isinstance(tab.session, KubeExecSession) and not tab.session.attach
        assert tab.session.command == ("bash",)
        assert info(app).startswith(f"shell {namespace}/exp (main) · bash")
        assert isinstance(app.focused, TerminalView)

        await type_line(pilot, "echo made-by-$((6*7)) > proof; pwd")
        await until_shown(pilot, tab, str(home))
        assert (home / "proof").read_text() == "made-by-42\n"

        # readline editing: the cursor keys move inside the line, ctrl+a goes to its start
        await pilot.press(*"echo wrld", "left", "left", "left", "o", "ctrl+a", "right", "right", "right", "right")
        await pilot.press(*" hello", "enter")
        await until_line(pilot, tab, "hello world")


async def test_every_key_reaches_the_program_even_the_apps_own_keys(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    home = kwok_shell_pod(stack, namespace, tmp_path)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, tab)
        # raw mode: the pty passes every byte through; head takes exactly the 23 bytes the keys below send
        await type_line(pilot, "stty raw -echo; echo raw-now; head -c 23 > keys.bin; stty sane; echo got-keys")
        await until_line(pilot, tab, "raw-now")  # the output row, not the typed command
        keys = ["1", "ctrl+q", "ctrl+p", "ctrl+c", "ctrl+d", "ctrl+z", "tab", "up", "f5", "alt+x", "shift+tab"]
        await pilot.press(*keys, "x", "L", "escape")
        await until_shown(pilot, tab, "got-keys")
        expected = b"1\x11\x10\x03\x04\x1a\t\x1b[A\x1b[15~\x1bx\x1b[Zx" + b"L\x1b"
        assert (home / "keys.bin").read_bytes() == expected
        # none of them was taken by the app: still here, on this screen, with this tab
        assert app.is_running and app.current_mode == "terminal" and tab.pane_id in terminal(app).tabs


async def test_colours_and_cursor_positions_land_in_the_right_cells(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    kwok_shell_pod(stack, namespace, tmp_path)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, tab)
        await type_line(
            pilot,
            r"clear; printf '\e[3;5H\e[31mR\e[1;42mG\e[0m\e[38;5;208mO\e[48;2;10;20;30mT\e[0m\e[4mU\e[7mV\e[0m"
            r"\e[96mC\e[0m\e[6;1H'",
        )
        await settle(pilot, lambda: tab.emulator.display()[5] == PROMPT, what="the prompt on row 6")
        cell = tab.emulator.cell
        assert tab.emulator.display()[2] == "    RGOTUVC"
        assert (cell(4, 2).data, cell(4, 2).fg, cell(4, 2).bold) == ("R", "red", False)
        assert (cell(5, 2).data, cell(5, 2).fg, cell(5, 2).bg, cell(5, 2).bold) == ("G", "red", "green", True)
        assert (cell(6, 2).data, cell(6, 2).fg, cell(6, 2).bg) == ("O", "color(208)", "default")
        assert (cell(7, 2).data, cell(7, 2).bg, cell(7, 2).fg) == ("T", "#0a141e", "color(208)")
        assert (cell(8, 2).data, cell(8, 2).underscore, cell(8, 2).reverse) == ("U", True, False)
        assert (cell(9, 2).data, cell(9, 2).underscore, cell(9, 2).reverse) == ("V", True, True)
        assert (cell(10, 2).data, cell(10, 2).fg) == ("C", "bright_cyan")
        assert tab.emulator.cursor == (len(PROMPT) + 1, 5)

        # and that is what the widget draws
        assert tab.view is not None
        segments = {segment.text: segment.style for segment in tab.view.render_line(2) if segment.text.strip()}
        red, green_on, truecolor = segments["R"], segments["G"], segments["T"]
        assert red is not None and red.color is not None and red.color.name == "red"
        assert green_on is not None and green_on.bold and green_on.bgcolor is not None
        assert green_on.bgcolor.name == "green"
        assert truecolor is not None and truecolor.bgcolor is not None
        assert truecolor.bgcolor.triplet is not None and tuple(truecolor.bgcolor.triplet) == (10, 20, 30)
        cursor_row = tab.view.render_line(5)
        cursor_cells = [s for s in cursor_row if s.style is not None and s.style.reverse]
        assert [s.text for s in cursor_cells] == [" "]  # the cursor, drawn in reverse after the prompt


async def test_less_and_vim_use_the_alternate_screen_and_give_the_shell_back(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    home = kwok_shell_pod(stack, namespace, tmp_path)
    (home / "notes.txt").write_text("".join(f"note {i}\n" for i in range(1, 6)))
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, tab)
        await type_line(pilot, "echo before-less")
        await until_line(pilot, tab, "before-less")

        await type_line(pilot, "less notes.txt")
        await settle(pilot, lambda: tab.emulator.alternate_screen and "note 5" in shown(tab), what="less")
        assert "before-less" not in shown(tab)
        await pilot.press("q")
        await settle(pilot, lambda: not tab.emulator.alternate_screen, what="less gone")
        await until_prompt(pilot, tab)
        assert "\nbefore-less\n" in shown(tab) and "note 5" not in shown(tab)

        await type_line(pilot, "vim -u NONE -i NONE notes.txt")
        await settle(pilot, lambda: tab.emulator.alternate_screen and "note 5" in shown(tab), what="vim")
        assert tab.emulator.display()[:5] == [f"note {i}" for i in range(1, 6)]
        assert tab.emulator.display()[5].startswith("~")
        await pilot.press("G", "o", *"written in vim", "escape")
        await pilot.pause(0.3)  # vim tells a lone Escape from the start of a key sequence by a pause
        await pilot.press(*":wq", "enter")
        await settle(pilot, lambda: not tab.emulator.alternate_screen, what="vim gone")
        await until_prompt(pilot, tab)
        assert (home / "notes.txt").read_text().splitlines()[-1] == "written in vim"
        assert "\nbefore-less\n" in shown(tab)


async def test_ctrl_c_interrupts_a_running_sleep_in_a_shell_chosen_for_the_pod(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    """kwok starts exec'd commands without a controlling terminal, so ctrl+c would raise no signal there; a real
    kubelet gives the shell one. Choosing the shell `setsid -w -c bash` for the pod (S) does what the kubelet does
    (-w: setsid may fork, and the exec must last as long as the shell)."""
    kwok_shell_pod(stack, namespace, tmp_path)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        first = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, first)
        await pilot.press("ctrl+right_square_bracket", "S")
        await settle(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the shell picker")
        await pilot.press(*"setsid -w -c bash", "enter")
        await settle(pilot, lambda: len(terminal(app).tabs) == 2 and newest(app).started, what="a second shell")
        tab = newest(app)
        assert tab.session.command == ("setsid", "-w", "-c", "bash")
        assert terminal(app).shells.command_for(f"{namespace}/exp", "busybox") == ("setsid", "-w", "-c", "bash")
        await until_prompt(pilot, tab)
        await type_line(pilot, "sleep 60")
        await pilot.pause(0.5)
        await pilot.press("ctrl+c")
        await settle(
            pilot,
            lambda: tab.emulator.display()[tab.emulator.cursor[1]] == PROMPT,
            timeout=30,
            what="the prompt after ^C (a sleep left alone takes 60 s)",
        )
        assert "^C" in shown(tab)
        await type_line(pilot, "exit 0")  # setsid's shell outlives a hang-up of the exec under kwok: end it here
        await settle(pilot, lambda: tab.end is not None, what="the shell's end")
        assert tab.end is not None and tab.end.clean


async def test_a_pod_with_two_containers_asks_which_one(stack: StackEnv, namespace: str, tmp_path: Path) -> None:
    kwok_shell_pod(stack, namespace, tmp_path, containers=("main", "sidecar"))
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        pods = app.screen
        assert isinstance(pods, PodsScreen)
        await settle(pilot, lambda: len(pods.table.view) == 1, what="the pod")
        await pilot.press("s")
        await settle(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the container picker")
        assert isinstance(app.screen, ChoiceScreen) and app.screen.choices == ["main", "sidecar"]
        await pilot.press(*"sidecar", "enter")
        await settle(pilot, lambda: bool(terminal(app).tabs) and newest(app).started, what="the session")
        tab = newest(app)
        assert isinstance(tab.session, KubeExecSession) and tab.session.container == "sidecar"
        assert info(app).startswith(f"shell {namespace}/exp (sidecar)")
        await until_prompt(pilot, tab)


async def test_k_opens_the_pod_of_a_shell_tab_in_the_users_own_kubectl_exec(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    home = kwok_shell_pod(stack, namespace, tmp_path)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        first = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, first)
        await pilot.press("ctrl+right_square_bracket")
        binding = next(b.binding for b in app.active_bindings.values() if b.binding.key == "K")
        assert binding.show and binding.description == "In my kubectl" and binding.id == "terminal.kubectl"
        await pilot.press("K")
        await settle(pilot, lambda: len(terminal(app).tabs) == 2 and newest(app).started, what="kubectl started")
        tab = newest(app)
        assert isinstance(tab.session, LocalPtySession) and tab.session.title == f"kubectl {namespace}/exp (main)"
        kubectl_argv = ("kubectl", "--context", "k8sx-local", "exec", "-it", "-n", namespace, "exp", "-c", "main")
        assert tab.session.command == (*kubectl_argv, "--", "bash")
        assert info(app).startswith(f"kubectl {namespace}/exp (main) · kubectl --context")
        await until_prompt(pilot, tab)
        await type_line(pilot, "echo via-kubectl-$((2*21)) > kubectl-proof; cat kubectl-proof")
        await until_line(pilot, tab, "via-kubectl-42")
        assert (home / "kubectl-proof").read_text() == "via-kubectl-42\n"  # it ran in the pod, not here
        await type_line(pilot, "exit")
        await settle(pilot, lambda: tab.end is not None, what="kubectl ended")
        assert list(terminal(app).tabs.values()) == [first, tab] and tab.end is not None and tab.end.clean
        assert pod_phase(stack, namespace) == "Running"


async def test_k_without_kubectl_on_the_path_says_so(stack: StackEnv, namespace: str, tmp_path: Path) -> None:
    kwok_shell_pod(stack, namespace, tmp_path)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        first = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, first)
        path = os.environ["PATH"]
        os.environ["PATH"] = str(tmp_path / "empty-bin")  # not monkeypatch: the namespace's teardown needs kubectl
        try:
            await pilot.press("ctrl+right_square_bracket", "K")
            await settle(pilot, lambda: len(terminal(app).tabs) == 2 and newest(app).end is not None, what="the end")
        finally:
            os.environ["PATH"] = path
        assert info(app) == "session ended: cannot start kubectl: kubectl not found on PATH   (x closes the tab)"
        assert first.end is None and first.pane_id in terminal(app).tabs


async def test_k_on_a_tab_that_is_not_a_pod_shell_explains_itself(stack: StackEnv) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "K")
        await settle(pilot, lambda: bool(app._notifications), what="a notification")
        assert "open a shell in a pod first" in next(iter(app._notifications)).message
        assert not terminal(app).tabs


async def test_a_local_command_message_opens_a_tab_running_that_program(stack: StackEnv, tmp_path: Path) -> None:
    """OpenLocalCommand: what the doctor's fixes (and anything else that wants a program in a tab) post."""
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        script = "pwd; echo from-doctor-$((6*7)); read answer; echo got-$answer > answer.txt"
        app.post_message(OpenLocalCommand(["sh", "-c", script], "doctor fix", cwd=str(tmp_path)))
        await settle(pilot, lambda: app.current_mode == "terminal" and bool(terminal(app).tabs), what="the tab")
        tab = newest(app)
        await settle(pilot, lambda: tab.started, what="the program started")
        assert tab.session.title == "doctor fix" and tab.session.command == ("sh", "-c", script)
        await until_line(pilot, tab, "from-doctor-42")
        assert f"\n{tmp_path}\n" in shown(tab)
        assert isinstance(app.focused, TerminalView)  # typing goes to it at once
        await type_line(pilot, "yes")
        # A one-off program's tab stays after a clean exit, so what it printed can be read; x closes it.
        await settle(pilot, lambda: tab.end is not None, what="the program exited")
        assert tab.end is not None and tab.end.clean and tab.label == "✓ doctor fix"
        assert (tmp_path / "answer.txt").read_text() == "got-yes\n"
        assert "from-doctor-42" in shown(tab) and info(app).startswith("session ended: ")
        await pilot.press("x")
        await settle(pilot, lambda: not terminal(app).tabs, what="x closed the tab")

        app.post_message(OpenLocalCommand(["k8sx-no-such-program", "--fix"], "missing fix"))
        await settle(pilot, lambda: bool(terminal(app).tabs) and newest(app).end is not None, what="the end")
        assert info(app).startswith("session ended: cannot start k8sx-no-such-program: k8sx-no-such-program not found")


async def test_quitting_while_a_tab_is_being_added_ends_the_app_without_an_error(
    stack: StackEnv, tmp_path: Path
) -> None:
    """The app quits (its widgets go) while a new tab's pane is still being mounted: once a Textual error left
    the test harness (and a user's ctrl+q) with a traceback. Quit at each of the first turns of the event loop."""
    for turns in range(10):
        app = make_app(stack.kubeconfig, stack.docker_host)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause(0.1)
            app.post_message(OpenLocalCommand(["sleep", "30"], f"quit after {turns}", cwd=str(tmp_path)))
            for _ in range(turns % 5):
                await asyncio.sleep(0)
        assert app.return_code in (0, None), f"quitting after {turns} turns: return code {app.return_code}"


async def test_a_resize_reaches_stty_size(stack: StackEnv, namespace: str, tmp_path: Path) -> None:
    kwok_shell_pod(stack, namespace, tmp_path)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, tab)
        assert tab.view is not None
        width, height = tab.view.size.width, tab.view.size.height
        assert (tab.emulator.columns, tab.emulator.lines) == (width, height) == (SIZE[0], SIZE[1] - 6)
        await type_line(pilot, "stty size")
        await until_line(pilot, tab, f"{height} {width}")

        await pilot.resize_terminal(100, 40)
        await settle(pilot, lambda: tab.view is not None and tab.view.size.width == 100, what="the new size")
        width, height = tab.view.size.width, tab.view.size.height
        assert (tab.emulator.columns, tab.emulator.lines) == (100, height)
        await type_line(pilot, "clear; stty size")
        await until_line(pilot, tab, f"{height} 100")


async def test_exit_leaves_the_tab_readable_until_x_and_the_pod_keeps_running(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    home = kwok_shell_pod(stack, namespace, tmp_path)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, tab)
        await type_line(pilot, "echo $$ > shell.pid; echo script-output")
        await settle(pilot, lambda: pid_in(home / "shell.pid") > 0, what="the shell's pid")
        pid = pid_in(home / "shell.pid")
        await type_line(pilot, "exit")
        await settle(pilot, lambda: tab.end is not None, what="the shell's end")
        assert terminal(app).tabs == {tab.pane_id: tab} and "\nscript-output\n" in shown(tab)
        assert info(app) == "session ended: exited   (x closes the tab)" and tab.label == f"✓ {tab.session.title}"
        await pilot.press("x")  # nothing runs there any more: no question
        await settle(pilot, lambda: not terminal(app).tabs, what="the tab closed")
        assert terminal(app).query_one("#terminal-empty").display
        wait_for(lambda: process_gone(pid), what="the shell's process gone")
        assert pod_phase(stack, namespace) == "Running"


async def test_closing_a_tab_ends_its_shell_only(stack: StackEnv, namespace: str, tmp_path: Path) -> None:
    home = kwok_shell_pod(stack, namespace, tmp_path)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        first = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, first)
        await type_line(pilot, "echo $$ > first.pid")
        await pilot.press("ctrl+right_square_bracket", "1")
        second = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, second)
        await type_line(pilot, "echo $$ > second.pid")
        wait_for(lambda: pid_in(home / "first.pid") and pid_in(home / "second.pid"), what="both shells' pids")
        first_pid, second_pid = pid_in(home / "first.pid"), pid_in(home / "second.pid")

        await pilot.press("ctrl+right_square_bracket")
        assert not isinstance(app.focused, TerminalView)
        await pilot.press("x")  # the active tab: the second shell, still running: asked first
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the close question")
        assert await answer_dialog(pilot, app, "escape") is False  # a stray x ends nothing
        assert isinstance(app.screen, TerminalScreen)
        assert len(terminal(app).tabs) == 2 and not process_gone(second_pid)
        await pilot.press("x")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the close question")
        await pilot.press("tab", "enter")
        await settle(pilot, lambda: list(terminal(app).tabs.values()) == [first], what="one tab left")
        wait_for(lambda: process_gone(second_pid), what="the closed tab's shell gone")
        assert not process_gone(first_pid)
        assert pod_phase(stack, namespace) == "Running"

        await pilot.press("enter")  # back to typing, in the remaining tab
        await type_line(pilot, "echo still-here")
        await until_line(pilot, first, "still-here")


async def test_sessions_go_on_in_their_tabs_while_other_screens_are_shown(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    kwok_shell_pod(stack, namespace, tmp_path)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, tab)
        await type_line(pilot, "for i in 1 2 3 4; do echo tick-$i; sleep 0.4; done")
        await pilot.press("ctrl+right_square_bracket", "1")
        assert app.current_mode == "pods"
        await settle(pilot, lambda: "tick-4" in shown(tab), what="output fed while the pod list is shown")
        await pilot.press("3")
        assert app.current_mode == "terminal" and terminal(app).tabs == {tab.pane_id: tab}
        assert [line for line in tab.emulator.display() if line.startswith("tick-")] == [
            f"tick-{i}" for i in range(1, 5)
        ]


async def test_scrollback_with_shift_page_up_keeps_every_line(stack: StackEnv, namespace: str, tmp_path: Path) -> None:
    kwok_shell_pod(stack, namespace, tmp_path)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, tab)
        await type_line(pilot, "seq 1 5000")
        await until_line(pilot, tab, "5000")
        await until_prompt(pilot, tab)
        every_line = tab.emulator.history_text() + tab.emulator.display()
        start = every_line.index("1")
        assert every_line[start : start + 5000] == [str(i) for i in range(1, 5001)]

        view = tab.view
        assert view is not None
        await pilot.press("shift+pageup")
        top = view.render_line(1).text.strip()
        assert view.scrollback == view.size.height - 1 and top.isdigit() and int(top) < 5000 - view.size.height
        assert "scrollback" in view.render_line(0).text
        await pilot.press("shift+pageup", "shift+pagedown")
        assert view.render_line(1).text.strip() == top
        await pilot.press("space")  # typing returns to the live screen
        assert view.scrollback == 0 and "scrollback" not in view.render_line(0).text


async def test_a_paste_is_bracketed_so_the_shell_does_not_run_it_line_by_line(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    kwok_shell_pod(stack, namespace, tmp_path)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, tab)
        assert tab.emulator.bracketed_paste  # bash asks for it at its prompt
        prompts = shown(tab).count(PROMPT)
        app.post_message(events.Paste("echo pasted-one\necho pasted-two"))
        await until_shown(pilot, tab, "echo pasted-two")
        # Run line by line, the shell would have printed pasted-one and a new prompt before echoing the second line.
        assert "\npasted-one\n" not in shown(tab) and shown(tab).count(PROMPT) == prompts  # pasted, not run
        await pilot.press("enter")
        await until_shown(pilot, tab, "\npasted-one\npasted-two\n")


async def test_mouse_reports_go_to_a_program_that_asks_for_them(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    home = kwok_shell_pod(stack, namespace, tmp_path)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, tab)
        await type_line(
            pilot, r"printf '\e[?1000h\e[?1006h'; stty raw -echo; echo raw-now; head -c 20 > mouse.bin; stty sane"
        )
        await until_line(pilot, tab, "raw-now")  # the output row, not the typed command
        assert tab.emulator.mouse_tracking == 1000 and tab.emulator.mouse_sgr
        await pilot.click(TerminalView, offset=(10, 5))
        wait_for(lambda: (home / "mouse.bin").exists() and len((home / "mouse.bin").read_bytes()) == 20)
        assert (home / "mouse.bin").read_bytes() == b"\x1b[<0;11;6M\x1b[<0;11;6m"


# ---------------------------------------------------------------- attach, and how sessions end


async def test_attach_warns_that_exit_ends_the_container_and_detaches_with_the_escape_chord(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    kwok_shell_pod(stack, namespace, tmp_path, tty_container=True)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_from_pod_list(pilot, app, key="a")
        assert isinstance(tab.session, KubeExecSession) and tab.session.attach
        assert "ctrl-d, exit or ctrl-c here END THE CONTAINER" in info(app)
        assert "ctrl+]" in info(app)
        with (tmp_path / "attach.log").open("a") as log:
            log.write("2026-11-29T10:00:00.000000000Z stdout F epoch 7 loss 0.1\n")
        await until_shown(pilot, tab, "epoch 7 loss 0.1")
        await pilot.press("ctrl+right_square_bracket")
        assert not isinstance(app.focused, TerminalView)
        await pilot.press("x")
        await settle(pilot, lambda: not terminal(app).tabs, what="detached")
        assert pod_phase(stack, namespace) == "Running"


async def test_a_killed_shell_leaves_its_tab_saying_why_with_its_screen(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    home = kwok_shell_pod(stack, namespace, tmp_path)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, tab)
        await type_line(pilot, "echo $$ > shell.pid; echo last-words")
        await until_line(pilot, tab, "last-words")
        os.kill(pid_in(home / "shell.pid"), signal.SIGKILL)  # the container's process dies
        await settle(pilot, lambda: tab.end is not None, what="the session's end")
        assert info(app).startswith("session ended: the process was killed (signal: killed)")
        assert terminal(app).tabs == {tab.pane_id: tab} and "\nlast-words\n" in shown(tab)
        assert isinstance(app.focused, TerminalView)  # it ended under the typing: keys typed on are dropped
        await pilot.press("ctrl+right_square_bracket")
        assert not isinstance(app.focused, TerminalView)  # the keys are the app's again
        label = str(terminal(app).query_one("#terminal-tabs").get_tab(tab.pane_id).label)  # type: ignore[attr-defined]
        assert label.startswith("✗ shell")


async def test_bash_missing_falls_back_to_the_next_shell(stack: StackEnv, namespace: str, tmp_path: Path) -> None:
    kwok_shell_pod(stack, namespace, tmp_path)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        commands = [("k8sx-no-such-shell",), ("sh",)]
        tab = terminal(app).open_session(KubeExecSession(app.backends.kube, namespace, "exp", commands=commands))
        await settle(pilot, lambda: tab.started, what="the session")
        await until_prompt(pilot, tab)
        assert tab.session.command == ("sh",)
        await type_line(pilot, "echo from-$0")
        await until_line(pilot, tab, "from-sh")


# ---------------------------------------------------------------- docker exec and the local shell


async def test_docker_exec_into_a_build_container(stack: StackEnv, engine: docker.DockerClient) -> None:
    images = ImageService(engine)
    container = images.start_build_container(busybox_image(engine))
    try:
        app = make_app(stack.kubeconfig, stack.docker_host)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("3")
            terminal(app).open_container_shell(container.container_id)
            await settle(pilot, lambda: bool(terminal(app).tabs) and newest(app).started, what="the docker session")
            tab = newest(app)
            await until_prompt(pilot, tab, "/ #")
            assert tab.session.command == ("sh",)  # no bash in busybox: sh was next
            assert tab.view is not None
            await type_line(pilot, "stty size; echo $((6*7))")
            await until_shown(pilot, tab, f"\n{tab.view.size.height} {tab.view.size.width}\n42\n")

            await type_line(pilot, "sleep 60")
            await pilot.pause(0.5)
            await pilot.press("ctrl+c")
            await settle(pilot, lambda: tab.emulator.display()[tab.emulator.cursor[1]] == "/ #", what="^C")

            await type_line(pilot, "vi /notes.txt")
            await settle(pilot, lambda: tab.emulator.alternate_screen, what="vi")
            await pilot.press("i", *"typed in vi", "escape")
            await pilot.pause(0.3)
            await pilot.press(*":wq", "enter")
            await settle(pilot, lambda: not tab.emulator.alternate_screen, what="vi gone")
            await type_line(pilot, "cat /notes.txt")
            await until_line(pilot, tab, "typed in vi")

            exec_id = tab.session._exec_id  # type: ignore[attr-defined]
            assert engine.api.exec_inspect(exec_id)["Running"]
            await pilot.press("ctrl+right_square_bracket", "x")
            await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the close question")
            await pilot.press("tab", "enter")
            await settle(pilot, lambda: not terminal(app).tabs, what="the tab closed")
            wait_for(lambda: not engine.api.exec_inspect(exec_id)["Running"], what="the exec's process ended")
            engine.containers.get(container.container_id).reload()
            assert engine.containers.get(container.container_id).status == "running"
    finally:
        images.remove_container(container.container_id)


async def test_an_image_without_any_shell_says_so(stack: StackEnv, engine: docker.DockerClient) -> None:
    image = shell_less_image(engine)
    created = engine.api.create_container(image, entrypoint=["/bin/busybox", "sleep", "3600"])
    engine.api.start(created["Id"])
    try:
        app = make_app(stack.kubeconfig, stack.docker_host)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("3")
            terminal(app).open_container_shell(created["Id"])
            await settle(pilot, lambda: bool(terminal(app).tabs) and newest(app).end is not None, what="the end")
            assert info(app).startswith("session ended: no shell in the image: tried bash, sh (")
            assert 'exec: "sh": executable file not found' in info(app)
    finally:
        engine.api.remove_container(created["Id"], force=True)


async def test_a_removed_container_ends_the_session_but_keeps_the_tab(
    stack: StackEnv, engine: docker.DockerClient
) -> None:
    images = ImageService(engine)
    container = images.start_build_container(busybox_image(engine))
    try:
        app = make_app(stack.kubeconfig, stack.docker_host)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("3")
            terminal(app).open_container_shell(container.container_id)
            await settle(pilot, lambda: bool(terminal(app).tabs) and newest(app).started, what="the docker session")
            tab = newest(app)
            await until_prompt(pilot, tab, "/ #")
            await type_line(pilot, "echo before-removal")
            await until_line(pilot, tab, "before-removal")
            engine.api.remove_container(container.container_id, force=True)
            await settle(pilot, lambda: tab.end is not None, what="the session's end")
            assert info(app).startswith("session ended: ")
            assert "\nbefore-removal\n" in shown(tab) and tab.pane_id in terminal(app).tabs
    finally:
        images.remove_container(container.container_id)


async def test_without_a_session_the_screen_says_how_to_start_one_and_offers_a_local_shell(
    stack: StackEnv, tmp_path: Path
) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        empty = str(terminal(app).query_one("#terminal-empty", Static).content)
        assert "press [b]s[/b] for a shell" in empty and "[b]L[/b] here for a shell on this machine" in empty
        assert any(b.binding.key == "L" for b in app.active_bindings.values())
        await pilot.press("L")
        await settle(pilot, lambda: bool(terminal(app).tabs) and newest(app).started, what="a local shell")
        tab = newest(app)
        await type_line(pilot, f"cd {tmp_path}; echo local-$((40+2)) > here; echo local-$((40+2))")
        await until_line(pilot, tab, "local-42")
        assert (tmp_path / "here").read_text() == "local-42\n"
        await type_line(pilot, "exit")
        await settle(pilot, lambda: tab.end is not None, what="the shell's end")
        assert terminal(app).tabs == {tab.pane_id: tab} and "\nlocal-42\n" in shown(tab)


# ---------------------------------------------------------------- shell choices kept across runs


async def test_a_shell_chosen_with_s_is_kept_for_the_workload_across_restarts(
    stack: StackEnv, namespace: str, tmp_path: Path, own_state_dir: Path
) -> None:
    kwok_shell_pod(stack, namespace, tmp_path / "first", name="exp")
    kubectl(stack, "label", "pod", "exp", "-n", namespace, "app=trainer")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        first = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, first)
        assert first.session.command == ("bash",)
        await pilot.press("ctrl+right_square_bracket", "S")
        await settle(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the shell picker")
        assert isinstance(app.screen, ChoiceScreen)
        assert app.screen.title_text.startswith(f"Shell for {namespace}/trainer (its pods) and image busybox")
        await pilot.press(*"sh", "enter")
        await settle(pilot, lambda: len(terminal(app).tabs) == 2 and newest(app).started, what="a shell with sh")
        assert newest(app).session.command == ("sh",)
    saved = json.loads((own_state_dir / "k8sx-tui" / "shells.json").read_text())
    assert saved == {"pods": {f"{namespace}/trainer": ["sh"]}, "images": {"busybox": ["sh"]}}

    # The experiment is replaced by a new pod of the same app; the app starts again.
    kubectl(stack, "delete", "pod", "exp", "-n", namespace, "--grace-period=0", "--force")
    kwok_shell_pod(stack, namespace, tmp_path / "second", name="exp-2")
    kubectl(stack, "label", "pod", "exp-2", "-n", namespace, "app=trainer")
    wait_for(lambda: kubectl(stack, "get", "pods", "-n", namespace, "-o", "name").split() == ["pod/exp-2"])
    again = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with again.run_test(size=SIZE) as pilot:
        tab = await open_from_pod_list(pilot, again)
        assert tab.session.command == ("sh",)
        await type_line(pilot, "echo from-$0")
        await until_line(pilot, tab, "from-sh")


async def test_a_shell_chosen_for_a_containers_image_is_used_by_the_next_container_of_it(
    stack: StackEnv, engine: docker.DockerClient, own_state_dir: Path
) -> None:
    images = ImageService(engine)
    tag = "k8sx-test/busybox:terminal-choice"
    busybox_image(engine, tag)
    boxes = [images.start_build_container(tag), images.start_build_container(tag)]
    try:
        app = make_app(stack.kubeconfig, stack.docker_host)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("3")
            terminal(app).open_container_shell(boxes[0].container_id)
            await settle(pilot, lambda: bool(terminal(app).tabs) and newest(app).started, what="the docker session")
            await until_prompt(pilot, newest(app), "/ #")
            await pilot.press("ctrl+right_square_bracket", "S")
            await settle(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the shell picker")
            await pilot.press(*"sh -l", "enter")
            await settle(pilot, lambda: len(terminal(app).tabs) == 2 and newest(app).started, what="sh -l")
            assert newest(app).session.command == ("sh", "-l")
        saved = json.loads((own_state_dir / "k8sx-tui" / "shells.json").read_text())
        assert saved == {"pods": {}, "images": {tag: ["sh", "-l"]}}
        assert ShellChoices().load().command_for(None, tag) == ("sh", "-l")  # what the Images screen asks
    finally:
        for box in boxes:
            images.remove_container(box.container_id)


# ---------------------------------------------------------------- faults: finished pod, dropped connection, dying pod


async def test_a_dropped_connection_ends_the_session_saying_why_and_keeps_its_screen(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    kwok_shell_pod(stack, namespace, tmp_path)
    server = kubectl(stack, "config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}")
    proxy = TcpProxy(server)
    try:
        app = make_app(kubeconfig_with_server(stack, tmp_path, proxy.server), stack.docker_host, namespace=namespace)
        async with app.run_test(size=SIZE) as pilot:
            tab = await open_from_pod_list(pilot, app)
            await until_prompt(pilot, tab)
            await type_line(pilot, "echo last-words")
            await until_line(pilot, tab, "last-words")
            assert proxy.drop() > 0
            await settle(pilot, lambda: tab.end is not None, what="the session's end")
            assert info(app).startswith("session ended: connection lost"), info(app)
            assert terminal(app).tabs == {tab.pane_id: tab} and "\nlast-words\n" in shown(tab)
            await pilot.press(*"ls1x")  # typed on into the dead tab: dropped, not the app's keys
            assert app.current_mode == "terminal" and terminal(app).tabs == {tab.pane_id: tab}
            await pilot.press("ctrl+right_square_bracket", "x")  # the keys back, then close the dead tab
            await settle(pilot, lambda: not terminal(app).tabs, what="the tab closed")
    finally:
        proxy.close()


async def test_keys_typed_into_a_shell_cut_off_before_anything_was_typed_are_held(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    """The user sits in a pod's shell (its prompt on screen, the keys the shell's) and its connection is cut before
    they type: what they type next is not taken as the app's keys (u would open a copy-in form, 0 the nodes, x
    close the tab) until ctrl+], as the info line says. (A tab that never started gives the keys back at once:
    test_k_without_kubectl_on_the_path_says_so.)"""
    kwok_shell_pod(stack, namespace, tmp_path)
    server = kubectl(stack, "config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}")
    proxy = TcpProxy(server)
    try:
        app = make_app(kubeconfig_with_server(stack, tmp_path, proxy.server), stack.docker_host, namespace=namespace)
        async with app.run_test(size=SIZE) as pilot:
            tab = await open_from_pod_list(pilot, app)
            await until_prompt(pilot, tab)
            assert isinstance(app.focused, TerminalView) and tab.view is not None and not tab.view.typed
            assert proxy.drop() > 0
            await settle(pilot, lambda: tab.end is not None, what="the session's end")
            await pilot.press(*"u0x1", "enter")
            await pilot.pause()
            assert isinstance(app.screen, TerminalScreen), app.screen  # no copy-in form, no other screen
            assert app.current_mode == "terminal" and terminal(app).tabs == {tab.pane_id: tab}
            assert isinstance(app.focused, TerminalView)
            assert info(app).startswith("session ended: connection lost"), info(app)
            assert info(app).endswith("(ctrl+] gives the keys back, then x closes the tab)"), info(app)
            await pilot.press("ctrl+right_square_bracket")
            assert not isinstance(app.focused, TerminalView) and info(app).endswith("(x closes the tab)")
            await pilot.press("x")  # the keys are the app's again: x closes the dead tab
            await settle(pilot, lambda: not terminal(app).tabs, what="the tab closed")
    finally:
        proxy.close()


async def a_shell_that_cannot_start(pilot: object, app: K8sxApp) -> SessionTab:
    """s on the (only) pod of the pod list, for a session that ends before it starts."""
    pods = app.screen
    assert isinstance(pods, PodsScreen)
    await settle(pilot, lambda: len(pods.table.view) == 1, what="the pod")  # type: ignore[arg-type]
    await pilot.press("s")  # type: ignore[attr-defined]
    await settle(pilot, lambda: app.current_mode == "terminal" and bool(terminal(app).tabs), what="the tab")  # type: ignore[arg-type]
    tab = newest(app)
    await settle(pilot, lambda: tab.end is not None, timeout=60, what="the session's end")  # type: ignore[arg-type]
    return tab


async def test_a_shell_in_a_finished_pod_says_the_container_has_exited(
    stack: StackEnv, namespace: str, real_node_image: str
) -> None:
    start_real_node_pod(stack, namespace, real_node_image, "done", ["sh", "-c", "echo trained"], "Succeeded")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        tab = await a_shell_that_cannot_start(pilot, app)
        expected = f"session ended: the container has exited: pod {namespace}/done has finished (Succeeded)"
        assert info(app).startswith(expected), info(app)
        assert "Handshake" not in info(app) and "-+-+-" not in info(app)
        assert terminal(app).tabs == {tab.pane_id: tab}  # the tab stays, saying why
    # the same words where files are copied over exec
    with pytest.raises(ExecFailed, match=f"^the container has exited: pod {namespace}/done has finished"):
        open_exec(app.backends.kube, namespace, "done", ["true"])


async def test_a_pod_deleted_mid_session_ends_it_saying_why_and_keeps_its_screen(
    stack: StackEnv, namespace: str, real_node_image: str
) -> None:
    start_real_node_pod(stack, namespace, real_node_image, "doomed", ["sleep", "3600"], "Running")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, tab, "/ #")
        await type_line(pilot, "echo before-the-end")
        await until_line(pilot, tab, "before-the-end")
        kubectl(stack, "delete", "pod", "doomed", "-n", namespace, "--wait=false")
        await settle(pilot, lambda: tab.end is not None, timeout=60, what="the session's end")
        assert info(app).startswith("session ended: "), info(app)
        assert tab.end is not None and not tab.end.clean
        assert terminal(app).tabs == {tab.pane_id: tab} and "\nbefore-the-end\n" in shown(tab)


async def test_a_shell_in_a_pod_whose_image_has_no_shell_says_so(
    stack: StackEnv, namespace: str, real_node_shell_less_image: str
) -> None:
    start_real_node_pod(
        stack, namespace, real_node_shell_less_image, "bare", ["/bin/busybox", "sleep", "3600"], "Running"
    )
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await a_shell_that_cannot_start(pilot, app)
        assert info(app).startswith("session ended: no shell in the image: tried bash, sh ("), info(app)
        assert "not found" in info(app)
        await pilot.press("x")
        await settle(pilot, lambda: not terminal(app).tabs, what="the tab closed")
    assert pod_phase(stack, namespace, "bare") == "Running"


async def test_the_shell_setting_is_used_for_a_pod_with_no_choice_of_its_own(
    stack: StackEnv, namespace: str, tmp_path: Path, own_state_dir: Path
) -> None:
    kwok_shell_pod(stack, namespace, tmp_path)
    backends = Backends(KubeService(stack.kubeconfig, None, namespace), DockerService(stack.docker_host))
    app = K8sxApp(backends, settings=Settings(shell="sh -i"))  # `shell: sh -i` in the settings file
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_from_pod_list(pilot, app)
        assert tab.session.command == ("sh", "-i")
        await type_line(pilot, "echo from-$0")
        await until_line(pilot, tab, "from-sh")
