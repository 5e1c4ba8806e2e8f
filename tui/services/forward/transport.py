"""The byte pipes a port-forward's SPDY frames travel in: the upgraded (TLS) socket itself, or a websocket whose
binary messages carry the SPDY bytes (`SPDY/3.1+portforward.k8s.io`: the API server's tunnel, for proxies and
servers that take websockets only). Both are read by tui/services/exec/spdy_frames.FrameReader."""

from __future__ import annotations

import contextlib
from typing import Protocol

from websocket import ABNF, WebSocket

from tui.services.exec.socket_turns import SocketTurns
from tui.services.exec.ws_frames import MessageReader, zero_masked_header


class Transport(Protocol):
    def recv(self, size: int, /) -> bytes: ...

    def recv_into(self, buffer: memoryview, size: int, /) -> int: ...

    def sendall(self, data: bytes | memoryview, /) -> None: ...

    def close(self) -> None: ...


class WebsocketTransport:
    """SPDY bytes in binary websocket messages, whatever their boundaries."""

    def __init__(self, ws: WebSocket) -> None:
        if ws.sock is None:
            raise ConnectionResetError("the websocket is closed")
        self._ws = ws
        self._turns = SocketTurns(ws.sock, write_lock=ws.lock)  # the reader answers pings under the same lock
        self._messages = MessageReader(ws, source=self._turns)
        self._held = memoryview(b"")

    def _fill(self) -> bool:
        while not self._held:
            message = self._messages.message()
            if message is None or message[0] == ABNF.OPCODE_CLOSE:
                return False
            self._held = memoryview(message[1])
        return True

    def recv(self, size: int, /) -> bytes:
        if not self._fill():
            return b""
        piece, self._held = self._held[:size], self._held[size:]
        return bytes(piece)

    def recv_into(self, buffer: memoryview, size: int, /) -> int:
        if not self._fill():
            return 0
        count = min(size, len(self._held))
        buffer[:count] = self._held[:count]
        self._held = self._held[count:]
        return count

    def sendall(self, data: bytes | memoryview, /) -> None:
        self._turns.sendall(zero_masked_header(len(data)), data)

    def close(self) -> None:
        with contextlib.suppress(Exception):  # the peer may be gone already
            self._ws.send_close()  # not close(): that reads the answer, which is the reader's job
        self._turns.close(closer=self._ws.shutdown)
