"""Kubernetes exec and attach with a TTY: the websocket channel protocol (v5, or v4) through the API server.

Channels: 0 stdin, 1 stdout, 2 stderr, 3 the exit status (a Status object), 4 resize (JSON Width/Height).
Every session gets its own ApiClient: `kubernetes.stream.stream()` patches the client it is given while it runs.
Closing a shell session ends that exec's process only (hung up by its pid, then the stream closed); the pod's
own processes are never touched. Closing an attach session only closes the stream.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from dataclasses import dataclass
from typing import Any

from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException
from kubernetes.stream import stream
from websocket import ABNF

from tui.services.exec.stream import container_exited, finished_phase
from tui.services.exec.ws_frames import MessageReader
from tui.services.kube.kube import KubeService
from tui.services.terminal.pod_fate import pod_fate, pod_uid
from tui.services.terminal.session import (
    DEFAULT_SHELLS,
    SessionEnd,
    SessionError,
    TerminalSession,
    describe_command,
    is_not_found,
    no_shell_message,
)

STDIN, STDOUT, STDERR, STATUS, RESIZE = 0, 1, 2, 3, 4
# Each shell starts under `sh -c` that first tells the terminal its process id (in an OSC string the session
# takes out of the output) and exits 127 without a word when the shell is not there. Closing a tab can then hang
# up exactly that process: runtimes (kwok's, and others) may leave an exec's process running when its stream
# ends. An image without sh gets the shell started directly (then closing relies on the runtime).
_PID_MARK = b"\x1b]5379;k8sx;"
ANNOUNCE = 'command -v "$1" >/dev/null 2>&1 || exit 127; printf "\\033]5379;k8sx;%s\\007" "$$"; exec "$@"'


def announced(command: tuple[str, ...]) -> list[str]:
    """The command as started: under sh, announcing its pid first."""
    return ["sh", "-c", ANNOUNCE, "sh", *command]


HANG_UP_TIMEOUT_S = 10
# The stream is read a TLS record at a time, not a header's worth, and the frames whole in what was read are handed
# on in one batch of at most BATCH. (The API server writes a 4 KB frame of a TTY's output as two records, header and
# payload: each read still gives the GIL up once; measured in bench/README.md.)
READ_SIZE = 1 << 16
BATCH = 1 << 18
ATTACH_WARNING = (
    "attached to the main process of {target}: ctrl-d, exit or ctrl-c here END THE CONTAINER. "
    "Leave with ctrl+] instead (the process keeps running)."
)


@dataclass(frozen=True)
class PodContainers:
    """What a terminal needs to know of a pod: its containers, the default one, and how each was started."""

    names: list[str]
    default: str | None
    tty: dict[str, bool]
    stdin: dict[str, bool]
    phase: str


def pod_containers(kube: KubeService, namespace: str, name: str) -> PodContainers:
    """The pod's containers (for the container picker); raises SessionError in words."""
    try:
        pod = k8s.CoreV1Api(kube.api_client()).read_namespaced_pod(name, namespace, _request_timeout=15)
    except Exception as exc:
        raise SessionError(f"cannot read pod {namespace}/{name}: {kube.explain(exc)}") from exc
    containers = list(pod.spec.containers or []) if pod.spec else []
    annotations = (pod.metadata.annotations if pod.metadata else None) or {}
    names = [str(c.name) for c in containers]
    default = annotations.get("kubectl.kubernetes.io/default-container")
    return PodContainers(
        names=names,
        default=default if default in names else (names[0] if names else None),
        tty={str(c.name): bool(c.tty) for c in containers},
        stdin={str(c.name): bool(c.stdin) for c in containers},
        phase=str(pod.status.phase if pod.status else ""),
    )


def explain_stream_error(kube: KubeService, exc: BaseException, namespace: str = "", pod: str = "") -> str:
    """Why an exec/attach websocket could not open. The client folds the HTTP answer into the reason
    ("Handshake status 400 Bad Request -+-+- headers -+-+- body"); the Status body says it best, and a finished
    pod is said as such ("the container has exited")."""
    if isinstance(exc, ApiException) and exc.status == 0 and "Handshake status" in str(exc.reason):
        head, *_rest, body = str(exc.reason).split(" -+-+- ")
        try:
            message = str(json.loads(body).get("message", ""))
        except (ValueError, AttributeError):
            message = body.strip()  # the kubelet answers in plain text: `container not found ("main")`
        status = head.replace("Handshake status", "HTTP").strip()
        if container_exited(message, namespace, pod) is not None:
            return container_exited(message, namespace, pod, finished_phase(kube, namespace, pod)) or message
        return message or status
    if isinstance(exc, ApiException) and exc.status == 0:
        return f"cannot reach the API server: {exc.reason}"
    return kube.explain(exc)


