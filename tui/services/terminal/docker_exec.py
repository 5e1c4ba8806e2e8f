"""`docker exec -it` through the Engine API: exec_create, exec_start on a hijacked socket, exec_resize.

Used for the interactive image build: a shell in the build container. The engine does not end an exec's process
when its connection closes, so closing a session hangs the process up (SIGHUP, as a closing terminal does) when
the engine runs on this machine. A shell killed with its container says what became of the container (committed
and removed, stopped) rather than "killed by signal 9".
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
from typing import Any

from docker.errors import APIError, NotFound

from tui.services.docker.engine import DockerService
from tui.services.images.images import is_build_container
from tui.services.terminal.container_fate import container_fate
from tui.services.terminal.session import (
    DEFAULT_SHELLS,
    SessionEnd,
    SessionError,
    TerminalSession,
    is_not_found,
    no_shell_message,
)

READ_SIZE = 1 << 16
_START_FAILED = b"OCI runtime exec failed"


class DockerExecSession(TerminalSession):
    """A new process (bash, else sh, or the given command) in a running container, with a TTY."""

    def __init__(
        self,
        docker: DockerService,
        container_id: str,
        commands: list[tuple[str, ...]] | None = None,
        title: str | None = None,
    ) -> None:
        super().__init__()
        self._docker = docker
        self.container_id = container_id
        self._candidates = list(commands or DEFAULT_SHELLS)
        self._attempt = 0
        self._size = (80, 24)
        self._api: Any = None
        self._exec_id: str | None = None
        self._sock: socket.socket | None = None
        self._held = b""
        self._unconfirmed: list[bytes] = []
        self._seen_output = False
        self.title = title or f"docker {container_id[:12]}"
        self._named = title is not None
        self.image = ""  # the container's image as it was named when created (a shell choice is kept for it)
        self.container_name = ""  # as the engine names it, known once open (an interactive build's: k8sx-build-…)
        self.build_container = False  # one of the app's interactive builds (by its label or its name), once open
        self._created = ""  # the container's creation, in the engine's time (its events from then on)

    def open(self, columns: int, lines: int) -> None:
        self._size = (columns, lines)
        try:
            self._api = self._docker.client().api
        except Exception as exc:
            raise SessionError(self._docker.explain(exc)) from exc
        with contextlib.suppress(Exception):  # a container that is not there says so in _start
            info = self._api.inspect_container(self.container_id)
            self.image = str(info["Config"]["Image"] or "")
            self.container_name = str(info.get("Name") or "").lstrip("/")
            self.build_container = is_build_container(self.container_name, info["Config"].get("Labels"))
            if not self._named and self.container_name:
                self.title = f"docker {self.container_name}"  # as the Images screen names a build container
            self._created = str(info.get("Created") or "")
        self._start()

    def _start(self) -> None:
        self.command = self._candidates[self._attempt]
        try:
            created = self._api.exec_create(
                self.container_id,
                list(self.command),
                stdin=True,
                tty=True,
                environment={"TERM": "xterm-256color"},
            )
            self._exec_id = str(created["Id"])
            hijacked = self._api.exec_start(self._exec_id, socket=True, tty=True)
        except NotFound as exc:
            raise SessionError(f"no such container {self.container_id[:12]} ({exc.explanation})") from exc
        except APIError as exc:
            raise SessionError(f"cannot exec in {self.container_id[:12]}: {exc.explanation or exc}") from exc
        except Exception as exc:
            raise SessionError(self._docker.explain(exc)) from exc
        raw = getattr(hijacked, "_sock", hijacked)
        raw.settimeout(None)  # the client's short API timeout must not end a quiet shell
        self._sock = raw
        self._seen_output = False
        self._held = b""
        self.resize(*self._size)

    def read(self) -> bytes:
        sock = self._sock
        if sock is None:
            return self.finish(SessionEnd("not connected"))
        while True:
            try:
                data = sock.recv(READ_SIZE)
            except OSError as exc:
                data = b""
                if not self.closing:
                    return self._ended(f"connection lost: {exc}")
            if not data:
                return self._ended("")
            if not self._seen_output and (self._held or data.startswith(_START_FAILED)):
                self._held += data  # maybe the engine saying the shell is not there: wait for the end to know
                continue
            self._seen_output = True
            self._unconfirmed.clear()
            return data

    def _ended(self, lost: str) -> bytes:
        self._shut()
        if self.closing:
            return self.finish(SessionEnd("closed"))
        exit_code, running = self._exit_code()
        message = self._held.decode(errors="replace").strip()
        if not self._seen_output and exit_code in (126, 127) and is_not_found(message):
            if self._attempt + 1 < len(self._candidates):
                self._attempt += 1
                try:
                    self._start()
                except SessionError as exc:
                    return self.finish(SessionEnd(str(exc)))
                for data in self._unconfirmed:
                    self.write(data)
                return self.read()
            return self.finish(SessionEnd(no_shell_message(self._candidates, message)))
        killed = not lost and (exit_code is None or exit_code > 128)
        if killed and (fate := container_fate(self._api, self.container_id, self._created)):
            return self.finish(SessionEnd(fate, exit_code))  # killed with its container: say what became of it
        if lost and (running or exit_code is None):
            return self.finish(SessionEnd(lost))
        if exit_code is None:
            return self.finish(SessionEnd(lost or "the container is gone"))
        if exit_code > 128:
            return self.finish(SessionEnd(f"killed by signal {exit_code - 128} (exit code {exit_code})", exit_code))
        return self.finish(SessionEnd("exited" if exit_code == 0 else f"exit code {exit_code}", exit_code))

    def _exit_code(self) -> tuple[int | None, bool]:
        """The exec's exit code once the engine has it (it may lag the socket's end by a moment)."""
        if self._exec_id is None:
            return None, False
        for _ in range(20):
            try:
                info = self._api.exec_inspect(self._exec_id)
            except Exception:
                return None, False
            if not info.get("Running"):
                code = info.get("ExitCode")
                return (int(code) if code is not None else None), False
            time.sleep(0.05)
        return None, True

    def write(self, data: bytes) -> None:
        sock = self._sock
        if sock is None or self.end is not None:
            return
        if not self._seen_output:
            self._unconfirmed.append(data)
        with contextlib.suppress(OSError):  # the reader reports a broken connection
            sock.sendall(data)

    def resize(self, columns: int, lines: int) -> None:
        self._size = (columns, lines)
        exec_id = self._exec_id
        if exec_id is None or self.end is not None:
            return

        def send() -> None:
            with contextlib.suppress(Exception):
                self._api.exec_resize(exec_id, height=lines, width=columns)

        threading.Thread(target=send, name="docker-exec-resize", daemon=True).start()

    def close(self) -> None:
        """Hang up this exec's process (not the container), then drop the connection."""
        self.closing = True
        exec_id = self._exec_id
        if exec_id is not None and self._api is not None:
            try:
                info = self._api.exec_inspect(exec_id)
                pid = int(info.get("Pid") or 0)
                if info.get("Running") and pid > 0 and _is_local(self._docker.host):
                    hang_up_session(pid)
            except Exception:
                pass
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _shut(self) -> None:
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.close()


def hang_up_session(leader: int) -> None:
    """What a terminal's hangup does: SIGHUP (and SIGCONT, for stopped jobs) to every process of the session
    that `leader` leads - the shell and the jobs it runs."""
    members = [leader]
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == leader:
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if len(fields) > 3 and int(fields[3]) == leader:
            members.append(int(entry))
    for pid in members:
        for sig in (signal.SIGHUP, signal.SIGCONT):
            with contextlib.suppress(OSError):
                os.kill(pid, sig)


def _is_local(host: str) -> bool:
    """An engine on this machine (its process ids are ours to signal)."""
    return host.startswith(("unix://", "npipe://")) or host.startswith(("tcp://127.", "tcp://localhost"))
