"""The local side: a listening socket on ADDRESS:PORT, the refusal in words when the port is taken, and the next
free port to offer instead."""

from __future__ import annotations

import errno
import socket

SEARCH = 100  # ports tried after a taken one


class PortInUse(Exception):
    def __init__(self, address: str, port: int, free: int | None) -> None:
        offer = f"; {free} is free" if free else ""
        super().__init__(f"{address}:{port} is in use by another program{offer}")
        self.address, self.port, self.free = address, port, free


def listen(address: str, port: int) -> socket.socket:
    """A listening socket; PortInUse (with the next free port) when the port is taken, OSError in words else."""
    try:
        return _bound(address, port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(address, port, next_free(address, port + 1)) from exc
        if exc.errno == errno.EACCES:
            raise OSError(f"{address}:{port}: ports below 1024 need privileges; choose another") from exc
        if exc.errno == errno.EADDRNOTAVAIL:
            raise OSError(f"{address} is not an address of this machine") from exc
        raise OSError(f"cannot listen on {address}:{port}: {exc.strerror or exc}") from exc


def _bound(address: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a port in TIME_WAIT after a stop is free to use
    try:
        sock.bind((address, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def next_free(address: str, start: int) -> int | None:
    """The first port from `start` that can be listened on (a taken one is passed over, not reported)."""
    for port in range(start, min(start + SEARCH, 65536)):
        try:
            _bound(address, port).close()
        except OSError:
            continue
        return port
    return None


def listen_same_or_next(address: str, port: int) -> socket.socket:
    """`port` when it is free, else the next free one (a default the user did not type)."""
    try:
        return listen(address, port)
    except PortInUse as taken:
        if taken.free is None:
            raise
        return listen(address, taken.free)
