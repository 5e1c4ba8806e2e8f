"""A non-TTY exec over SPDY/3.1 (remote command protocol v4), the way client-go's SPDY executor does it.

Used for bulk byte streams (tar over exec) because the API server passes a SPDY exec through untouched, while a
websocket one is translated frame by frame (tui/services/exec/spdy_frames.py says what that costs). A server that does
not take the upgrade (a proxy that passes websockets only, a server without SPDY) raises SpdyRefused before
anything ran: the caller uses a websocket then. Closing stdin is a FIN on its stream, as v4 allows.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Iterator, Sequence
from urllib.parse import quote, urlencode, urlparse

from tui.services.exec.outcome import ExecFailed, ExecOutcome, connection_cut, outcome_of, status_of
from tui.services.exec.socket_turns import SocketTurns
from tui.services.exec.spdy_frames import (
    DATA,
    PING,
    RST_STREAM,
    SYN_REPLY,
    Frame,
    FrameReader,
    HeaderCompressor,
    ProtocolError,
    data_header,
    ping,
    syn_stream,
)
from tui.services.exec.upgrade import UpgradeRefused, upgrade_to_spdy
from tui.services.kube.kube import KubeService

PROTOCOL = "v4.channel.k8s.io"
WRITE_PIECE = 1 << 20
ERROR, STDIN, STDOUT, STDERR = "error", "stdin", "stdout", "stderr"


class SpdyRefused(Exception):
    """The server did not take a SPDY exec; nothing ran in the pod."""


class SpdyExec:
    """One exec, as pod_exec_stream.ExecStream: write, close_stdin, stdout, stderr_so_far, outcome, close."""

    def __init__(
        self,
        kube: KubeService,
        namespace: str,
        pod: str,
        command: Sequence[str],
        container: str | None = None,
        stdin: bool = False,
    ) -> None:
        configuration = kube.new_api_client().configuration
        if configuration.refresh_api_key_hook is not None:
            configuration.refresh_api_key_hook(configuration)  # exec plugins: a token valid now
        if configuration.proxy:  # the kubeconfig's proxy-url: the websocket client knows how to go through one
            raise SpdyRefused("a proxy is configured")
        query: list[tuple[str, str]] = [("command", part) for part in command]
        query += [("stdin", "true" if stdin else "false"), ("stdout", "true"), ("stderr", "true"), ("tty", "false")]
        if container:
            query.append(("container", container))
        server = urlparse(configuration.host)
        path = f"{server.path.rstrip('/')}/api/v1/namespaces/{quote(namespace)}/pods/{quote(pod)}/exec"
        headers = {}
        bearer = configuration.auth_settings().get("BearerToken")
        if bearer and bearer.get("value"):
            headers["Authorization"] = bearer["value"]
        try:
            sock, leftover = upgrade_to_spdy(configuration, server, f"{path}?{urlencode(query)}", headers, PROTOCOL)
        except UpgradeRefused as exc:
            raise SpdyRefused(str(exc)) from exc
        self._socket = SocketTurns(sock)  # a ping's answer from the reading thread never lands inside a frame
        self._reader = FrameReader(self._socket, leftover)
        kinds = [ERROR, STDIN, STDOUT, STDERR] if stdin else [ERROR, STDOUT, STDERR]
        self._ids = {kind: 1 + 2 * index for index, kind in enumerate(kinds)}  # a client's streams are odd
        self._kinds = {stream_id: kind for kind, stream_id in self._ids.items()}
        self._open = set(self._ids.values())  # streams the server may still send on
        self._stdout: deque[memoryview] = deque()
        self._stderr = bytearray()
        self._error = bytearray()
        self._closed = False
        self._lost = ""
        compressor = HeaderCompressor()
        try:
            for kind, stream_id in self._ids.items():
                self._send(syn_stream(stream_id, compressor.block({"streamType": kind})))
            self._await_replies()
            self._socket.settimeout(None)  # a command may say nothing for hours; a cut connection still ends it
        except OSError as exc:
            self.close()
            raise SpdyRefused(f"the server closed the exec before its streams were open: {exc}") from exc
        except BaseException:
            self.close()
            raise

    def _await_replies(self) -> None:
        waiting = set(self._ids.values())
        while waiting:
            frame = self._next_frame()
            if frame is None:
                raise SpdyRefused(f"the server closed the exec before its streams were open: {self._lost}")
            if frame.kind == SYN_REPLY:
                waiting.discard(frame.stream_id)
            elif frame.kind == RST_STREAM and frame.stream_id in waiting:
                raise SpdyRefused(f"the server refused the exec's {self._kinds[frame.stream_id]} stream")

    # ---------------------------------------------------------------- stdin

    def write(self, data: bytes) -> None:
        stream_id = self._ids.get(STDIN)
        if stream_id is None:
            raise ExecFailed("this exec has no stdin")
        view = memoryview(data)
        try:
            for start in range(0, len(view), WRITE_PIECE):
                piece = view[start : start + WRITE_PIECE]
                self._socket.sendall(data_header(stream_id, len(piece)), piece)
        except OSError as exc:
            raise ExecFailed(connection_cut(exc)) from exc

    def close_stdin(self) -> None:
        stream_id = self._ids.get(STDIN)
        if stream_id is not None:
            try:
                self._send(data_header(stream_id, 0, fin=True))
            except OSError as exc:
                raise ExecFailed(connection_cut(exc)) from exc

    # ---------------------------------------------------------------- output

    def stdout(self) -> Iterator[memoryview]:
        """Chunks of stdout until the command ends; stderr and the status are kept for `outcome()`."""
        while True:
            while self._stdout:
                yield self._stdout.popleft()
            if self._ids[STDOUT] not in self._open or self._next_frame() is None:
                return

    @property
    def stderr_so_far(self) -> bytes:
        return bytes(self._stderr)

    def outcome(self) -> ExecOutcome:
        for _ in self.stdout():
            pass
        while self._open & {self._ids[ERROR], self._ids[STDERR]} and self._next_frame() is not None:
            pass
        status = status_of(bytes(self._error)) if self._error else None
        return outcome_of(status, bytes(self._stderr), self._lost)

    def _next_frame(self) -> Frame | None:
        """Read and file away one frame; None once the connection has ended."""
        if self._closed:
            return None
        try:
            frame = self._reader.frame()
        except (OSError, ProtocolError) as exc:
            frame, self._lost = None, connection_cut(exc)
        if frame is None:
            self._closed = True
            self._open.clear()
            self._lost = self._lost or connection_cut(ConnectionResetError())
            return None
        kind = self._kinds.get(frame.stream_id)
        if frame.kind == DATA and kind is not None:
            if frame.payload:
                if kind == STDOUT:
                    self._stdout.append(memoryview(frame.payload))
                elif kind == STDERR:
                    self._stderr += frame.payload
                elif kind == ERROR:
                    self._error += frame.payload
            if frame.fin:
                self._open.discard(frame.stream_id)
        elif (frame.kind == SYN_REPLY and frame.fin) or frame.kind == RST_STREAM:
            self._open.discard(frame.stream_id)
        elif frame.kind == PING:
            with contextlib.suppress(OSError):  # a cut connection: the next read says so
                self._send(ping(int.from_bytes(frame.payload[:4], "big")))
        return frame  # settings, window updates (spdystream has no flow control) and goaway need nothing

    def _send(self, data: bytes) -> None:
        self._socket.sendall(data)

    def close(self) -> None:
        self._closed = True
        self._socket.close()
