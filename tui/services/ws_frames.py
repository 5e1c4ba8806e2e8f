"""Messages of a websocket read off its raw (TLS) socket through one buffer, for bulk streams.

websocket-client reads every frame's header, length and payload with separate socket reads and builds objects per
frame: for a 200 MB exec stream that was about three TLS reads per 22 kB frame and most of the client's CPU. Here a
read takes whatever the socket has (a TLS record is 16 kB at most) and frames are cut out of the buffer.
Pings are answered and a close is acknowledged through the WebSocket object (under its own send lock).
"""

from __future__ import annotations

import contextlib
from typing import Protocol

from websocket import ABNF, WebSocket

READ_SIZE = 1 << 18


class FrameSource(Protocol):
    def recv(self, size: int, /) -> bytes: ...


class ProtocolError(Exception):
    """The server sent what a websocket server must not."""


class MessageReader:
    """Whole messages (a first frame and its continuations) in order; None once the connection is closed."""

    def __init__(self, socket: WebSocket, source: FrameSource | None = None) -> None:
        self._socket = socket
        raw = source if source is not None else socket.sock
        if raw is None:
            raise ProtocolError("the websocket is not connected")
        self._source: FrameSource = raw
        self._buffer = bytearray()
        self._start = 0
        self._fragments: list[bytes] = []
        self._fragment_opcode = 0

    def message(self) -> tuple[int, bytes] | None:
        """(opcode, payload) of the next data message, or (OPCODE_CLOSE, reason); None when the stream ended."""
        while True:
            frame = self._frame()
            if frame is None:
                return None
            fin, opcode, payload = frame
            if opcode == ABNF.OPCODE_PING:
                self._socket.pong(payload)
            elif opcode == ABNF.OPCODE_PONG:
                continue
            elif opcode == ABNF.OPCODE_CLOSE:
                with contextlib.suppress(Exception):  # the peer may be gone already: the stream has ended anyway
                    self._socket.send_close()
                return opcode, payload
            elif opcode == ABNF.OPCODE_CONT:
                if not self._fragments:
                    raise ProtocolError("a continuation frame without a message to continue")
                self._fragments.append(payload)
                if fin:
                    whole = b"".join(self._fragments)
                    self._fragments = []
                    return self._fragment_opcode, whole
            elif fin:
                return opcode, payload
            else:
                self._fragment_opcode = opcode
                self._fragments = [payload]

    def _frame(self) -> tuple[bool, int, bytes] | None:
        if not self._fill(2):
            return None
        buffer, start = self._buffer, self._start
        first, second = buffer[start], buffer[start + 1]
        if second & 0x80:
            raise ProtocolError("a masked frame from the server")
        length, header = second & 0x7F, 2
        if length == 126:
            if not self._fill(4):
                return None
            length, header = int.from_bytes(self._buffer[self._start + 2 : self._start + 4], "big"), 4
        elif length == 127:
            if not self._fill(10):
                return None
            length, header = int.from_bytes(self._buffer[self._start + 2 : self._start + 10], "big"), 10
        if not self._fill(header + length):
            return None
        begin = self._start + header
        with memoryview(self._buffer) as view:  # one copy of the payload, none of the buffer
            payload = bytes(view[begin : begin + length])
        self._start = begin + length
        return bool(first & 0x80), first & 0x0F, payload

    def _fill(self, needed: int) -> bool:
        """At least `needed` bytes after the read position; False when the connection ends first."""
        while len(self._buffer) - self._start < needed:
            if self._start:
                del self._buffer[: self._start]  # what is left is less than one frame
                self._start = 0
            data = self._source.recv(READ_SIZE)
            if not data:
                return False
            self._buffer += data
        return True
