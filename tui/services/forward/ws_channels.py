"""One forwarded connection over the kubelet's own websocket channels (`v4.channel.k8s.io`, `?ports=N`): channel 0
carries the data, channel 1 the kubelet's error words; each starts with the port (2 bytes, little-endian). A
websocket carries one connection only, and the local side cannot half-close: the last resort of the fallbacks."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from websocket import ABNF, WebSocket

from tui.services.exec.outcome import connection_cut
from tui.services.exec.socket_turns import SocketTurns
from tui.services.exec.ws_frames import MessageReader, zero_masked_header

DATA, ERROR = 0, 1
WRITE_PIECE = 1 << 20


class ChannelPair:
    def __init__(self, ws: WebSocket) -> None:
        if ws.sock is None:
            raise ConnectionResetError("the websocket is closed")
        self._ws = ws
        self._turns = SocketTurns(ws.sock, write_lock=ws.lock)  # the reader answers pings under the same lock
        self._messages = MessageReader(ws, source=self._turns)
        self._error = bytearray()
        self._seen_port = {DATA: False, ERROR: False}
        self.lost = ""

    def send(self, data: bytes | memoryview) -> None:
        view = memoryview(data)
        try:
            for start in range(0, len(view), WRITE_PIECE):
                piece = view[start : start + WRITE_PIECE]
                self._turns.sendall(zero_masked_header(len(piece) + 1) + bytes([DATA]), piece)
        except OSError as exc:  # this connection's own end (one websocket each): its reader says why
            self.lost = connection_cut(exc)

    def close_write(self) -> None:
        """The protocol has no half-close: the pod's side sees the end when the websocket closes."""

    def chunks(self) -> Iterator[bytes | bytearray]:
        while True:
            try:
                message = self._messages.message()
            except Exception as exc:
                self.lost = connection_cut(exc)
                return
            if message is None or message[0] == ABNF.OPCODE_CLOSE:
                return
            payload = message[1]
            if not payload or payload[0] not in (DATA, ERROR):
                continue
            channel, body = payload[0], memoryview(payload)[1:]
            if not self._seen_port[channel]:  # the first message of each channel is its port
                self._seen_port[channel] = True
                body = body[2:]
            if channel == ERROR:
                self._error += body
            elif body:
                yield bytes(body)

    def error_text(self) -> str:
        return self._error.decode(errors="replace").strip() or (
            f"the forward's connection ended: {self.lost}" if self.lost else ""
        )

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._ws.send_close()  # not close(): that reads the answer, which is the reader's job
        self._turns.close(closer=self._ws.shutdown)
