"""A connection to the API server that can be cut (issue 4, logs)."""

from __future__ import annotations

import contextlib
import socket
import threading
from urllib.parse import urlsplit


class TcpProxy:
    """A TCP proxy in front of the API server (TLS passes through untouched, so the certificates still match):
    `drop()` resets every open connection, as a network failure would; `refuse()` turns new ones away until
    `accept()`. Point a kubeconfig at `server` (see kubeconfig_with_server).

    With `cut_after` (bytes), every connection is reset once that many bytes passed through it (both ways
    counted), as a flaky load balancer or an idle timeout does to a long download; `cuts` counts them."""

    def __init__(self, target: str, cut_after: int | None = None) -> None:
        parts = urlsplit(target)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 443)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.server = f"https://127.0.0.1:{self._listener.getsockname()[1]}"
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._accepting = threading.Event()
        self._accepting.set()
        self._closed = False
        self._cut_after = cut_after
        self.cuts = 0
        threading.Thread(target=self._serve, name="tcp-proxy", daemon=True).start()

    def _serve(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self._accepting.is_set():
                self._reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=10)
                upstream.settimeout(None)
            except OSError:
                self._reset(client)
                continue
            with self._lock:
                self._open.update((client, upstream))
            link = [0, 0]  # bytes through this connection both ways, and its directions ended (shared by its pipes)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink, link), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, link: list[int]) -> None:
        try:
            while data := source.recv(65536):
                room = self._room(link, len(data))
                sink.sendall(data[:room])
                if room < len(data):
                    break
            else:
                self._pass_end(source, sink, link)
                return
        except OSError:
            pass
        for end in (source, sink):
            self._reset(end)

    def _pass_end(self, source: socket.socket, sink: socket.socket, link: list[int]) -> None:
        """One side finished sending: pass its FIN on and keep the other way open. A reset here would throw away
        what the other side has not read yet (an exec's last output and its status)."""
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)
        with self._lock:
            link[1] += 1
            if link[1] < 2:
                return
            self._open.difference_update((source, sink))
        source.close()
        sink.close()

    def _room(self, link: list[int], size: int) -> int:
        """How much of the next `size` bytes may pass before this connection is cut (all of them without cut_after)."""
        if self._cut_after is None:
            return size
        with self._lock:
            room = max(0, self._cut_after - link[0])
            link[0] += size
            if size > room and link[0] - size <= self._cut_after:
                self.cuts += 1  # the first pipe to cross the limit counts the cut; the other sees a reset end
            return min(size, room)

    def _reset(self, end: socket.socket) -> None:
        """Cut one end: shut down first (a close alone neither wakes a thread blocked reading it nor tells the
        peer), then close with a zero linger, which sends a reset."""
        with self._lock:
            self._open.discard(end)
        with contextlib.suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            end.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        with contextlib.suppress(OSError):
            end.close()

    def drop(self) -> int:
        """Reset every open connection; returns how many there were."""
        with self._lock:
            ends = list(self._open)
        for end in ends:
            self._reset(end)
        return len(ends) // 2

    def refuse(self) -> None:
        self._accepting.clear()

    def accept(self) -> None:
        self._accepting.set()

    def close(self) -> None:
        self._closed = True
        self._listener.close()
        self.drop()
