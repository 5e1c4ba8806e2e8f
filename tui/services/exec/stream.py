"""A non-TTY exec in a pod with raw access to its channels, for bulk byte streams (tar over exec).

`open_exec` opens one over SPDY (tui/services/exec/spdy.py: passed through by the API server, where a websocket
is translated) and, when the server does not take that, over a websocket (v5: stdin can be closed). Both give
stdout as chunks as they come, stderr, and the exit status from the error channel.

The client's own WSClient keeps every byte it ever received in memory (for read_all) and grows bytes by
concatenation; moving gigabytes of results through it is not an option: WebsocketExec reads the frames itself.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator, Sequence
from typing import Protocol

from kubernetes import client as k8s
from kubernetes.stream.ws_client import create_websocket, get_websocket_url
from websocket import ABNF, WebSocket

from tui.services.exec.outcome import ExecFailed, ExecOutcome, connection_cut, outcome_of, status_of
from tui.services.exec.socket_turns import SocketTurns
from tui.services.exec.spdy import SpdyExec, SpdyRefused
from tui.services.exec.ws_frames import MessageReader, zero_masked_header
from tui.services.kube.kube import KubeService

__all__ = ["ExecFailed", "ExecOutcome", "ExecStream", "connection_cut", "open_exec", "run"]

STDIN, STDOUT, STDERR, ERROR, RESIZE = 0, 1, 2, 3, 4
CLOSE_SIGNAL = 255
V5_PROTOCOL = "v5.channel.k8s.io"


class ExecStream(Protocol):
    def write(self, data: bytes) -> None: ...

    def close_stdin(self) -> None: ...

    def stdout(self) -> Iterator[memoryview]: ...

    @property
    def stderr_so_far(self) -> bytes: ...

    def outcome(self) -> ExecOutcome: ...

    def close(self) -> None: ...


def open_exec(
    kube: KubeService,
    namespace: str,
    pod: str,
    command: Sequence[str],
    container: str | None = None,
    stdin: bool = False,
) -> ExecStream:
    """An exec over SPDY, else over a websocket (whose refusal, if it comes to that, is the one in words)."""
    if kube.exec_protocol != "websocket":
        try:
            return SpdyExec(kube, namespace, pod, command, container, stdin)
        except SpdyRefused:
            pass
    return WebsocketExec(kube, namespace, pod, command, container, stdin)


class WebsocketExec:
    def __init__(
        self,
        kube: KubeService,
        namespace: str,
        pod: str,
        command: Sequence[str],
        container: str | None = None,
        stdin: bool = False,
    ) -> None:
        api = kube.new_api_client()
        configuration = api.configuration
        if configuration.refresh_api_key_hook is not None:
            configuration.refresh_api_key_hook(configuration)  # exec plugins: a token valid now
        params: list[tuple[str, object]] = [("command", list(command)), ("stdout", "true"), ("stderr", "true")]
        params.append(("stdin", "true" if stdin else "false"))
        params.append(("tty", "false"))
        if container:
            params.append(("container", container))
        url = get_websocket_url(  # type: ignore[no-untyped-call]
            f"{configuration.host}/api/v1/namespaces/{namespace}/pods/{pod}/exec", params
        )
        headers = {}
        bearer = configuration.auth_settings().get("BearerToken")
        if bearer and bearer.get("value"):
            headers["authorization"] = bearer["value"]
        try:
            self._socket: WebSocket = create_websocket(configuration, url, headers)  # type: ignore[no-untyped-call]
        except Exception as exc:
            raise ExecFailed(_handshake_problem(exc, kube, namespace, pod)) from exc
        self._v5 = _subprotocol(self._socket) == V5_PROTOCOL
        if self._socket.sock is None:
            raise ExecFailed("the connection to the pod closed at once")
        self._turns = SocketTurns(self._socket.sock, write_lock=self._socket.lock)  # pongs take the same lock
        self._messages = MessageReader(self._socket, source=self._turns)
        self._stderr = bytearray()
        self._status: dict[str, object] | None = None
        self._closed = False
        self._lost: str = ""  # why the stream ended without a close frame, if it did

    # ---------------------------------------------------------------- stdin

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        try:
            for start in range(0, len(view), 1 << 20):
                piece = view[start : start + (1 << 20)]
                self._turns.sendall(zero_masked_header(len(piece) + 1) + bytes([STDIN]), piece)  # not joined: no copy
        except Exception as exc:  # websocket-client raises its own and OSError subclasses alike
            raise ExecFailed(connection_cut(exc)) from exc

    def close_stdin(self) -> None:
        """End of input for the remote command (v5); on v4 servers the only way is closing the whole stream."""
        if self._v5:
            try:
                self._socket.send(bytes([CLOSE_SIGNAL, STDIN]), ABNF.OPCODE_BINARY)  # takes the socket's lock
            except Exception as exc:
                raise ExecFailed(connection_cut(exc)) from exc

    # ---------------------------------------------------------------- output

    def stdout(self) -> Iterator[memoryview]:
        """Chunks of stdout until the command ends (views of the messages: no copy of a bulk stream's bytes);
        stderr and the exit status are kept for `outcome()`."""
        while not self._closed:
            try:
                message = self._messages.message()
            except Exception as exc:
                self._closed = True
                self._lost = connection_cut(exc)
                return
            if message is None:
                self._closed = True
                self._lost = self._lost or connection_cut(ConnectionResetError())
                return
            opcode, data = message
            if opcode == ABNF.OPCODE_CLOSE:
                self._closed = True
                return
            if not data:
                continue
            channel, payload = data[0], memoryview(data)[1:]
            if channel == STDOUT:
                if payload:
                    yield payload
            elif channel == STDERR:
                self._stderr += payload
            elif channel == ERROR:
                self._status = status_of(bytes(payload))

    @property
    def stderr_so_far(self) -> bytes:
        return bytes(self._stderr)

    def outcome(self) -> ExecOutcome:
        for _ in self.stdout():  # drain what is left
            pass
        return outcome_of(self._status, bytes(self._stderr), self._lost)

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(Exception):  # the peer may be gone already
            self._socket.send_close()  # not close(): that reads the answer, which is the reading thread's job
        self._turns.close(closer=self._socket.shutdown)


def _subprotocol(socket: WebSocket) -> str | None:
    """The channel protocol the server chose (some websocket-client versions only expose it as a header)."""
    chosen = getattr(socket, "subprotocol", None)
    if chosen:
        return str(chosen)
    for key, value in (socket.getheaders() or {}).items():
        if key.lower() == "sec-websocket-protocol":
            return str(value)
    return None


_FINISHED = re.compile(r"completed pod; current phase is (\w+)")
_CONTAINER_GONE = re.compile(r"container not found|container .* is not running", re.I)


def finished_phase(kube: KubeService, namespace: str, pod: str) -> str:
    """Succeeded or Failed when the pod has finished, else "" (also when it cannot be read: best effort)."""
    try:
        status = k8s.CoreV1Api(kube.api_client()).read_namespaced_pod(pod, namespace, _request_timeout=10).status
    except Exception:
        return ""
    phase = status.phase if status is not None else None
    return str(phase) if phase in ("Succeeded", "Failed") else ""


def container_exited(message: str, namespace: str, pod: str, phase: str = "") -> str | None:
    """The refusal of an exec in words when it means the container has exited; None otherwise. The kubelet
    answers `container not found ("main")` (HTTP 500); some API servers refuse a finished pod themselves."""
    if found := _FINISHED.search(message):
        phase = found.group(1)
    elif not _CONTAINER_GONE.search(message):
        return None
    if phase:
        return (
            f"the container has exited: pod {namespace}/{pod} has finished ({phase}), so nothing can run in it "
            "any more (its logs and its volume's results are still there)"
        )
    return f"the container has exited or is not running in pod {namespace}/{pod} ({message.strip()})"


def handshake_message(exc: BaseException) -> str:
    """The Status message in the body of a refused websocket upgrade, else the error itself."""
    body = getattr(exc, "resp_body", None)
    if isinstance(body, bytes):
        body = body.decode(errors="replace")
    if body:
        try:
            data = json.loads(body)
        except ValueError:
            return str(body).strip()
        if isinstance(data, dict) and data.get("message"):
            return str(data["message"])
    return str(exc)


def _handshake_problem(exc: BaseException, kube: KubeService, namespace: str, pod: str) -> str:
    status = getattr(exc, "status_code", None)
    if status == 404:
        return f"pod {namespace}/{pod} not found"
    if status == 403:
        return f"forbidden: cannot exec into {namespace}/{pod}"
    message = handshake_message(exc)
    if _CONTAINER_GONE.search(message):
        return container_exited(message, namespace, pod, finished_phase(kube, namespace, pod)) or message
    return container_exited(message, namespace, pod) or f"cannot exec into {namespace}/{pod}: {message.strip()}"


def run(
    kube: KubeService, namespace: str, pod: str, command: Sequence[str], container: str | None = None
) -> tuple[bytes, ExecOutcome]:
    """Run a short command to completion: its stdout and outcome."""
    stream = open_exec(kube, namespace, pod, command, container)
    try:
        output = b"".join(stream.stdout())
        return output, stream.outcome()
    finally:
        stream.close()
