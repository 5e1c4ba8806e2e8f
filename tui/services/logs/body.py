"""Reading a followed log's HTTP body off its socket with as little Python per byte as possible.

A server that flushes every log line sends an HTTP chunk, and a TLS record, per line or so. Read through
urllib3 and http.client that is several Python calls per record; here one call of `read()` takes every record
that has arrived (up to READ_BYTES, straight from the socket, which is made non-blocking) and decodes their chunked
coding in one pass (ChunkedDecoder). When little has arrived, it waits GATHER_S for more first: a flood the reader
keeps up with is then taken in at most a few hundred blocks a second instead of a block per record, and each block
is one wake-up of this thread and one hand-over to the UI thread (each takes the GIL from the UI for a while).
GATHER_S stays short: while the reader waits, the server's writes fill the socket's receive window.
"""

from __future__ import annotations

import select
import socket
import ssl
import time
from collections.abc import Callable
from typing import Any

READ_BYTES = 256 * 1024  # what one read returns at most
GATHER_BYTES = 64 * 1024  # less than this arrived: wait GATHER_S for more before returning it
GATHER_S = 0.002


class ChunkedDecoder:
    """HTTP/1.1 chunked transfer coding, decoded from big raw reads, whatever they cut."""

    def __init__(self) -> None:
        self._buffer = b""
        self._left = 0  # data bytes of the current chunk still to come
        self._crlf = 0  # bytes of the CRLF after a chunk's data still to skip
        self.done = False  # the last (empty) chunk came

    def feed(self, raw: bytes) -> bytes:
        buffer = self._buffer + raw if self._buffer else raw
        position, end = 0, len(buffer)
        parts: list[bytes] = []
        while position < end and not self.done:
            if self._left:
                take = min(self._left, end - position)
                parts.append(buffer[position : position + take])
                position += take
                self._left -= take
                if self._left:
                    break
                self._crlf = 2
            if self._crlf:
                skip = min(self._crlf, end - position)
                position += skip
                self._crlf -= skip
                if self._crlf:
                    break
            line_end = buffer.find(b"\r\n", position)
            if line_end < 0:
                break
            size = int(buffer[position:line_end].split(b";", 1)[0], 16)  # ValueError: not chunked coding
            position = line_end + 2
            if size == 0:
                self.done = True
            self._left = size
        self._buffer = buffer[position:]
        return parts[0] if len(parts) == 1 else b"".join(parts)


class SocketBody:
    """The rest of a chunked body, read from the connection's socket (non-blocking from now on: this reader waits
    in `select`, so that one call takes all that arrived). Whatever the response had buffered is read first."""

    def __init__(self, buffered: Callable[[int], bytes], sock: socket.socket) -> None:
        self._buffered: Callable[[int], bytes] | None = buffered
        self._sock = sock
        self._buffer = bytearray(READ_BYTES)
        self._view = memoryview(self._buffer)
        self.decoder = ChunkedDecoder()
        sock.setblocking(False)

    def read(self) -> bytes:
        """The next decoded bytes (b"" at the body's end); ConnectionResetError if the connection ends first."""
        while not self.decoder.done:
            size = self._gather(0)
            if size < GATHER_BYTES:
                if size == 0:
                    self._wait()
                time.sleep(GATHER_S)
                size = self._gather(size)
            if decoded := self.decoder.feed(bytes(self._view[:size])):
                return decoded
        return b""

    def _gather(self, size: int) -> int:
        """Read what has arrived into the buffer after `size` bytes, until the buffer is full; its new size."""
        if self._buffered is not None:  # http.client read ahead, past the response's head
            try:
                early = self._buffered(READ_BYTES)  # all it holds (or, holding nothing, what the socket has)
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                early = b""
            self._buffered = None
            self._view[size : size + len(early)] = early
            size += len(early)
        recv_into, view = self._sock.recv_into, self._view
        while size < READ_BYTES:
            try:
                count = recv_into(view[size:])  # (a TLS socket returns one record a call)
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError, InterruptedError):
                break
            if not count:
                if size:
                    break  # the end comes with the next call
                raise ConnectionResetError("the connection closed in the middle of the log")
            size += count
        return size

    def _wait(self) -> None:
        """Until the socket has something to read, or is shut down (by the stream's `stop()`)."""
        select.select([self._sock], [], [])


def body_reader(response: Any) -> Callable[[], bytes]:
    """A function that returns the next bytes of a streamed body (b"" at its end; an exception if the connection
    breaks first): everything that has arrived, up to READ_BYTES, waiting only when little has.

    Chunked bodies of a connection whose socket is at hand are read by a SocketBody; anything else through urllib3.
    """
    fp = getattr(response, "_fp", None)
    buffered = getattr(fp, "fp", None)  # http.client's buffered reader of the socket
    sock = getattr(getattr(buffered, "raw", None), "_sock", None)
    started = getattr(fp, "chunk_left", 0) is None  # http.client has read no chunk yet
    if buffered is None or sock is None or not (getattr(response, "chunked", False) and started):
        return lambda: bytes(response.read1(READ_BYTES))
    return SocketBody(buffered.read1, sock).read
