"""A (TLS) socket shared by a reading thread, writing threads and whoever closes it.

OpenSSL keeps the descriptor's number inside its connection: a descriptor closed while a read or write is in
flight on another thread lets that call go on with whatever the number is reused for next. Seen in CI: a read
that met the end of a closed forward answered with a TLS alert, written into a subprocess's freshly made pipe.
So reads and writes each hold a lock, and `close()` first shuts the socket down (that ends a blocked call), then
waits for both before closing the descriptor."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from typing import Any


class SocketTurns:
    """`write_lock`: the lock other writers of the socket already take (a websocket's own), if any."""

    def __init__(self, sock: socket.socket, write_lock: Any = None) -> None:
        self.sock = sock
        self._reading = threading.Lock()
        self._writing = write_lock if write_lock is not None else threading.Lock()
        self.closed = False

    def recv(self, size: int, /) -> bytes:
        with self._reading:
            return b"" if self.closed else self.sock.recv(size)

    def recv_into(self, buffer: memoryview, size: int, /) -> int:
        with self._reading:
            return 0 if self.closed else self.sock.recv_into(buffer, size)

    def sendall(self, *parts: bytes | memoryview) -> None:
        """The parts in one turn: a frame's header and its payload go out together, without a joined copy."""
        with self._writing:
            if self.closed:
                raise ConnectionResetError("the connection is closed")
            for part in parts:
                self.sock.sendall(part)

    def settimeout(self, timeout: float | None) -> None:
        self.sock.settimeout(timeout)

    def close(self, closer: Callable[[], object] | None = None) -> None:
        """`closer` closes the descriptor (a websocket's own shutdown), by default the socket's close()."""
        with contextlib.suppress(OSError):  # already cut
            self.sock.shutdown(socket.SHUT_RDWR)
        with self._reading, self._writing:
            if not self.closed:
                self.closed = True
                (closer or self.sock.close)()
