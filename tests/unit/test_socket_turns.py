"""SocketTurns: the descriptor of a socket shared by threads is closed only when no read or write is inside it
(OpenSSL keeps the number: a call still inside after a close may read or write whatever the number is reused for)."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from tui.services.exec.socket_turns import SocketTurns


class Watched:
    """A socket that says whether it was closed while a call was inside it; its reads stay inside a while after
    the data or the end came, as OpenSSL does when it answers a cut read with an alert."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.inside = 0
        self.closed_while_inside = False

    def recv(self, size: int) -> bytes:
        self.inside += 1
        try:
            data = self.sock.recv(size)
            time.sleep(0.2)
            return data
        finally:
            self.inside -= 1

    def recv_into(self, buffer: memoryview, size: int) -> int:
        return len(self.recv(size))

    def sendall(self, data: bytes | memoryview) -> None:
        self.inside += 1
        try:
            self.sock.sendall(data)
        finally:
            self.inside -= 1

    def shutdown(self, how: int) -> None:
        self.sock.shutdown(how)

    def close(self) -> None:
        self.closed_while_inside = self.inside > 0
        self.sock.close()


def inside(watched: Watched) -> None:
    """Until the other thread is inside the socket's call (a close must wait for it to leave)."""
    deadline = time.monotonic() + 10
    while watched.inside == 0:
        assert time.monotonic() < deadline, "the other thread never entered the call"
        time.sleep(0.001)


def test_a_close_waits_for_a_read_in_flight_to_leave_the_descriptor() -> None:
    ours, theirs = socket.socketpair()
    watched = Watched(ours)
    turns = SocketTurns(watched)  # type: ignore[arg-type]
    read: list[bytes] = []
    reader = threading.Thread(target=lambda: read.append(turns.recv(100)))
    reader.start()
    inside(watched)
    turns.close()
    reader.join(5)
    assert read == [b""]  # the shutdown ended the read
    assert not watched.closed_while_inside
    assert watched.sock.fileno() == -1
    theirs.close()


def test_a_close_ends_a_write_blocked_on_a_full_buffer_then_closes() -> None:
    ours, theirs = socket.socketpair()
    watched = Watched(ours)
    turns = SocketTurns(watched)  # type: ignore[arg-type]
    failures: list[BaseException] = []

    def write() -> None:
        try:
            turns.sendall(b"x" * (64 << 20))  # nobody reads: blocks once the buffers are full
        except OSError as exc:
            failures.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    inside(watched)
    closer = threading.Thread(target=turns.close)
    closer.start()
    closer.join(5)
    writer.join(5)
    assert not closer.is_alive() and not writer.is_alive()
    assert failures and not watched.closed_while_inside
    theirs.close()


def test_after_a_close_reads_say_the_end_and_writes_refuse() -> None:
    ours, theirs = socket.socketpair()
    turns = SocketTurns(ours)
    turns.close()
    turns.close()  # twice is harmless
    assert turns.recv(10) == b"" and turns.recv_into(memoryview(bytearray(10)), 10) == 0
    with pytest.raises(ConnectionResetError):
        turns.sendall(b"late")
    theirs.close()


def test_a_frame_header_and_its_payload_go_out_in_one_turn() -> None:
    ours, theirs = socket.socketpair()
    turns = SocketTurns(ours)
    turns.sendall(b"head", memoryview(b"-body"))
    assert theirs.recv(100) == b"head-body"
    turns.close()
    theirs.close()
