"""A local program under a pseudo-terminal (ptyprocess): a shell on this machine, or `kubectl exec -it` for
users who prefer their own kubectl (its credential plugins, its proxy settings)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import threading
import time
from collections.abc import Sequence

from ptyprocess import PtyProcess

from tui.services.terminal.session import SessionEnd, SessionError, TerminalSession, no_shell_message

READ_SIZE = 1 << 16
KILL_AFTER_S = 2.0


def local_shells() -> list[tuple[str, ...]]:
    """$SHELL, else bash, else sh."""
    shells: list[tuple[str, ...]] = []
    if own := os.environ.get("SHELL"):
        shells.append((own,))
    shells.extend(shell for shell in (("bash",), ("sh",)) if shell not in shells)
    return shells


# For kubectl: bash when the image has it, else sh (what the app's own exec sessions try).
BASH_ELSE_SH = ("sh", "-c", "command -v bash >/dev/null 2>&1 && exec bash; exec sh")


def kubectl_exec_argv(
    namespace: str,
    pod: str,
    container: str | None = None,
    command: Sequence[str] = BASH_ELSE_SH,
    kubeconfig: str | None = None,
    context: str | None = None,
) -> list[str]:
    """`kubectl exec -it` with the app's kubeconfig and context, for LocalPtySession."""
    argv = ["kubectl"]
    if kubeconfig:
        argv += ["--kubeconfig", kubeconfig]
    if context:
        argv += ["--context", context]
    argv += ["exec", "-it", "-n", namespace, pod]
    if container:
        argv += ["-c", container]
    return [*argv, "--", *command]


class LocalPtySession(TerminalSession):
    """A program on this machine with its own pseudo-terminal; closing the session hangs it up."""

    def __init__(
        self,
        commands: list[tuple[str, ...]] | None = None,
        cwd: str | None = None,
        env: dict[str, str] | None = None,
        title: str | None = None,
    ) -> None:
        super().__init__()
        self._candidates = commands or local_shells()
        self._cwd = cwd
        self._env = env
        self._process: PtyProcess | None = None
        self.title = title or "local shell"

    def open(self, columns: int, lines: int) -> None:
        env = dict(os.environ if self._env is None else self._env)
        env["TERM"] = "xterm-256color"
        env.pop("COLUMNS", None)
        env.pop("LINES", None)
        last_error = ""
        for command in self._candidates:
            if shutil.which(command[0]) is None:
                last_error = f"{command[0]} not found on PATH"
                continue
            try:
                self._process = PtyProcess.spawn(list(command), cwd=self._cwd, env=env, dimensions=(lines, columns))
            except (OSError, FileNotFoundError) as exc:
                last_error = str(exc)
                continue
            self.command = command
            return
        if len(self._candidates) == 1:  # one program asked for (kubectl, a doctor's fix): say it is not there
            raise SessionError(f"cannot start {self._candidates[0][0]}: {last_error}")
        raise SessionError(no_shell_message(self._candidates, last_error))

    def read(self) -> bytes:
        process = self._process
        if process is None:
            return self.finish(SessionEnd("not started"))
        try:
            data: bytes = process.read(READ_SIZE)
            return data
        except (EOFError, OSError):
            pass
        with contextlib.suppress(Exception):
            process.wait()
        if process.signalstatus:
            name = signal.Signals(process.signalstatus).name
            return self.finish(SessionEnd(f"killed by {name}"))
        code = process.exitstatus
        if code is None:
            return self.finish(SessionEnd("the terminal closed"))
        return self.finish(SessionEnd("exited" if code == 0 else f"exit code {code}", code))

    def write(self, data: bytes) -> None:
        process = self._process
        if process is None or self.end is not None:
            return
        with contextlib.suppress(OSError):
            process.write(data)

    def resize(self, columns: int, lines: int) -> None:
        process = self._process
        if process is None or self.end is not None:
            return
        with contextlib.suppress(OSError):
            process.setwinsize(lines, columns)

    def close(self) -> None:
        """SIGHUP, as a closing terminal sends; SIGKILL a moment later if the program ignored it."""
        self.closing = True
        process = self._process
        if process is None or self.end is not None:
            return
        pid = process.pid
        for sig in (signal.SIGHUP, signal.SIGCONT):
            try:
                os.kill(pid, sig)
            except OSError:
                return

        def kill_later() -> None:
            time.sleep(KILL_AFTER_S)
            if self.end is None:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)

        threading.Thread(target=kill_later, name="pty-kill", daemon=True).start()
