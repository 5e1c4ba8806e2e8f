"""The diagnostic log as a user meets it: launching `k8sx-tui` writes it where XDG says, the flags and the
environment move it and change how much it says, the doctor prints its path, and a log that cannot be written is
said. A registry password never reaches it: tests/integration/test_diagnostic_log_service.py."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from ptyprocess import PtyProcessUnicode

from tests.support.stack import StackEnv

K8SX_TUI = str(Path(sys.executable).with_name("k8sx-tui"))


def user_env(stack: StackEnv, state: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("K8SX_TUI_")}
    return (
        env | {"XDG_STATE_HOME": str(state), "KUBECONFIG": stack.kubeconfig, "DOCKER_HOST": stack.docker_host} | extra
    )


def launch_and_quit(argv: list[str], env: dict[str, str]) -> str:
    """Starts the installed app in a terminal as a user does, waits for the pod list, quits with ctrl+q."""
    app = PtyProcessUnicode.spawn([K8SX_TUI, *argv], env=env, dimensions=(30, 140))
    seen = ""
    try:
        deadline = time.monotonic() + 30
        while "Pods" not in seen or "cluster" not in seen:
            assert time.monotonic() < deadline, f"no pod list drawn: {seen[-500:]!r}"
            seen += app.read(65536)
        app.write("\x11")  # ctrl+q
        after, answered = "", False
        deadline = time.monotonic() + 45  # the leave check asks the cluster and the engine first (5 s each at most)
        while app.isalive():
            assert time.monotonic() < deadline, f"the app did not quit on ctrl+q: {after[-500:]!r}"
            try:
                after += app.read(65536)
            except EOFError:
                break
            # other tests on the shared stack may leave pods or build containers running: keep them, quit
            if not answered and "Keep them running, quit" in after:
                app.write("\t\r")
                answered = True
        seen += after
    finally:
        if app.isalive():
            app.terminate(force=True)
    return seen


def test_launching_the_app_writes_the_log_under_xdg_state_home(stack: StackEnv, tmp_path: Path) -> None:
    state = tmp_path / "state"
    launch_and_quit([], user_env(stack, state))
    text = (state / "k8sx-tui" / "k8sx-tui.log").read_text()
    assert "k8sx-tui starting: k8sx-tui " in text and "textual " in text
    assert f"kubeconfig: {stack.kubeconfig}" in text and "log level: info" in text
    assert "k8sx-tui stopped (return code" in text


def test_log_file_and_log_level_flags_and_the_environment_are_obeyed(stack: StackEnv, tmp_path: Path) -> None:
    chosen = tmp_path / "mine" / "app.log"
    launch_and_quit(["--log-file", str(chosen), "--log-level", "debug"], user_env(stack, tmp_path / "state"))
    assert "log level: debug" in chosen.read_text()
    assert not (tmp_path / "state" / "k8sx-tui" / "k8sx-tui.log").exists()

    quiet = tmp_path / "quiet.log"
    env = user_env(stack, tmp_path / "state", K8SX_TUI_LOG_FILE=str(quiet), K8SX_TUI_LOG_LEVEL="warning")
    doctor = subprocess.run([K8SX_TUI, "doctor"], env=env, capture_output=True, text=True, timeout=120)
    assert f"diagnostic log: {quiet}" in doctor.stderr
    assert quiet.exists() and "k8sx-tui starting" not in quiet.read_text()  # info lines are below warning


def test_the_doctor_prints_where_the_log_is(stack: StackEnv, tmp_path: Path) -> None:
    doctor = subprocess.run(
        [K8SX_TUI, "doctor"], env=user_env(stack, tmp_path / "s"), capture_output=True, text=True, timeout=120
    )
    path = tmp_path / "s" / "k8sx-tui" / "k8sx-tui.log"
    assert f"diagnostic log: {path}" in doctor.stderr
    assert "command: doctor" in path.read_text()


def test_an_unwritable_log_is_said_and_the_app_runs_on(stack: StackEnv, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    doctor = subprocess.run(
        [K8SX_TUI, "--log-file", str(blocked / "k8sx.log"), "doctor"],
        env=user_env(stack, tmp_path / "s"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert f"the diagnostic log {blocked / 'k8sx.log'} cannot be written" in doctor.stderr
    assert "Traceback" not in doctor.stderr
