"""The local side of a forward: a taken port is refused in words naming the port asked for, with the next free one,
also when the ports after it are taken too (real sockets on 127.0.0.1)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tui.services.forward.local_port import PortInUse, listen


def taken_in_a_row(count: int) -> list[socket.socket]:
    """`count` listening sockets on consecutive ports (tried from ephemeral ports until a run is found)."""
    for _ in range(200):
        first = socket.socket()
        first.bind(("127.0.0.1", 0))
        first.listen()
        held = [first]
        start = first.getsockname()[1]
        try:
            for port in range(start + 1, start + count):
                sock = socket.socket()
                held.append(sock)
                sock.bind(("127.0.0.1", port))
                sock.listen()
            return held
        except OSError:
            for sock in held:
                sock.close()
    raise AssertionError(f"no {count} free ports in a row found")


@pytest.fixture
def three_taken() -> Iterator[int]:
    held = taken_in_a_row(3)
    yield held[0].getsockname()[1]
    for sock in held:
        sock.close()


def test_a_taken_port_followed_by_taken_ones_is_the_one_refused_and_the_offer_is_past_them(three_taken: int) -> None:
    port = three_taken
    with pytest.raises(PortInUse) as refused:
        listen("127.0.0.1", port)
    assert refused.value.port == port
    assert refused.value.free is not None and refused.value.free >= port + 3
    assert str(refused.value) == f"127.0.0.1:{port} is in use by another program; {refused.value.free} is free"
    listen("127.0.0.1", refused.value.free).close()  # the port offered can be listened on