def end_from_status(status: dict[str, Any]) -> SessionEnd:
    """The exit status sent on channel 3, in words."""
    if status.get("status") == "Success":
        return SessionEnd("exited", 0)
    message = str(status.get("message", ""))
    causes = (status.get("details") or {}).get("causes") or []
    if status.get("reason") == "NonZeroExitCode":
        for cause in causes:
            if cause.get("reason") == "ExitCode" and str(cause.get("message", "")).isdigit():
                code = int(cause["message"])
                if code > 128:
                    return SessionEnd(f"killed by signal {code - 128} (exit code {code})", code)
                return SessionEnd(f"exit code {code}", code)
    if found := re.search(r"exit status (\d+)", message):  # kwok's local exec words it as Go's os/exec does
        code = int(found.group(1))
        return SessionEnd(f"exit code {code}", code)
    if found := re.search(r"signal: [\w ]+", message):
        return SessionEnd(f"the process was killed ({found.group(0).strip()})")
    return SessionEnd(message or "the process ended")


class KubeExecSession(TerminalSession):
    """`kubectl exec -it` (a new process: bash, else sh) or `kubectl attach -it` (the container's main process)."""

    def __init__(
        self,
        kube: KubeService,
        namespace: str,
        pod: str,
        container: str | None = None,
        commands: list[tuple[str, ...]] | None = None,
        attach: bool = False,
    ) -> None:
        super().__init__()
        self._kube = kube
        self.namespace = namespace
        self.pod = pod
        self.container = container
        self.attach = attach
        self._candidates = list(commands or DEFAULT_SHELLS)
        self._attempt = 0
        self._announce = True  # start shells under sh (off once sh turns out to be missing)
        self._awaiting_pid = False
        self._held = b""  # output held while the announcement may still be coming
        self._shell_pid = 0
        self._hang_up_thread: threading.Thread | None = None
        self._size = (80, 24)
        self._api: k8s.CoreV1Api | None = None
        self._ws: Any = None
        self._messages: MessageReader | None = None  # the stream's frames, read off its socket
        self._lost = ""  # how the stream ended, once it has
        self._status: dict[str, Any] | None = None
        self._seen_output = False
        self._unconfirmed: list[bytes] = []  # typed before the shell said anything: replayed if it is replaced
        self._tty = True
        self._pod_uid = ""  # to tell the pod deleted or replaced under the session from only the shell dying
        where = f"{namespace}/{pod}" + (f" ({container})" if container else "")
        self.title = f"{'attach' if attach else 'shell'} {where}"
        if attach:
            self.warning = ATTACH_WARNING.format(target=where)

    # ---------------------------------------------------------------- connecting

    def open(self, columns: int, lines: int) -> None:
        self._size = (columns, lines)
        try:
            self._api = k8s.CoreV1Api(self._kube.new_api_client())
        except Exception as exc:
            raise SessionError(self._kube.explain(exc)) from exc
        if self.attach:
            self._prepare_attach()
        self._pod_uid = pod_uid(self._kube, self.namespace, self.pod)
        self._connect()

    def _prepare_attach(self) -> None:
        """Attach as the container was started: with a TTY only if it has one, input only if it takes stdin."""
        info = pod_containers(self._kube, self.namespace, self.pod)
        container = self.container or info.default
        if container is None:
            raise SessionError(f"pod {self.namespace}/{self.pod} has no containers")
        self.container = container
        self._tty = info.tty.get(container, False)
        self.read_only = not info.stdin.get(container, False)
        if self.read_only:
            self.warning = (
                f"attached to the main process of {self.namespace}/{self.pod} ({container}): it has no stdin, "
                "so this shows its output only. Leave with ctrl+] or close the tab; the process keeps running."
            )

    def _connect(self) -> None:
        assert self._api is not None
        options: dict[str, Any] = {
            "stdin": not self.read_only,
            "stdout": True,
            "stderr": not self._tty,  # with a TTY, stderr arrives through it
            "tty": self._tty,
            "_preload_content": False,
            "binary": True,
        }
        if self.container:
            options["container"] = self.container
        try:
            if self.attach:
                self.command = ()
                self._ws = stream(self._api.connect_get_namespaced_pod_attach, self.pod, self.namespace, **options)
            else:
                self.command = self._candidates[self._attempt]
                self._awaiting_pid = self._announce
                self._ws = stream(
                    self._api.connect_get_namespaced_pod_exec,
                    self.pod,
                    self.namespace,
                    command=announced(self.command) if self._announce else list(self.command),
                    **options,
                )
        except Exception as exc:
            raise SessionError(explain_stream_error(self._kube, exc, self.namespace, self.pod)) from exc
        self._messages = MessageReader(self._ws.sock, read_size=READ_SIZE)
        self._status = None
        self._seen_output = False
        if self._tty:
            self.resize(*self._size)

    # ---------------------------------------------------------------- the stream

    def read(self) -> bytes:
        """The output of the frames received (at least one's, and those already read with it: one batch)."""
        messages = self._messages
        if messages is None:
            return self.finish(SessionEnd("not connected"))
        batch: list[bytes] = []
        held = 0
        while not batch or (held < BATCH and messages.holds_frame()):
            output = self._next_output(messages)
            if output is None:  # the stream ended: what came before the end is read first
                return b"".join(batch) if batch else self._stream_ended(self._lost)
            if output:
                batch.append(output)
                held += len(output)
        return b"".join(batch)

    def _next_output(self, messages: MessageReader) -> bytes | None:
        """The output of the next frame (b"" for one of another channel); None when the stream has ended, with
        `_lost` saying how."""
        try:
            message = messages.message()
        except Exception as exc:
            self._lost = f"connection lost: {exc or type(exc).__name__}"
            return None
        if message is None:
            self._lost = "connection lost: the connection to the API server ended"
            return None
        opcode, data = message
        if opcode == ABNF.OPCODE_CLOSE:
            self._lost = "connection closed by the API server"
            return None
        if len(data) < 2:
            return b""
        channel = data[0]
        if channel in (STDOUT, STDERR):
            output = bytes(memoryview(data)[1:])
            if self._awaiting_pid:
                output = self._take_announcement(output)
                if self._awaiting_pid:
                    return b""  # part of the announcement: more is coming
                self._seen_output = True
                held, self._unconfirmed = self._unconfirmed, []
                for typed in held:  # the shell is there now: what was typed meanwhile goes to it
                    self._send(STDIN, typed)
                if not output:
                    return b""
            self._seen_output = True
            self._unconfirmed.clear()
            # Without a TTY nobody turns LF into CR LF (a local terminal's line discipline would).
            return output if self._tty else output.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        if channel == STATUS:
            try:
                self._status = json.loads(bytes(data[1:]))
            except ValueError:
                self._status = {"status": "Failure", "message": bytes(data[1:]).decode(errors="replace")}
        return b""

    def _take_announcement(self, output: bytes) -> bytes:
        """The first output is `ESC ] 5379;k8sx;PID BEL`: keep the pid, pass on the rest."""
        held = self._held + output
        complete = held.find(b"\x07", len(_PID_MARK)) if held.startswith(_PID_MARK) else -1
        if complete < 0 and _PID_MARK.startswith(held[: len(_PID_MARK)]) and len(held) < 256:
            self._held = held
            return b""
        self._awaiting_pid = False
        self._held = b""
        if complete < 0:
            return held  # not the announcement after all: show everything
        pid = held[len(_PID_MARK) : complete].decode(errors="replace")
        self._shell_pid = int(pid) if pid.isdigit() else 0
        return held[complete + 1 :]

    def _stream_ended(self, lost: str) -> bytes:
        self._shut()
        if self.closing:
            return self.finish(SessionEnd("closed"))
        if self._status is None:
            return self._cut_off(SessionEnd(lost))
        end = end_from_status(self._status)
        if self.attach or self._seen_output:
            return self._cut_off(end) if end.exit_code is None or end.exit_code > 128 else self.finish(end)
        program_missing = end.exit_code is None and is_not_found(end.reason)
        if self._announce and program_missing:  # no sh: start the shells directly
            self._announce = False
            return self._retry()
        if (self._announce and end.exit_code == 127) or program_missing:
            if self._attempt + 1 < len(self._candidates):
                self._attempt += 1
                return self._retry()
            why = f"{self.command[0]}: not found" if end.exit_code == 127 else end.reason
            return self.finish(SessionEnd(no_shell_message(self._candidates, why)))
        return self.finish(end)

    def _cut_off(self, end: SessionEnd) -> bytes:
        """Killed or disconnected: said as what became of the pod when it was deleted or replaced meanwhile."""
        fate = pod_fate(self._kube, self.namespace, self.pod, self._pod_uid)
        return self.finish(SessionEnd(fate, end.exit_code) if fate else end)

    def _retry(self) -> bytes:
        try:
            self._connect()
        except SessionError as exc:
            return self.finish(SessionEnd(str(exc)))
        # Typed before any output came: sent again to the new process (write keeps it unconfirmed once more, so
        # iterate over a copy - appending to the list being iterated never ended).
        pending, self._unconfirmed = self._unconfirmed, []
        for data in pending:
            self.write(data)
        return self.read()

    def write(self, data: bytes) -> None:
        if self.read_only or self.end is not None or self._ws is None:
            return
        if not self._seen_output:
            self._unconfirmed.append(data)
            if self._awaiting_pid:
                # Held until the shell has announced itself: a TTY echoes keys at once, and that echo must not
                # pass for the shell's output (a missing bash would then end the session instead of falling back).
                return
        self._send(STDIN, data)

    def resize(self, columns: int, lines: int) -> None:
        self._size = (columns, lines)
        if self._tty:
            self._send(RESIZE, json.dumps({"Width": columns, "Height": lines}).encode())

    def _send(self, channel: int, payload: bytes) -> None:
        ws = self._ws
        if ws is None or self.end is not None:
            return
        with contextlib.suppress(Exception):
            ws.sock.send(bytes([channel]) + payload, opcode=ABNF.OPCODE_BINARY)

    def close(self) -> None:
        """End this exec's process only (never the pod's): hang the shell up by its process id when it told us
        (a second, short exec), and close the stream. Attach sessions only close the stream."""
        self.closing = True
        if self._shell_pid and not self.attach and self.end is None and self._hang_up_thread is None:
            self._hang_up_thread = threading.Thread(
                target=self._hang_up, args=(self._shell_pid,), name="exec-hangup", daemon=True
            )
            self._hang_up_thread.start()
        else:
            self._abort()

    def wait_closed(self, timeout: float) -> None:
        if self._hang_up_thread is not None:
            self._hang_up_thread.join(timeout)

    def _hang_up(self, pid: int) -> None:
        """A shell that leads its own session (a real kubelet gives it one) gets SIGHUP, as from a closing
        terminal, and passes it on to its jobs. One that does not (kwok's exec: no session, no job control) gets
        SIGKILL: hung up, bash would signal its jobs' process group - which is then the runtime's own."""
        script = (
            f"if [ \"$(cut -d' ' -f6 /proc/{pid}/stat 2>/dev/null)\" = {pid} ]; "
            f"then kill -HUP {pid} 2>/dev/null || exit 0; else kill -KILL {pid} 2>/dev/null; exit 0; fi; "
            f"for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 {pid} 2>/dev/null || exit 0; sleep 0.2; done; "
            f"kill -KILL {pid} 2>/dev/null; exit 0"
        )
        try:
            assert self._api is not None
            stream(
                self._api.connect_get_namespaced_pod_exec,
                self.pod,
                self.namespace,
                container=self.container,
                command=["sh", "-c", script],
                stdin=False,
                stdout=True,
                stderr=True,
                tty=False,
                _request_timeout=HANG_UP_TIMEOUT_S,
            )
        except Exception:  # best effort: closing the stream below is what is left
            pass
        self._abort()

    def _abort(self) -> None:
        ws = self._ws
        if ws is not None:
            with contextlib.suppress(Exception):
                ws.sock.abort()

    def _shut(self) -> None:
        ws = self._ws
        if ws is not None:
            with contextlib.suppress(Exception):
                ws.sock.shutdown()

    def describe(self) -> str:
        return "main process" if self.attach else describe_command(self.command)
