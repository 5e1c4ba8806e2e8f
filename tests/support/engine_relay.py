"""A unix-socket relay in front of the real dockerd, for tests: the app talks to it through DOCKER_HOST and the
test cuts it (as when dockerd dies in the middle of a call) or slows it down (so a copy takes long enough to be
watched and cancelled). The shared dockerd itself is never stopped."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import tempfile
import threading
import time


class SeverableEngine:
    """Relays every connection to `target` (a unix socket path); `cut()` shuts all of them and the listener.
    `bytes_per_s` (optional) limits what goes from the app to the engine (an upload), in each connection."""

    def __init__(self, target: str, bytes_per_s: int | None = None) -> None:
        self.path = os.path.join(tempfile.mkdtemp(prefix="k8sx-relay-"), "docker.sock")
        self.host = f"unix://{self.path}"
        self._target = target
        self._rate = bytes_per_s
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_UNIX)
        self._listener.bind(self.path)
        self._listener.listen()
        threading.Thread(target=self._accept, name="engine-relay", daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                near, _ = self._listener.accept()
            except OSError:
                return
            far = socket.socket(socket.AF_UNIX)
            try:
                far.connect(self._target)
            except OSError:
                near.close()
                continue
            with self._lock:
                self._sockets += [near, far]
            threading.Thread(target=self._pump, args=(near, far, self._rate), daemon=True).start()
            threading.Thread(target=self._pump, args=(far, near, None), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket, rate: int | None) -> None:
        piece = 65536 if rate is None else max(1024, rate // 20)
        try:
            while data := source.recv(piece):
                sink.sendall(data)
                if rate is not None:
                    time.sleep(len(data) / rate)
        except OSError:
            pass
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """The engine is gone: every open connection shut, new ones refused (the socket file removed)."""
        self._listener.close()
        with self._lock:
            ends = list(self._sockets)
        for end in ends:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()
        shutil.rmtree(os.path.dirname(self.path), ignore_errors=True)
