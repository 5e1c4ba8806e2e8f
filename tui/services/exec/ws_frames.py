"""Messages of a websocket read off its raw (TLS) socket, for bulk streams.

websocket-client builds objects per frame and copies every payload through buffers of its own: for a 200 MB exec
stream that was most of the client's CPU. Here a frame's header is read into a small buffer and its payload
decrypted straight into a bytearray of its own, which is what the caller gets: no copy of a payload's bytes.
For a stream of small frames (a terminal's: a few KB each) `read_size` reads what the socket holds at once instead
(a TLS record, up to 16 KB), and frames that are whole in it are cut out of it: one read, and one wait for the
GIL after it, for several frames instead of two each.
Pings are answered and a close is acknowledged through the WebSocket object (under its own send lock).
"""

from __future__ import annotations

import contextlib
import struct

from websocket import ABNF, WebSocket

from tui.services.exec.socket_reads import FrameSource, payload_of

HEADER_READ = 10  # the longest header a server sends: 2 bytes, then a 64-bit length
MAX_FRAME = 1 << 26  # API servers send frames of kilobytes; a payload's buffer is made whole before it is read


class ProtocolError(Exception):
    """The server sent what a websocket server must not."""


class MessageReader:
    """Whole messages (a first frame and its continuations) in order; None once the connection is closed."""

    def __init__(self, socket: WebSocket, source: FrameSource | None = None, read_size: int = HEADER_READ) -> None:
        self._socket = socket
        self._read_size = max(HEADER_READ, read_size)
        raw = source if source is not None else socket.sock
        if raw is None:
            raise ProtocolError("the websocket is not connected")
        self._source: FrameSource = raw
        self._buffer = bytearray()
        self._start = 0
        self._fragments: list[bytearray] = []
        self._fragment_opcode = 0

    def message(self) -> tuple[int, bytes | bytearray] | None:
        """(opcode, payload) of the next data message, or (OPCODE_CLOSE, reason); None when the stream ended."""
        while True:
            frame = self._frame()
            if frame is None:
                return None
            fin, opcode, payload = frame
            if opcode == ABNF.OPCODE_PING:
                self._socket.pong(bytes(payload))
            elif opcode == ABNF.OPCODE_PONG:
                continue
            elif opcode == ABNF.OPCODE_CLOSE:
                with contextlib.suppress(Exception):  # the peer may be gone already: the stream has ended anyway
                    self._socket.send_close()
                return opcode, bytes(payload)
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

    def holds_frame(self) -> bool:
        """Whether a whole frame has been read already (the next `message()` may return without reading)."""
        buffer, start = self._buffer, self._start
        held = len(buffer) - start
        if held < 2:
            return False
        length, header = buffer[start + 1] & 0x7F, 2
        if length == 126:
            length, header = int.from_bytes(buffer[start + 2 : start + 4], "big"), 4
        elif length == 127:
            length, header = int.from_bytes(buffer[start + 2 : start + 10], "big"), 10
        return held >= header + length

    def _frame(self) -> tuple[bool, int, bytearray] | None:
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
        if length > MAX_FRAME:
            raise ProtocolError(f"a frame of {length} bytes (more than {MAX_FRAME} is not taken)")
        begin = self._start + header
        held = min(len(self._buffer) - begin, length)
        self._start = begin + held
        payload = payload_of(self._source, length, self._buffer[begin : begin + held])
        if payload is None:
            return None
        return bool(first & 0x80), first & 0x0F, payload

    def _fill(self, needed: int) -> bool:
        """At least `needed` bytes after the read position; False when the connection ends first. Reads no more
        than `read_size` (by default a header's worth: what follows a header is read into its payload)."""
        while len(self._buffer) - self._start < needed:
            if self._start:
                del self._buffer[: self._start]
                self._start = 0
            data = self._source.recv(self._read_size)
            if not data:
                return False
            self._buffer += data
        return True


def zero_masked_header(length: int, opcode: int = ABNF.OPCODE_BINARY) -> bytes:
    """A final frame's header of `length` bytes, masked with the key 0000: a client must mask (RFC 6455) but may
    choose the key, and XOR with zero leaves the payload as it is, so it is sent without a masked copy.
    websocket-client masks in pure Python, which made copying into a pod slower than kubectl cp. (Masking protects
    browsers' plain-HTTP proxies from cache poisoning; this connection is a CLI's, normally TLS.)"""
    if length < 126:
        header = bytes([0x80 | opcode, 0x80 | length])
    elif length < 1 << 16:
        header = bytes([0x80 | opcode, 0x80 | 126]) + struct.pack("!H", length)
    else:
        header = bytes([0x80 | opcode, 0x80 | 127]) + struct.pack("!Q", length)
    return header + b"\0\0\0\0"
